//! The `RoutingRule` output type, its enums, and the mutation payloads.

use async_graphql::{Enum, Json, SimpleObject, ID};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::graphql::mutation::{record_payload, WriteOutcome};
use crate::routing::model::RoutingRule;
use crate::routing::ops::RoutingReport;
use crate::routing::rules::{Condition, ConditionField, ConditionOperator, RoutedEntity};
use crate::write::WriteResult;

/// What a routing rule routes.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "RoutingEntity")]
pub enum RoutingEntityGql {
    Lead,
    Deal,
}

impl From<RoutingEntityGql> for RoutedEntity {
    fn from(value: RoutingEntityGql) -> Self {
        match value {
            RoutingEntityGql::Lead => RoutedEntity::Lead,
            RoutingEntityGql::Deal => RoutedEntity::Deal,
        }
    }
}

impl From<RoutedEntity> for RoutingEntityGql {
    fn from(value: RoutedEntity) -> Self {
        match value {
            RoutedEntity::Lead => RoutingEntityGql::Lead,
            RoutedEntity::Deal => RoutingEntityGql::Deal,
        }
    }
}

/// What a routing condition looks at.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "RoutingConditionField")]
pub enum RoutingFieldGql {
    /// A lead's source (LEAD rules): EQUALS or IN, with `LeadSource` names.
    Source,
    /// An ISO 3166-1 alpha-2 code: a lead's `customFields.country`, a deal's company's
    /// country. EQUALS or IN.
    Country,
    /// Carries the tag (EQUALS) or one of the tags (IN), without regard to case.
    Tag,
    /// The custom field `key`: EQUALS a JSON value, IN a list, or EXISTS.
    CustomField,
    /// A deal's amount (DEAL rules): GTE or LTE a decimal string, in `currency`; deals in
    /// other currencies never match.
    Amount,
    /// A deal's pipeline (DEAL rules): EQUALS a pipeline id.
    Pipeline,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "RoutingOperator")]
pub enum RoutingOperatorGql {
    Equals,
    In,
    Exists,
    Gte,
    Lte,
}

macro_rules! same_enum {
    ($gql:ident, $domain:ident, [$($variant:ident),+]) => {
        impl From<$gql> for $domain {
            fn from(value: $gql) -> Self {
                match value { $($gql::$variant => $domain::$variant),+ }
            }
        }
    };
}

same_enum!(
    RoutingFieldGql,
    ConditionField,
    [Source, Country, Tag, CustomField, Amount, Pipeline]
);
same_enum!(
    RoutingOperatorGql,
    ConditionOperator,
    [Equals, In, Exists, Gte, Lte]
);

/// Whom a rule assigns.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "RoutingAssignment")]
pub enum RoutingAssignmentGql {
    /// Always the one owner.
    Owner,
    /// The owners in turn.
    RoundRobin,
}

/// One condition of a rule, as stored (EQUALS with one value is shown as such).
#[derive(SimpleObject, Clone)]
#[graphql(name = "RoutingCondition")]
pub struct RoutingConditionGql {
    pub field: RoutingFieldGql,
    pub operator: RoutingOperatorGql,
    pub key: Option<String>,
    pub value: Option<Json<Value>>,
    pub currency: Option<String>,
}

impl From<Condition> for RoutingConditionGql {
    fn from(condition: Condition) -> Self {
        let texts = |field, any_of: Vec<String>, upper: bool| {
            let any_of: Vec<String> = if upper {
                any_of.into_iter().map(|t| t.to_uppercase()).collect()
            } else {
                any_of
            };
            let (operator, value) = match any_of.as_slice() {
                [one] => (RoutingOperatorGql::Equals, Value::from(one.clone())),
                _ => (RoutingOperatorGql::In, Value::from(any_of)),
            };
            RoutingConditionGql {
                field,
                operator,
                key: None,
                value: Some(Json(value)),
                currency: None,
            }
        };
        let amount =
            |operator, amount: bigdecimal::BigDecimal, currency: String| RoutingConditionGql {
                field: RoutingFieldGql::Amount,
                operator,
                key: None,
                value: Some(Json(Value::from(crate::money::display(&amount, &currency)))),
                currency: Some(currency),
            };
        match condition {
            Condition::Source { any_of } => texts(RoutingFieldGql::Source, any_of, true),
            Condition::Country { any_of } => texts(RoutingFieldGql::Country, any_of, false),
            Condition::Tag { any_of } => texts(RoutingFieldGql::Tag, any_of, false),
            Condition::CustomField { key, any_of } => {
                let (operator, value) = match any_of {
                    None => (RoutingOperatorGql::Exists, None),
                    Some(mut values) if values.len() == 1 => {
                        (RoutingOperatorGql::Equals, values.pop().map(Json))
                    }
                    Some(values) => (RoutingOperatorGql::In, Some(Json(Value::Array(values)))),
                };
                RoutingConditionGql {
                    field: RoutingFieldGql::CustomField,
                    operator,
                    key: Some(key),
                    value,
                    currency: None,
                }
            }
            Condition::AmountAtLeast {
                amount: a,
                currency,
            } => amount(RoutingOperatorGql::Gte, a, currency),
            Condition::AmountAtMost {
                amount: a,
                currency,
            } => amount(RoutingOperatorGql::Lte, a, currency),
            Condition::Pipeline { id } => RoutingConditionGql {
                field: RoutingFieldGql::Pipeline,
                operator: RoutingOperatorGql::Equals,
                key: None,
                value: Some(Json(Value::from(id.to_string()))),
                currency: None,
            },
        }
    }
}

