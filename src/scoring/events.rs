//! The events scoring publishes: its rules' changes and the score changes of leads and
//! contacts.

use serde::Serialize;
use uuid::Uuid;

use super::model::ScoringRule;
use crate::events::EventKind;

pub const SCORING_RULE_CREATED: EventKind = EventKind::new("scoring_rule.created", "scoring_rule");
pub const SCORING_RULE_UPDATED: EventKind = EventKind::new("scoring_rule.updated", "scoring_rule");
pub const SCORING_RULE_DELETED: EventKind = EventKind::new("scoring_rule.deleted", "scoring_rule");
pub const LEAD_SCORED: EventKind = EventKind::new("lead.scored", "lead");
pub const CONTACT_SCORED: EventKind = EventKind::new("contact.scored", "contact");

pub const KINDS: &[EventKind] = &[
    SCORING_RULE_CREATED,
    SCORING_RULE_UPDATED,
    SCORING_RULE_DELETED,
    LEAD_SCORED,
    CONTACT_SCORED,
];

/// The payload of `lead.scored` and `contact.scored`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scored {
    pub id: Uuid,
    /// None for a contact that had no score yet.
    pub old_score: Option<i32>,
    pub new_score: i32,
}

/// The payload of `scoring_rule.created` and `scoring_rule.deleted`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoringRuleIdentity<'a> {
    pub id: Uuid,
    pub entity: &'a str,
    pub name: &'a str,
    pub field: &'a str,
    pub points: i32,
}

impl<'a> From<&'a ScoringRule> for ScoringRuleIdentity<'a> {
    fn from(rule: &'a ScoringRule) -> Self {
        ScoringRuleIdentity {
            id: rule.id,
            entity: &rule.entity,
            name: &rule.name,
            field: &rule.field,
            points: rule.points,
        }
    }
}
