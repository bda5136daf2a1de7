//! The `ScoringRule` output type, its enums, and the mutation payloads.

use async_graphql::{Enum, Json, SimpleObject, ID};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::graphql::mutation::{record_payload, WriteOutcome};
use crate::scoring::model::ScoringRule;
use crate::scoring::ops::ScoringReport;
use crate::scoring::rules::{ScoredEntity, ScoringOperator};
use crate::write::WriteResult;

/// What a scoring rule scores.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "ScoringEntity")]
pub enum ScoringEntityGql {
    /// Sets `Lead.score`.
    Lead,
    /// Sets `Contact.leadScore`.
    Contact,
}

/// How a rule compares a field. Texts compare without regard to case.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "ScoringOperator")]
pub enum ScoringOperatorGql {
    /// The same text (or, for a custom field, the same number or boolean).
    Equals,
    /// The text holds the value; for tags, carries the tag; for a custom list, holds it.
    Contains,
    /// Has a value (a non-empty text, any tag, a non-null custom field). Takes no value.
    Exists,
    /// A numeric custom field at least the value.
    Gte,
    /// A numeric custom field at most the value.
    Lte,
    /// Equal to one of a list of values (for tags: carries one of them).
    In,
}

macro_rules! both_ways {
    ($gql:ident, $domain:ident, [$($variant:ident),+]) => {
        impl From<$gql> for $domain {
            fn from(value: $gql) -> Self {
                match value { $($gql::$variant => $domain::$variant),+ }
            }
        }
        impl From<$domain> for $gql {
            fn from(value: $domain) -> Self {
                match value { $($domain::$variant => $gql::$variant),+ }
            }
        }
    };
}

both_ways!(ScoringEntityGql, ScoredEntity, [Lead, Contact]);
both_ways!(
    ScoringOperatorGql,
    ScoringOperator,
    [Equals, Contains, Exists, Gte, Lte, In]
);

/// Points a lead or contact earns (or loses) when a field meets a condition. A score is the
/// sum over the entity's rules, clamped to 0..100.
#[derive(SimpleObject, Clone)]
#[graphql(name = "ScoringRule")]
pub struct ScoringRuleGql {
    #[graphql(owned)]
    pub id: ID,
    pub entity: ScoringEntityGql,
    pub name: String,
    /// A field of the entity (`email`, `title`, `source` …), `tags`, or
    /// `customFields.<key>`.
    pub field: String,
    pub operator: ScoringOperatorGql,
    /// What the field is compared with; null for EXISTS.
    pub value: Option<Json<Value>>,
    /// -100 to 100.
    pub points: i32,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ScoringRule> for ScoringRuleGql {
    fn from(rule: ScoringRule) -> Self {
        ScoringRuleGql {
            id: ID(rule.id.to_string()),
            entity: rule.entity().into(),
            operator: rule.operator().into(),
            name: rule.name,
            field: rule.field,
            value: rule.value.map(Json),
            points: rule.points,
            version: rule.version,
            created_at: rule.created_at,
            updated_at: rule.updated_at,
        }
    }
}

crate::graphql::loaders::from_shared_row!(ScoringRuleGql: ScoringRule);

#[derive(SimpleObject)]
pub struct CreateScoringRulePayload {
    pub scoring_rule: ScoringRuleGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct UpdateScoringRulePayload {
    pub scoring_rule: ScoringRuleGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct DeleteScoringRulePayload {
    /// The rule as it was before it was deleted.
    pub scoring_rule: ScoringRuleGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

record_payload!(
    CreateScoringRulePayload {
        scoring_rule: ScoringRule
    },
    UpdateScoringRulePayload {
        scoring_rule: ScoringRule
    },
    DeleteScoringRulePayload {
        scoring_rule: ScoringRule
    },
);

/// One record's new score.
#[derive(SimpleObject)]
pub struct ScoreChange {
    /// The lead or contact.
    pub id: ID,
    /// Null for a contact that had no score.
    pub old_score: Option<i32>,
    pub new_score: i32,
}

/// What a rescoring did.
#[derive(SimpleObject)]
pub struct ScorePayload {
    /// Records scored.
    pub scored: i32,
    /// Records whose score changed.
    pub changed: i32,
    /// The changes (records whose score stayed are left out).
    pub changes: Vec<ScoreChange>,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

impl From<WriteResult<ScoringReport>> for ScorePayload {
    fn from(result: WriteResult<ScoringReport>) -> Self {
        let outcome = (&result).into();
        let report = result.value;
        ScorePayload {
            scored: report.scored,
            changed: i32::try_from(report.changes.len()).unwrap_or(i32::MAX),
            changes: report
                .changes
                .into_iter()
                .map(|c| ScoreChange {
                    id: ID(c.id.to_string()),
                    old_score: c.old_score,
                    new_score: c.new_score,
                })
                .collect(),
            outcome,
        }
    }
}
