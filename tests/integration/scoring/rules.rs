//! Scoring rules as records, and the rules they must follow: known fields, operators that fit
//! the field, values that fit the operator.

use dealgraph::auth::Scope;
use serde_json::json;

use super::{create_rule, rule_count};
use crate::support::builders::{ScoringRuleBuilder, SCORING_RULE_FIELDS};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn rules_are_listed_updated_with_versions_and_deleted() {
    let app = TestApp::spawn().await;
    let title = ScoringRuleBuilder::lead("companyName", "CONTAINS", json!("bank"), 30)
        .create(&app)
        .await;
    ScoringRuleBuilder::lead("customFields.budget", "GTE", json!(10000), 40)
        .create(&app)
        .await;
    ScoringRuleBuilder::contact("lifecycleStage", "IN", json!(["mql", "sql"]), 20)
        .create(&app)
        .await;
    assert_eq!(title["operator"], "CONTAINS");
    assert_eq!(title["value"], "bank");

    let listed = app
        .gql(
            &format!("{{ scoringRules(entity: LEAD) {{ {SCORING_RULE_FIELDS} }} }}"),
            json!({}),
        )
        .await;
    let fields: Vec<&str> = listed.data()["scoringRules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["companyName", "customFields.budget"]);

    let update = format!("mutation($input: UpdateScoringRuleInput!) {{ updateScoringRule(input: $input) {{ scoringRule {{ {SCORING_RULE_FIELDS} }} }} }}");
    let to_exists = app
        .gql(&update, json!({ "input": { "id": title["id"], "expectedVersion": 1, "operator": "EXISTS", "value": null, "points": -5 } }))
        .await;
    let updated = &to_exists.data()["updateScoringRule"]["scoringRule"];
    assert_eq!(updated["operator"], "EXISTS");
    assert_eq!(updated["value"], json!(null));
    assert_eq!(updated["points"], -5);
    assert_eq!(updated["version"], 2);
    let stale = app
        .gql(
            &update,
            json!({ "input": { "id": title["id"], "expectedVersion": 1, "points": 1 } }),
        )
        .await;
    assert_eq!(stale.error_code(), "STALE_OBJECT");
    // The operator alone cannot change to one the stored value does not fit.
    let mismatch = app
        .gql(
            &update,
            json!({ "input": { "id": title["id"], "operator": "GTE", "value": 3 } }),
        )
        .await;
    assert_eq!(mismatch.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        mismatch.body["errors"][0]["extensions"]["field"],
        "input.operator"
    );

    let node = app
        .gql(
            "query($id: ID!) { node(id: $id) { __typename ... on ScoringRule { points } } }",
            json!({ "id": title["id"] }),
        )
        .await;
    assert_eq!(
        node.data()["node"],
        json!({ "__typename": "ScoringRule", "points": -5 })
    );

    let deleted = app
        .gql(
            "mutation($input: DeleteScoringRuleInput!) { deleteScoringRule(input: $input) { scoringRule { id } } }",
            json!({ "input": { "id": title["id"], "expectedVersion": 2 } }),
        )
        .await;
    assert_eq!(
        deleted.data()["deleteScoringRule"]["scoringRule"]["id"],
        title["id"]
    );
    assert_eq!(rule_count(&app).await, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_rules_are_refused_naming_the_field_and_write_nothing() {
    let app = TestApp::spawn().await;
    let rule = |entity: &str, field: &str, operator: &str, value: serde_json::Value| json!({ "entity": entity, "name": "R", "field": field, "operator": operator, "value": value, "points": 10 });
    let cases = [
        (
            rule("LEAD", "favouriteColour", "EQUALS", json!("teal")),
            "input.field",
            "favouriteColour",
        ),
        (
            rule("LEAD", "lifecycleStage", "EQUALS", json!("mql")),
            "input.field",
            "lifecycleStage",
        ),
        (
            rule("CONTACT", "companyName", "EQUALS", json!("x")),
            "input.field",
            "companyName",
        ),
        (
            rule("LEAD", "email", "GTE", json!(3)),
            "input.operator",
            "GTE",
        ),
        (
            rule("LEAD", "tags", "LTE", json!(3)),
            "input.operator",
            "LTE",
        ),
        (
            rule("LEAD", "title", "IN", json!("ceo")),
            "input.value",
            "IN",
        ),
        (
            rule("LEAD", "customFields.budget", "GTE", json!("lots")),
            "input.value",
            "number",
        ),
        (
            rule("LEAD", "email", "EXISTS", json!("x")),
            "input.value",
            "EXISTS",
        ),
        (
            rule("LEAD", "email", "EQUALS", json!(null)),
            "input.value",
            "EQUALS",
        ),
        (
            json!({ "entity": "LEAD", "name": "R", "field": "email", "operator": "EXISTS", "points": 101 }),
            "input.points",
            "100",
        ),
        (
            json!({ "entity": "LEAD", "name": "", "field": "email", "operator": "EXISTS", "points": 1 }),
            "input.name",
            "empty",
        ),
    ];
    for (input, field, mentioned) in cases {
        let response = create_rule(&app, input.clone()).await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT", "{input}");
        assert_eq!(
            response.body["errors"][0]["extensions"]["field"], field,
            "{input}"
        );
        assert!(
            response.error_message().contains(mentioned),
            "{}",
            response.error_message()
        );
    }
    assert_eq!(rule_count(&app).await, 0);

    let reader = app.key_with(&[Scope::CrmRead]).await;
    let refused = app
        .gql_as(
            &reader,
            &format!("mutation($input: CreateScoringRuleInput!) {{ createScoringRule(input: $input) {{ scoringRule {{ {SCORING_RULE_FIELDS} }} }} }}"),
            json!({ "input": { "entity": "LEAD", "name": "R", "field": "email", "operator": "EXISTS", "points": 1 } }),
        )
        .await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    assert_eq!(rule_count(&app).await, 0);
}
