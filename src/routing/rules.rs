//! Routing rules, pure: what a rule's input may hold (its conditions, its owners) and how a
//! rule decides whether it takes a record. No database.

use bigdecimal::BigDecimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::contacts::rules::OWNER_ID_MAX;
use crate::error::AppError;
use crate::leads::rules::LeadSource;
use crate::validate;

pub const NAME_MAX: usize = 200;
/// Conditions per rule and values per condition: rules are read on every creation.
pub const CONDITIONS_MAX: usize = 20;
pub const VALUES_MAX: usize = 100;
pub const OWNERS_MAX: usize = 100;

/// What a rule routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutedEntity {
    Lead,
    Deal,
}

impl RoutedEntity {
    pub fn as_str(self) -> &'static str {
        match self {
            RoutedEntity::Lead => "lead",
            RoutedEntity::Deal => "deal",
        }
    }

    pub fn parse(text: &str) -> Option<RoutedEntity> {
        [RoutedEntity::Lead, RoutedEntity::Deal]
            .into_iter()
            .find(|e| e.as_str() == text)
    }
}

/// What a condition looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConditionField {
    /// A lead's source.
    Source,
    /// A lead's `customFields.country`; a deal's company's country.
    Country,
    Tag,
    CustomField,
    /// A deal's amount, in one currency.
    Amount,
    /// A deal's pipeline.
    Pipeline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConditionOperator {
    Equals,
    In,
    Exists,
    Gte,
    Lte,
}

/// An enum value's name in the API (`CUSTOM_FIELD`), for messages.
fn api_name(value: impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        _ => String::new(),
    }
}

/// A condition as the caller gave it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionInput {
    pub field: ConditionField,
    pub operator: ConditionOperator,
    /// The custom field's key (CUSTOM_FIELD only).
    pub key: Option<String>,
    pub value: Option<Value>,
    /// The amount's currency (AMOUNT only).
    pub currency: Option<String>,
}

/// A condition as stored (the rule's `conditions` JSON) and evaluated: checked and
/// normalised, so evaluating it cannot fail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum Condition {
    Source {
        any_of: Vec<String>,
    },
    Country {
        any_of: Vec<String>,
    },
    /// The record carries at least one of these tags (compared without regard to case).
    Tag {
        any_of: Vec<String>,
    },
    /// `any_of` absent: the key merely exists (and is not null).
    CustomField {
        key: String,
        any_of: Option<Vec<Value>>,
    },
    AmountAtLeast {
        amount: BigDecimal,
        currency: String,
    },
    AmountAtMost {
        amount: BigDecimal,
        currency: String,
    },
    Pipeline {
        id: Uuid,
    },
}

/// What routing sees of a lead or deal.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subject {
    pub source: Option<String>,
    pub country: Option<String>,
    pub tags: Vec<String>,
    pub custom_fields: Value,
    pub amount: Option<(BigDecimal, String)>,
    pub pipeline_id: Option<Uuid>,
}

/// Whom a matching rule assigns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignment {
    Owner(String),
    RoundRobin(Vec<String>),
}

impl Assignment {
    pub fn kind(&self) -> &'static str {
        match self {
            Assignment::Owner(_) => "owner",
            Assignment::RoundRobin(_) => "round_robin",
        }
    }

    pub fn owner_ids(&self) -> Vec<String> {
        match self {
            Assignment::Owner(owner) => vec![owner.clone()],
            Assignment::RoundRobin(owners) => owners.clone(),
        }
    }
}

/// The owner of rotation slot `slot`: slots go round the list in order.
pub fn owner_at(owner_ids: &[String], slot: i64) -> Option<&str> {
    let len = i64::try_from(owner_ids.len()).ok().filter(|len| *len > 0)?;
    let index = usize::try_from(slot.rem_euclid(len)).ok()?;
    owner_ids.get(index).map(String::as_str)
}

/// A rule's name: 1–200 characters.
pub fn name(value: &str) -> Result<String, AppError> {
    validate::required_text("input.name", value, NAME_MAX)
}

pub fn position(value: i32) -> Result<i32, AppError> {
    if value < 0 {
        return Err(AppError::bad_input(
            "input.position",
            "must not be negative",
        ));
    }
    Ok(value)
}

/// Exactly one of `ownerId` (one owner) and `roundRobin` (a rotation).
pub fn assignment(
    owner_id: Option<&str>,
    round_robin: Option<&[String]>,
) -> Result<Assignment, AppError> {
    match (owner_id, round_robin) {
        (Some(owner), None) => Ok(Assignment::Owner(owner_id_of("input.ownerId", owner)?)),
        (None, Some(owners)) => {
            if owners.is_empty() || owners.len() > OWNERS_MAX {
                return Err(AppError::bad_input(
                    "input.roundRobin",
                    format!("must name 1 to {OWNERS_MAX} owners"),
                ));
            }
            let owners = owners
                .iter()
                .enumerate()
                .map(|(i, o)| owner_id_of(&format!("input.roundRobin[{i}]"), o))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Assignment::RoundRobin(owners))
        }
        (Some(_), Some(_)) => Err(AppError::bad_input(
            "input.roundRobin",
            "give either ownerId or roundRobin, not both",
        )),
        (None, None) => Err(AppError::bad_input(
            "input.ownerId",
            "give ownerId (one owner) or roundRobin (a rotation)",
        )),
    }
}

