//! One cursor codec for every list: a cursor fits only the list and order it was made for.

use serde_json::json;

use crate::support::builders::{CompanyBuilder, ContactBuilder, DealBuilder, PipelineBuilder};
use crate::support::TestApp;

/// `endCursor` of the first page of `list` (a query taking `$after`).
async fn first_cursor(app: &TestApp, list: &str) -> String {
    let query = format!("{{ {list}(first: 1) {{ pageInfo {{ endCursor }} }} }}");
    let body = app.gql(&query, json!({})).await;
    body.data()[list]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap_or_else(|| panic!("no cursor from {list}: {}", body.body))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cursor_fits_only_the_list_and_order_it_came_from() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    DealBuilder::new("Acme renewal").create(&app).await;
    ContactBuilder::new("Ada").create(&app).await;
    CompanyBuilder::new("Acme").create(&app).await;

    let lists = ["deals", "contacts", "companies", "apiKeys", "auditEvents"];
    let mut cursors = Vec::new();
    for list in lists {
        cursors.push((list, first_cursor(&app, list).await));
    }
    for (made_for, cursor) in &cursors {
        for list in lists {
            let query = format!(
                "query($after: String) {{ {list}(first: 1, after: $after) {{ totalCount }} }}"
            );
            let body = app.gql(&query, json!({ "after": cursor })).await;
            if list == *made_for {
                assert!(
                    body.body.get("errors").is_none(),
                    "{list} refused its own cursor: {}",
                    body.body
                );
            } else {
                assert_eq!(
                    body.error_code(),
                    "BAD_USER_INPUT",
                    "{list} took a cursor of {made_for}"
                );
                assert_eq!(body.body["errors"][0]["extensions"]["field"], "after");
            }
        }
    }

    // Same list, another order.
    let by_name = app
        .gql(
            "query($after: String) { contacts(first: 1, orderBy: NAME, after: $after) { totalCount } }",
            json!({ "after": cursors[1].1 }),
        )
        .await;
    assert_eq!(by_name.error_code(), "BAD_USER_INPUT");
    let by_amount = app
        .gql(
            "query($after: String) { deals(first: 1, orderBy: {field: AMOUNT}, after: $after) { totalCount } }",
            json!({ "after": cursors[0].1 }),
        )
        .await;
    assert_eq!(by_amount.error_code(), "BAD_USER_INPUT");
}

/// Cursors are sealed for the workspace they were made in: unreadable, tamper-evident, and
/// refused in another workspace.
#[tokio::test(flavor = "multi_thread")]
async fn a_cursor_is_sealed_to_its_workspace() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Acme renewal").create(&app).await;
    DealBuilder::new("Globex").create(&app).await;
    let (_, their_key) = app.other_workspace().await;
    const DEALS_AFTER: &str =
        "query($after: String) { deals(first: 1, after: $after) { totalCount nodes { id } } }";

    let cursor = first_cursor(&app, "deals").await;
    let bytes = URL_SAFE_NO_PAD.decode(&cursor).expect("base64url");
    let text = String::from_utf8_lossy(&bytes);
    let id = deal["id"].as_str().unwrap();
    assert!(
        !text.contains("deals") && !text.contains(&id[..8]),
        "the cursor shows what it holds: {text:?}"
    );
    let next = app.gql(DEALS_AFTER, json!({ "after": cursor })).await;
    assert_eq!(next.data()["deals"]["nodes"].as_array().unwrap().len(), 1);

    // Every changed character is noticed.
    for at in [0, cursor.len() / 2, cursor.len() - 1] {
        let mut tampered = cursor.clone().into_bytes();
        tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        let refused = app.gql(DEALS_AFTER, json!({ "after": tampered })).await;
        assert_eq!(refused.error_code(), "BAD_USER_INPUT", "at {at}");
        assert_eq!(refused.body["errors"][0]["extensions"]["field"], "after");
    }
    // A cursor in the old, readable format is a forgery now.
    let forged = URL_SAFE_NO_PAD.encode(format!("c1:deals:updated_at:{id}:2026-01-01T00:00:00Z"));
    let refused = app.gql(DEALS_AFTER, json!({ "after": forged })).await;
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
    // Another workspace cannot use it, even for the same list.
    let elsewhere = app
        .gql_as(&their_key, DEALS_AFTER, json!({ "after": cursor }))
        .await;
    assert_eq!(elsewhere.error_code(), "BAD_USER_INPUT");
    assert_eq!(elsewhere.body["errors"][0]["extensions"]["field"], "after");
}

/// Instances on one database share the cursor key (kept in the database), so a client may
/// page through a list across instances and restarts.
#[tokio::test(flavor = "multi_thread")]
async fn a_cursor_from_one_instance_pages_on_another() {
    let a = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&a).await;
    DealBuilder::new("One").create(&a).await;
    DealBuilder::new("Two").create(&a).await;
    let cursor = first_cursor(&a, "deals").await;
    let b = TestApp::spawn_on(&a.database_url, |_| {}).await;
    let next = b
        .gql_as(
            &a.admin_key,
            "query($after: String) { deals(first: 1, after: $after) { nodes { title } } }",
            json!({ "after": cursor }),
        )
        .await;
    assert_eq!(next.data()["deals"]["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(
        a.count("SELECT count(*) AS n FROM server_keys WHERE name = 'cursor'")
            .await,
        1
    );
}
