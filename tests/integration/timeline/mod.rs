//! Timelines: a record's activities (completed tasks included), a deal's stage changes, a
//! lead's status changes and conversions merged newest first, keyset-paged across the
//! sources, filtered by type, refused for unknown ids — and one statement per page however
//! many items.

use serde_json::{json, Value};

use crate::support::builders::{
    ActivityBuilder, ContactBuilder, DealBuilder, LeadBuilder, PipelineBuilder, TaskBuilder,
};
use crate::support::TestApp;

const TIMELINE: &str = "query($id: ID!, $first: Int, $after: String, $types: [TimelineItemType!]) {
    timeline(entityId: $id, first: $first, after: $after, types: $types) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { __typename
            ... on Activity { id type subject occurredAt deal { title } }
            ... on StageChange { id toStageName changedAt }
            ... on LeadStatusChange { id toStatus changedAt }
            ... on LeadConversion { id reason convertedAt } } } }";

/// Every item of a timeline, paging `first` at a time: (typename, label, time).
async fn read_all(
    app: &TestApp,
    id: &Value,
    first: i64,
    types: Value,
) -> Vec<(String, String, String)> {
    let mut items = Vec::new();
    let mut after = Value::Null;
    let mut total = None;
    loop {
        let page = app
            .gql(
                TIMELINE,
                json!({ "id": id, "first": first, "after": after, "types": types }),
            )
            .await;
        let timeline = &page.data()["timeline"];
        total.get_or_insert(timeline["totalCount"].as_i64().unwrap());
        for node in timeline["nodes"].as_array().unwrap() {
            let (label, at) = match node["__typename"].as_str().unwrap() {
                "Activity" => (&node["subject"], &node["occurredAt"]),
                "StageChange" => (&node["toStageName"], &node["changedAt"]),
                "LeadConversion" => (&node["reason"], &node["convertedAt"]),
                _ => (&node["toStatus"], &node["changedAt"]),
            };
            items.push((
                node["__typename"].as_str().unwrap().to_owned(),
                label.as_str().unwrap_or_default().to_owned(),
                at.as_str().unwrap().to_owned(),
            ));
        }
        if timeline["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = timeline["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(total, Some(items.len() as i64), "{items:?}");
    items
}

fn instant(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn newest_first(items: &[(String, String, String)]) -> bool {
    items
        .windows(2)
        .all(|w| instant(&w[0].2) >= instant(&w[1].2))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deals_timeline_merges_activities_completed_tasks_and_stage_changes() {
    let app = TestApp::spawn().await;
    let pipeline = PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Acme renewal").create_id(&app).await;
    let deal = json!(deal);
    let qualified = pipeline["stages"][1]["id"].clone();
    app.gql(
        "mutation($d: ID!, $s: ID!) { moveDeal(input: {dealId: $d, stageId: $s}) { deal { id } } }",
        json!({ "d": deal, "s": qualified }),
    )
    .await
    .data();
    for (subject, at) in [
        ("kick-off", "2026-01-10T09:00:00Z"),
        ("pricing call", "2026-02-10T09:00:00Z"),
        ("next year", "2099-01-01T09:00:00Z"),
    ] {
        ActivityBuilder::call()
            .subject(subject)
            .occurred_at(at)
            .deal(&deal)
            .create(&app)
            .await;
    }
    let task = TaskBuilder::new("Send proposal")
        .deal(&deal)
        .create(&app)
        .await;
    app.gql(
        "mutation($id: ID!) { updateTask(input: {id: $id, status: DONE}) { task { id } } }",
        json!({ "id": task["id"] }),
    )
    .await
    .data();

    // Paged two at a time across the sources: everything once, newest first.
    let items = read_all(&app, &deal, 2, Value::Null).await;
    assert_eq!(items.len(), 6, "{items:?}");
    assert!(newest_first(&items), "{items:?}");
    assert_eq!(items[0].1, "next year");
    let kinds: Vec<&str> = items.iter().map(|i| i.0.as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "StageChange").count(), 2);
    assert!(items
        .iter()
        .any(|i| i.0 == "Activity" && i.1 == "Send proposal"));
    assert_eq!(items[5].1, "kick-off");
    // One page, many: the same items.
    assert_eq!(read_all(&app, &deal, 100, Value::Null).await, items);

    let moves = read_all(&app, &deal, 10, json!(["STAGE_CHANGE"])).await;
    assert_eq!(
        moves.iter().map(|m| m.1.as_str()).collect::<Vec<_>>(),
        ["Qualified", "Lead in"]
    );
    // The field on the deal reads the same timeline.
    let field = app
        .gql(
            "query($d: ID!) { deal(id: $d) { timeline(first: 1, types: [ACTIVITY]) { totalCount nodes { ... on Activity { subject } } } } }",
            json!({ "d": deal }),
        )
        .await;
    assert_eq!(
        field.data()["deal"]["timeline"],
        json!({ "totalCount": 4, "nodes": [{ "subject": "next year" }] })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn leads_and_contacts_have_timelines_and_unknown_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let lead = LeadBuilder::new("Priya").create(&app).await["id"].clone();
    ActivityBuilder::note()
        .subject("met at the fair")
        .occurred_at("2026-03-01T10:00:00Z")
        .lead(&lead)
        .create(&app)
        .await;
    app.gql(
        "mutation($id: ID!) { qualifyLead(input: {id: $id}) { lead { id } } }",
        json!({ "id": lead }),
    )
    .await
    .data();
    let items = read_all(&app, &lead, 1, Value::Null).await;
    assert_eq!(
        items
            .iter()
            .map(|i| (i.0.as_str(), i.1.as_str()))
            .collect::<Vec<_>>(),
        [
            ("LeadStatusChange", "QUALIFIED"),
            ("Activity", "met at the fair")
        ]
    );

    let contact = json!(ContactBuilder::new("Ada").create_id(&app).await);
    ActivityBuilder::note()
        .subject("hello")
        .contact(&contact)
        .create(&app)
        .await;
    let contact_items = read_all(&app, &contact, 5, Value::Null).await;
    assert_eq!(contact_items.len(), 1);
    // A contact has no stage changes: asking only for those is an empty timeline.
    assert!(read_all(&app, &contact, 5, json!(["STAGE_CHANGE"]))
        .await
        .is_empty());

    let (_, their_key) = app.other_workspace().await;
    let theirs = ContactBuilder::new("Theirs")
        .with_key(&their_key)
        .create_id(&app)
        .await;
    for id in [json!(theirs), json!(uuid::Uuid::now_v7())] {
        let missing = app.gql(TIMELINE, json!({ "id": id })).await;
        assert_eq!(missing.error_code(), "NOT_FOUND");
        assert_eq!(missing.body["errors"][0]["extensions"]["field"], "entityId");
    }
    let bad = app.gql(TIMELINE, json!({ "id": "nope" })).await;
    assert_eq!(bad.error_code(), "BAD_USER_INPUT");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conversion_shows_on_the_lead_and_on_everything_it_became() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let lead = LeadBuilder::new("Priya")
        .email("priya@northstar.example")
        .company_name("Northstar Studio")
        .create(&app)
        .await["id"]
        .clone();
    let converted = app
        .gql(
            "mutation($input: ConvertLeadInput!) { convertLead(input: $input) {
                conversion { id } contact { id } company { id } deal { id } } }",
            json!({ "input": { "leadId": lead, "reason": "asked for a proposal",
                "contact": { "create": {} },
                "deal": { "title": "Website redesign", "amount": "18000", "currency": "USD" } } }),
        )
        .await;
    let done = &converted.data()["convertLead"];
    let labels = |items: Vec<(String, String, String)>| -> Vec<(String, String)> {
        items
            .into_iter()
            .map(|(kind, label, _)| (kind, label))
            .collect()
    };
    let conversion = (
        "LeadConversion".to_owned(),
        "asked for a proposal".to_owned(),
    );
    // The lead: its conversion and the status change it made, in one instant's order.
    let on_lead = labels(read_all(&app, &lead, 1, Value::Null).await);
    assert!(on_lead.contains(&conversion), "{on_lead:?}");
    assert!(on_lead.contains(&("LeadStatusChange".to_owned(), "CONVERTED".to_owned())));
    // The contact and the company it became have only the conversion so far; the deal has
    // its first stage as well.
    for record in ["contact", "company"] {
        let items = labels(read_all(&app, &done[record]["id"], 5, Value::Null).await);
        assert_eq!(items, std::slice::from_ref(&conversion), "{record}");
    }
    let on_deal = labels(read_all(&app, &done["deal"]["id"], 5, Value::Null).await);
    assert_eq!(on_deal.len(), 2, "{on_deal:?}");
    assert!(on_deal.contains(&conversion));
    // `types` keeps only conversions.
    let only = read_all(&app, &lead, 5, json!(["CONVERSION"])).await;
    assert_eq!(labels(only), [conversion]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_timeline_page_is_one_statement_however_many_items() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let deal = json!(DealBuilder::new("Acme").create_id(&app).await);
    ActivityBuilder::call()
        .subject("one")
        .deal(&deal)
        .create(&app)
        .await;
    let measure =
        |query: &'static str| app.statements_of(query, json!({ "id": deal, "first": 50 }));
    let few_root = measure(PAGE).await;
    let few_field = measure(DEAL_TIMELINE).await;
    for i in 0..30 {
        ActivityBuilder::note()
            .subject(&format!("note {i}"))
            .deal(&deal)
            .create(&app)
            .await;
    }
    let many_root = measure(PAGE).await;
    let many_field = measure(DEAL_TIMELINE).await;
    // The bare minimum: the request's key, then the page (and, by id, which record it is).
    let bare = measure(BARE).await;
    println!(
        "timeline(entityId:) page: {few_root} statements for 2 items, {many_root} for 32; \
         Deal.timeline: {few_field} / {many_field}; a bare `deal(id)` query: {bare}"
    );
    assert_eq!(few_root, many_root);
    // By id: the request's key, which record the id names, and ONE statement for the page.
    assert_eq!(many_root, bare + 1);
    assert_eq!(few_field, many_field);
    // Deal.timeline costs the deal's own lookup plus ONE statement for the page.
    assert_eq!(many_field, bare + 1);
}

const DEAL_TIMELINE: &str =
    "query($id: ID!, $first: Int) { deal(id: $id) { timeline(first: $first) {
    totalCount nodes { ... on Activity { subject } ... on StageChange { toStageName } } } } }";

/// A page with every kind of item's own fields (their links resolve through the loaders, as
/// measured for the activities list).
const PAGE: &str = "query($id: ID!, $first: Int) { timeline(entityId: $id, first: $first) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { __typename
        ... on Activity { id type subject body occurredAt metadata }
        ... on StageChange { id toStageName amount changedAt } } } } }";

const BARE: &str = "query($id: ID!) { deal(id: $id) { title } }";