fn owner_id_of(field: &str, value: &str) -> Result<String, AppError> {
    validate::required_text(field, value, OWNER_ID_MAX)
}

/// Checks every condition of a rule for `entity`.
pub fn conditions(
    entity: RoutedEntity,
    inputs: &[ConditionInput],
) -> Result<Vec<Condition>, AppError> {
    if inputs.len() > CONDITIONS_MAX {
        return Err(AppError::bad_input(
            "input.conditions",
            format!("a rule has at most {CONDITIONS_MAX} conditions"),
        ));
    }
    inputs
        .iter()
        .enumerate()
        .map(|(i, input)| condition(&format!("input.conditions[{i}]"), entity, input))
        .collect()
}

/// One condition, checked: the field fits the entity, the operator the field, the value the
/// operator.
pub fn condition(
    at: &str,
    entity: RoutedEntity,
    input: &ConditionInput,
) -> Result<Condition, AppError> {
    use ConditionField as F;
    use ConditionOperator as Op;
    let field = format!("{at}.field");
    let only_for = |wanted: RoutedEntity| {
        if entity == wanted {
            Ok(())
        } else {
            Err(AppError::bad_input(
                &field,
                format!(
                    "{} conditions are only for {} rules",
                    api_name(input.field),
                    wanted.as_str().to_uppercase()
                ),
            ))
        }
    };
    let operator_error = || {
        AppError::bad_input(
            format!("{at}.operator"),
            format!(
                "{} does not apply to {}",
                api_name(input.operator),
                api_name(input.field)
            ),
        )
    };
    if input.key.is_some() && input.field != F::CustomField {
        return Err(AppError::bad_input(
            format!("{at}.key"),
            "only CUSTOM_FIELD conditions take a key",
        ));
    }
    if input.currency.is_some() && input.field != F::Amount {
        return Err(AppError::bad_input(
            format!("{at}.currency"),
            "only AMOUNT conditions take a currency",
        ));
    }
    let value_field = format!("{at}.value");
    match input.field {
        F::Source => {
            only_for(RoutedEntity::Lead)?;
            let texts = texts(&value_field, input.operator, input.value.as_ref())
                .ok_or_else(operator_error)??;
            let any_of = texts
                .iter()
                .map(|text| {
                    let lower = text.to_ascii_lowercase();
                    LeadSource::parse(&lower)
                        .map(|s| s.as_str().to_owned())
                        .ok_or_else(|| {
                            AppError::bad_input(
                                &value_field,
                                format!("{text:?} is not a lead source"),
                            )
                        })
                })
                .collect::<Result<_, _>>()?;
            Ok(Condition::Source { any_of })
        }
        F::Country => {
            let texts = texts(&value_field, input.operator, input.value.as_ref())
                .ok_or_else(operator_error)??;
            let any_of = texts
                .iter()
                .map(|text| {
                    validate::country(&value_field, Some(text))?
                        .ok_or_else(|| AppError::bad_input(&value_field, "must not be empty"))
                })
                .collect::<Result<_, _>>()?;
            Ok(Condition::Country { any_of })
        }
        F::Tag => {
            let texts = texts(&value_field, input.operator, input.value.as_ref())
                .ok_or_else(operator_error)??;
            let any_of = validate::tags(&value_field, &texts)?
                .into_iter()
                .map(|t| t.to_lowercase())
                .collect();
            Ok(Condition::Tag { any_of })
        }
        F::CustomField => {
            let key = input.key.as_deref().ok_or_else(|| {
                AppError::bad_input(format!("{at}.key"), "a CUSTOM_FIELD condition needs a key")
            })?;
            let key = validate::required_text(&format!("{at}.key"), key, 100)?;
            let any_of = match (input.operator, &input.value) {
                (Op::Exists, None) => None,
                (Op::Exists, Some(_)) => {
                    return Err(AppError::bad_input(value_field, "EXISTS takes no value"))
                }
                (Op::Equals, Some(value)) if !value.is_array() && !value.is_null() => {
                    Some(vec![value.clone()])
                }
                (Op::In, Some(Value::Array(values))) => {
                    Some(bounded(&value_field, values.clone())?)
                }
                (Op::Equals | Op::In, _) => {
                    return Err(AppError::bad_input(
                        value_field,
                        "EQUALS takes one JSON value, IN a non-empty JSON array",
                    ))
                }
                _ => return Err(operator_error()),
            };
            Ok(Condition::CustomField { key, any_of })
        }
        F::Amount => {
            only_for(RoutedEntity::Deal)?;
            let currency = input.currency.as_deref().ok_or_else(|| {
                AppError::bad_input(
                    format!("{at}.currency"),
                    "an AMOUNT condition needs a currency",
                )
            })?;
            let currency = crate::money::currency(&format!("{at}.currency"), currency)?;
            let amount = match &input.value {
                Some(Value::String(text)) => text.trim().parse::<BigDecimal>().map_err(|_| {
                    AppError::bad_input(&value_field, format!("{text:?} is not a decimal amount"))
                })?,
                _ => {
                    return Err(AppError::bad_input(
                        value_field,
                        "an amount is a decimal string, like \"5000.00\"",
                    ))
                }
            };
            let amount = crate::money::amount(&value_field, &amount, &currency)?;
            match input.operator {
                Op::Gte => Ok(Condition::AmountAtLeast { amount, currency }),
                Op::Lte => Ok(Condition::AmountAtMost { amount, currency }),
                _ => Err(operator_error()),
            }
        }
        F::Pipeline => {
            only_for(RoutedEntity::Deal)?;
            if input.operator != Op::Equals {
                return Err(operator_error());
            }
            let id = match &input.value {
                Some(Value::String(text)) => Uuid::parse_str(text).ok(),
                _ => None,
            }
            .ok_or_else(|| AppError::bad_input(value_field, "must be a pipeline id"))?;
            Ok(Condition::Pipeline { id })
        }
    }
}

