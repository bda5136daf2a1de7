//! The deals list: filters, orders and keyset pages.

use serde_json::{json, Value};

use crate::support::builders::{stage_ids, DealBuilder, PipelineBuilder};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn deal_lists_filter_order_and_page_with_keyset_cursors() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let ids = stage_ids(&sales);
    for i in 0..25 {
        let close = if i % 5 == 0 {
            None
        } else {
            Some(format!("2027-01-{:02}", (i % 28) + 1))
        };
        DealBuilder::new(&format!("Deal {i:02}"))
            .amount(&format!("{}", (i * 37) % 1000))
            .owner(if i % 2 == 0 { "even" } else { "odd" })
            .custom_fields(json!({ "segment": if i % 3 == 0 { "smb" } else { "ent" } }))
            .expected_close_date(close.as_deref())
            .stage(&ids[i % 3])
            .create(&app)
            .await;
    }
    let query = "query($f: DealFilterInput, $o: DealOrderInput, $after: String, $first: Int) { deals(filter: $f, orderBy: $o, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { title amount expectedCloseDate } } }";
    for order in [
        json!(null),
        json!({ "field": "AMOUNT", "direction": "ASC" }),
        json!({ "field": "EXPECTED_CLOSE_DATE", "direction": "ASC" }),
        json!({ "field": "CREATED_AT", "direction": "DESC" }),
    ] {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = app
                .gql(query, json!({ "o": order, "after": after, "first": 7 }))
                .await;
            let data = &page.data()["deals"];
            assert_eq!(data["totalCount"], 25);
            for node in data["nodes"].as_array().unwrap() {
                seen.push(node.clone());
            }
            if data["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = data["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        let titles: std::collections::HashSet<_> = seen
            .iter()
            .map(|n| n["title"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(titles.len(), 25, "every deal exactly once for {order}");
        if order["field"] == "AMOUNT" {
            let amounts: Vec<f64> = seen
                .iter()
                .map(|n| n["amount"].as_str().unwrap().parse().unwrap())
                .collect();
            assert!(amounts.windows(2).all(|w| w[0] <= w[1]), "{amounts:?}");
        }
        if order["field"] == "EXPECTED_CLOSE_DATE" {
            assert!(
                seen.last().unwrap()["expectedCloseDate"].is_null(),
                "deals without a date come last"
            );
        }
    }
    let count = |filter: Value| {
        let app = &app;
        async move {
            app.gql(query, json!({ "f": filter })).await.data()["deals"]["totalCount"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(count(json!({ "ownerId": "even" })).await, 13);
    assert_eq!(count(json!({ "stageId": ids[0] })).await, 9);
    assert_eq!(
        count(json!({ "customField": { "key": "segment", "value": "smb" } })).await,
        9
    );
    assert_eq!(
        count(json!({ "amountMin": "500", "amountMax": "900" })).await,
        11
    );
    assert_eq!(count(json!({ "search": "deal 1" })).await, 10);
    assert_eq!(count(json!({ "status": "OPEN" })).await, 25);
    assert_eq!(
        count(json!({ "expectedCloseFrom": "2027-01-10", "expectedCloseTo": "2027-01-20" })).await,
        9
    );
    let bad = app.gql(query, json!({ "after": "bm9wZQ" })).await;
    assert_eq!(bad.body["errors"][0]["extensions"]["field"], "after");
    let wrong_order = app.gql(query, json!({ "first": 1 })).await;
    let cursor = wrong_order.data()["deals"]["pageInfo"]["endCursor"].clone();
    let mismatch = app
        .gql(
            query,
            json!({ "after": cursor, "o": { "field": "AMOUNT" } }),
        )
        .await;
    assert_eq!(mismatch.error_code(), "BAD_USER_INPUT");
}
