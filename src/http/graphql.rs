//! GraphQL over HTTP, following the graphql-over-http draft: POST and GET on /graphql, media
//! types negotiated from `Accept`, JSON-only request bodies, no batching, no uploads, mutations
//! only over POST, and status codes that mean something for
//! `application/graphql-response+json`.

use std::time::Instant;

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::negotiate::{is_json_body, response_type, ResponseType};
use super::AppState;
use crate::error::{AppError, ErrorCode};
use crate::graphql::errors::{code_of, ensure_codes};

/// A GraphQL request as received, before execution.
struct GraphqlRequest {
    query: String,
    operation_name: Option<String>,
    variables: Option<Value>,
    extensions: Option<Value>,
}

/// A request refused before GraphQL execution.
struct Refusal {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    allow: Option<&'static str>,
}

impl Refusal {
    fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            allow: None,
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadUserInput, message)
    }

    /// No execution slot came free in time (`http::executions`): nothing ran.
    fn overloaded() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Overloaded,
            "the server is busy: no execution slot came free in time; retry after a second",
        )
    }

    fn into_response(self, media: ResponseType) -> Response {
        let body = json!({ "errors": [{ "message": self.message, "extensions": { "code": self.code.as_str() } }] });
        let mut response = (self.status, json_body(media, &body)).into_response();
        if let Some(allow) = self.allow {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        if self.code == ErrorCode::Overloaded {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if self.code == ErrorCode::Unauthenticated {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

fn json_body(media: ResponseType, body: &impl serde::Serialize) -> impl IntoResponse {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    ([(header::CONTENT_TYPE, media.content_type())], bytes)
}

pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(media) = response_type(header_str(&headers, header::ACCEPT)) else {
        return not_acceptable();
    };
    // The body limit's own refusal is plain text; every error here is a GraphQL response.
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::BadUserInput,
                format!(
                    "the request body is larger than {} KiB",
                    super::MAX_BODY_BYTES / 1024
                ),
            )
            .into_response(media)
        }
        Err(rejection) => {
            return Refusal::new(
                rejection.status(),
                ErrorCode::BadUserInput,
                rejection.body_text(),
            )
            .into_response(media)
        }
    };
    if !is_json_body(header_str(&headers, header::CONTENT_TYPE)) {
        return Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadUserInput,
            "request bodies must be `Content-Type: application/json`",
        )
        .into_response(media);
    }
    let request = match parse_body(&body) {
        Ok(request) => request,
        Err(refusal) => return refusal.into_response(media),
    };
    execute(state, headers, media, request, false).await
}

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(media) = response_type(header_str(&headers, header::ACCEPT)) else {
        return not_acceptable();
    };
    let request = match parse_query_string(query.as_deref().unwrap_or("")) {
        Ok(request) => request,
        Err(refusal) => return refusal.into_response(media),
    };
    execute(state, headers, media, request, true).await
}

/// `/graphql` with a method other than GET and POST.
pub async fn other_method(headers: HeaderMap) -> Response {
    let media = response_type(header_str(&headers, header::ACCEPT)).unwrap_or(ResponseType::Json);
    let mut refusal = Refusal::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::BadUserInput,
        "send GraphQL requests with POST (or GET for queries)",
    );
    refusal.allow = Some("GET, POST");
    refusal.into_response(media)
}

fn not_acceptable() -> Response {
    Refusal::new(
        StatusCode::NOT_ACCEPTABLE,
        ErrorCode::BadUserInput,
        "set `Accept` to application/graphql-response+json or application/json",
    )
    .into_response(ResponseType::Json)
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn parse_body(body: &[u8]) -> Result<GraphqlRequest, Refusal> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Refusal::bad_request(format!("the request body is not valid JSON: {e}")))?;
    match value {
        Value::Object(map) => from_params(map),
        Value::Array(_) => Err(Refusal::bad_request(
            "batched requests are not supported: send one operation per request",
        )),
        _ => Err(Refusal::bad_request(
            "the request body must be a JSON object",
        )),
    }
}

fn parse_query_string(query: &str) -> Result<GraphqlRequest, Refusal> {
    let mut map = Map::new();
    for (name, value) in form_urlencoded_pairs(query) {
        let value = match name.as_str() {
            "variables" | "extensions" => serde_json::from_str(&value).map_err(|_| {
                Refusal::bad_request(format!("`{name}` must be a JSON-encoded object"))
            })?,
            _ => Value::String(value),
        };
        map.insert(name, value);
    }
    from_params(map)
}

