//! The pipeline board at `GET /admin`: a browser client of the public GraphQL API.
//!
//! Its source is `admin/src` (Preact, graphql-ws, uPlot from the npm registry, pinned
//! by admin/package-lock.json); build.rs bundles it with esbuild into `$OUT_DIR/admin`
//! and this module embeds the result, so the board works with no internet.
//!
//! Routes:
//! - `GET /admin`: the page, never cached (it names the current bundles), with a strict
//!   `Content-Security-Policy`: scripts and styles only from this origin, nothing inline,
//!   connections only back to this server.
//! - `GET /admin/assets/{file}`: the bundles under content-hashed names, so they are
//!   cached for a year (`immutable`); brotli or gzip copies made at build time are sent
//!   when the browser accepts them. Anything else is a 404.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// Path of the board.
pub const PAGE_PATH: &str = "/admin";

const PAGE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/admin/index.html"));

/// `(name, content type, plain, gzip, brotli)`.
type Asset = (
    &'static str,
    &'static str,
    &'static [u8],
    &'static [u8],
    &'static [u8],
);

/// Written by admin/build.mjs.
const ASSETS: &[Asset] = include!(concat!(env!("OUT_DIR"), "/admin/assets.rs"));

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// No inline script or style at all (Preact sets styles through the CSSOM, which CSP
/// does not restrict); `data:` images only for the empty favicon. `connect-src` is the
/// last directive: [`page`] appends explicit `ws://host wss://host` for older browsers.
const CSP: &str = "default-src 'none'; \
script-src 'self'; \
style-src 'self'; \
img-src 'self' data:; \
base-uri 'none'; \
form-action 'none'; \
frame-ancestors 'none'; \
connect-src 'self'";

/// The board's routes; merge them into the application's router.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(PAGE_PATH, get(page))
        .route("/admin/", get(page))
        .route("/admin/assets/{file}", get(asset))
}

async fn page(headers: HeaderMap, uri: Uri) -> Response {
    let host = uri.authority().map(|a| a.as_str().to_owned()).or_else(|| {
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
    });
    let csp = host
        .as_deref()
        .filter(|h| super::graphiql::is_plain_host(h))
        .and_then(|h| HeaderValue::from_str(&format!("{CSP} ws://{h} wss://{h}")).ok())
        .unwrap_or(HeaderValue::from_static(CSP));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (header::CONTENT_SECURITY_POLICY, csp),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        ],
        PAGE,
    )
        .into_response()
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(&(_, content_type, plain, gzip, brotli)) =
        ASSETS.iter().find(|(name, ..)| *name == file)
    else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let accepted = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (encoding, body) = if accepts(accepted, "br") {
        (Some("br"), brotli)
    } else if accepts(accepted, "gzip") {
        (Some("gzip"), gzip)
    } else {
        (None, plain)
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
            (header::VARY, HeaderValue::from_static("accept-encoding")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response();
    if let Some(encoding) = encoding {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

/// Whether an `Accept-Encoding` value accepts `coding` (listed without `q=0`).
fn accepts(header: &str, coding: &str) -> bool {
    header.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        name.eq_ignore_ascii_case(coding) && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip;q=0.5", "gzip"));
        assert!(!accepts("br;q=0, gzip", "br"));
        assert!(!accepts("identity", "gzip"));
        assert!(!accepts("", "br"));
    }

    #[test]
    fn page_links_only_embedded_assets() {
        let page = String::from_utf8_lossy(PAGE);
        assert!(!page.contains("http://") && !page.contains("https://"));
        for part in page.split("/admin/assets/").skip(1) {
            let name = part.split('"').next().unwrap_or_default();
            assert!(
                ASSETS.iter().any(|(known, ..)| *known == name),
                "unknown asset {name}"
            );
        }
    }

    #[test]
    fn csp_ends_with_connect_src() {
        assert!(CSP.ends_with("connect-src 'self'"));
    }
}
