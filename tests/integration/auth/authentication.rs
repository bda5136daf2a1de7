//! Who is calling: missing, malformed and unknown keys, and the viewer.

use serde_json::json;

use super::VIEWER;
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn missing_malformed_and_unknown_keys_are_401() {
    let app = TestApp::spawn().await;
    let no_key = app
        .http
        .post(app.url("/graphql"))
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status(), 401);
    assert_eq!(no_key.headers()["www-authenticate"], "Bearer");
    let body: serde_json::Value = no_key.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    let basic = app
        .http
        .post(app.url("/graphql"))
        .header("authorization", "Basic abc")
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401);
    let unknown = app
        .gql_as(
            "dg_0000000000000000000000000000000000000000000000000000000000000000",
            VIEWER,
            json!({}),
        )
        .await;
    assert_eq!(unknown.status, 401);
    assert_eq!(unknown.error_code(), "UNAUTHENTICATED");
}

#[tokio::test(flavor = "multi_thread")]
async fn viewer_shows_the_calling_key_and_its_workspace() {
    let app = TestApp::spawn().await;
    let response = app.gql(VIEWER, json!({})).await;
    let viewer = &response.data()["viewer"];
    assert_eq!(viewer["workspace"]["id"], app.workspace_id.to_string());
    assert_eq!(viewer["apiKey"]["name"], "test admin");
    assert_eq!(viewer["apiKey"]["scopes"], json!(["ADMIN"]));
}
