//! Creating, reading and updating a deal: defaults, validation, versions, tenancy, dry runs
//! and idempotency, refetching by id, rotting.

use serde_json::{json, Value};

use super::{assert_chain, history, move_query};
use crate::support::builders::{stage_ids, DealBuilder, PipelineBuilder, DEAL_FIELDS};
use crate::support::TestApp;

fn create_deal_query() -> String {
    format!("mutation($input: CreateDealInput!) {{ createDeal(input: $input) {{ deal {{ {DEAL_FIELDS} }} }} }}")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deal_without_a_stage_lands_in_the_default_pipelines_first_stage() {
    let app = TestApp::spawn().await;
    let none = app
        .gql(
            &create_deal_query(),
            json!({ "input": { "title": "Early" } }),
        )
        .await;
    assert_eq!(none.error_code(), "BAD_USER_INPUT");
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Acme renewal")
        .amount("1200.5")
        .create(&app)
        .await;
    assert_eq!(deal["stage"]["id"], sales["stages"][0]["id"]);
    assert_eq!(deal["pipeline"]["id"], sales["id"]);
    assert_eq!(deal["amount"], "1200.50");
    assert_eq!(deal["currency"], "USD", "the workspace's default currency");
    assert_eq!(deal["closeProbability"], "0.1", "follows the stage");
    assert_eq!(deal["closeProbabilityIsSet"], false);
    assert_eq!(deal["status"], "OPEN");
    let changes = history(&app, &deal["id"]).await;
    assert_eq!(changes.len(), 1);
    assert_chain(&changes);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'deal.created'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_deal_input_names_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let (_, other_key) = app.other_workspace().await;
    let foreign = PipelineBuilder::new("Theirs")
        .with_key(&other_key)
        .create(&app)
        .await;
    let cases = [
        (
            json!({ "title": "x", "amount": "-5" }),
            "BAD_USER_INPUT",
            "input.amount",
        ),
        (
            json!({ "title": "x", "amount": "10", "closeProbability": "1.5" }),
            "BAD_USER_INPUT",
            "input.closeProbability",
        ),
        (
            json!({ "title": "x", "amount": "10", "currency": "USX" }),
            "BAD_USER_INPUT",
            "input.currency",
        ),
        (
            json!({ "title": "x", "amount": "12.345", "currency": "JPY" }),
            "BAD_USER_INPUT",
            "input.amount",
        ),
        (
            json!({ "title": "x".repeat(10_000) }),
            "BAD_USER_INPUT",
            "input.title",
        ),
        (
            json!({ "title": "x", "customFields": [1, 2] }),
            "BAD_USER_INPUT",
            "input.customFields",
        ),
        (
            json!({ "title": "x", "customFields": "plan=pro" }),
            "BAD_USER_INPUT",
            "input.customFields",
        ),
        (
            json!({ "title": "x", "description": "d".repeat(20_001) }),
            "BAD_USER_INPUT",
            "input.description",
        ),
        (
            json!({ "title": "x", "stageId": stage_ids(&foreign)[0] }),
            "NOT_FOUND",
            "",
        ),
        (
            json!({ "title": "x", "stageId": uuid::Uuid::now_v7() }),
            "NOT_FOUND",
            "",
        ),
        (
            json!({ "title": "x", "companyId": uuid::Uuid::now_v7() }),
            "NOT_FOUND",
            "",
        ),
    ];
    for (input, code, field) in cases {
        let response = app
            .gql(&create_deal_query(), json!({ "input": input }))
            .await;
        assert_eq!(response.error_code(), code, "{input}: {}", response.body);
        if !field.is_empty() {
            assert_eq!(
                response.body["errors"][0]["extensions"]["field"], field,
                "{}",
                response.body
            );
        }
    }
    // A JSON number is refused for money: it would pass through a float.
    let float = app
        .gql(
            &create_deal_query(),
            json!({ "input": { "title": "x", "amount": 10.1 } }),
        )
        .await;
    assert_eq!(float.error_code(), "BAD_USER_INPUT");
    assert_eq!(app.count("SELECT count(*) AS n FROM deals").await, 0);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM stage_changes").await,
        0
    );
    // The foreign stage's error looks exactly like a missing one.
    let a = app
        .gql(
            &create_deal_query(),
            json!({ "input": { "title": "x", "stageId": stage_ids(&foreign)[0] } }),
        )
        .await;
    assert!(
        a.error_message().starts_with("stage ") && a.error_message().ends_with(" was not found")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn updates_are_partial_versioned_and_probability_follows_the_stage_until_set() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Upd")
        .amount("100")
        .custom_fields(json!({ "plan": "pro" }))
        .expected_close_date("2026-12-31")
        .create(&app)
        .await;
    let update = format!("mutation($input: UpdateDealInput!) {{ updateDeal(input: $input) {{ deal {{ {DEAL_FIELDS} description ownerId }} }} }}");
    let set = app.gql(&update, json!({ "input": { "id": deal["id"], "closeProbability": "0.9", "ownerId": "u1", "expectedVersion": 1 } })).await;
    let d = &set.data()["updateDeal"]["deal"];
    assert_eq!(d["closeProbability"], "0.9");
    assert_eq!(d["closeProbabilityIsSet"], true);
    assert_eq!(d["customFields"]["plan"], "pro", "absent fields stay");
    assert_eq!(d["expectedCloseDate"], "2026-12-31");
    assert_eq!(d["version"], 2);

    let stale = app
        .gql(
            &update,
            json!({ "input": { "id": deal["id"], "title": "Nope", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(stale.error_code(), "STALE_OBJECT");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM deals WHERE title = 'Nope'")
            .await,
        0
    );

    let reset = app.gql(&update, json!({ "input": { "id": deal["id"], "closeProbability": null, "expectedCloseDate": null, "ownerId": null } })).await;
    let d = &reset.data()["updateDeal"]["deal"];
    assert_eq!(d["closeProbability"], sales["stages"][0]["probability"]);
    assert!(d["expectedCloseDate"].is_null() && d["ownerId"].is_null());

    let yen = app
        .gql(
            &update,
            json!({ "input": { "id": deal["id"], "currency": "JPY", "amount": "100.5" } }),
        )
        .await;
    assert_eq!(yen.body["errors"][0]["extensions"]["field"], "input.amount");
    let yen = app
        .gql(
            &update,
            json!({ "input": { "id": deal["id"], "currency": "JPY" } }),
        )
        .await;
    assert_eq!(yen.data()["updateDeal"]["deal"]["amount"], "100");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workspace_never_sees_another_workspaces_deals() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Secret").create(&app).await;
    let (_, other) = app.other_workspace().await;
    PipelineBuilder::new("Theirs")
        .with_key(&other)
        .create(&app)
        .await;
    let get = app
        .gql_as(
            &other,
            "query($id: ID!) { deal(id: $id) { id } }",
            json!({ "id": deal["id"] }),
        )
        .await;
    assert!(get.data()["deal"].is_null());
    let list = app
        .gql_as(&other, "{ deals { totalCount } }", json!({}))
        .await;
    assert_eq!(list.data()["deals"]["totalCount"], 0);
    let stage = app
        .gql_as(
            &other,
            "query($id: ID!) { moveDeal(input: {dealId: $id, stageId: $id}) { deal { id } } }",
            json!({ "id": deal["id"] }),
        )
        .await;
    assert!(stage.body.get("errors").is_some());
    let mv = app
        .gql_as(&other, "mutation($id: ID!, $s: ID!) { moveDeal(input: {dealId: $id, stageId: $s}) { deal { id } } }", json!({ "id": deal["id"], "s": deal["stage"]["id"] }))
        .await;
    assert_eq!(mv.error_code(), "NOT_FOUND");
    let reader = app.key_with(&[dealgraph::auth::Scope::CrmRead]).await;
    let forbidden = app
        .gql_as(
            &reader,
            "mutation { createDeal(input: {title: \"x\"}) { deal { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(forbidden.error_code(), "FORBIDDEN");
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_moves_write_nothing_and_idempotent_creates_replay() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Dry").create(&app).await;
    let dry = app.gql(&move_query(), json!({ "input": { "dealId": deal["id"], "stageId": stage_ids(&sales)[3], "dryRun": true } })).await;
    assert_eq!(dry.data()["moveDeal"]["stageChange"]["sequence"], 2);
    assert_eq!(history(&app, &deal["id"]).await.len(), 1);
    let input = json!({ "input": { "title": "Once", "idempotencyKey": "deal-1" } });
    let first = app.gql("mutation($input: CreateDealInput!) { createDeal(input: $input) { replayed deal { id } } }", input.clone()).await;
    let second = app.gql("mutation($input: CreateDealInput!) { createDeal(input: $input) { replayed deal { id } } }", input).await;
    assert_eq!(second.data()["createDeal"]["replayed"], true);
    assert_eq!(
        first.data()["createDeal"]["deal"]["id"],
        second.data()["createDeal"]["deal"]["id"]
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM deals WHERE title = 'Once'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn node_refetches_any_object_by_id_within_the_workspace() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Findable").create(&app).await;
    let query = "query($id: ID!) { node(id: $id) { __typename id ... on Deal { title } ... on Pipeline { name } ... on Stage { name } } }";
    let found = app.gql(query, json!({ "id": deal["id"] })).await;
    assert_eq!(found.data()["node"]["__typename"], "Deal");
    assert_eq!(found.data()["node"]["title"], "Findable");
    let found = app.gql(query, json!({ "id": sales["id"] })).await;
    assert_eq!(found.data()["node"]["name"], "Sales");
    let found = app
        .gql(query, json!({ "id": sales["stages"][1]["id"] }))
        .await;
    assert_eq!(found.data()["node"]["__typename"], "Stage");
    let (_, other) = app.other_workspace().await;
    let hidden = app.gql_as(&other, query, json!({ "id": deal["id"] })).await;
    assert!(hidden.data()["node"].is_null());
    let missing = app.gql(query, json!({ "id": uuid::Uuid::now_v7() })).await;
    assert!(missing.data()["node"].is_null());
}

#[tokio::test(flavor = "multi_thread")]
async fn node_runs_at_most_two_statements_whatever_the_kind_and_one_for_an_unknown_id() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Findable").create(&app).await;
    let statements = |query: &'static str, id: Value| app.statements_of(query, json!({ "id": id }));
    // What any request costs before its fields run (the key's lookup).
    let baseline = statements("{ __typename }", Value::Null).await;
    let query = "query($id: ID!) { node(id: $id) { __typename id } }";
    // Which table holds the id, then the row; pipelines and stages are read from memory
    // once the workspace's are kept (the first such request reads them).
    statements(query, sales["id"].clone()).await;
    for (id, expected) in [
        (deal["id"].clone(), 2),
        (sales["id"].clone(), 1),
        (sales["stages"][2]["id"].clone(), 1),
    ] {
        assert_eq!(statements(query, id).await - baseline, expected);
    }
    let unknown = json!(uuid::Uuid::now_v7());
    assert_eq!(statements(query, unknown).await - baseline, 1);
}
