//! Which browser origins may use the API from their pages (`--cors-origin`): the CORS
//! headers for them, and the Origin check of WebSocket upgrades, which browsers open from
//! any page without asking (cross-site WebSocket hijacking).
//!
//! The API authenticates with bearer keys, never cookies, so a page of another origin can
//! only use a key it already has; CORS decides whether its browser may read the answers.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD,
    CONTENT_TYPE, HOST, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What the API's requests use: GraphQL over GET and POST, a key, a JSON body, and a
/// request id the client may choose (audit events record it).
const ALLOW_METHODS: &str = "GET, POST";
const ALLOW_HEADERS: &str = "authorization, content-type, x-request-id";
/// Browsers cache a preflight at most this long (Chromium caps it at 2 hours).
const MAX_AGE_SECS: &str = "7200";

/// The origins configured with `--cors-origin`, normalized (`scheme://host[:port]`, lower
/// case). None by default: only same-origin pages (GraphiQL) and non-browser clients.
#[derive(Debug, Clone, Default)]
pub struct AllowedOrigins(Arc<[String]>);

impl AllowedOrigins {
    pub fn new(origins: impl IntoIterator<Item = String>) -> AllowedOrigins {
        AllowedOrigins(origins.into_iter().collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A configured origin, as browsers send it in `Origin`: `https://crm.example.com`,
    /// `http://localhost:3000`. Paths, wildcards and `null` are refused.
    pub fn parse(value: &str) -> Result<String, String> {
        let origin = value.trim().trim_end_matches('/').to_ascii_lowercase();
        let host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .ok_or_else(|| format!("CORS origin {value:?} must start with http:// or https://"))?;
        let plain = host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
        if host.is_empty() || !plain {
            return Err(format!(
                "CORS origin {value:?} must be scheme://host[:port], with no path or wildcard"
            ));
        }
        Ok(origin)
    }

    fn allows(&self, origin: &HeaderValue) -> bool {
        let origin = origin.as_bytes();
        self.0
            .iter()
            .any(|allowed| allowed.as_bytes().eq_ignore_ascii_case(origin))
    }

    /// Whether a WebSocket upgrade may proceed: no `Origin` (not a browser), a page served
    /// by this very host (GraphiQL), or a configured origin.
    pub fn allows_websocket(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(ORIGIN) else {
            return true;
        };
        self.allows(origin) || is_same_origin(origin, headers.get(HOST))
    }
}

/// `Origin` names the host the client connected to. The scheme is not compared: behind a
/// TLS-terminating proxy we see `http` for an `https` page.
fn is_same_origin(origin: &HeaderValue, host: Option<&HeaderValue>) -> bool {
    let (Ok(origin), Some(Ok(host))) = (origin.to_str(), host.map(HeaderValue::to_str)) else {
        return false;
    };
    let (scheme, authority) = match origin.split_once("://") {
        Some(parts) => parts,
        None => return false,
    };
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return false,
    };
    let strip = |authority: &str| {
        let authority = authority.to_ascii_lowercase();
        match authority.strip_suffix(default_port) {
            Some(bare) => bare.to_owned(),
            None => authority,
        }
    };
    strip(authority) == strip(host)
}

/// The CORS middleware: preflights from allowed origins are answered here; other
/// responses to them carry `Access-Control-Allow-Origin`. Other origins get no CORS
/// header, so their pages cannot read any answer.
pub async fn headers(
    State(origins): State<AllowedOrigins>,
    request: Request,
    next: Next,
) -> Response {
    if origins.is_empty() {
        return next.run(request).await;
    }
    let allowed = request
        .headers()
        .get(ORIGIN)
        .filter(|origin| origins.allows(origin))
        .cloned();
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = match (&allowed, preflight) {
        (Some(_), true) => preflight_response(),
        _ => next.run(request).await,
    };
    let headers = response.headers_mut();
    // Answers differ by Origin: caches must keep them apart.
    headers.append(VARY, HeaderValue::from_static("origin"));
    if let Some(origin) = allowed {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("x-request-id"),
        );
    }
    response
}

fn preflight_response() -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS),
            (ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS),
            (ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECS),
            (
                VARY,
                "access-control-request-method, access-control-request-headers",
            ),
        ],
    )
        .into_response()
}

/// The answer to a WebSocket upgrade from a page of an origin not allowed.
pub fn websocket_refused(headers: &HeaderMap) -> Response {
    let origin = headers
        .get(ORIGIN)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("?");
    tracing::info!(origin, "refused a WebSocket from an origin not allowed");
    let body = json!({ "errors": [{
        "message": format!("WebSocket connections from pages of {origin} are not allowed; the server's operator can allow the origin with --cors-origin"),
        "extensions": { "code": "FORBIDDEN" },
    }] });
    (
        StatusCode::FORBIDDEN,
        [(CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalized_or_refused() {
        assert_eq!(
            AllowedOrigins::parse("https://CRM.example.com/").unwrap(),
            "https://crm.example.com"
        );
        assert_eq!(
            AllowedOrigins::parse("http://localhost:3000").unwrap(),
            "http://localhost:3000"
        );
        for bad in [
            "*",
            "null",
            "crm.example.com",
            "https://x.com/app",
            "https://",
            "ftp://x",
        ] {
            assert!(AllowedOrigins::parse(bad).is_err(), "{bad}");
        }
    }

    fn upgrade(origin: Option<&'static str>, host: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_static(host));
        if let Some(origin) = origin {
            headers.insert(ORIGIN, HeaderValue::from_static(origin));
        }
        headers
    }

    #[test]
    fn websockets_from_this_host_or_no_browser_are_allowed_by_default() {
        let none = AllowedOrigins::default();
        assert!(none.allows_websocket(&upgrade(None, "127.0.0.1:8080")));
        assert!(none.allows_websocket(&upgrade(Some("http://127.0.0.1:8080"), "127.0.0.1:8080")));
        assert!(none.allows_websocket(&upgrade(Some("https://crm.example.com"), "crm.example.com")));
        assert!(none.allows_websocket(&upgrade(
            Some("http://crm.example.com"),
            "crm.example.com:80"
        )));
        assert!(!none.allows_websocket(&upgrade(Some("https://evil.example"), "crm.example.com")));
        assert!(!none.allows_websocket(&upgrade(Some("http://127.0.0.1:9999"), "127.0.0.1:8080")));
        assert!(!none.allows_websocket(&upgrade(Some("null"), "127.0.0.1:8080")));
        let some = AllowedOrigins::new(["https://app.example.com".to_owned()]);
        assert!(some.allows_websocket(&upgrade(Some("https://app.example.com"), "api.example.com")));
        assert!(!some.allows_websocket(&upgrade(Some("https://evil.example"), "api.example.com")));
    }
}
