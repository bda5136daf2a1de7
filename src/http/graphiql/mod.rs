//! Self-contained GraphiQL at `GET /graphiql`.
//!
//! Every file the page needs is compiled into the binary, so GraphiQL works
//! without internet access: the third-party bundles (GraphiQL, React,
//! ReactDOM, graphql-ws; pinned in `graphiql/package-lock.json`) are copied
//! into `$OUT_DIR/graphiql/` by `build.rs`, and `index.html` / `init.js` next
//! to this file are our own code. When `build.rs` could not get the bundles,
//! `/graphiql` shows a page explaining how to install them.
//!
//! Routes:
//! - `GET /graphiql`: the page, with a strict `Content-Security-Policy`
//!   (scripts only from this origin, no inline scripts).
//! - `GET /graphiql/assets/{file}`: the embedded files: `react.production.min.js`,
//!   `react-dom.production.min.js`, `graphiql.min.js`, `graphiql.min.css`,
//!   `graphql-ws.min.js` and `init.js`; anything else is a 404.
//!   The page links them as `NAME?v=VERSION`; responses to exactly that URL
//!   are cached for a year (`immutable`), any other URL must revalidate.
//!
//! The page talks to `POST /graphql` and, for subscriptions, to
//! `/graphql/ws` (graphql-transport-ws), sending the `Authorization` header
//! typed into GraphiQL as the `connection_init` payload
//! `{"authorization": "Bearer ..."}`.

use axum::extract::Path;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::embedded::{self, page_csp, FileResponse, IMMUTABLE};

/// Hash of all embedded GraphiQL files (computed by `build.rs`); the assets'
/// `?v=` cache-busting parameter.
pub const VERSION: &str = env!("DEALGRAPH_GRAPHIQL_VERSION");

/// Path of the GraphiQL page.
pub const PAGE_PATH: &str = "/graphiql";

macro_rules! out_file {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/graphiql/", $name))
    };
}

const PAGE: &[u8] = out_file!("index.html");

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// `(name, content type, body)`; names must match `VENDOR_ASSETS` in build.rs.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "react.production.min.js",
        JS,
        out_file!("react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        JS,
        out_file!("react-dom.production.min.js"),
    ),
    ("graphiql.min.js", JS, out_file!("graphiql.min.js")),
    ("graphiql.min.css", CSS, out_file!("graphiql.min.css")),
    ("graphql-ws.min.js", JS, out_file!("graphql-ws.min.js")),
    ("init.js", JS, include_bytes!("init.js")),
];

/// Policy of the page. `'unsafe-inline'` styles: GraphiQL's components set
/// inline styles; `data:` fonts/images: graphiql.min.css embeds its fonts and
/// icons as data: URLs. `connect-src 'self'` covers `ws(s):` to the same host
/// in current browsers; [`embedded::page`] appends explicit `ws://host wss://host`
/// entries for older ones.
const CSP: &str = page_csp!(
    "script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:;"
);

/// The GraphiQL routes; merge them into the application's router.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(PAGE_PATH, get(page))
        .route("/graphiql/assets/{file}", get(asset))
}

async fn page(headers: HeaderMap, uri: Uri) -> Response {
    embedded::page(&headers, &uri, CSP, PAGE)
}

async fn asset(Path(file): Path<String>, uri: Uri) -> Response {
    let Some(&(_, content_type, body)) = ASSETS.iter().find(|(name, _, _)| *name == file) else {
        return embedded::not_found();
    };
    let current = uri.query().is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.strip_prefix("v=") == Some(VERSION))
    });
    FileResponse {
        content_type,
        cache_control: if current { IMMUTABLE } else { "no-cache" },
        encoding: None,
        negotiated: false,
        body,
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_names_are_unique_and_typed() {
        for (i, (name, content_type, _)) in ASSETS.iter().enumerate() {
            assert!(ASSETS[i + 1..].iter().all(|(other, _, _)| other != name));
            assert_eq!(name.ends_with(".css"), *content_type == CSS);
        }
    }

    #[test]
    fn page_links_only_embedded_assets() {
        let page = String::from_utf8_lossy(PAGE);
        assert!(!page.contains("{{version}}"));
        assert!(!page.contains("http://") && !page.contains("https://"));
        for part in page.split("/graphiql/assets/").skip(1) {
            let name = part.split(['?', '"']).next().unwrap_or_default();
            assert!(
                ASSETS.iter().any(|(known, _, _)| *known == name),
                "unknown asset {name}"
            );
        }
    }
}
