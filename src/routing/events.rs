//! The events routing publishes: its rules' changes. (Assignments are published by the
//! records' own domains: `lead.assigned`, `deal.updated`.)

use serde::Serialize;
use uuid::Uuid;

use super::model::RoutingRule;
use crate::events::EventKind;

pub const ROUTING_RULE_CREATED: EventKind = EventKind::new("routing_rule.created", "routing_rule");
pub const ROUTING_RULE_UPDATED: EventKind = EventKind::new("routing_rule.updated", "routing_rule");
pub const ROUTING_RULE_DELETED: EventKind = EventKind::new("routing_rule.deleted", "routing_rule");

pub const KINDS: &[EventKind] = &[
    ROUTING_RULE_CREATED,
    ROUTING_RULE_UPDATED,
    ROUTING_RULE_DELETED,
];

/// The payload of `routing_rule.created` and `routing_rule.deleted`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingRuleIdentity<'a> {
    pub id: Uuid,
    pub entity: &'a str,
    pub name: &'a str,
    pub position: i32,
}

impl<'a> From<&'a RoutingRule> for RoutingRuleIdentity<'a> {
    fn from(rule: &'a RoutingRule) -> Self {
        RoutingRuleIdentity {
            id: rule.id,
            entity: &rule.entity,
            name: &rule.name,
            position: rule.position,
        }
    }
}