/// The texts of an EQUALS (one string) or IN (an array of strings) condition; `None` for
/// another operator.
fn texts(
    field: &str,
    operator: ConditionOperator,
    value: Option<&Value>,
) -> Option<Result<Vec<String>, AppError>> {
    let texts = match (operator, value) {
        (ConditionOperator::Equals, Some(Value::String(text))) => Ok(vec![text.clone()]),
        (ConditionOperator::In, Some(Value::Array(values))) => values
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| AppError::bad_input(field, "IN takes an array of strings"))
            .and_then(|texts| bounded(field, texts)),
        (ConditionOperator::Equals, _) => Err(AppError::bad_input(field, "EQUALS takes a string")),
        (ConditionOperator::In, _) => Err(AppError::bad_input(
            field,
            "IN takes a non-empty array of strings",
        )),
        _ => return None,
    };
    Some(texts)
}

fn bounded<T>(field: &str, values: Vec<T>) -> Result<Vec<T>, AppError> {
    if values.is_empty() || values.len() > VALUES_MAX {
        return Err(AppError::bad_input(
            field,
            format!("IN takes 1 to {VALUES_MAX} values"),
        ));
    }
    Ok(values)
}

/// The stored conditions of a rule (written by [`conditions`], so they parse).
pub fn stored(conditions: &Value) -> Vec<Condition> {
    serde_json::from_value(conditions.clone()).unwrap_or_default()
}

/// True when every condition holds for `subject` (a rule without conditions takes anything).
pub fn matches(conditions: &[Condition], subject: &Subject) -> bool {
    conditions.iter().all(|c| holds(c, subject))
}

fn holds(condition: &Condition, subject: &Subject) -> bool {
    match condition {
        Condition::Source { any_of } => subject
            .source
            .as_ref()
            .is_some_and(|source| any_of.contains(source)),
        Condition::Country { any_of } => subject
            .country
            .as_ref()
            .is_some_and(|country| any_of.contains(&country.trim().to_ascii_uppercase())),
        Condition::Tag { any_of } => subject
            .tags
            .iter()
            .any(|tag| any_of.contains(&tag.to_lowercase())),
        Condition::CustomField { key, any_of } => match (subject.custom_fields.get(key), any_of) {
            (None | Some(Value::Null), _) => false,
            (Some(_), None) => true,
            (Some(value), Some(wanted)) => wanted.contains(value),
        },
        Condition::AmountAtLeast { amount, currency } => subject
            .amount
            .as_ref()
            .is_some_and(|(a, c)| c == currency && a >= amount),
        Condition::AmountAtMost { amount, currency } => subject
            .amount
            .as_ref()
            .is_some_and(|(a, c)| c == currency && a <= amount),
        Condition::Pipeline { id } => subject.pipeline_id == Some(*id),
    }
}

/// The country routing sees on a record that keeps it among its custom fields (leads:
/// `customFields.country`).
pub fn custom_country(custom_fields: &Value) -> Option<String> {
    custom_fields
        .get("country")
        .and_then(Value::as_str)
        .map(|c| c.trim().to_ascii_uppercase())
}

#[cfg(test)]
mod tests;
