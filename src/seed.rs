//! `dealgraph seed`: fills a workspace with a realistic demo dataset — pipelines and stages,
//! companies, contacts, deals spread over the stages with their whole stage history, deal
//! contacts and tags, leads (some converted into the contacts) with their status history and
//! conversions, logged activities and open follow-up tasks (some overdue) — for demos, load tests and benchmarks.
//!
//! The seed **bypasses the write path on purpose**: no idempotency keys, no audit events, no
//! outbox events, no per-row validation in Rust. A 100,000-deal dataset has to load in seconds,
//! so every table is generated inside PostgreSQL by one set-based `INSERT … SELECT` over
//! `generate_series` (see `generate.rs`), all in one transaction: the workspace gets the whole
//! dataset or nothing. The database's own rules still hold every row: checks and unique indexes
//! always, and what its triggers keep (composite foreign keys, the ledger's and billing's
//! guards and balances, the kept stage counts) either through the triggers or, when the seed
//! may skip them, through one set-based check of the whole workspace before the commit
//! ([`Checks`], `verify.rs`). The integration tests check the rest (history chains, won/lost
//! stamps, currency decimals).
//!
//! Deterministic: a given `--seed` (and day, see [`SeedOptions::as_of`]) yields the same
//! names, amounts, stages, histories and times in any workspace. Only row ids differ: they are
//! UUIDv7s of the rows' creation times whose random bits also hash the workspace id, so one
//! seed can fill many workspaces of one database.