/// A rule that gives new unowned leads or deals an owner. A workspace's rules of an entity
/// are tried by `position` (then age); the first whose conditions all hold assigns.
#[derive(SimpleObject, Clone)]
#[graphql(name = "RoutingRule")]
pub struct RoutingRuleGql {
    #[graphql(owned)]
    pub id: ID,
    pub entity: RoutingEntityGql,
    pub name: String,
    /// Lower positions are tried first.
    pub position: i32,
    /// All must hold; a rule without conditions takes every record.
    pub conditions: Vec<RoutingConditionGql>,
    pub assignment: RoutingAssignmentGql,
    /// The owner, or the rotation's owners in turn.
    pub owner_ids: Vec<String>,
    /// Who the rotation gives the next record to.
    pub next_owner_id: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<RoutingRule> for RoutingRuleGql {
    fn from(rule: RoutingRule) -> Self {
        let owner_ids = rule.owners();
        let next_owner_id = crate::routing::rules::owner_at(&owner_ids, rule.next_slot)
            .unwrap_or_default()
            .to_owned();
        RoutingRuleGql {
            id: ID(rule.id.to_string()),
            entity: rule.entity().into(),
            conditions: rule.conditions().into_iter().map(Into::into).collect(),
            assignment: match rule.assignment.as_str() {
                "owner" => RoutingAssignmentGql::Owner,
                _ => RoutingAssignmentGql::RoundRobin,
            },
            name: rule.name,
            position: rule.position,
            owner_ids,
            next_owner_id,
            version: rule.version,
            created_at: rule.created_at,
            updated_at: rule.updated_at,
        }
    }
}

crate::graphql::loaders::from_shared_row!(RoutingRuleGql: RoutingRule);

#[derive(SimpleObject)]
pub struct CreateRoutingRulePayload {
    pub routing_rule: RoutingRuleGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct UpdateRoutingRulePayload {
    pub routing_rule: RoutingRuleGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct DeleteRoutingRulePayload {
    /// The rule as it was before it was deleted.
    pub routing_rule: RoutingRuleGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

record_payload!(
    CreateRoutingRulePayload {
        routing_rule: RoutingRule
    },
    UpdateRoutingRulePayload {
        routing_rule: RoutingRule
    },
    DeleteRoutingRulePayload {
        routing_rule: RoutingRule
    },
);

/// How many records one owner got.
#[derive(SimpleObject)]
pub struct OwnerAssignmentCount {
    pub owner_id: String,
    pub count: i32,
}

/// What `routeUnassigned` did.
#[derive(SimpleObject)]
pub struct RouteUnassignedPayload {
    /// Per owner, by owner id.
    pub assigned: Vec<OwnerAssignmentCount>,
    /// Records assigned.
    pub total: i32,
    /// Unowned records no rule took; they stay unowned.
    pub unmatched: i32,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

impl From<WriteResult<RoutingReport>> for RouteUnassignedPayload {
    fn from(result: WriteResult<RoutingReport>) -> Self {
        let outcome = (&result).into();
        let report = result.value;
        RouteUnassignedPayload {
            assigned: report
                .assigned
                .into_iter()
                .map(|c| OwnerAssignmentCount {
                    owner_id: c.owner_id,
                    count: c.count,
                })
                .collect(),
            total: report.total,
            unmatched: report.unmatched,
            outcome,
        }
    }
}
