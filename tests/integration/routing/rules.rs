//! Routing rules as records: listed in order, updated with versions, deleted, refetched as
//! nodes, and refused — naming the field, writing nothing — when they make no sense.

use dealgraph::auth::Scope;
use serde_json::{json, Value};

use super::{create_rule, rule_count, rules_of};
use crate::support::builders::{PipelineBuilder, RoutingRuleBuilder, ROUTING_RULE_FIELDS};
use crate::support::TestApp;

fn update_mutation() -> String {
    format!("mutation($input: UpdateRoutingRuleInput!) {{ updateRoutingRule(input: $input) {{ routingRule {{ {ROUTING_RULE_FIELDS} }} }} }}")
}

const DELETE: &str = "mutation($input: DeleteRoutingRuleInput!) { deleteRoutingRule(input: $input) { routingRule { id } } }";

#[tokio::test(flavor = "multi_thread")]
async fn rules_are_listed_in_order_updated_with_versions_and_deleted() {
    let app = TestApp::spawn().await;
    let late = RoutingRuleBuilder::lead("Everyone else", 5)
        .owner("desk")
        .create(&app)
        .await;
    let early = RoutingRuleBuilder::lead("VIPs", 0)
        .condition(json!({ "field": "TAG", "operator": "IN", "value": ["vip", "Gold"] }))
        .round_robin(&["ana", "ben"])
        .create(&app)
        .await;
    RoutingRuleBuilder::deal("Big deals", 0)
        .condition(
            json!({ "field": "AMOUNT", "operator": "GTE", "value": "10000", "currency": "EUR" }),
        )
        .owner("closer")
        .create(&app)
        .await;

    let leads = rules_of(&app, "LEAD").await;
    let names: Vec<&str> = leads.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["VIPs", "Everyone else"]);
    assert_eq!(early["assignment"], "ROUND_ROBIN");
    assert_eq!(early["ownerIds"], json!(["ana", "ben"]));
    assert_eq!(early["nextOwnerId"], "ana");
    assert_eq!(
        early["conditions"],
        json!([{ "field": "TAG", "operator": "IN", "key": null, "value": ["vip", "gold"], "currency": null }])
    );
    let deals = rules_of(&app, "DEAL").await;
    assert_eq!(deals.len(), 1);
    assert_eq!(deals[0]["conditions"][0]["value"], "10000.00");
    assert_eq!(deals[0]["conditions"][0]["currency"], "EUR");

    // Moving the catch-all first changes the order; a stale version is refused.
    let moved = app
        .gql(
            &update_mutation(),
            json!({ "input": { "id": late["id"], "position": 0, "expectedVersion": 1, "name": "Desk first" } }),
        )
        .await;
    let moved = &moved.data()["updateRoutingRule"]["routingRule"];
    assert_eq!(moved["version"], 2);
    assert_eq!(moved["assignment"], "OWNER");
    let order: Vec<Value> = rules_of(&app, "LEAD")
        .await
        .iter()
        .map(|r| r["name"].clone())
        .collect();
    assert_eq!(
        order,
        [json!("Desk first"), json!("VIPs")],
        "ties: the older rule first"
    );
    let stale = app
        .gql(
            &update_mutation(),
            json!({ "input": { "id": late["id"], "position": 9, "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(stale.error_code(), "STALE_OBJECT");

    // Switching to a rotation replaces the owner.
    let rotated = app
        .gql(
            &update_mutation(),
            json!({ "input": { "id": late["id"], "roundRobin": ["x", "y"] } }),
        )
        .await;
    assert_eq!(
        rotated.data()["updateRoutingRule"]["routingRule"]["ownerIds"],
        json!(["x", "y"])
    );

    let node = app
        .gql(
            "query($id: ID!) { node(id: $id) { __typename ... on RoutingRule { name } } }",
            json!({ "id": early["id"] }),
        )
        .await;
    assert_eq!(
        node.data()["node"],
        json!({ "__typename": "RoutingRule", "name": "VIPs" })
    );

    let deleted = app
        .gql(DELETE, json!({ "input": { "id": early["id"] } }))
        .await;
    assert_eq!(
        deleted.data()["deleteRoutingRule"]["routingRule"]["id"],
        early["id"]
    );
    assert_eq!(rules_of(&app, "LEAD").await.len(), 1);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type LIKE 'routing_rule.%'")
            .await,
        3 + 2 + 1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_runs_and_replays_write_once() {
    let app = TestApp::spawn().await;
    let input = json!({ "entity": "LEAD", "name": "All", "position": 0, "ownerId": "desk" });
    let dry = create_rule(&app, with(&input, "dryRun", json!(true))).await;
    assert_eq!(dry.data()["createRoutingRule"]["dryRun"], true);
    assert_eq!(rule_count(&app).await, 0);
    let keyed = with(&input, "idempotencyKey", json!("rule-1"));
    let first = create_rule(&app, keyed.clone()).await;
    let again = create_rule(&app, keyed).await;
    assert_eq!(again.data()["createRoutingRule"]["replayed"], true);
    assert_eq!(
        first.data()["createRoutingRule"]["routingRule"]["id"],
        again.data()["createRoutingRule"]["routingRule"]["id"]
    );
    assert_eq!(rule_count(&app).await, 1);
}

/// `input` with one more field.
fn with(input: &Value, field: &str, value: Value) -> Value {
    let mut input = input.clone();
    input[field] = value;
    input
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_rules_are_refused_naming_the_field_and_write_nothing() {
    let app = TestApp::spawn().await;
    let pipeline = PipelineBuilder::new("Sales").create(&app).await;
    let rule = |entity: &str, condition: Value| json!({ "entity": entity, "name": "R", "position": 0, "ownerId": "o", "conditions": [condition] });
    let cases = [
        (
            rule(
                "LEAD",
                json!({ "field": "favouriteColour", "operator": "EQUALS", "value": "teal" }),
            ),
            "favouriteColour",
        ),
        (
            rule(
                "LEAD",
                json!({ "field": "CUSTOM_FIELD", "operator": "EXISTS" }),
            ),
            "input.conditions[0].key",
        ),
        (
            rule(
                "DEAL",
                json!({ "field": "AMOUNT", "operator": "GTE", "value": "100" }),
            ),
            "input.conditions[0].currency",
        ),
        (
            rule(
                "LEAD",
                json!({ "field": "AMOUNT", "operator": "GTE", "value": "100", "currency": "EUR" }),
            ),
            "input.conditions[0].field",
        ),
        (
            rule(
                "DEAL",
                json!({ "field": "SOURCE", "operator": "EQUALS", "value": "WEBSITE" }),
            ),
            "input.conditions[0].field",
        ),
        (
            rule(
                "LEAD",
                json!({ "field": "SOURCE", "operator": "IN", "value": "WEBSITE" }),
            ),
            "input.conditions[0].value",
        ),
        (
            rule(
                "LEAD",
                json!({ "field": "COUNTRY", "operator": "EQUALS", "value": "Narnia" }),
            ),
            "input.conditions[0].value",
        ),
        (
            rule(
                "DEAL",
                json!({ "field": "AMOUNT", "operator": "GTE", "value": "1.005", "currency": "EUR" }),
            ),
            "input.conditions[0].value",
        ),
        (
            json!({ "entity": "LEAD", "name": "R", "position": 0 }),
            "input.ownerId",
        ),
        (
            json!({ "entity": "LEAD", "name": "R", "position": 0, "ownerId": "a", "roundRobin": ["b"] }),
            "input.roundRobin",
        ),
        (
            json!({ "entity": "LEAD", "name": "\u{0000}  ", "position": -1, "ownerId": "a" }),
            "input.name",
        ),
    ];
    for (input, field) in cases {
        let response = create_rule(&app, input.clone()).await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT", "{input}");
        let named = response.body["errors"][0]["extensions"]["field"].as_str();
        assert!(
            named == Some(field) || response.error_message().contains(field),
            "{input} should name {field}: {}",
            response.body
        );
    }
    let unknown_pipeline = create_rule(
        &app,
        rule("DEAL", json!({ "field": "PIPELINE", "operator": "EQUALS", "value": uuid::Uuid::now_v7().to_string() })),
    )
    .await;
    assert_eq!(unknown_pipeline.error_code(), "NOT_FOUND");
    assert_eq!(rule_count(&app).await, 0);

    let known = create_rule(
        &app,
        rule(
            "DEAL",
            json!({ "field": "PIPELINE", "operator": "EQUALS", "value": pipeline["id"] }),
        ),
    )
    .await;
    assert_eq!(
        known.data()["createRoutingRule"]["routingRule"]["conditions"][0]["value"],
        pipeline["id"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reading_needs_crm_read_and_writing_crm_write() {
    let app = TestApp::spawn().await;
    let reader = app.key_with(&[Scope::CrmRead]).await;
    let mutation = format!("mutation($input: CreateRoutingRuleInput!) {{ createRoutingRule(input: $input) {{ routingRule {{ {ROUTING_RULE_FIELDS} }} }} }}");
    let refused = app
        .gql_as(
            &reader,
            &mutation,
            json!({ "input": { "entity": "LEAD", "name": "R", "position": 0, "ownerId": "o" } }),
        )
        .await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    let listed = app
        .gql_as(&reader, "{ routingRules(entity: LEAD) { id } }", json!({}))
        .await;
    assert_eq!(listed.data()["routingRules"], json!([]));
    assert_eq!(rule_count(&app).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn another_workspaces_rules_are_invisible_and_unknown() {
    let app = TestApp::spawn().await;
    let (_, other_key) = app.other_workspace().await;
    let mine = RoutingRuleBuilder::lead("Mine", 0)
        .owner("me")
        .create(&app)
        .await;
    let theirs = app
        .gql_as(
            &other_key,
            "{ routingRules(entity: LEAD) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(theirs.data()["routingRules"], json!([]));
    let update = app
        .gql_as(
            &other_key,
            &update_mutation(),
            json!({ "input": { "id": mine["id"], "name": "Hijacked" } }),
        )
        .await;
    assert_eq!(update.error_code(), "NOT_FOUND");
    // Their new leads are not routed by my rules.
    let lead = crate::support::builders::LeadBuilder::new("Theirs")
        .with_key(&other_key)
        .create(&app)
        .await;
    assert_eq!(lead["ownerId"], Value::Null);
}
