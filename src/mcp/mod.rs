//! MCP (Model Context Protocol) for AI agents: the CRM's operations as tools, served over
//! streamable HTTP at `/mcp` with the official Rust SDK (`rmcp`). Each tool is a thin adapter
//! over the domain operation its GraphQL mutation or query calls, so writes go through the
//! same write path (scopes, idempotency keys, dry runs, audit rows marked `mcp`).
//!
//! One file per CRM area holds its tools (`contacts.rs`, `deals.rs`, …); `tool.rs` is the
//! registry that gives each its strict input schema, scope and hints; `server.rs` answers
//! `tools/list` and `tools/call`; `auth.rs` lets only a valid API key in.

mod activities;
mod args;
mod auth;
mod billing;
mod contacts;
mod context;
mod deals;
mod errors;
mod leads;
mod ledger;
mod paging;
mod pipelines;
mod server;
mod tasks;
mod tool;

use std::sync::Arc;

use axum::Router;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

pub use self::server::DealgraphMcp;
pub use self::tool::{Effect, ToolSpec};
use crate::db::DbPool;
use crate::graphql::cursor_key::CursorKey;

/// The path MCP is served at.
pub const PATH: &str = "/mcp";

/// The `Host` values `/mcp` answers by default: loopback only, as the SDK defaults to, which
/// protects a server on a developer's machine from DNS rebinding. A deployment behind a
/// public name lists that name with `--mcp-allowed-host` (see README, "AI agents (MCP)").
pub const DEFAULT_ALLOWED_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// What `/mcp` needs besides the pool.
#[derive(Clone)]
pub struct McpSettings {
    /// The server's cursor key, so list tools hand out the same sealed cursors as GraphQL.
    pub cursor_key: CursorKey,
    /// `Host` header values accepted (host or host:port); anything else is 403.
    pub allowed_hosts: Vec<String>,
    /// Cancelled on shutdown.
    pub shutdown: CancellationToken,
}

/// The `/mcp` route: key check, then the SDK's streamable HTTP service, stateless (every
/// POST is answered on its own, so any number of instances can serve one agent) and
/// answering in plain JSON.
pub fn routes<S: Clone + Send + Sync + 'static>(
    pool: DbPool,
    keys: crate::auth::cache::VerifiedKeys,
    settings: McpSettings,
) -> Router<S> {
    let tools = Arc::new(server::all_tools());
    let factory_pool = pool.clone();
    let cursor_key = settings.cursor_key.clone();
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(settings.allowed_hosts.clone())
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_max_request_body_bytes(crate::http::MAX_BODY_BYTES)
        .with_cancellation_token(settings.shutdown.child_token());
    let service = StreamableHttpService::new(
        move || {
            Ok(DealgraphMcp::new(
                factory_pool.clone(),
                cursor_key.clone(),
                tools.clone(),
            ))
        },
        Arc::new(NeverSessionManager::default()),
        config,
    );
    Router::new()
        .nest_service(PATH, service)
        .layer(axum::middleware::from_fn_with_state(
            (pool, keys),
            auth::require_key,
        ))
}
