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
