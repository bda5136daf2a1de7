//! The workspace's activities and each record's: newest first, filtered, keyset-paged with
//! `totalCount`, and read in a number of statements that does not grow with the rows.

use serde_json::{json, Value};

use super::records;
use crate::support::builders::{ActivityBuilder, ContactBuilder};
use crate::support::TestApp;

const ACTIVITIES: &str = "query($filter: ActivityFilter, $first: Int, $after: String) {
    activities(filter: $filter, first: $first, after: $after) {
        totalCount nodes { subject type occurredAt } pageInfo { hasNextPage endCursor } } }";

async fn subjects(app: &TestApp, filter: Value) -> (Vec<String>, i64) {
    let response = app.gql(ACTIVITIES, json!({ "filter": filter })).await;
    let list = &response.data()["activities"];
    let subjects = list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["subject"].as_str().unwrap().to_owned())
        .collect();
    (subjects, list["totalCount"].as_i64().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_is_newest_first_filtered_and_paged() {
    let app = TestApp::spawn().await;
    let r = records(&app).await;
    // Logged out of order; listed by when they happened.
    for (subject, kind, at, contact, deal) in [
        ("b", "CALL", "2026-11-02T10:00:00Z", true, false),
        ("d", "NOTE", "2026-11-04T10:00:00Z", false, true),
        ("a", "EMAIL", "2026-11-01T10:00:00Z", true, true),
        ("c", "NOTE", "2026-11-03T10:00:00Z", false, true),
        ("e", "MEETING", "2026-11-05T10:00:00Z", true, false),
    ] {
        let mut builder = ActivityBuilder::new(kind).subject(subject).occurred_at(at);
        if contact {
            builder = builder.contact(&r.contact);
        }
        if deal {
            builder = builder.deal(&r.deal);
        }
        builder.create(&app).await;
    }
    let all = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        subjects(&app, json!({})).await,
        (all(&["e", "d", "c", "b", "a"]), 5)
    );
    assert_eq!(
        subjects(&app, json!({ "contactId": r.contact })).await,
        (all(&["e", "b", "a"]), 3)
    );
    assert_eq!(
        subjects(&app, json!({ "dealId": r.deal, "type": "NOTE" })).await,
        (all(&["d", "c"]), 2)
    );
    assert_eq!(
        subjects(
            &app,
            json!({ "occurredFrom": "2026-11-02T10:00:00Z", "occurredTo": "2026-11-04T10:00:00Z" })
        )
        .await,
        (all(&["c", "b"]), 2)
    );
    assert_eq!(
        subjects(&app, json!({ "leadId": r.lead })).await,
        (vec![], 0)
    );
    let backwards = app
        .gql(
            ACTIVITIES,
            json!({ "filter": { "occurredFrom": "2026-11-05T00:00:00Z", "occurredTo": "2026-11-01T00:00:00Z" } }),
        )
        .await;
    assert_eq!(backwards.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        backwards.body["errors"][0]["extensions"]["field"],
        "filter.occurredTo"
    );

    // Two at a time, without gaps or repeats.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app
            .gql(ACTIVITIES, json!({ "first": 2, "after": after }))
            .await;
        let list = &page.data()["activities"];
        assert_eq!(list["totalCount"], 5);
        seen.extend(
            list["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["subject"].as_str().unwrap().to_owned()),
        );
        if list["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = list["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, all(&["e", "d", "c", "b", "a"]));

    // Each record's own connection pages the same way.
    let query = "query($c: ID!, $d: ID!, $after: String) {
        contact(id: $c) { activities(first: 2, after: $after) { totalCount nodes { subject } pageInfo { hasNextPage endCursor } } }
        deal(id: $d) { activities { totalCount nodes { subject contact { name } } } } }";
    let first = app.gql(query, json!({ "c": r.contact, "d": r.deal })).await;
    let contact_page = &first.data()["contact"]["activities"];
    assert_eq!(contact_page["totalCount"], 3);
    assert_eq!(
        contact_page["nodes"],
        json!([{ "subject": "e" }, { "subject": "b" }])
    );
    let deal_page = &first.data()["deal"]["activities"];
    assert_eq!(deal_page["totalCount"], 3);
    assert_eq!(
        deal_page["nodes"][2],
        json!({ "subject": "a", "contact": { "name": "Ada Lovelace" } })
    );
    let second = app
        .gql(
            query,
            json!({ "c": r.contact, "d": r.deal, "after": contact_page["pageInfo"]["endCursor"] }),
        )
        .await;
    let rest = &second.data()["contact"]["activities"];
    assert_eq!(rest["nodes"], json!([{ "subject": "a" }]));
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);

    // The list's activities refetch as nodes.
    let id =
        app.gql(ACTIVITIES_IDS, json!({})).await.data()["activities"]["nodes"][0]["id"].clone();
    let node = app
        .gql(
            "query($id: ID!) { node(id: $id) { __typename ... on Activity { subject } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        node.data()["node"],
        json!({ "__typename": "Activity", "subject": "e" })
    );
}

const ACTIVITIES_IDS: &str = "{ activities(first: 1) { nodes { id } } }";

/// The list with every link of every activity, and the contacts list with each contact's
/// activities: the statements they run, counted.
/// The least of three runs: the listener's read of the events the builders' writes just
/// published may land inside one run's window.
async fn statements(app: &TestApp, query: &str) -> u64 {
    let mut least = u64::MAX;
    for _ in 0..3 {
        let before = app.statements.get();
        app.gql(query, json!({})).await.data();
        least = least.min(app.statements.get() - before);
    }
    least
}

const LIST_WITH_LINKS: &str = "{ activities(first: 100) { totalCount edges { cursor node {
    subject contact { name company { name } } company { name } deal { title } lead { name } } } } }";

const CONTACTS_WITH_ACTIVITIES: &str = "{ contacts(first: 100) { nodes { name
    activities(first: 10) { totalCount nodes { subject deal { title } } } } } }";

#[tokio::test(flavor = "multi_thread")]
async fn lists_cost_the_same_statements_for_few_rows_or_many() {
    let app = TestApp::spawn().await;
    let r = records(&app).await;
    let log_some = |n: usize, contact: String| {
        let app = &app;
        let r = &r;
        async move {
            for i in 0..n {
                ActivityBuilder::call()
                    .subject(&format!("call {i}"))
                    .contact(&contact)
                    .company(&r.company)
                    .deal(&r.deal)
                    .lead(&r.lead)
                    .create(app)
                    .await;
            }
        }
    };
    log_some(2, r.contact.clone()).await;
    let few_list = statements(&app, LIST_WITH_LINKS).await;
    let few_contacts = statements(&app, CONTACTS_WITH_ACTIVITIES).await;

    for i in 0..8 {
        let contact = ContactBuilder::new(&format!("Person {i}"))
            .company(&r.company)
            .create_id(&app)
            .await;
        log_some(4, contact).await;
    }
    let many_list = statements(&app, LIST_WITH_LINKS).await;
    let many_contacts = statements(&app, CONTACTS_WITH_ACTIVITIES).await;
    let rows = app.gql("{ activities { totalCount } }", json!({})).await;
    assert_eq!(rows.data()["activities"]["totalCount"], 34);
    println!(
        "activities list with links: {few_list} statements for 2 activities, {many_list} for 34; \
         contacts with activities: {few_contacts} for 1 contact, {many_contacts} for 9"
    );
    assert_eq!(few_list, many_list);
    assert_eq!(few_contacts, many_contacts);
    assert!(many_list <= 10, "{many_list}");
}
