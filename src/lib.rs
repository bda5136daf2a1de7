//! dealgraph: an API-first CRM served as one GraphQL API.
//!
//! Infrastructure (`db`, `auth`, `write`, `audit`, `events`) sits below the CRM domains; the
//! API layer (`graphql`, `http`) sits above them. [`app`] builds the very router that `serve`
//! runs and the tests drive.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod activities;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod config;
pub mod contacts;
pub mod db;
pub mod deals;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod leads;
pub mod ledger;
pub mod mcp;
pub mod money;
pub mod pipelines;
pub mod routing;
pub mod scoring;
pub mod seed;
pub mod tasks;
pub mod telemetry;
pub mod timeline;
pub mod validate;
pub mod webhooks;
pub mod write;

use anyhow::Context;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use config::Config;
use db::managed::ManagedCluster;
use db::DbPool;

/// The database dealgraph runs on: an external one, or the managed cluster it started.
pub struct Database {
    pub url: String,
    pub pool: DbPool,
    cluster: Option<ManagedCluster>,
    /// True when this start created the managed cluster.
    pub created: bool,
}

impl Database {
    /// Connects (starting the managed cluster when no URL is configured) and migrates.
    pub async fn open(config: &Config) -> anyhow::Result<Database> {
        let (url, cluster, created) = match &config.database_url {
            Some(url) => (url.clone(), None, false),
            None => {
                let mut cluster = ManagedCluster::new(&config.data_dir)?;
                let created = cluster.start().await?;
                let url = cluster.url("postgres");
                let dealgraph_url = cluster.url("dealgraph");
                ensure_database(&url, "dealgraph").await?;
                (dealgraph_url, Some(cluster), created)
            }
        };
        let applied = db::migrate(&url)
            .await
            .context("cannot migrate the database")?;
        if applied > 0 {
            tracing::info!(applied, "migrations applied");
        }
        let pool = db::pool(&url, config.pool_size)?;
        Ok(Database {
            url,
            pool,
            cluster,
            created,
        })
    }

    pub fn is_managed(&self) -> bool {
        self.cluster.is_some()
    }

    /// Closes the pool and stops the managed cluster if this process started it.
    pub async fn close(mut self) -> anyhow::Result<()> {
        self.pool.close();
        if let Some(cluster) = self.cluster.as_mut() {
            cluster.stop().await?;
        }
        Ok(())
    }
}

/// Creates `name` on the server at `admin_url` unless it exists.
pub async fn ensure_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    use diesel::sql_types::{Bool, Text};
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Exists {
        #[diesel(sql_type = Bool)]
        exists: bool,
    }
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<Text, _>(name)
            .get_result(&mut conn)
            .await?;
    if !found.exists {
        diesel::sql_query(format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\"")))
            .execute(&mut conn)
            .await?;
    }
    Ok(())
}

/// A built application: the router plus the handles shutdown needs.
pub struct App {
    pub router: axum::Router,
    pub shutdown: CancellationToken,
    pub tasks: TaskTracker,
}

/// Builds the HTTP application on `pool`, and starts this process's event listener on a
/// dedicated connection to `database_url`. Must run inside a tokio runtime.
pub async fn app(config: &Config, pool: DbPool, database_url: &str) -> anyhow::Result<App> {
    let settings = graphql::SchemaSettings {
        production: config.production,
    };
    let cursor_key = graphql::cursor_key::CursorKey::load(&pool, config.cursor_key.as_deref())
        .await
        .context("cannot load the cursor key")?;
    let shutdown = CancellationToken::new();
    let hub = events::hub::EventHub::start(
        database_url.to_owned(),
        pool.clone(),
        config.events,
        shutdown.clone(),
    );
    let reference = pipelines::reference::ReferenceData::default();
    reference.follow(&hub, shutdown.clone());
    let verified_keys = auth::cache::VerifiedKeys::new(config.key_cache);
    verified_keys.record_use(pool.clone(), shutdown.clone());
    let ws_keys = http::ws_keys::ConnectedKeys::default();
    ws_keys.watch(
        pool.clone(),
        &hub,
        verified_keys.clone(),
        config.ws.revalidate_interval,
        shutdown.clone(),
    );
    let mcp = mcp::McpSettings {
        cursor_key: cursor_key.clone(),
        allowed_hosts: config.mcp_allowed_hosts.clone(),
        shutdown: shutdown.clone(),
    };
    let webhooks = webhooks::WebhookSettings {
        require_https: config.production || config.webhooks.require_https,
        ..config.webhooks.clone()
    };
    if webhooks.deliver {
        webhooks::worker::start(pool.clone(), &hub, webhooks.clone(), shutdown.clone()).await?;
    }
    let schema = graphql::build_schema_with_events(
        pool.clone(),
        hub,
        (ws_keys.clone(), verified_keys.clone()),
        cursor_key,
        settings,
        webhooks,
    );
    schema.prime().await;
    let tasks = TaskTracker::new();
    let state = http::AppState {
        schema,
        pool,
        metrics: telemetry::Metrics::install()?,
        ws: config.ws,
        ws_keys,
        verified_keys,
        reference,
        shutdown: shutdown.clone(),
        tasks: tasks.clone(),
        origins: config.cors_origins.clone(),
        mcp,
        executions: http::executions::ExecutionSlots::new(config.executions),
    };
    Ok(App {
        router: http::router(state),
        shutdown,
        tasks,
    })
}

/// `dealgraph serve`: runs until SIGINT/SIGTERM, then drains requests, closes WebSockets and
/// stops the managed cluster.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let database = Database::open(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener.local_addr()?;
    if database.is_managed() {
        bootstrap_demo(&database, address).await?;
    }
    let app = app(&config, database.pool.clone(), &database.url).await?;
    tracing::info!(%address, ready_in_ms = started.elapsed().as_millis() as u64, "dealgraph is ready");
    println!("dealgraph listening on http://{address}  (GraphiQL: http://{address}/graphiql)");

    let shutdown = app.shutdown.clone();
    http::serve::run(listener, app.router, config.http, async move {
        shutdown_signal().await;
        tracing::info!("shutting down: draining requests and closing WebSockets");
        shutdown.cancel();
    })
    .await;
    app.tasks.close();
    if tokio::time::timeout(config.shutdown_grace, app.tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!("some WebSockets did not close in time");
    }
    database.close().await?;
    tracing::info!("stopped");
    Ok(())
}

/// On the first start of a managed cluster there is no workspace and no key: make a "Demo"
/// workspace and print its admin key, so a newcomer can start right away.
async fn bootstrap_demo(database: &Database, address: std::net::SocketAddr) -> anyhow::Result<()> {
    let mut conn = database.pool.get().await?;
    if auth::model::Workspace::count(&mut conn).await? > 0 {
        return Ok(());
    }
    let (workspace, key) = auth::ops::create_workspace(&mut conn, "Demo", "demo admin").await?;
    let secret = key.secret.unwrap_or_default();
    println!();
    println!(
        "Created the workspace \"Demo\" ({}) with an admin API key:",
        workspace.id
    );
    println!();
    println!("    {secret}");
    println!();
    println!("It is shown only this once. Open GraphiQL with it:");
    println!("    http://{address}/graphiql#key={secret}");
    println!();
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
