//! GraphQL over HTTP as the graphql-over-http draft describes it.

use serde_json::{json, Value};

use crate::support::{GqlResponse, TestApp};

const VIEWER: &str = "{ viewer { workspace { name } } }";

async fn post(
    app: &TestApp,
    accept: Option<&str>,
    content_type: &str,
    body: String,
) -> GqlResponse {
    let mut request = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&app.admin_key)
        .header("content-type", content_type)
        .body(body);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    GqlResponse::read(request.send().await.unwrap()).await
}

/// The status line and headers of a POST sent without an `Accept` header.
async fn raw_post_head(app: &TestApp, body: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(app.address).await.unwrap();
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        app.address,
        app.admin_key,
        body.len()
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    socket.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response).to_string();
    response
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn query_body(query: &str) -> String {
    json!({ "query": query }).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn response_media_type_is_negotiated_from_accept() {
    let app = TestApp::spawn().await;
    let modern = post(
        &app,
        Some("application/graphql-response+json"),
        "application/json",
        query_body(VIEWER),
    )
    .await;
    assert_eq!(modern.status, 200);
    assert!(modern
        .header("content-type")
        .unwrap()
        .starts_with("application/graphql-response+json"));
    assert_eq!(
        modern.data()["viewer"]["workspace"]["name"],
        "Test workspace"
    );

    let legacy = post(
        &app,
        Some("application/json"),
        "application/json",
        query_body(VIEWER),
    )
    .await;
    assert!(legacy
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));

    // reqwest sends `Accept: */*` unless told otherwise; an empty header counts as none, and
    // none means application/graphql-response+json (the draft's default since 2025).
    let none = post(&app, Some(""), "application/json", query_body(VIEWER)).await;
    assert!(none
        .header("content-type")
        .unwrap()
        .starts_with("application/graphql-response+json"));
    // No Accept header at all (reqwest always sends one, so a raw request).
    let head = raw_post_head(&app, &query_body(VIEWER)).await;
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/graphql-response+json"),
        "{head}"
    );

    let wildcard = post(&app, Some("*/*"), "application/json", query_body(VIEWER)).await;
    assert!(wildcard
        .header("content-type")
        .unwrap()
        .starts_with("application/graphql-response+json"));

    let unacceptable = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&app.admin_key)
        .header("accept", "text/html")
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .unwrap();
    assert_eq!(unacceptable.status(), 406);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_json_bodies_are_accepted() {
    let app = TestApp::spawn().await;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql",
    ] {
        let response = post(
            &app,
            Some("application/graphql-response+json"),
            content_type,
            query_body(VIEWER),
        )
        .await;
        assert_eq!(response.status, 415, "{content_type}");
        assert_eq!(response.error_code(), "BAD_USER_INPUT");
    }
    let charset = post(
        &app,
        None,
        "application/json; charset=utf-8",
        query_body(VIEWER),
    )
    .await;
    assert_eq!(charset.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_requests_are_400() {
    let app = TestApp::spawn().await;
    for (body, hint) in [
        ("{not json".to_owned(), "not valid JSON"),
        (
            json!([{ "query": VIEWER }, { "query": VIEWER }]).to_string(),
            "batched",
        ),
        (
            json!({ "variables": {} }).to_string(),
            "`query` is required",
        ),
        (
            json!({ "query": 42 }).to_string(),
            "`query` must be a string",
        ),
        (
            json!({ "query": VIEWER, "variables": "x" }).to_string(),
            "`variables` must be an object",
        ),
    ] {
        for accept in ["application/json", "application/graphql-response+json"] {
            let response = post(&app, Some(accept), "application/json", body.clone()).await;
            assert_eq!(response.status, 400, "{body} / {accept}");
            assert!(response.error_message().contains(hint), "{}", response.body);
            assert_eq!(response.error_code(), "BAD_USER_INPUT");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn parse_and_validation_errors_have_no_data() {
    let app = TestApp::spawn().await;
    for query in [
        "{ viewer {",
        "{ noSuchField }",
        "{ viewer { workspace { name(x: 1) } } }",
    ] {
        let modern = post(
            &app,
            Some("application/graphql-response+json"),
            "application/json",
            query_body(query),
        )
        .await;
        assert_eq!(modern.status, 400, "{query}: {}", modern.body);
        assert!(modern.body.get("data").is_none(), "{}", modern.body);
        assert_eq!(modern.error_code(), "BAD_USER_INPUT");

        // The legacy media type answers 200 for any well-formed request, as the spec says.
        let legacy = post(
            &app,
            Some("application/json"),
            "application/json",
            query_body(query),
        )
        .await;
        assert_eq!(legacy.status, 200, "{query}");
        assert!(legacy.body.get("data").is_none());
        assert_eq!(legacy.error_code(), "BAD_USER_INPUT");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn get_runs_queries_and_refuses_mutations() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .get(app.url("/graphql"))
        .query(&[
            (
                "query",
                "query Q($n: Int) { apiKeys(first: $n) { totalCount } }",
            ),
            ("variables", r#"{"n": 5}"#),
            ("operationName", "Q"),
        ])
        .bearer_auth(&app.admin_key)
        .header("accept", "application/graphql-response+json")
        .send()
        .await
        .unwrap();
    let response = GqlResponse::read(response).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.data()["apiKeys"]["totalCount"], 1);

    let mutation = app
        .http
        .get(app.url("/graphql"))
        .query(&[(
            "query",
            "mutation { revokeApiKey(input: {id: \"x\"}) { dryRun } }",
        )])
        .bearer_auth(&app.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(mutation.status(), 405);
    assert_eq!(mutation.headers()["allow"], "POST");
    let unknown_method = app.http.put(app.url("/graphql")).send().await.unwrap();
    assert_eq!(unknown_method.status(), 405);
    assert!(unknown_method.headers()["allow"]
        .to_str()
        .unwrap()
        .contains("POST"));
}

#[tokio::test(flavor = "multi_thread")]
async fn large_bodies_are_refused() {
    let app = TestApp::spawn().await;
    let padding = "x".repeat(300 * 1024);
    let response = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&app.admin_key)
        .json(&json!({ "query": VIEWER, "variables": { "padding": padding } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test(flavor = "multi_thread")]
async fn depth_alias_and_complexity_limits_apply() {
    let app = TestApp::spawn().await;
    // Just under the limits is fine.
    let aliases: String = (0..30)
        .map(|i| format!("a{i}: viewer {{ workspace {{ name }} }} "))
        .collect();
    assert_eq!(
        app.gql(&format!("{{ {aliases} }}"), json!({})).await.status,
        200
    );

    let aliases: String = (0..31)
        .map(|i| format!("a{i}: viewer {{ workspace {{ name }} }} "))
        .collect();
    let response = app.gql(&format!("{{ {aliases} }}"), json!({})).await;
    assert_eq!(response.status, 400, "{}", response.body);
    assert!(
        response.error_message().contains("aliases"),
        "{}",
        response.body
    );
    assert_eq!(response.error_code(), "BAD_USER_INPUT");

    let nested = format!(
        "{{ __schema {{ types {{ fields {{ type {{ {} name {} }} }} }} }} }}",
        "ofType { ".repeat(14),
        "} ".repeat(14)
    );
    let response = app.gql(&nested, json!({})).await;
    assert_eq!(response.status, 400, "{}", response.body);
    assert!(
        response.error_message().to_lowercase().contains("nested"),
        "{}",
        response.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn suggestions_are_off_in_production_mode() {
    let dev = TestApp::spawn().await;
    let hint = dev.gql("{ viewr { workspace { name } } }", json!({})).await;
    assert!(
        hint.error_message().contains("Did you mean"),
        "{}",
        hint.body
    );

    let prod = TestApp::spawn_with(|c| c.production = true).await;
    let response = prod
        .gql("{ viewr { workspace { name } } }", json!({}))
        .await;
    assert!(
        !response.error_message().contains("Did you mean"),
        "{}",
        response.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn subscriptions_are_refused_over_http() {
    let app = TestApp::spawn().await;
    let response = app.gql("subscription { serverTime }", json!({})).await;
    assert_eq!(response.status, 400);
    assert!(response.error_message().contains("/graphql/ws"));
}

#[tokio::test(flavor = "multi_thread")]
async fn argument_errors_name_the_field_and_leak_nothing() {
    let app = TestApp::spawn().await;
    let response = app
        .gql("{ apiKeys(first: 1000) { totalCount } }", json!({}))
        .await;
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    assert_eq!(response.body["errors"][0]["extensions"]["field"], "first");
    let response = app
        .gql(
            "{ auditEvents(entityId: \"nope\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        response.body["errors"][0]["extensions"]["field"],
        "entityId"
    );
    let response = app
        .gql("{ apiKeys(after: \"garbage\") { totalCount } }", json!({}))
        .await;
    assert_eq!(response.body["errors"][0]["extensions"]["field"], "after");
    let text: Value = response.body.clone();
    let text = text.to_string().to_lowercase();
    assert!(
        !text.contains("select") && !text.contains("diesel") && !text.contains("panicked"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_operation_name_is_no_operation_name() {
    let app = TestApp::spawn().await;
    let body = json!({ "query": VIEWER, "operationName": "" }).to_string();
    let posted = post(
        &app,
        Some("application/graphql-response+json"),
        "application/json",
        body,
    )
    .await;
    assert_eq!(posted.status, 200, "{}", posted.body);
    assert_eq!(
        posted.data()["viewer"]["workspace"]["name"],
        "Test workspace"
    );

    let got = app
        .http
        .get(app.url("/graphql"))
        .query(&[("query", VIEWER), ("operationName", "")])
        .bearer_auth(&app.admin_key)
        .header("accept", "application/graphql-response+json")
        .send()
        .await
        .unwrap();
    let got = GqlResponse::read(got).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.data()["viewer"]["workspace"]["name"], "Test workspace");

    // A document with several operations still needs a real name.
    let two = json!({ "query": "query A { viewer { apiKey { name } } } query B { viewer { workspace { name } } }", "operationName": "" });
    let ambiguous = post(
        &app,
        Some("application/graphql-response+json"),
        "application/json",
        two.to_string(),
    )
    .await;
    assert_eq!(ambiguous.status, 400, "{}", ambiguous.body);
    assert!(ambiguous.body.get("data").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn every_refusal_is_a_graphql_response_with_a_code() {
    let app = TestApp::spawn().await;
    let graphql_error = |what: &str, body: &Value| {
        assert!(body.get("data").is_none(), "{what}: {body}");
        let code = &body["errors"][0]["extensions"]["code"];
        assert_eq!(code, "BAD_USER_INPUT", "{what}: {body}");
        assert!(body["errors"][0]["message"].is_string(), "{what}: {body}");
    };

    let padding = "x".repeat(300 * 1024);
    let too_large = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&app.admin_key)
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": VIEWER, "variables": { "padding": padding } }))
        .send()
        .await
        .unwrap();
    let too_large = GqlResponse::read(too_large).await;
    assert_eq!(too_large.status, 413);
    graphql_error("413", &too_large.body);

    let put = app
        .http
        .put(app.url("/graphql"))
        .bearer_auth(&app.admin_key)
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .unwrap();
    let put = GqlResponse::read(put).await;
    assert_eq!(put.status, 405);
    assert_eq!(put.header("allow"), Some("GET, POST"));
    graphql_error("405", &put.body);

    let form = post(
        &app,
        Some("application/graphql-response+json"),
        "text/plain",
        query_body(VIEWER),
    )
    .await;
    assert_eq!(form.status, 415);
    graphql_error("415", &form.body);

    let html = post(
        &app,
        Some("text/html"),
        "application/json",
        query_body(VIEWER),
    )
    .await;
    assert_eq!(html.status, 406);
    graphql_error("406", &html.body);
}
