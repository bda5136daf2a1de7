//! `RoutingRuleBuilder` and `ScoringRuleBuilder`: a workspace's routing and scoring rules.

use serde_json::{json, Value};

use super::Draft;
use crate::support::TestApp;

/// What a created routing rule holds.
pub const ROUTING_RULE_FIELDS: &str = "id entity name position assignment ownerIds nextOwnerId version conditions { field operator key value currency }";

/// What a created scoring rule holds.
pub const SCORING_RULE_FIELDS: &str = "id entity name field operator value points version";

/// `RoutingRuleBuilder::lead("EU web", 0).condition(json!({...})).round_robin(&["a", "b"])`.
#[derive(Clone, Debug)]
pub struct RoutingRuleBuilder {
    draft: Draft,
    conditions: Vec<Value>,
}

impl RoutingRuleBuilder {
    pub fn lead(name: &str, position: i64) -> RoutingRuleBuilder {
        Self::new("LEAD", name, position)
    }

    pub fn deal(name: &str, position: i64) -> RoutingRuleBuilder {
        Self::new("DEAL", name, position)
    }

    fn new(entity: &str, name: &str, position: i64) -> RoutingRuleBuilder {
        let draft = Draft::new("entity", entity)
            .set("name", name)
            .set("position", position);
        RoutingRuleBuilder {
            draft,
            conditions: Vec::new(),
        }
    }

    /// A `RoutingConditionInput` as JSON: `{"field": "TAG", "operator": "EQUALS", "value": "vip"}`.
    pub fn condition(mut self, condition: Value) -> RoutingRuleBuilder {
        self.conditions.push(condition);
        self
    }

    pub fn owner(mut self, owner_id: &str) -> RoutingRuleBuilder {
        self.draft = self.draft.set("ownerId", owner_id);
        self
    }

    pub fn round_robin(mut self, owners: &[&str]) -> RoutingRuleBuilder {
        self.draft = self.draft.set("roundRobin", owners);
        self
    }

    /// Creates the rule; returns it with `ROUTING_RULE_FIELDS`.
    pub async fn create(self, app: &TestApp) -> Value {
        let mutation = format!(
            "mutation($input: CreateRoutingRuleInput!) {{ createRoutingRule(input: $input) {{ routingRule {{ {ROUTING_RULE_FIELDS} }} }} }}"
        );
        let draft = self.draft.set("conditions", json!(self.conditions));
        draft
            .create(app, &mutation, "createRoutingRule", "routingRule")
            .await
    }
}

/// `ScoringRuleBuilder::lead("title", "CONTAINS", json!("chief"), 30).create(&app)`.
#[derive(Clone, Debug)]
pub struct ScoringRuleBuilder {
    draft: Draft,
}

impl ScoringRuleBuilder {
    pub fn lead(field: &str, operator: &str, value: Value, points: i64) -> ScoringRuleBuilder {
        Self::new("LEAD", field, operator, value, points)
    }

    pub fn contact(field: &str, operator: &str, value: Value, points: i64) -> ScoringRuleBuilder {
        Self::new("CONTACT", field, operator, value, points)
    }

    fn new(
        entity: &str,
        field: &str,
        operator: &str,
        value: Value,
        points: i64,
    ) -> ScoringRuleBuilder {
        let mut draft = Draft::new("entity", entity)
            .set("name", format!("{field} {operator}"))
            .set("field", field)
            .set("operator", operator)
            .set("points", points);
        if !value.is_null() {
            draft = draft.set("value", value);
        }
        ScoringRuleBuilder { draft }
    }

    /// Creates the rule; returns it with `SCORING_RULE_FIELDS`.
    pub async fn create(self, app: &TestApp) -> Value {
        let mutation = format!(
            "mutation($input: CreateScoringRuleInput!) {{ createScoringRule(input: $input) {{ scoringRule {{ {SCORING_RULE_FIELDS} }} }} }}"
        );
        self.draft
            .create(app, &mutation, "createScoringRule", "scoringRule")
            .await
    }
}
