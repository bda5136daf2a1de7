//! The `dealgraph` command line: serve, migrate, print-schema, and workspace/key admin.

// Since the server holds the schema twice (`graphql::direct`), the release build's layout of
// the query root's resolver futures goes past rustc's default limit of 128.
#![recursion_limit = "256"]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use dealgraph::auth::{ops, Scope};
use dealgraph::http::cors::AllowedOrigins;
use dealgraph::http::executions::ExecutionSettings;
use dealgraph::telemetry::{init_logging, LogFormat};
use dealgraph::{Config, Database};

#[derive(Parser)]
#[command(
    name = "dealgraph",
    version,
    about = "An API-first CRM served as one GraphQL API"
)]
struct Cli {
    /// Log format.
    #[arg(
        long,
        global = true,
        env = "DEALGRAPH_LOG_FORMAT",
        value_enum,
        default_value = "human"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// PostgreSQL to use. Without it, dealgraph runs its own cluster under --data-dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Folder of the managed PostgreSQL cluster (kept across restarts).
    #[arg(long, env = "DEALGRAPH_DATA_DIR", default_value = ".dealgraph")]
    data_dir: PathBuf,
}

/// HTTP connection bounds and browser origins.
#[derive(Args, Clone)]
struct TransportArgs {
    /// A browser origin (scheme://host[:port]) whose pages may call the API and open
    /// WebSockets; repeat for several. Without it, only pages served by dealgraph itself.
    #[arg(
        long = "cors-origin",
        env = "DEALGRAPH_CORS_ORIGINS",
        value_delimiter = ',',
        value_parser = AllowedOrigins::parse
    )]
    cors_origins: Vec<String>,
    /// A `Host` (host or host:port) the MCP endpoint `/mcp` answers besides loopback, e.g.
    /// the public name of this server; repeat for several. Other hosts get 403 (the SDK's
    /// DNS-rebinding guard).
    #[arg(
        long = "mcp-allowed-host",
        env = "DEALGRAPH_MCP_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    mcp_allowed_hosts: Vec<String>,
    /// Seconds a client may take to send a request's head, from its first byte.
    #[arg(long, env = "DEALGRAPH_HTTP_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    http_header_timeout_secs: u64,
    /// Seconds a client may take to send a request's body, after its head.
    #[arg(long, env = "DEALGRAPH_HTTP_BODY_TIMEOUT_SECS", default_value_t = 30)]
    http_body_timeout_secs: u64,
    /// Seconds an HTTP write may wait for a client that is not reading before the
    /// connection is dropped.
    #[arg(long, env = "DEALGRAPH_HTTP_WRITE_TIMEOUT_SECS", default_value_t = 10)]
    http_write_timeout_secs: u64,
    /// Seconds a kept-alive HTTP connection may wait for its next request.
    #[arg(long, env = "DEALGRAPH_HTTP_IDLE_TIMEOUT_SECS", default_value_t = 75)]
    http_idle_timeout_secs: u64,
    /// Open connections (WebSockets included); more wait until one closes.
    #[arg(long, env = "DEALGRAPH_MAX_CONNECTIONS", default_value_t = 10_000)]
    max_connections: usize,
    /// GraphQL operations over HTTP executing at once; more wait in line for a slot. Each
    /// holds its response in memory, so this bounds the memory in flight.
    #[arg(
        long,
        env = "DEALGRAPH_MAX_EXECUTIONS",
        default_value_t = ExecutionSettings::default().max_concurrent
    )]
    max_executions: usize,
    /// Milliseconds a request may wait in line for a slot before it is answered 503
    /// (`OVERLOADED`, with `Retry-After`).
    #[arg(
        long,
        env = "DEALGRAPH_EXECUTION_QUEUE_TIMEOUT_MS",
        default_value_t = ExecutionSettings::default().queue_timeout.as_millis() as u64
    )]
    execution_queue_timeout_ms: u64,
}

impl TransportArgs {
    fn apply(self, config: &mut Config) {
        let secs = |n: u64| Duration::from_secs(n.max(1));
        config.http.header_read_timeout = secs(self.http_header_timeout_secs);
        config.http.body_read_timeout = secs(self.http_body_timeout_secs);
        config.http.write_timeout = secs(self.http_write_timeout_secs);
        config.http.idle_timeout = secs(self.http_idle_timeout_secs);
        config.http.max_connections = self.max_connections.max(1);
        config.executions.max_concurrent = self.max_executions.max(1);
        config.executions.queue_timeout = Duration::from_millis(self.execution_queue_timeout_ms);
        config.cors_origins = AllowedOrigins::new(self.cors_origins);
        config.mcp_allowed_hosts.extend(self.mcp_allowed_hosts);
    }
}

