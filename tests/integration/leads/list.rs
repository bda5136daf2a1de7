//! The lead list: every filter narrows it, each order pages stably with keyset cursors, and
//! `totalCount` counts across pages.

use serde_json::{json, Value};

use crate::support::builders::LeadBuilder;
use crate::support::TestApp;

const LEADS: &str =
    "query($filter: LeadFilter, $orderBy: LeadOrderBy, $first: Int, $after: String) {
    leads(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
        totalCount nodes { name score } pageInfo { hasNextPage endCursor } } }";

async fn names(app: &TestApp, filter: Value) -> (Vec<String>, i64) {
    let response = app.gql(LEADS, json!({ "filter": filter })).await;
    let leads = &response.data()["leads"];
    let mut names: Vec<String> = leads["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    (names, leads["totalCount"].as_i64().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_narrow_the_list() {
    let app = TestApp::spawn().await;
    LeadBuilder::new("Priya Raman")
        .email("priya@northstar.example")
        .company_name("Northstar Studio")
        .source("WEBSITE")
        .score(80)
        .tags(&["inbound"])
        .custom_fields(json!({ "plan": "pro" }))
        .create(&app)
        .await;
    LeadBuilder::new("Sam Okafor")
        .source("REFERRAL")
        .score(30)
        .owner("user-7")
        .custom_fields(json!({ "plan": "free" }))
        .create(&app)
        .await;
    LeadBuilder::new("Lee Chen")
        .company_name("Globex")
        .source("WEBSITE")
        .score(55)
        .owner("user-7")
        .tags(&["inbound", "event"])
        .create(&app)
        .await;

    let cases = [
        (
            json!({ "source": "WEBSITE" }),
            vec!["Lee Chen", "Priya Raman"],
        ),
        (
            json!({ "ownerId": "user-7" }),
            vec!["Lee Chen", "Sam Okafor"],
        ),
        (json!({ "unowned": true }), vec!["Priya Raman"]),
        (json!({ "tag": "event" }), vec!["Lee Chen"]),
        (json!({ "scoreMin": 50 }), vec!["Lee Chen", "Priya Raman"]),
        (json!({ "scoreMax": 55 }), vec!["Lee Chen", "Sam Okafor"]),
        (
            json!({ "customField": { "key": "plan", "value": "pro" } }),
            vec!["Priya Raman"],
        ),
        (json!({ "search": "northstar" }), vec!["Priya Raman"]),
        (json!({ "search": "GLOB" }), vec!["Lee Chen"]),
        (json!({ "search": "okafor" }), vec!["Sam Okafor"]),
        (
            json!({ "status": "NEW", "source": "REFERRAL" }),
            vec!["Sam Okafor"],
        ),
        (json!({ "status": "QUALIFIED" }), vec![]),
    ];
    for (filter, expected) in cases {
        let (found, total) = names(&app, filter.clone()).await;
        assert_eq!(found, expected, "{filter}");
        assert_eq!(total, expected.len() as i64, "{filter}");
    }

    for (filter, field) in [
        (json!({ "scoreMin": 101 }), "filter.scoreMin"),
        (
            json!({ "unowned": true, "ownerId": "user-7" }),
            "filter.unowned",
        ),
    ] {
        let refused = app.gql(LEADS, json!({ "filter": filter })).await;
        assert_eq!(refused.error_code(), "BAD_USER_INPUT");
        assert_eq!(refused.body["errors"][0]["extensions"]["field"], field);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_order_pages_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    // Ties on score, so the id has to break them.
    for (i, score) in [10, 50, 50, 90, 50, 0, 70].iter().enumerate() {
        LeadBuilder::new(&format!("Lead {i}"))
            .score(*score)
            .create(&app)
            .await;
    }
    for order in ["CREATED_AT", "UPDATED_AT", "SCORE", "NAME"] {
        let mut seen = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = app
                .gql(
                    LEADS,
                    json!({ "orderBy": order, "first": 3, "after": after }),
                )
                .await;
            let leads = &page.data()["leads"];
            assert_eq!(leads["totalCount"], 7);
            for node in leads["nodes"].as_array().unwrap() {
                seen.push((
                    node["name"].as_str().unwrap().to_owned(),
                    node["score"].as_i64().unwrap(),
                ));
            }
            if leads["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = leads["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen.len(), 7, "{order}: {seen:?}");
        let mut unique: Vec<_> = seen.iter().map(|(n, _)| n.clone()).collect();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 7, "{order}: repeated {seen:?}");
        match order {
            "SCORE" => assert!(seen.windows(2).all(|w| w[0].1 >= w[1].1), "{seen:?}"),
            "NAME" => assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}"),
            // Created one after another: newest first.
            "CREATED_AT" => assert_eq!(seen[0].0, "Lead 6"),
            _ => {}
        }
    }
}
