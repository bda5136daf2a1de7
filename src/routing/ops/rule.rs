//! Routing rules as plain records: the write path creates, updates and deletes them
//! (`crate::write::record`); this says what is special about a rule.

use async_trait::async_trait;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use uuid::Uuid;

use crate::error::AppError;
use crate::events::{EventKind, NewEvent};
use crate::pipelines::model::Pipeline;
use crate::routing::events::{self, RoutingRuleIdentity};
use crate::routing::model::{RoutingRule, RoutingRuleChanges};
use crate::routing::rules::{self, Assignment, Condition, ConditionInput, RoutedEntity};
use crate::write::record::{record_names, Record, RecordNames};

/// A new rule as the caller gave it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingRuleInput {
    pub entity: RoutedEntity,
    pub name: String,
    pub position: i32,
    pub conditions: Vec<ConditionInput>,
    pub owner_id: Option<String>,
    pub round_robin: Option<Vec<String>>,
}

/// A partial update: absent fields stay. Giving `ownerId` or `roundRobin` replaces the
/// assignment; the entity never changes.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingRulePatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<ConditionInput>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round_robin: Option<Vec<String>>,
}

fn changes(
    entity: RoutedEntity,
    name: String,
    position: i32,
    conditions: &[Condition],
    assignment: &Assignment,
) -> Result<RoutingRuleChanges, AppError> {
    Ok(RoutingRuleChanges {
        entity: entity.as_str(),
        name,
        position,
        conditions: serde_json::to_value(conditions)?,
        assignment: assignment.kind(),
        owner_ids: assignment.owner_ids(),
    })
}

#[async_trait]
impl Record for RoutingRule {
    const NAMES: RecordNames = record_names!("routing_rule");
    const UPDATED: EventKind = events::ROUTING_RULE_UPDATED;

    type Input = RoutingRuleInput;
    type Patch = RoutingRulePatch;

    fn new_changes(input: &RoutingRuleInput) -> Result<RoutingRuleChanges, AppError> {
        let conditions = rules::conditions(input.entity, &input.conditions)?;
        let assignment =
            rules::assignment(input.owner_id.as_deref(), input.round_robin.as_deref())?;
        changes(
            input.entity,
            rules::name(&input.name)?,
            rules::position(input.position)?,
            &conditions,
            &assignment,
        )
    }

    fn patched_changes(
        current: &RoutingRule,
        patch: RoutingRulePatch,
    ) -> Result<RoutingRuleChanges, AppError> {
        let entity = current.entity();
        let name = match &patch.name {
            Some(name) => rules::name(name)?,
            None => current.name.clone(),
        };
        let position = match patch.position {
            Some(position) => rules::position(position)?,
            None => current.position,
        };
        let conditions = match &patch.conditions {
            Some(inputs) => rules::conditions(entity, inputs)?,
            None => current.conditions(),
        };
        let assignment = match (&patch.owner_id, &patch.round_robin) {
            (None, None) => current.assignment(),
            (owner_id, round_robin) => {
                rules::assignment(owner_id.as_deref(), round_robin.as_deref())?
            }
        };
        changes(entity, name, position, &conditions, &assignment)
    }

    /// A PIPELINE condition must name one of the workspace's pipelines.
    async fn check_references(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        changes: &RoutingRuleChanges,
        _current: Option<&RoutingRule>,
    ) -> Result<(), AppError> {
        for condition in rules::stored(&changes.conditions) {
            if let Condition::Pipeline { id } = condition {
                if Pipeline::find(conn, workspace_id, id).await?.is_none() {
                    return Err(AppError::not_found("pipeline", id));
                }
            }
        }
        Ok(())
    }

    fn created(&self) -> Result<NewEvent, serde_json::Error> {
        let identity = RoutingRuleIdentity::from(self);
        NewEvent::new(events::ROUTING_RULE_CREATED, self.id, &identity)
    }

    fn deleted(&self) -> Result<NewEvent, serde_json::Error> {
        let identity = RoutingRuleIdentity::from(self);
        NewEvent::new(events::ROUTING_RULE_DELETED, self.id, &identity)
    }
}
