//! Routing: rules managed through the write path, new unowned leads and deals assigned by
//! the first matching rule (one owner or a round-robin rotation that never hands out a slot
//! twice, even to concurrent creations), and `routeUnassigned` over the backlog.

mod assignment;
mod rules;
mod sweep;

use serde_json::{json, Value};

use crate::support::builders::ROUTING_RULE_FIELDS;
use crate::support::{GqlResponse, TestApp};

async fn create_rule(app: &TestApp, input: Value) -> GqlResponse {
    let mutation = format!("mutation($input: CreateRoutingRuleInput!) {{ createRoutingRule(input: $input) {{ replayed dryRun routingRule {{ {ROUTING_RULE_FIELDS} }} }} }}");
    app.gql(&mutation, json!({ "input": input })).await
}

async fn rules_of(app: &TestApp, entity: &str) -> Vec<Value> {
    let query = format!("query($entity: RoutingEntity!) {{ routingRules(entity: $entity) {{ {ROUTING_RULE_FIELDS} }} }}");
    let response = app.gql(&query, json!({ "entity": entity })).await;
    response.data()["routingRules"].as_array().unwrap().clone()
}

async fn rule_count(app: &TestApp) -> i64 {
    app.count("SELECT count(*) AS n FROM routing_rules").await
}

/// The owner a lead was created with.
fn owner(lead: &Value) -> Option<&str> {
    lead["ownerId"].as_str()
}
