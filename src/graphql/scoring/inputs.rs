//! Mutation inputs of the scoring API, and their mapping onto the domain's inputs.

use async_graphql::{InputObject, Json, MaybeUndefined, ID};
use serde_json::Value;

use super::types::{ScoringEntityGql, ScoringOperatorGql};
use crate::error::AppError;
use crate::graphql::mutation::{MutationOptions, Update};
use crate::graphql::parse_id;
use crate::scoring::ops::{ScoringRuleInput, ScoringRulePatch};
use crate::write::WriteOptions;

#[derive(InputObject)]
pub struct CreateScoringRuleInput {
    pub entity: ScoringEntityGql,
    /// 1–200 characters.
    pub name: String,
    /// A field of the entity (`email`, `title`, `source` …), `tags`, or `customFields.<key>`.
    pub field: String,
    pub operator: ScoringOperatorGql,
    /// A string, a number (GTE, LTE, custom fields), or a list (IN); none for EXISTS.
    pub value: Option<Json<Value>>,
    /// -100 to 100.
    pub points: i32,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl CreateScoringRuleInput {
    pub fn into_parts(self) -> (ScoringRuleInput, WriteOptions) {
        let input = ScoringRuleInput {
            entity: self.entity.into(),
            name: self.name,
            field: self.field,
            operator: self.operator.into(),
            value: self.value.map(|json| json.0),
            points: self.points,
        };
        (input, self.options.into())
    }
}

/// A partial update: fields left out stay; field, operator and value are checked together.
#[derive(InputObject)]
pub struct UpdateScoringRuleInput {
    pub id: ID,
    /// Refuse the update (STALE_OBJECT) unless the rule still has this version.
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub field: Option<String>,
    pub operator: Option<ScoringOperatorGql>,
    /// Null clears it (for EXISTS).
    pub value: MaybeUndefined<Json<Value>>,
    pub points: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl UpdateScoringRuleInput {
    pub fn into_parts(self) -> Result<Update<ScoringRulePatch>, AppError> {
        let value = match self.value {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(json) => Some(Some(json.0)),
        };
        let patch = ScoringRulePatch {
            name: self.name,
            field: self.field,
            operator: self.operator.map(Into::into),
            value,
            points: self.points,
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
pub struct DeleteScoringRuleInput {
    pub id: ID,
    /// Refuse the delete (STALE_OBJECT) unless the rule still has this version.
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct ScoreLeadInput {
    pub id: ID,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct ScoreLeadsInput {
    /// At most 1,000 lead ids.
    pub ids: Vec<ID>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct RescoreAllInput {
    pub entity: ScoringEntityGql,
    #[graphql(flatten)]
    pub options: MutationOptions,
}
