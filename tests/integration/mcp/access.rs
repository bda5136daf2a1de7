//! Who may use `/mcp`: a valid API key (401 otherwise), with the scope each tool declares, on
//! a `Host` the server was told to answer.

use dealgraph::auth::Scope;
use reqwest::StatusCode;
use serde_json::json;

use super::{call, connect, failed, ok};
use crate::support::TestApp;

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}"#;

async fn post_initialize(
    app: &TestApp,
    key: Option<&str>,
    host: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .http
        .post(app.url("/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(INITIALIZE);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(host) = host {
        request = request.header("host", host);
    }
    request.send().await.expect("request")
}

#[tokio::test]
async fn mcp_without_a_valid_key_is_401_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;
    for key in [None, Some("dg_not_a_key"), Some("")] {
        let response = post_initialize(&app, key, None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{key:?}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "UNAUTHENTICATED");
    }
    let response = post_initialize(&app, Some(&app.admin_key), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn a_read_key_reads_but_every_write_is_forbidden_writes_nothing_and_is_audited() {
    let app = TestApp::spawn().await;
    let read_key = app.key_with(&[Scope::CrmRead]).await;
    let client = connect(&app, &read_key).await;

    let page = ok(call(&client, "search_contacts", json!({})).await);
    assert_eq!(page["total_count"], 0);
    let writes = [
        ("create_contact", json!({ "name": "Ann" })),
        ("create_company", json!({ "name": "Acme" })),
        ("create_pipeline", json!({ "name": "Sales" })),
        ("create_lead", json!({ "name": "Lee" })),
        ("create_deal", json!({ "title": "Renewal" })),
    ];
    for (tool, arguments) in writes {
        let error = failed(call(&client, tool, arguments).await);
        assert_eq!(error["code"], "FORBIDDEN", "{tool}");
        assert!(
            error["message"].as_str().unwrap().contains("crm:write"),
            "{error}"
        );
    }
    let written = "SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM companies) \
                   + (SELECT count(*) FROM leads) + (SELECT count(*) FROM deals) AS n";
    assert_eq!(app.count(written).await, 0);
    let refused = "SELECT count(*) AS n FROM audit_events WHERE action = 'request.refused' \
                   AND error_code = 'FORBIDDEN' AND channel = 'mcp'";
    assert_eq!(app.count(refused).await, 5);
    client.cancel().await.ok();
}

#[tokio::test]
async fn a_host_the_server_was_not_told_to_answer_is_refused() {
    let app = TestApp::spawn().await;
    let response = post_initialize(&app, Some(&app.admin_key), Some("crm.example.com")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let public = TestApp::spawn_with(|config| {
        config.mcp_allowed_hosts.push("crm.example.com".into());
    })
    .await;
    let response = post_initialize(&public, Some(&public.admin_key), Some("crm.example.com")).await;
    assert_eq!(response.status(), StatusCode::OK);
    // Loopback still works next to the listed name.
    let response = post_initialize(&public, Some(&public.admin_key), None).await;
    assert_eq!(response.status(), StatusCode::OK);
}
