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
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::embedded::{self, page_csp, FileResponse, IMMUTABLE};

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

/// No inline script or style at all (Preact sets styles through the CSSOM, which CSP
/// does not restrict); `data:` images only for the empty favicon.
const CSP: &str = page_csp!("script-src 'self'; style-src 'self'; img-src 'self' data:;");

/// The board's routes; merge them into the application's router.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(PAGE_PATH, get(page))
        .route("/admin/", get(page))
        .route("/admin/assets/{file}", get(asset))
}

async fn page(headers: HeaderMap, uri: Uri) -> Response {
    embedded::page(&headers, &uri, CSP, PAGE)
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(&(_, content_type, plain, gzip, brotli)) =
        ASSETS.iter().find(|(name, ..)| *name == file)
    else {
        return embedded::not_found();
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
    FileResponse {
        content_type,
        cache_control: IMMUTABLE,
        encoding,
        negotiated: true,
        body,
    }
    .into_response()
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
}
