//! The door of `/mcp`: the same bearer API keys as GraphQL. A request without a valid key is
//! answered 401 before the MCP service sees it; a valid key's [`Actor`] (marked as coming over
//! MCP, for the audit trail) rides in the request's extensions to the tools.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::audit::Channel;
use crate::auth::cache::VerifiedKeys;
use crate::db::DbPool;
use crate::error::AppError;

/// The pool and the verified-key cache GraphQL authenticates through.
pub type Door = (DbPool, VerifiedKeys);

pub async fn require_key(
    State((pool, keys)): State<Door>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let text = |name: &header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let request_id = text(&header::HeaderName::from_static("x-request-id")).map(str::to_owned);
    let authorization = text(&header::AUTHORIZATION).map(str::to_owned);
    match keys
        .authenticate(&pool, authorization.as_deref(), request_id)
        .await
    {
        Ok(mut actor) => {
            actor.channel = Channel::Mcp;
            request.extensions_mut().insert(actor);
            next.run(request).await
        }
        Err(err) => refusal(&err),
    }
}

/// 401 (with a `WWW-Authenticate: Bearer` challenge) for a missing or bad key, 503 when the
/// key could not be checked; the body names the API's error code.
fn refusal(err: &AppError) -> Response {
    let status = match err {
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    let body = json!({ "error": { "code": err.code().as_str(), "message": err.client_message() } });
    let mut response = (status, axum::Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}
