//! Workspaces apart: neither the API nor the database lets one reach into another.

use serde_json::json;

use super::{REVOKE_KEY, VIEWER};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn workspaces_cannot_see_or_touch_each_other() {
    let app = TestApp::spawn().await;
    let (_, other_admin) = app.other_workspace().await;
    let mine = app.gql("{ viewer { apiKey { id } } }", json!({})).await;
    let my_key_id = mine.data()["viewer"]["apiKey"]["id"].clone();

    let listing = app
        .gql_as(
            &other_admin,
            "{ apiKeys { totalCount edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listing.data()["apiKeys"]["totalCount"], 1);
    assert_ne!(
        listing.data()["apiKeys"]["edges"][0]["node"]["id"],
        my_key_id
    );

    let foreign = app
        .gql_as(
            &other_admin,
            REVOKE_KEY,
            json!({ "input": { "id": my_key_id } }),
        )
        .await;
    assert_eq!(foreign.error_code(), "NOT_FOUND");
    let missing = app
        .gql_as(
            &other_admin,
            REVOKE_KEY,
            json!({ "input": { "id": uuid::Uuid::now_v7() } }),
        )
        .await;
    assert_eq!(missing.error_code(), "NOT_FOUND");
    // Same code and same message shape: a foreign id is indistinguishable from a missing one.
    assert_eq!(
        foreign.error_message(),
        format!("API key {} was not found", my_key_id.as_str().unwrap())
    );
    assert!(
        missing.error_message().starts_with("API key ")
            && missing.error_message().ends_with(" was not found")
    );
    assert_eq!(
        app.gql(VIEWER, json!({})).await.status,
        200,
        "my key still works"
    );

    // The other workspace's trail holds only its own failed attempts, never this workspace's events.
    let audit = app
        .gql_as(
            &other_admin,
            "{ auditEvents { edges { node { entityId outcome action } } } }",
            json!({}),
        )
        .await;
    for edge in audit.data()["auditEvents"]["edges"].as_array().unwrap() {
        if edge["node"]["entityId"] == my_key_id {
            assert_eq!(edge["node"]["outcome"], "FAILED");
            assert_eq!(edge["node"]["action"], "api_key.revoke");
        }
    }
    let mine = app.gql("{ auditEvents { totalCount } }", json!({})).await;
    assert_eq!(
        mine.data()["auditEvents"]["totalCount"],
        2,
        "only this workspace's creation events"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn composite_foreign_keys_refuse_cross_workspace_rows() {
    let app = TestApp::spawn().await;
    let (other_workspace, _) = app.other_workspace().await;
    let mut conn = app.pool.get().await.unwrap();
    use diesel_async::RunQueryDsl;
    // An audit row of the other workspace naming this workspace's key must be impossible.
    let result = diesel::sql_query(format!(
        "INSERT INTO audit_events (workspace_id, id, actor_key_id, action, entity_type, outcome)
         SELECT '{other_workspace}', gen_random_uuid(), id, 'x', 'x', 'succeeded' FROM api_keys WHERE workspace_id = '{}'",
        app.workspace_id
    ))
    .execute(&mut conn)
    .await;
    assert!(result.is_err(), "a row pointed into another workspace");
}
