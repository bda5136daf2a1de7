//! The `dealgraph` command line: serve, migrate, print-schema, and workspace/key admin.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use dealgraph::auth::{ops, Scope};
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
        /// Seconds between WebSocket keep-alive pings.
        #[arg(long, env = "DEALGRAPH_WS_PING_SECS", default_value_t = 15)]
        ws_ping_secs: u64,
        /// Seconds a WebSocket may take to send `connection_init`.
        #[arg(long, env = "DEALGRAPH_WS_INIT_TIMEOUT_SECS", default_value_t = 10)]
        ws_init_timeout_secs: u64,
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
            ws_ping_secs,
            ws_init_timeout_secs,
        } => {
            let mut config = db_config(db);
            config.listen = listen;
            config.production = production;
            config.pool_size = pool_size;
            config.ws.ping_interval = Duration::from_secs(ws_ping_secs.max(1));
            config.ws.init_timeout = Duration::from_secs(ws_init_timeout_secs.max(1));
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
    }
}