/// Outgoing webhooks.
#[derive(Args, Clone)]
struct WebhookArgs {
    /// Allow webhook endpoints on loopback, private, link-local and metadata addresses
    /// (development and tests; never on a server reachable by untrusted admins).
    #[arg(long, env = "DEALGRAPH_WEBHOOKS_ALLOW_PRIVATE")]
    webhooks_allow_private: bool,
    /// Seconds to wait before each retry of a failed delivery, comma-separated; after the
    /// last the delivery has failed.
    #[arg(
        long,
        env = "DEALGRAPH_WEBHOOKS_RETRY_SCHEDULE",
        value_delimiter = ',',
        default_value = "5,300,1800,7200,18000,36000,36000"
    )]
    webhooks_retry_schedule: Vec<u64>,
    /// Webhook deliveries this instance attempts at once (at most one per endpoint).
    #[arg(long, env = "DEALGRAPH_WEBHOOKS_CONCURRENCY", default_value_t = 32)]
    webhooks_concurrency: usize,
}

impl WebhookArgs {
    fn apply(self, config: &mut Config) {
        config.webhooks.allow_private = self.webhooks_allow_private;
        config.webhooks.retry_schedule = self
            .webhooks_retry_schedule
            .into_iter()
            .map(Duration::from_secs)
            .collect();
        config.webhooks.concurrency = self.webhooks_concurrency.max(1);
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the GraphQL server.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on.
        #[arg(long, env = "DEALGRAPH_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Production mode: no "did you mean" suggestions in errors.
        #[arg(long, env = "DEALGRAPH_PRODUCTION")]
        production: bool,
        /// Database connections in the pool.
        #[arg(long, env = "DEALGRAPH_POOL_SIZE", default_value_t = 16)]
        pool_size: usize,
        /// The key pagination cursors are sealed with: 64 hex digits, the same on every
        /// instance. Default: a key made once and kept in the database.
        #[arg(long, env = "DEALGRAPH_CURSOR_KEY", hide_env_values = true)]
        cursor_key: Option<String>,
        /// Seconds between WebSocket keep-alive pings.
        #[arg(long, env = "DEALGRAPH_WS_PING_SECS", default_value_t = 15)]
        ws_ping_secs: u64,
        /// Seconds a WebSocket may take to send `connection_init`.
        #[arg(long, env = "DEALGRAPH_WS_INIT_TIMEOUT_SECS", default_value_t = 10)]
        ws_init_timeout_secs: u64,
        /// Open WebSocket connections allowed per API key.
        #[arg(
            long,
            env = "DEALGRAPH_WS_MAX_CONNECTIONS_PER_KEY",
            default_value_t = 50
        )]
        ws_max_connections_per_key: usize,
        /// Seconds a WebSocket write may wait for a client that is not reading before the
        /// connection is dropped.
        #[arg(long, env = "DEALGRAPH_WS_WRITE_TIMEOUT_SECS", default_value_t = 10)]
        ws_write_timeout_secs: u64,
        /// Days events are kept for subscribers resuming with a cursor.
        #[arg(long, env = "DEALGRAPH_EVENT_RETENTION_DAYS", default_value_t = 7)]
        event_retention_days: u64,
        #[command(flatten)]
        transport: TransportArgs,
        #[command(flatten)]
        webhooks: WebhookArgs,
    },
    /// Apply pending migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print the GraphQL schema (SDL), as kept in schema.graphql.
    PrintSchema,
    /// Manage workspaces.
    Workspace {
        #[command(subcommand)]
        command: WorkspaceCommand,
    },
    /// Manage API keys.
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
    /// Fill a workspace with a realistic demo dataset, generated in SQL. Bypasses the write
    /// path and the audit trail on purpose. Prints the workspace id and, for a new workspace,
    /// an admin API key.
    Seed {
        /// Deals to create (companies: about a tenth, contacts: about half of that).
        #[arg(long, default_value_t = 1000)]
        deals: u32,
        /// Fill this existing, empty workspace instead of creating one.
        #[arg(long, conflicts_with = "workspace_name")]
        workspace: Option<uuid::Uuid>,
        /// Name of the new workspace (default: "Seed <deals>").
        #[arg(long)]
        workspace_name: Option<String>,
        /// PRNG seed: the same seed gives the same dataset.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum WorkspaceCommand {
    /// Create a workspace; prints its id and an admin API key.
    Create {
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Create an API key; prints the key (shown only once).
    Create {
        #[arg(long)]
        workspace: uuid::Uuid,
        /// Comma-separated: crm:read, crm:write, admin.
        #[arg(long, value_delimiter = ',', required = true, value_parser = parse_scope)]
        scopes: Vec<Scope>,
        #[arg(long, default_value = "cli")]
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke an API key at once; running servers close its WebSockets.
    Revoke {
        #[arg(long)]
        workspace: uuid::Uuid,
        /// The key's id (`api_key_id`, or `id` in the API).
        #[arg(long)]
        id: uuid::Uuid,
        #[command(flatten)]
        db: DbArgs,
    },
}

fn parse_scope(value: &str) -> Result<Scope, String> {
    value.parse()
}

fn db_config(db: DbArgs) -> Config {
    Config {
        database_url: db.database_url,
        data_dir: db.data_dir,
        ..Config::default()
    }
}

/// mimalloc: the server allocates many small, short-lived objects per request (resolver
/// futures, values, JSON). With it (and direct response serialization) dealgraph's CPU per
/// request fell 20–35 %, for a higher but bounded peak RSS (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    match cli.command {
        Command::Serve {
            db,
            listen,
            production,
            pool_size,
            cursor_key,
            ws_ping_secs,
            ws_init_timeout_secs,
            ws_max_connections_per_key,
            ws_write_timeout_secs,
            event_retention_days,
            transport,
            webhooks,
        } => {
            let mut config = db_config(db);
            config.listen = listen;
            config.production = production;
            config.pool_size = pool_size;
            config.cursor_key = cursor_key;
            config.ws.ping_interval = Duration::from_secs(ws_ping_secs.max(1));
            config.ws.init_timeout = Duration::from_secs(ws_init_timeout_secs.max(1));
            config.ws.max_connections_per_key = ws_max_connections_per_key.max(1);
            config.ws.write_timeout = Duration::from_secs(ws_write_timeout_secs.max(1));
            config.events.retention = Duration::from_secs(event_retention_days.max(1) * 86_400);
            transport.apply(&mut config);
            webhooks.apply(&mut config);
            dealgraph::serve(config).await
        }
        Command::Migrate { db } => {
            let database = Database::open(&db_config(db)).await?;
            println!("database is up to date");
            database.close().await
        }
        Command::PrintSchema => {
            print!("{}", dealgraph::graphql::sdl());
            Ok(())
        }
        Command::Workspace {
            command: WorkspaceCommand::Create { name, db },
        } => {
            let database = Database::open(&db_config(db)).await?;
            let mut conn = database.pool.get().await?;
            let result = ops::create_workspace(&mut conn, &name, "admin").await;
            drop(conn);
            let (workspace, key) = result.map_err(|e| anyhow::anyhow!(e.client_message()))?;
            println!("workspace_id={}", workspace.id);
            println!("api_key={}", key.secret.unwrap_or_default());
            database.close().await
        }
        Command::ApiKey {
            command:
                ApiKeyCommand::Create {
                    workspace,
                    scopes,
                    name,
                    db,
                },
        } => {
            let database = Database::open(&db_config(db)).await?;
            let mut conn = database.pool.get().await?;
            let input = ops::NewKeyInput { name, scopes };
            let result = ops::create_api_key_as_operator(&mut conn, workspace, input).await;
            drop(conn);
            let key = result
                .map_err(|e| anyhow::anyhow!(e.client_message()))
                .context("cannot create the key")?;
            println!("api_key_id={}", key.key.id);
            println!("api_key={}", key.secret.unwrap_or_default());
            database.close().await
        }
        Command::ApiKey {
            command: ApiKeyCommand::Revoke { workspace, id, db },
        } => {
            let database = Database::open(&db_config(db)).await?;
            let mut conn = database.pool.get().await?;
            let result =
                dealgraph::api_keys::ops::revoke_api_key_as_operator(&mut conn, workspace, id)
                    .await;
            drop(conn);
            let key = result
                .map_err(|e| anyhow::anyhow!(e.client_message()))
                .context("cannot revoke the key")?;
            println!("api_key_id={}", key.id);
            if let Some(at) = key.revoked_at {
                println!("revoked_at={}", at.to_rfc3339());
            }
            database.close().await
        }
        Command::Seed {
            deals,
            workspace,
            workspace_name,
            seed,
            db,
        } => {
            let target = match workspace {
                Some(id) => dealgraph::seed::Target::Existing(id),
                None => dealgraph::seed::Target::New(
                    workspace_name.unwrap_or_else(|| format!("Seed {deals}")),
                ),
            };
            let database = Database::open(&db_config(db)).await?;
            let options = dealgraph::seed::SeedOptions::new(deals, seed);
            let seeded = dealgraph::seed::run(&database.pool, target, options).await;
            database.close().await?;
            let seeded = seeded.context("seeding failed")?;
            println!("workspace_id={}", seeded.workspace_id);
            if let Some(key) = seeded.api_key {
                println!("api_key={key}");
            }
            println!("{}", seeded.report);
            Ok(())
        }
    }
}