fn from_params(mut map: Map<String, Value>) -> Result<GraphqlRequest, Refusal> {
    let query = match map.remove("query") {
        Some(Value::String(query)) => query,
        Some(_) => return Err(Refusal::bad_request("`query` must be a string")),
        None => {
            return Err(Refusal::bad_request(
                "`query` is required (persisted queries are not supported)",
            ))
        }
    };
    // An empty name names no operation: clients that always send the field send "".
    let operation_name = match map.remove("operationName") {
        Some(Value::String(name)) if name.is_empty() => None,
        Some(Value::String(name)) => Some(name),
        None | Some(Value::Null) => None,
        Some(_) => return Err(Refusal::bad_request("`operationName` must be a string")),
    };
    let object_or_null = |value: Option<Value>, name: &str| match value {
        Some(Value::Object(map)) => Ok(Some(Value::Object(map))),
        None | Some(Value::Null) => Ok(None),
        Some(_) => Err(Refusal::bad_request(format!("`{name}` must be an object"))),
    };
    let variables = object_or_null(map.remove("variables"), "variables")?;
    let extensions = object_or_null(map.remove("extensions"), "extensions")?;
    Ok(GraphqlRequest {
        query,
        operation_name,
        variables,
        extensions,
    })
}

fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn percent_decode(input: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                match (
                    bytes.get(i + 1).and_then(|b| hex(*b)),
                    bytes.get(i + 2).and_then(|b| hex(*b)),
                ) {
                    (Some(hi), Some(lo)) => {
                        out.push((hi * 16 + lo) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The operation a document will run, if it names one unambiguously.
fn operation_type(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<OperationType> {
    crate::graphql::documents::operation(document, operation_name).map(|op| op.ty)
}

async fn execute(
    state: AppState,
    headers: HeaderMap,
    media: ResponseType,
    request: GraphqlRequest,
    is_get: bool,
) -> Response {
    let started = Instant::now();
    // Parsed once per distinct text (`graphql::documents`); the engine starts from a copy.
    let document = match crate::graphql::documents::parse(&request.query) {
        Ok(document) => document,
        Err(error) => {
            let message = error.to_string();
            state
                .metrics
                .graphql_request("unknown", "parse_error", started);
            let status = if media == ResponseType::Json {
                StatusCode::OK
            } else {
                StatusCode::BAD_REQUEST
            };
            let refusal = Refusal::new(status, ErrorCode::BadUserInput, message);
            return refusal.into_response(media);
        }
    };
    let op_type = operation_type(&document, request.operation_name.as_deref());
    let op_label = match op_type {
        Some(OperationType::Query) => "query",
        Some(OperationType::Mutation) => "mutation",
        Some(OperationType::Subscription) => "subscription",
        None => "unknown",
    };
    if is_get && op_type.is_some_and(|t| t != OperationType::Query) {
        state.metrics.graphql_request(op_label, "refused", started);
        let mut refusal = Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::BadUserInput,
            format!("a {op_label} cannot be sent with GET: use POST"),
        );
        refusal.allow = Some("POST");
        return refusal.into_response(media);
    }
    if op_type == Some(OperationType::Subscription) {
        state.metrics.graphql_request(op_label, "refused", started);
        return Refusal::bad_request("subscriptions run over the WebSocket at /graphql/ws")
            .into_response(media);
    }

    let request_id =
        header_str(&headers, header::HeaderName::from_static("x-request-id")).map(str::to_owned);
    let authorization = header_str(&headers, header::AUTHORIZATION);
    let actor = match state
        .verified_keys
        .authenticate(&state.pool, authorization, request_id)
        .await
    {
        Ok(actor) => actor,
        Err(err) => {
            state
                .metrics
                .graphql_request(op_label, "unauthenticated", started);
            let status = match err {
                AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            };
            let message = err.client_message();
            return Refusal::new(status, err.code(), message).into_response(media);
        }
    };

    let variables = request
        .variables
        .map(async_graphql::Variables::from_json)
        .unwrap_or_default();
    // Checked here, so that most requests run on the schema without extensions.
    let admitted = state.schema.admits(
        &document,
        request.operation_name.as_deref(),
        &variables,
        &actor,
    );
    let mut parsed = async_graphql::Request::new(request.query);
    parsed.set_parsed_query((*document).clone());
    let mut gql = crate::graphql::with_reference_data(
        parsed,
        &state.pool,
        actor,
        // Loader caches only for reads: a mutation must see the rows its own writes changed.
        op_type == Some(OperationType::Query),
        Some(&state.reference),
    )
    .variables(variables);
    if let Some(name) = request.operation_name {
        gql = gql.operation_name(name);
    }
    if let Some(Value::Object(extensions)) = request.extensions {
        for (name, value) in extensions {
            if let Ok(value) = async_graphql::Value::from_json(value) {
                gql.extensions.insert(name, value);
            }
        }
    }
    // Held until the body is built: the response's memory is what the slots bound.
    let Ok(_slot) = state.executions.enter().await else {
        state
            .metrics
            .graphql_request(op_label, "overloaded", started);
        return Refusal::overloaded().into_response(media);
    };
    // A pipeline or stage write forgets this server's kept rows itself (`graphql::pipelines`).
    let mut response = state.schema.execute(gql, admitted).await;
    ensure_codes(&mut response);

    // A request error (parsing, validation, variables, scopes) has no `data`: nothing ran.
    // Everything else has `data`, even `data: null`, and is a 200 (GraphQL over HTTP, 6.4.2).
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let no_data = request_error || data_is_empty(&response.data);
    let status = match media {
        ResponseType::Json => StatusCode::OK,
        ResponseType::GraphqlResponseJson if request_error => {
            status_for(response.errors.first().and_then(code_of).as_deref())
        }
        ResponseType::GraphqlResponseJson => StatusCode::OK,
    };
    let outcome = if response.errors.is_empty() {
        "ok"
    } else if no_data {
        "error"
    } else {
        "partial"
    };
    state.metrics.graphql_request(op_label, outcome, started);

    let body = ResponseBody {
        data: (!request_error).then_some(&response.data),
        errors: &response.errors,
        extensions: &response.extensions,
    };
    (status, json_body(media, &body)).into_response()
}

/// A response body, serialized straight from the engine's values (a board is some 100 KB:
/// converting it to `serde_json::Value` first cost a copy of the whole tree).
#[derive(serde::Serialize)]
struct ResponseBody<'a> {
    /// Absent when the request failed before execution, as the spec asks.
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [async_graphql::ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

/// True when no root field produced a value.
fn data_is_empty(data: &async_graphql::Value) -> bool {
    match data {
        async_graphql::Value::Null => true,
        async_graphql::Value::Object(fields) => {
            fields.values().all(|v| *v == async_graphql::Value::Null)
        }
        _ => false,
    }
}

/// The status of a request error, by its first error's code.
fn status_for(code: Option<&str>) -> StatusCode {
    match code {
        Some("UNAUTHENTICATED") => StatusCode::UNAUTHORIZED,
        Some("FORBIDDEN") => StatusCode::FORBIDDEN,
        Some("INTERNAL") => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode() {
        let pairs = form_urlencoded_pairs("query=%7B+viewer+%7D&operationName=A%20b&x");
        assert_eq!(pairs[0], ("query".into(), "{ viewer }".into()));
        assert_eq!(pairs[1], ("operationName".into(), "A b".into()));
        assert_eq!(pairs[2], ("x".into(), "".into()));
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }

    #[test]
    fn operation_types_are_found_by_name() {
        let doc = async_graphql::parser::parse_query(
            "query A { viewer { workspace { id } } } mutation B { x }",
        )
        .unwrap();
        assert_eq!(
            operation_type(&doc, Some("B")),
            Some(OperationType::Mutation)
        );
        assert_eq!(operation_type(&doc, Some("A")), Some(OperationType::Query));
        assert_eq!(operation_type(&doc, Some("C")), None);
    }

    #[test]
    fn batches_and_bad_bodies_are_refused() {
        assert!(parse_body(b"[{\"query\":\"{a}\"}]").is_err());
        assert!(parse_body(b"not json").is_err());
        assert!(parse_body(b"{\"query\": 1}").is_err());
        assert!(parse_body(b"{\"query\": \"{a}\", \"variables\": [1]}").is_err());
        assert!(parse_body(b"{\"query\": \"{a}\", \"variables\": null}").is_ok());
    }
}
