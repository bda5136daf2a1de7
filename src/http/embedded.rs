//! Pages and files compiled into the binary (GraphiQL's and the board's): one way to send
//! a page with its security headers and Content-Security-Policy, and a file with its
//! caching and content encoding.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// A page's Content-Security-Policy: nothing by default, the page's own `sources`
/// (`"script-src 'self'; …;"`), then what every embedded page shares: no `<base>`, no form
/// posts, no framing, and connections only back to this server, last (see [`page`]).
macro_rules! page_csp {
    ($sources:literal) => {
        concat!(
            "default-src 'none'; ",
            $sources,
            " base-uri 'none'; form-action 'none'; frame-ancestors 'none'; connect-src 'self'"
        )
    };
}
pub(super) use page_csp;

/// For files whose URL changes with their content.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// An HTML page that is never cached (it names the current files) under `csp`, whose last
/// directive must be `connect-src`: explicit `ws://host wss://host` sources are appended to
/// it for browsers that do not count WebSockets to the same host as `'self'`.
pub fn page(headers: &HeaderMap, uri: &Uri, csp: &'static str, body: &'static [u8]) -> Response {
    let host = uri.authority().map(|a| a.as_str().to_owned()).or_else(|| {
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
    });
    let csp = host
        .as_deref()
        .filter(|h| is_plain_host(h))
        .and_then(|h| HeaderValue::from_str(&format!("{csp} ws://{h} wss://{h}")).ok())
        .unwrap_or(HeaderValue::from_static(csp));
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
        body,
    )
        .into_response()
}

/// One embedded file as sent: its body in `encoding` (none: as is).
pub struct FileResponse {
    pub content_type: &'static str,
    pub cache_control: &'static str,
    pub encoding: Option<&'static str>,
    /// Whether the body was chosen by `Accept-Encoding` (then caches must key on it).
    pub negotiated: bool,
    pub body: &'static [u8],
}

impl IntoResponse for FileResponse {
    fn into_response(self) -> Response {
        let mut response = (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(self.content_type),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(self.cache_control),
                ),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            self.body,
        )
            .into_response();
        let headers = response.headers_mut();
        if self.negotiated {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        if let Some(encoding) = self.encoding {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        response
    }
}

/// The answer for a file name that is not embedded.
pub fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        "not found",
    )
        .into_response()
}

/// `host[:port]` made only of characters that cannot change the meaning of a CSP (no
/// spaces, `;`, `,`, quotes, ...).
fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_policies_end_with_connect_src() {
        let csp = page_csp!("script-src 'self';");
        assert_eq!(
            csp.rsplit(';').next().map(str::trim),
            Some("connect-src 'self'")
        );
        assert!(csp.starts_with("default-src 'none'; script-src 'self'; base-uri"));
    }

    #[test]
    fn hosts_for_csp() {
        assert!(is_plain_host("127.0.0.1:8080"));
        assert!(is_plain_host("[::1]:8080"));
        assert!(is_plain_host("crm.example.com"));
        assert!(!is_plain_host("evil; script-src *"));
        assert!(!is_plain_host(""));
    }
}
