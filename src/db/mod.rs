//! The database: the connection pool, the managed local cluster, migrations and `schema.rs`.

pub mod holder;
pub mod lazy_json;
pub mod managed;
pub mod page;
pub mod per_parent;
pub mod record_sql;
#[rustfmt::skip]
pub mod schema;
pub mod server_keys;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use diesel::connection::InstrumentationEvent;
use diesel::prelude::*;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use futures_util::FutureExt;

use crate::error::AppError;

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Builds a pool; connections are opened lazily, so this does not touch the database.
pub fn pool(database_url: &str, max_size: usize) -> anyhow::Result<DbPool> {
    pool_counting(database_url, max_size, StatementCounter::default())
}

/// Counts the SQL statements a pool's connections run: the proof that a query's statement
/// count depends on its shape, not on how many rows it returns (and a /metrics counter).
#[derive(Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        AtomicU64::load(&self.0, Ordering::Relaxed)
    }
}

/// A pool whose connections count their statements into `counter`.
pub fn pool_counting(
    database_url: &str,
    max_size: usize,
    counter: StatementCounter,
) -> anyhow::Result<DbPool> {
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    // No test query on every checkout: a broken connection is detected by the driver and
    // discarded, and the saved round trip matters at thousands of requests per second.
    config.recycling_method = diesel_async::pooled_connection::RecyclingMethod::Fast;
    config.custom_setup = Box::new(move |url| {
        let counter = counter.clone();
        async move {
            let mut conn = AsyncPgConnection::establish(url).await?;
            conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
                if let InstrumentationEvent::StartQuery { query, .. } = event {
                    tracing::trace!(target: "dealgraph::sql", sql = %query, "statement");
                    counter.0.fetch_add(1, Ordering::Relaxed);
                    metrics::counter!("dealgraph_db_statements_total").increment(1);
                }
            });
            Ok(conn)
        }
        .boxed()
    });
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    Ok(Pool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(std::time::Duration::from_secs(10)))
        .runtime(deadpool::Runtime::Tokio1)
        .build()?)
}

/// Takes a pooled connection; a pool that cannot give one means the database is unavailable.
pub async fn conn(pool: &DbPool) -> Result<DbConn, AppError> {
    pool.get()
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))
}

/// Applies pending migrations (embedded in the binary) and returns how many ran.
pub async fn migrate(database_url: &str) -> anyhow::Result<usize> {
    let conn = AsyncPgConnection::establish(database_url).await?;
    let url = database_url.to_owned();
    // diesel's migration harness is synchronous; run it off the async workers.
    tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
        let _ = url;
        let mut harness = diesel_async::AsyncMigrationHarness::new(conn);
        let applied = harness
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
        Ok(applied.len())
    })
    .await?
}

/// The newest migration compiled into this binary.
pub fn latest_migration() -> Option<String> {
    use diesel::migration::MigrationSource;
    let migrations: Vec<_> = MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS).ok()?;
    migrations
        .iter()
        .map(|m| m.name().version().to_string())
        .max()
}

diesel::table! {
    __diesel_schema_migrations (version) {
        version -> VarChar,
    }
}

/// Ready means: the database answers and every embedded migration has been applied.
pub async fn check_ready(pool: &DbPool) -> Result<(), String> {
    let mut conn = pool
        .get()
        .await
        .map_err(|e| format!("database unreachable: {e}"))?;
    let applied: Option<String> = __diesel_schema_migrations::table
        .select(diesel::dsl::max(__diesel_schema_migrations::version))
        .first(&mut conn)
        .await
        .map_err(|_| "migrations have not been applied".to_string())?;
    match (applied, latest_migration()) {
        (Some(applied), Some(latest)) if applied >= latest => Ok(()),
        (_, None) => Ok(()),
        (applied, Some(latest)) => Err(format!(
            "database is at migration {}, this build needs {latest}",
            applied.unwrap_or_else(|| "none".into())
        )),
    }
}
