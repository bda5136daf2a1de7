//! Mutation inputs of the routing API, and their mapping onto the domain's inputs.

use async_graphql::{InputObject, Json, ID};
use serde_json::Value;

use super::types::{RoutingEntityGql, RoutingFieldGql, RoutingOperatorGql};
use crate::error::AppError;
use crate::graphql::mutation::{MutationOptions, Update};
use crate::graphql::parse_id;
use crate::routing::ops::{RoutingRuleInput, RoutingRulePatch};
use crate::routing::rules::ConditionInput;
use crate::write::WriteOptions;

/// One condition: a field, an operator and what it compares with.
#[derive(InputObject)]
pub struct RoutingConditionInput {
    pub field: RoutingFieldGql,
    pub operator: RoutingOperatorGql,
    /// The custom field's key (CUSTOM_FIELD only).
    pub key: Option<String>,
    /// A string (EQUALS; an amount as a decimal string), a JSON array (IN); none for EXISTS.
    pub value: Option<Json<Value>>,
    /// The ISO 4217 currency of an AMOUNT condition.
    pub currency: Option<String>,
}

impl From<RoutingConditionInput> for ConditionInput {
    fn from(input: RoutingConditionInput) -> Self {
        ConditionInput {
            field: input.field.into(),
            operator: input.operator.into(),
            key: input.key,
            value: input.value.map(|json| json.0),
            currency: input.currency,
        }
    }
}

fn conditions(inputs: Vec<RoutingConditionInput>) -> Vec<ConditionInput> {
    inputs.into_iter().map(Into::into).collect()
}

/// A new rule. Give `ownerId` (one owner) or `roundRobin` (owners in turn).
#[derive(InputObject)]
pub struct CreateRoutingRuleInput {
    pub entity: RoutingEntityGql,
    /// 1–200 characters.
    pub name: String,
    /// Lower positions are tried first (0 or more).
    pub position: i32,
    /// All must hold; none: the rule takes every record.
    #[graphql(default)]
    pub conditions: Vec<RoutingConditionInput>,
    pub owner_id: Option<String>,
    pub round_robin: Option<Vec<String>>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl CreateRoutingRuleInput {
    pub fn into_parts(self) -> (RoutingRuleInput, WriteOptions) {
        let input = RoutingRuleInput {
            entity: self.entity.into(),
            name: self.name,
            position: self.position,
            conditions: conditions(self.conditions),
            owner_id: self.owner_id,
            round_robin: self.round_robin,
        };
        (input, self.options.into())
    }
}

/// A partial update: fields left out stay. `conditions` replaces all of them; `ownerId` or
/// `roundRobin` replaces the assignment.
#[derive(InputObject)]
pub struct UpdateRoutingRuleInput {
    pub id: ID,
    /// Refuse the update (STALE_OBJECT) unless the rule still has this version.
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub position: Option<i32>,
    pub conditions: Option<Vec<RoutingConditionInput>>,
    pub owner_id: Option<String>,
    pub round_robin: Option<Vec<String>>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl UpdateRoutingRuleInput {
    pub fn into_parts(self) -> Result<Update<RoutingRulePatch>, AppError> {
        let patch = RoutingRulePatch {
            name: self.name,
            position: self.position,
            conditions: self.conditions.map(conditions),
            owner_id: self.owner_id,
            round_robin: self.round_robin,
        };
        Ok(Update {
            id: parse_id(&self.id, "input.id")?,
            expected_version: self.expected_version,
            patch,
            options: self.options.into(),
        })
    }
}

#[derive(InputObject)]
pub struct DeleteRoutingRuleInput {
    pub id: ID,
    /// Refuse the delete (STALE_OBJECT) unless the rule still has this version.
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

/// Route every unowned record of an entity.
#[derive(InputObject)]
pub struct RouteUnassignedInput {
    pub entity: RoutingEntityGql,
    /// DEAL only: just the deals of this pipeline.
    pub pipeline_id: Option<ID>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}
