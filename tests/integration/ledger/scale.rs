//! The trial balance over many journal lines. The lines are bulk-inserted with SQL into this
//! test's own database — two-line entries, drafted and then posted in batches, through every
//! guard (line checks, numbering, daily totals, the balance check
//! at commit) — and `trialBalance` reads the daily totals: two statements, a plan that never
//! touches `journal_lines`, and totals equal to the sums of the lines.

use std::time::Instant;

use dealgraph::ledger::model::balance::TOTALS_SQL;
use diesel::sql_types::{Array, Date, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use serde_json::json;

use super::totals_drift;
use crate::support::builders::account_ids;
use crate::support::TestApp;

/// How many two-line entries: 10,000 in the normal suite (a minute under load), 500,000 —
/// a million lines — with `LEDGER_SCALE_ENTRIES=500000` (about half an hour on this machine).
/// The statements and the plan asserted below do not depend on it. A multiple of 1,000.
fn entries() -> u32 {
    std::env::var("LEDGER_SCALE_ENTRIES")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|n| n % 1000 == 0 && *n > 0)
        .unwrap_or(10_000)
}
/// Entries drafted per transaction, and posted per transaction.
const DRAFT_CHUNKS: u32 = 10;
const POST_BATCHES: u32 = 100;

const TRIAL_BALANCE: &str = "{ trialBalance(asOf: \"2026-12-31\", currency: \"USD\") { rows { account { code } debit credit balance } totals { currency debit credit balance } } }";

#[tokio::test(flavor = "multi_thread")]
async fn the_trial_balance_reads_the_daily_totals_however_many_lines() {
    let entries = entries();
    let app = TestApp::spawn().await;
    let ids = account_ids(&app, &app.admin_key).await;
    let ws = app.workspace_id;
    let (cash, bank, services, products) = (&ids["1000"], &ids["1010"], &ids["4000"], &ids["4100"]);
    // Entry g: Dr cash or bank, Cr services or products revenue, g % 1000 + 1 dollars, dated
    // over 2026 — 4 accounts × 365 days of totals. Drafted in chunks (an entry and its lines
    // commit together, balanced), then posted a batch per transaction, as postings come: a
    // single transaction updating the one numbering counter entries times would spend its
    // time walking that row's own dead versions.
    let entry_id = "('00000000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid";
    let mut conn = app.pool.get().await.unwrap();
    let started = Instant::now();
    for chunk in 0..DRAFT_CHUNKS {
        let (from, to) = (
            chunk * entries / DRAFT_CHUNKS + 1,
            (chunk + 1) * entries / DRAFT_CHUNKS,
        );
        conn.batch_execute(&format!(
            "INSERT INTO journal_entries (workspace_id, id, entry_date, memo)
             SELECT '{ws}', {entry_id}, date '2026-01-01' + g % 365, 'bulk'
               FROM generate_series({from}, {to}) g;
             INSERT INTO journal_lines (workspace_id, id, entry_id, line_no, account_id, currency,
                                        debit, credit, entry_date)
             SELECT '{ws}', gen_random_uuid(), {entry_id}, side,
                    CASE WHEN side = 1 THEN CASE WHEN g % 2 = 0 THEN '{cash}' ELSE '{bank}' END
                         ELSE CASE WHEN g % 3 = 0 THEN '{products}' ELSE '{services}' END END::uuid,
                    'USD', CASE WHEN side = 1 THEN g % 1000 + 1 ELSE 0 END,
                    CASE WHEN side = 2 THEN g % 1000 + 1 ELSE 0 END, date '2026-01-01'
               FROM generate_series({from}, {to}) g, generate_series(1, 2) side;"
        ))
        .await
        .unwrap();
    }
    for batch in 0..POST_BATCHES {
        let (from, to) = (
            batch * entries / POST_BATCHES + 1,
            (batch + 1) * entries / POST_BATCHES,
        );
        diesel::sql_query(format!(
            "UPDATE journal_entries SET status = 'posted'
              WHERE workspace_id = '{ws}' AND id IN (SELECT {entry_id} FROM generate_series({from}, {to}) g)"
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let loaded = started.elapsed();
    assert_eq!(
        app.count("SELECT count(*) AS n FROM journal_lines").await,
        2 * i64::from(entries)
    );
    assert_eq!(
        app.count("SELECT max(number) AS n FROM journal_entries")
            .await,
        i64::from(entries)
    );

    let started = Instant::now();
    let (statements, data) = app.measured(TRIAL_BALANCE, json!({})).await;
    let read = started.elapsed() / 3;
    // Σ (g % 1000 + 1) over g = 1..entries: entries / 1000 rounds of 1 + … + 1000.
    let total = format!("{}.00", u64::from(entries / 1000) * 500_500);
    let totals = &data["trialBalance"]["totals"][0];
    assert_eq!(totals["debit"], total.as_str());
    assert_eq!(totals["credit"], total.as_str());
    assert_eq!(totals["balance"], "0.00");
    assert_eq!(data["trialBalance"]["rows"].as_array().unwrap().len(), 4);
    // The daily totals, then the accounts: two statements however many lines there are.
    assert_eq!(statements, 2, "trialBalance ran {statements} statements");
    assert_eq!(totals_drift(&app).await, 0);

    #[derive(diesel::QueryableByName)]
    struct PlanLine {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    // The plan of the very statement `trialBalance` runs for the totals, with its parameters.
    let plan: Vec<PlanLine> = diesel::sql_query(format!("EXPLAIN {TOTALS_SQL}"))
        .bind::<SqlUuid, _>(ws)
        .bind::<Date, _>(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap())
        .bind::<Nullable<Text>, _>(Some("USD"))
        .bind::<Nullable<Array<SqlUuid>>, _>(None::<Vec<uuid::Uuid>>)
        .load(&mut conn)
        .await
        .unwrap();
    let plan: Vec<String> = plan.into_iter().map(|p| p.line).collect();
    assert!(
        plan.iter().any(|line| line.contains("ledger_daily_totals"))
            && plan.iter().all(|line| !line.contains("journal_lines")),
        "{plan:#?}"
    );
    println!(
        "trialBalance over {} lines: loaded in {loaded:.1?}, read in {read:.1?} ({statements} statements)",
        2 * entries
    );
}
