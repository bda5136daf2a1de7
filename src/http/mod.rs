//! The HTTP surface: routes, shared state and the middleware every request passes through.

pub mod admin;
pub mod cors;
mod embedded;
pub mod executions;
pub mod graphiql;
pub mod graphql;
pub mod negotiate;
mod open_files;
pub mod ops;
pub mod serve;
pub mod ws;
pub mod ws_keys;

use std::time::Instant;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::db::DbPool;
use crate::graphql::direct::Schemas;
use crate::telemetry::Metrics;

/// Requests larger than this are refused with 413 before they are read.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Clone)]
pub struct AppState {
    /// The schema with its rules, and a copy without for requests checked up front.
    pub schema: Schemas,
    pub pool: DbPool,
    pub metrics: Metrics,
    pub ws: ws::WsSettings,
    /// The keys of open WebSockets: capped per key, re-checked for revocation.
    pub ws_keys: ws_keys::ConnectedKeys,
    /// Keys verified recently: most requests authenticate without a statement.
    pub verified_keys: crate::auth::cache::VerifiedKeys,
    /// Workspaces' pipelines and stages in memory, for queries.
    pub reference: crate::pipelines::reference::ReferenceData,
    /// Cancelled on shutdown: WebSockets close with 1001.
    pub shutdown: CancellationToken,
    /// WebSocket connections, so shutdown can wait for them to close.
    pub tasks: TaskTracker,
    /// Browser origins allowed besides our own pages (CORS and WebSocket upgrades).
    pub origins: cors::AllowedOrigins,
    /// What the MCP endpoint (`/mcp`) needs.
    pub mcp: crate::mcp::McpSettings,
    /// GraphQL operations over HTTP executing at once, and the line for a slot.
    pub executions: executions::ExecutionSlots,
}

pub fn router(state: AppState) -> Router {
    let request_id = axum::http::HeaderName::from_static("x-request-id");
    Router::new()
        .route(
            "/graphql",
            get(graphql::get)
                .post(graphql::post)
                .fallback(graphql::other_method),
        )
        .route("/graphql/ws", get(ws::upgrade))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .merge(graphiql::routes())
        .merge(crate::mcp::routes(
            state.pool.clone(),
            state.verified_keys.clone(),
            state.mcp.clone(),
        ))
        .merge(admin::routes())
        .layer(axum::middleware::from_fn_with_state(state.clone(), record_http))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn_with_state(state.origins.clone(), cors::headers))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

async fn record_http(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let response = next.run(request).await;
    state
        .metrics
        .http_request(&method, response.status().as_u16(), started);
    response
}

/// A panic is a bug: log it, answer a generic INTERNAL error, keep serving.
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    let body = serde_json::json!({ "errors": [{ "message": "internal error", "extensions": { "code": "INTERNAL" } }] });
    let mut response = Response::new(axum::body::Body::from(body.to_string()));
    *response.status_mut() = axum::http::StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    response
}
