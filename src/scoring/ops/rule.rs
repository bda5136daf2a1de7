//! Scoring rules as plain records: the write path creates, updates and deletes them
//! (`crate::write::record`); this says what is special about a rule.

use async_trait::async_trait;
use serde::Serialize;
use serde_json::Value;

use crate::error::AppError;
use crate::events::{EventKind, NewEvent};
use crate::scoring::events::{self, ScoringRuleIdentity};
use crate::scoring::model::{ScoringRule, ScoringRuleChanges};
use crate::scoring::rules::{self, ScoredEntity, ScoringOperator};
use crate::write::record::{record_names, Record, RecordNames};

/// A new rule as the caller gave it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoringRuleInput {
    pub entity: ScoredEntity,
    pub name: String,
    /// `email`, `tags`, `customFields.budget` …
    pub field: String,
    pub operator: ScoringOperator,
    pub value: Option<Value>,
    pub points: i32,
}

/// A partial update: absent fields stay. The field, operator and value are checked together,
/// as they will be after the update; the entity never changes.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoringRulePatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<ScoringOperator>,
    /// Absent leaves the value; `Some(None)` clears it (for EXISTS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Option<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<i32>,
}

fn changes(
    entity: ScoredEntity,
    name: &str,
    field: &str,
    operator: ScoringOperator,
    value: Option<&Value>,
    points: i32,
) -> Result<ScoringRuleChanges, AppError> {
    let field = rules::field(entity, field)?;
    let value = rules::value(&field, operator, value)?;
    Ok(ScoringRuleChanges {
        entity: entity.as_str(),
        name: rules::name(name)?,
        field: rules::field_name(&field),
        operator: operator.as_str(),
        value,
        points: rules::points(points)?,
    })
}

#[async_trait]
impl Record for ScoringRule {
    const NAMES: RecordNames = record_names!("scoring_rule");
    const UPDATED: EventKind = events::SCORING_RULE_UPDATED;

    type Input = ScoringRuleInput;
    type Patch = ScoringRulePatch;

    fn new_changes(input: &ScoringRuleInput) -> Result<ScoringRuleChanges, AppError> {
        changes(
            input.entity,
            &input.name,
            &input.field,
            input.operator,
            input.value.as_ref(),
            input.points,
        )
    }

    fn patched_changes(
        current: &ScoringRule,
        patch: ScoringRulePatch,
    ) -> Result<ScoringRuleChanges, AppError> {
        let value = match &patch.value {
            Some(value) => value.as_ref(),
            None => current.value.as_ref(),
        };
        changes(
            current.entity(),
            patch.name.as_deref().unwrap_or(&current.name),
            patch.field.as_deref().unwrap_or(&current.field),
            patch.operator.unwrap_or(current.operator()),
            value,
            patch.points.unwrap_or(current.points),
        )
    }

    fn created(&self) -> Result<NewEvent, serde_json::Error> {
        let identity = ScoringRuleIdentity::from(self);
        NewEvent::new(events::SCORING_RULE_CREATED, self.id, &identity)
    }

    fn deleted(&self) -> Result<NewEvent, serde_json::Error> {
        let identity = ScoringRuleIdentity::from(self);
        NewEvent::new(events::SCORING_RULE_DELETED, self.id, &identity)
    }
}
