//! Server settings, from flags and the environment (see `dealgraph serve --help`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::events::hub::HubSettings;
use crate::http::cors::AllowedOrigins;
use crate::http::executions::ExecutionSettings;
use crate::http::serve::HttpSettings;
use crate::http::ws::WsSettings;

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// An external PostgreSQL; `None` runs the managed cluster under `data_dir`.
    pub database_url: Option<String>,
    pub data_dir: PathBuf,
    /// Production mode hides schema suggestions in error messages.
    pub production: bool,
    pub pool_size: usize,
    pub ws: WsSettings,
    /// Event fan-out: poll interval, channel size, retention.
    pub events: HubSettings,
    /// How long shutdown waits for in-flight requests and WebSockets.
    pub shutdown_grace: Duration,
    /// The key cursors are sealed with (64 hex digits); `None` uses the one kept in the
    /// database, shared by every instance on it.
    pub cursor_key: Option<String>,
    /// HTTP connections: read, write and idle timeouts, and how many may be open.
    pub http: HttpSettings,
    /// GraphQL operations over HTTP executing at once, and how long one waits for a slot.
    pub executions: ExecutionSettings,
    /// Browser origins allowed to call the API and open WebSockets (`--cors-origin`).
    pub cors_origins: AllowedOrigins,
    /// Verified API keys kept in memory: time-to-live, how often use is recorded.
    pub key_cache: crate::auth::cache::KeyCacheSettings,
    /// Outgoing webhooks: allowed targets, retry schedule, the delivery worker.
    pub webhooks: crate::webhooks::WebhookSettings,
    /// `Host` values `/mcp` accepts (`--mcp-allowed-host`): loopback plus any listed.
    pub mcp_allowed_hosts: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            data_dir: PathBuf::from(".dealgraph"),
            production: false,
            pool_size: 16,
            ws: WsSettings::default(),
            events: HubSettings::default(),
            shutdown_grace: Duration::from_secs(10),
            cursor_key: None,
            http: HttpSettings::default(),
            executions: ExecutionSettings::default(),
            cors_origins: AllowedOrigins::default(),
            key_cache: Default::default(),
            webhooks: crate::webhooks::WebhookSettings::default(),
            mcp_allowed_hosts: crate::mcp::DEFAULT_ALLOWED_HOSTS.map(String::from).to_vec(),
        }
    }
}
