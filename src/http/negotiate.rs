//! Content negotiation for GraphQL over HTTP: which response media type the client accepts.

pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
pub const JSON: &str = "application/json";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    /// `application/graphql-response+json`: status codes carry meaning.
    GraphqlResponseJson,
    /// `application/json`: the legacy type, 200 for every well-formed request.
    Json,
}

impl ResponseType {
    pub fn content_type(self) -> &'static str {
        match self {
            ResponseType::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            ResponseType::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response type from an `Accept` header. No header (or an empty one) means
/// `application/graphql-response+json`, as the GraphQL-over-HTTP draft says servers should
/// assume since 1 January 2025; wildcards prefer it too; `None` means nothing we can produce
/// is acceptable (406).
pub fn response_type(accept: Option<&str>) -> Option<ResponseType> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(ResponseType::GraphqlResponseJson);
    };
    let mut best: Option<(f32, u8, ResponseType)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut q = 1.0f32;
        for param in parts {
            if let Some((name, value)) = param.split_once('=') {
                if name.trim().eq_ignore_ascii_case("q") {
                    q = value.trim().parse().unwrap_or(0.0);
                }
            }
        }
        if q <= 0.0 {
            continue;
        }
        // Specificity breaks ties between equal q values: exact types beat wildcards.
        let candidates: &[(u8, ResponseType)] = match media.as_str() {
            GRAPHQL_RESPONSE_JSON => &[(3, ResponseType::GraphqlResponseJson)],
            JSON => &[(2, ResponseType::Json)],
            "application/*" | "*/*" => &[(1, ResponseType::GraphqlResponseJson)],
            _ => &[],
        };
        for &(rank, kind) in candidates {
            if best.is_none_or(|(bq, brank, _)| q > bq || (q == bq && rank > brank)) {
                best = Some((q, rank, kind));
            }
        }
    }
    best.map(|(_, _, kind)| kind)
}

/// True for `application/json` with an optional UTF-8 charset: the only request body we take.
/// (text/plain and form bodies would let a browser skip its CORS preflight.)
pub fn is_json_body(content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return false;
    };
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case(JSON) {
        return false;
    }
    parts.all(|param| match param.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
            value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_accept_means_graphql_response_json() {
        assert_eq!(response_type(None), Some(ResponseType::GraphqlResponseJson));
        assert_eq!(
            response_type(Some("  ")),
            Some(ResponseType::GraphqlResponseJson)
        );
    }

    #[test]
    fn explicit_types_win() {
        assert_eq!(
            response_type(Some("application/json")),
            Some(ResponseType::Json)
        );
        assert_eq!(
            response_type(Some(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(ResponseType::GraphqlResponseJson)
        );
        assert_eq!(
            response_type(Some(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Some(ResponseType::Json)
        );
    }

    #[test]
    fn wildcards_prefer_the_graphql_type() {
        assert_eq!(
            response_type(Some("*/*")),
            Some(ResponseType::GraphqlResponseJson)
        );
        assert_eq!(
            response_type(Some("text/html, */*;q=0.8")),
            Some(ResponseType::GraphqlResponseJson)
        );
    }

    #[test]
    fn unacceptable_is_none() {
        assert_eq!(response_type(Some("text/html")), None);
        assert_eq!(response_type(Some("application/json;q=0")), None);
    }

    #[test]
    fn only_utf8_json_bodies() {
        assert!(is_json_body(Some("application/json")));
        assert!(is_json_body(Some("application/json; charset=utf-8")));
        assert!(!is_json_body(Some("application/json; charset=latin1")));
        assert!(!is_json_body(Some("text/plain")));
        assert!(!is_json_body(Some("application/x-www-form-urlencoded")));
        assert!(!is_json_body(Some("multipart/form-data; boundary=x")));
        assert!(!is_json_body(None));
    }
}