mod books;
mod checks;
mod generate;
mod indexes;
mod plan;
mod report;
mod verify;
mod words;

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::NaiveDate;
use diesel::sql_types::{Bool, Date, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use uuid::Uuid;

use crate::db::DbPool;
use books::bill;
pub use checks::Checks;
use generate::Generator;
use indexes::Deferred;
use plan::{Salts, Sizes, MAX_DEALS, PIPELINES};
pub use report::{SeedReport, TableCount};
pub use verify::{verify, SEEDED_TABLES};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct SeedOptions {
    /// How many deals (companies: about a tenth of that, contacts: about half).
    pub deals: u32,
    /// The PRNG seed: the same seed gives the same dataset.
    pub seed: u64,
    /// The day the dataset is anchored to: every generated time is before its midnight (UTC)
    /// and open deals close within the following 12 months. Default: today (UTC).
    pub as_of: Option<NaiveDate>,
}

impl SeedOptions {
    pub fn new(deals: u32, seed: u64) -> SeedOptions {
        SeedOptions {
            deals,
            seed,
            as_of: None,
        }
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.deals == 0 || self.deals > MAX_DEALS {
            bail!("--deals must be 1 to {MAX_DEALS} (got {})", self.deals);
        }
        Ok(())
    }
}

/// Which workspace to fill.
#[derive(Debug, Clone)]
pub enum Target {
    /// An existing workspace, which must have no pipelines, companies, contacts, deals or tags.
    Existing(Uuid),
    /// A new workspace with this name (and an admin API key).
    New(String),
}

/// The outcome of [`run`]: the workspace filled and, when it was created, its admin key.
pub struct Seeded {
    pub workspace_id: Uuid,
    /// The new workspace's admin API key (shown only once); `None` for an existing workspace.
    pub api_key: Option<String>,
    pub report: SeedReport,
}

/// `dealgraph seed`: fills `target` (creating it if new, atomically with its data).
pub async fn run(pool: &DbPool, target: Target, options: SeedOptions) -> anyhow::Result<Seeded> {
    options.validate()?;
    let mut conn = pool.get().await.context("cannot connect to the database")?;
    match target {
        Target::Existing(workspace_id) => {
            let report = seed_workspace(&mut conn, workspace_id, options).await?;
            Ok(Seeded {
                workspace_id,
                api_key: None,
                report,
            })
        }
        Target::New(name) => {
            let started = Instant::now();
            let (workspace_id, secret, mut report) = conn
                .transaction::<_, anyhow::Error, _>(async move |conn| {
                    let (workspace, key) =
                        crate::auth::ops::create_workspace(conn, &name, "seed admin")
                            .await
                            .map_err(|e| anyhow::anyhow!(e.client_message()))?;
                    let report = fill(conn, workspace.id, options).await?;
                    Ok((workspace.id, key.secret, report))
                })
                .await?;
            finish(&mut conn, &mut report, started).await?;
            Ok(Seeded {
                workspace_id,
                api_key: secret,
                report,
            })
        }
    }
}

/// Fills the existing, empty workspace `workspace_id` in one transaction, then vacuums and
/// analyzes.
pub async fn seed_workspace(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    options: SeedOptions,
) -> anyhow::Result<SeedReport> {
    options.validate()?;
    let started = Instant::now();
    ensure_empty(conn, workspace_id).await?;
    let mut report = conn
        .transaction::<_, anyhow::Error, _>(async move |conn| {
            fill(conn, workspace_id, options).await
        })
        .await?;
    finish(conn, &mut report, started).await?;
    Ok(report)
}

#[derive(diesel::QueryableByName)]
struct WorkspaceState {
    #[diesel(sql_type = Bool)]
    found: bool,
    /// See [`seeded_tables_holding_rows`].
    #[diesel(sql_type = Text)]
    holding: String,
}

/// The SQL of the seeded tables that hold rows of workspace `$1`, or of any workspace when
/// `$1` is null, as one comma-separated text (empty when none does).
fn seeded_tables_holding_rows() -> String {
    let tables = SEEDED_TABLES
        .iter()
        .map(|t| {
            format!(
                "CASE WHEN EXISTS (SELECT 1 FROM {t} WHERE $1::uuid IS NULL OR workspace_id = $1)
                 THEN '{t}' END"
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("concat_ws(', ', {tables})")
}

/// The seed adds pipelines with fixed names, a default one and gap-free ledger and invoice
/// numbers from 1: it fills workspaces that hold nothing it writes.
async fn ensure_empty(conn: &mut AsyncPgConnection, workspace_id: Uuid) -> anyhow::Result<()> {
    let state: WorkspaceState = diesel::sql_query(format!(
        "SELECT EXISTS (SELECT 1 FROM workspaces WHERE id = $1) AS found, {} AS holding",
        seeded_tables_holding_rows()
    ))
    .bind::<Nullable<SqlUuid>, _>(Some(workspace_id))
    .get_result(conn)
    .await?;
    if !state.found {
        bail!("workspace {workspace_id} does not exist");
    }
    if !state.holding.is_empty() {
        bail!(
            "workspace {workspace_id} already has rows in {}; seed fills empty workspaces only \
             (omit --workspace to get a new one)",
            state.holding
        );
    }
    Ok(())
}

/// Generates and inserts everything; the caller holds the transaction.
async fn fill(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    options: SeedOptions,
) -> anyhow::Result<SeedReport> {
    let started = Instant::now();
    let as_of = options
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let sizes = Sizes::for_deals(options.deals);
    let g = Generator::new(Salts::new(options.seed, workspace_id), sizes);
    let mut tables = Vec::new();

    // A bulk load of throw-away-on-failure data: no need to wait for the WAL flush at commit,
    // and room to sort and hash-join the temp tables in memory. No JIT: the generating
    // expressions are huge, and compiling them costs seconds more than evaluating them.
    conn.batch_execute(
        "SET LOCAL synchronous_commit = off;
         SET LOCAL work_mem = '64MB';
         SET LOCAL temp_buffers = '256MB';
         SET LOCAL maintenance_work_mem = '256MB';
         SET LOCAL jit = off;",
    )
    .await?;
    let checks = Checks::begin(conn).await?;
    let deferred = match checks {
        Checks::Verified => Deferred::drop_if_fresh(conn).await?,
        // Row triggers read the indexes (the ledger's guards, the stage counts).
        Checks::Triggers => None,
    };
    diesel::sql_query(g.params())
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<Date, _>(as_of)
        .execute(conn)
        .await
        .context("cannot prepare the seed parameters")?;

    let pipeline_ids: Vec<Uuid> = PIPELINES.iter().map(|_| Uuid::now_v7()).collect();
    let stage_ids: Vec<Vec<Uuid>> = PIPELINES
        .iter()
        .map(|p| p.stages.iter().map(|_| Uuid::now_v7()).collect())
        .collect();
    let tag_ids: Vec<Uuid> = words::DEAL_TAGS.iter().map(|_| Uuid::now_v7()).collect();
    run_sql(conn, &g.stages(&pipeline_ids, &stage_ids)).await?;
    run_sql(conn, &g.tags(&tag_ids)).await?;
    // Row estimates for the small tables every statement joins (unknown, they are guessed
    // at a thousand rows, and the joins' estimates explode).
    run_sql(conn, "ANALYZE seed_params, seed_stage, seed_tag").await?;
    insert(conn, &mut tables, "pipelines", g.insert_pipelines()).await?;
    insert(conn, &mut tables, "stages", g.insert_stages()).await?;
    insert(conn, &mut tables, "deal_tags", g.insert_tags()).await?;

    // Each bulk table is first generated into a temp table (analyzed, so the joins that
    // follow are hash joins), then copied into the real one.
    let staged = Instant::now();
    run_sql(conn, &g.companies()).await?;
    run_sql(conn, "ANALYZE seed_company").await?;
    insert_since(conn, &mut tables, "companies", g.insert_companies(), staged).await?;

    let staged = Instant::now();
    run_sql(conn, &g.contacts()).await?;
    run_sql(conn, "ANALYZE seed_contact").await?;
    insert_since(conn, &mut tables, "contacts", g.insert_contacts(), staged).await?;

    let staged = Instant::now();
    run_sql(conn, &g.deals()).await?;
    run_sql(conn, "ANALYZE seed_deal").await?;
    insert_since(conn, &mut tables, "deals", &g.insert_deals(), staged).await?;
    if checks == Checks::Verified {
        run_sql(conn, g.count_stage_deals()).await?;
    }

    insert(
        conn,
        &mut tables,
        "stage_changes",
        &g.insert_stage_changes(),
    )
    .await?;
    insert(
        conn,
        &mut tables,
        "deal_contacts",
        &g.insert_deal_contacts(),
    )
    .await?;
    insert(conn, &mut tables, "deal_taggings", &g.insert_taggings()).await?;

    let staged = Instant::now();
    run_sql(conn, &g.leads()).await?;
    run_sql(conn, "ANALYZE seed_lead").await?;
    insert_since(conn, &mut tables, "leads", &g.insert_leads(), staged).await?;
    insert(
        conn,
        &mut tables,
        "lead_status_changes",
        &g.insert_lead_status_changes(),
    )
    .await?;
    let conversions = g.insert_lead_conversions();
    insert(conn, &mut tables, "lead_conversions", &conversions).await?;
    let activities = Instant::now();
    let deal_activities = g.insert_deal_activities();
    let lead_activities = g.insert_lead_activities();
    insert(conn, &mut tables, "activities", &deal_activities).await?;
    insert(conn, &mut tables, "lead activities", &lead_activities).await?;
    merge_rows(&mut tables, "activities", "lead activities", activities);
    insert(conn, &mut tables, "tasks", &g.insert_tasks()).await?;
    bill(conn, &mut tables, &g, checks).await?;

    let indexing = Instant::now();
    let indexes = match deferred {
        Some(deferred) => {
            deferred.rebuild(conn).await?;
            Some(indexing.elapsed())
        }
        None => None,
    };

    let verifying = Instant::now();
    if checks == Checks::Verified {
        run_sql(conn, g.roll_up_deals()).await?;
        run_sql(conn, g.count_lead_statuses()).await?;
        verify(conn, workspace_id).await?;
        conn.batch_execute("SET LOCAL session_replication_role = origin")
            .await?;
    }
    let verify = match checks {
        Checks::Triggers => Duration::ZERO,
        Checks::Verified => verifying.elapsed(),
    };

    Ok(SeedReport {
        workspace_id,
        seed: options.seed,
        as_of,
        tables,
        load: started.elapsed(),
        checks,
        verify,
        indexes,
        analyze: Duration::ZERO,
        elapsed: Duration::ZERO,
    })
}

async fn run_sql(conn: &mut AsyncPgConnection, sql: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    diesel::sql_query(sql)
        .execute(conn)
        .await
        .with_context(|| format!("seed statement failed: {}", first_line(sql)))?;
    tracing::debug!(
        statement = first_line(sql),
        took_ms = started.elapsed().as_millis() as u64,
        "seed step"
    );
    Ok(())
}

async fn insert(
    conn: &mut AsyncPgConnection,
    tables: &mut Vec<TableCount>,
    table: &'static str,
    sql: &str,
) -> anyhow::Result<()> {
    insert_since(conn, tables, table, sql, Instant::now()).await
}

async fn insert_since(
    conn: &mut AsyncPgConnection,
    tables: &mut Vec<TableCount>,
    table: &'static str,
    sql: &str,
    started: Instant,
) -> anyhow::Result<()> {
    let inserting = Instant::now();
    let rows = diesel::sql_query(sql)
        .execute(conn)
        .await
        .with_context(|| format!("cannot seed {table}"))?;
    tracing::debug!(
        table,
        rows,
        insert_ms = inserting.elapsed().as_millis() as u64,
        "seeded"
    );
    tables.push(TableCount {
        table,
        rows: rows as u64,
        took: started.elapsed(),
    });
    Ok(())
}

/// Folds the rows of `part` into `table` (one table filled by two statements), timed from
/// `started`.
fn merge_rows(tables: &mut Vec<TableCount>, table: &str, part: &str, started: Instant) {
    let extra = tables
        .iter()
        .position(|t| t.table == part)
        .map(|i| tables.remove(i).rows)
        .unwrap_or(0);
    if let Some(t) = tables.iter_mut().find(|t| t.table == table) {
        t.rows += extra;
        t.took = started.elapsed();
    }
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or_default()
}

/// Fresh statistics for the planner (the seeded tables just grew by orders of magnitude), and
/// a vacuum, which the insert-triggered autovacuum would otherwise start a minute later, in
/// the middle of whatever the data was seeded for: it sets the visibility map (index-only
/// scans for counts) and merges the GIN indexes' pending lists.
async fn finish(
    conn: &mut AsyncPgConnection,
    report: &mut SeedReport,
    started: Instant,
) -> anyhow::Result<()> {
    let analyzing = Instant::now();
    conn.batch_execute(&format!("VACUUM (ANALYZE) {}", SEEDED_TABLES.join(", ")))
        .await
        .context("cannot vacuum and analyze the seeded tables")?;
    report.analyze = analyzing.elapsed();
    report.elapsed = started.elapsed();
    Ok(())
}
