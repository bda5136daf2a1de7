//! API keys: created and stored hashed, scoped, revoked, paged.

use dealgraph::auth::Scope;
use serde_json::json;

use super::{CREATE_KEY, REVOKE_KEY, VIEWER};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn created_keys_work_once_shown_and_are_stored_hashed() {
    let app = TestApp::spawn().await;
    let response = app
        .gql(
            CREATE_KEY,
            json!({ "input": { "name": "zapier", "scopes": ["CRM_READ", "CRM_WRITE"] } }),
        )
        .await;
    let payload = &response.data()["createApiKey"];
    let secret = payload["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("dg_") && secret.len() == 67, "{secret}");
    assert!(secret.starts_with(payload["apiKey"]["prefix"].as_str().unwrap()));
    assert_eq!(
        payload["apiKey"]["scopes"],
        json!(["CRM_READ", "CRM_WRITE"])
    );

    let viewer = app.gql_as(&secret, VIEWER, json!({})).await;
    assert_eq!(viewer.data()["viewer"]["apiKey"]["name"], "zapier");

    // Nothing in the database holds the secret itself.
    let stored = app
        .count(&format!(
            "SELECT count(*) AS n FROM api_keys WHERE secret_hash = sha256('{secret}'::bytea)"
        ))
        .await;
    assert_eq!(stored, 1);
    let plain = app
        .count(&format!(
            "SELECT count(*) AS n FROM api_keys k WHERE k::text LIKE '%{}%'",
            &secret[3..]
        ))
        .await;
    assert_eq!(plain, 0);
    let in_audit = app
        .count(&format!(
            "SELECT count(*) AS n FROM audit_events a WHERE a::text LIKE '%{}%'",
            &secret[3..]
        ))
        .await;
    assert_eq!(in_audit, 0);
    let in_idem = app
        .count(&format!(
            "SELECT count(*) AS n FROM outbox_events a WHERE a::text LIKE '%{}%'",
            &secret[3..]
        ))
        .await;
    assert_eq!(in_idem, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_scope_is_forbidden_and_audited() {
    let app = TestApp::spawn().await;
    let reader = app.key_with(&[Scope::CrmRead]).await;
    let response = app
        .gql_as(
            &reader,
            CREATE_KEY,
            json!({ "input": { "name": "sneaky", "scopes": ["ADMIN"] } }),
        )
        .await;
    assert_eq!(response.status, 403, "{}", response.body);
    assert_eq!(response.error_code(), "FORBIDDEN");
    assert!(response.error_message().contains("admin"));
    assert_eq!(
        app.count("SELECT count(*) AS n FROM api_keys WHERE name = 'sneaky'")
            .await,
        0
    );
    assert_eq!(
        // Refused before it ran (a request error), audited as request.refused naming the field.
        app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'request.refused' AND after->>'mutation' = 'createApiKey' AND outcome = 'failed' AND error_code = 'FORBIDDEN'").await,
        1
    );

    let listing = app
        .gql_as(&reader, "{ apiKeys { totalCount } }", json!({}))
        .await;
    assert_eq!(listing.status, 403);
    let writer = app.key_with(&[Scope::CrmWrite]).await;
    let audit = app
        .gql_as(&writer, "{ auditEvents { totalCount } }", json!({}))
        .await;
    assert_eq!(audit.error_code(), "FORBIDDEN");
    // Any valid key may ask who it is.
    assert!(app
        .gql_as(&reader, VIEWER, json!({}))
        .await
        .status
        .is_success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_key_stops_working_at_once() {
    let app = TestApp::spawn().await;
    let created = app
        .gql(
            CREATE_KEY,
            json!({ "input": { "name": "temp", "scopes": ["CRM_READ"] } }),
        )
        .await;
    let secret = created.data()["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = created.data()["createApiKey"]["apiKey"]["id"].clone();
    assert_eq!(app.gql_as(&secret, VIEWER, json!({})).await.status, 200);

    let revoked = app.gql(REVOKE_KEY, json!({ "input": { "id": id } })).await;
    assert!(revoked.data()["revokeApiKey"]["apiKey"]["revokedAt"].is_string());
    let after = app.gql_as(&secret, VIEWER, json!({})).await;
    assert_eq!(after.status, 401);
    assert_eq!(after.error_code(), "UNAUTHENTICATED");

    // Revoking again changes nothing and keeps the first revocation time.
    let again = app.gql(REVOKE_KEY, json!({ "input": { "id": id } })).await;
    assert_eq!(
        again.data()["revokeApiKey"]["apiKey"]["revokedAt"],
        revoked.data()["revokeApiKey"]["apiKey"]["revokedAt"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn api_keys_page_with_keyset_cursors() {
    let app = TestApp::spawn().await;
    for i in 0..4 {
        app.gql(
            CREATE_KEY,
            json!({ "input": { "name": format!("k{i}"), "scopes": ["CRM_READ"] } }),
        )
        .await
        .data();
    }
    let page = |after: Option<String>| {
        let app = &app;
        async move {
            app.gql("query($after: String) { apiKeys(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }", json!({ "after": after })).await
        }
    };
    let first = page(None).await;
    let conn = &first.data()["apiKeys"];
    assert_eq!(conn["totalCount"], 5);
    let names: Vec<_> = conn["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["k3", "k2"]);
    assert_eq!(conn["pageInfo"]["hasNextPage"], true);
    let second = page(conn["pageInfo"]["endCursor"].as_str().map(str::to_owned)).await;
    let names: Vec<_> = second.data()["apiKeys"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["k1", "k0"]);
    let last = app
        .gql(
            "{ apiKeys(last: 1) { edges { node { name } } pageInfo { hasPreviousPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        last.data()["apiKeys"]["edges"][0]["node"]["name"],
        "test admin"
    );
    assert_eq!(last.data()["apiKeys"]["pageInfo"]["hasPreviousPage"], true);
}
