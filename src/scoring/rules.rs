//! Scoring rules, pure: which fields of a lead or contact a rule may look at, which
//! operators and values fit which field, and the score a record's facts earn. No database.

use bigdecimal::BigDecimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::AppError;
use crate::validate;

pub const NAME_MAX: usize = 200;
pub const POINTS_MAX: i32 = 100;
pub const VALUES_MAX: usize = 100;
/// Scores are clamped to 0..=SCORE_MAX.
pub const SCORE_MAX: i32 = 100;
/// `scoreLeads` takes at most this many ids.
pub const BATCH_MAX: usize = 1000;
const CUSTOM_PREFIX: &str = "customFields.";

/// What a rule scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoredEntity {
    Lead,
    Contact,
}

impl ScoredEntity {
    pub fn as_str(self) -> &'static str {
        match self {
            ScoredEntity::Lead => "lead",
            ScoredEntity::Contact => "contact",
        }
    }

    pub fn parse(text: &str) -> Option<ScoredEntity> {
        [ScoredEntity::Lead, ScoredEntity::Contact]
            .into_iter()
            .find(|e| e.as_str() == text)
    }

    /// The text fields a rule may name (API names), besides `tags` and `customFields.<key>`.
    pub fn text_fields(self) -> &'static [&'static str] {
        match self {
            ScoredEntity::Lead => &[
                "name",
                "email",
                "phone",
                "title",
                "companyName",
                "website",
                "source",
            ],
            ScoredEntity::Contact => &[
                "name",
                "firstName",
                "lastName",
                "email",
                "phone",
                "title",
                "lifecycleStage",
            ],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoringOperator {
    Equals,
    Contains,
    Exists,
    Gte,
    Lte,
    In,
}

impl ScoringOperator {
    pub fn as_str(self) -> &'static str {
        match self {
            ScoringOperator::Equals => "equals",
            ScoringOperator::Contains => "contains",
            ScoringOperator::Exists => "exists",
            ScoringOperator::Gte => "gte",
            ScoringOperator::Lte => "lte",
            ScoringOperator::In => "in",
        }
    }

    /// The operator's name in the API (`GTE`), for messages.
    pub fn api_name(self) -> String {
        self.as_str().to_ascii_uppercase()
    }

    pub fn parse(text: &str) -> Option<ScoringOperator> {
        use ScoringOperator::*;
        [Equals, Contains, Exists, Gte, Lte, In]
            .into_iter()
            .find(|o| o.as_str() == text)
    }
}

/// The field a rule looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScoredField {
    Text(&'static str),
    Tags,
    Custom(String),
}

/// A checked rule, ready to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    pub field: ScoredField,
    pub operator: ScoringOperator,
    pub value: Option<Value>,
    pub points: i32,
}

/// What scoring sees of a record: its text fields by API name, its tags, its custom fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub text: Vec<(&'static str, Option<String>)>,
    pub tags: Vec<String>,
    pub custom_fields: Value,
}

pub fn name(value: &str) -> Result<String, AppError> {
    validate::required_text("input.name", value, NAME_MAX)
}

pub fn points(value: i32) -> Result<i32, AppError> {
    if !(-POINTS_MAX..=POINTS_MAX).contains(&value) {
        return Err(AppError::bad_input(
            "input.points",
            format!("must be between -{POINTS_MAX} and {POINTS_MAX} (got {value})"),
        ));
    }
    Ok(value)
}

/// The field `name` of `entity`: a text field, `tags`, or `customFields.<key>`.
pub fn field(entity: ScoredEntity, name: &str) -> Result<ScoredField, AppError> {
    if name == "tags" {
        return Ok(ScoredField::Tags);
    }
    if let Some(key) = name.strip_prefix(CUSTOM_PREFIX) {
        let key = validate::required_text("input.field", key, 100)?;
        return Ok(ScoredField::Custom(key));
    }
    entity
        .text_fields()
        .iter()
        .find(|f| **f == name)
        .map(|f| ScoredField::Text(f))
        .ok_or_else(|| {
            AppError::bad_input(
                "input.field",
                format!(
                    "{name:?} is not a field of a {}: use one of {}, tags or customFields.<key>",
                    entity.as_str(),
                    entity.text_fields().join(", ")
                ),
            )
        })
}

/// The field's API name, as stored.
pub fn field_name(field: &ScoredField) -> String {
    match field {
        ScoredField::Text(name) => (*name).to_owned(),
        ScoredField::Tags => "tags".to_owned(),
        ScoredField::Custom(key) => format!("{CUSTOM_PREFIX}{key}"),
    }
}

/// Checks that `operator` applies to `field` and `value` fits `operator`; returns the value
/// as stored (`None` for EXISTS).
pub fn value(
    field: &ScoredField,
    operator: ScoringOperator,
    value: Option<&Value>,
) -> Result<Option<Value>, AppError> {
    use ScoringOperator::*;
    let kind = match field {
        ScoredField::Text(name) => format!("{name} is a text field"),
        ScoredField::Tags => "tags is a list of texts".to_owned(),
        ScoredField::Custom(_) => String::new(),
    };
    let refuse = |why: &str| Err(AppError::bad_input("input.operator", why.to_owned()));
    let bad_value = |why: &str| Err(AppError::bad_input("input.value", why.to_owned()));
    let is_custom = matches!(field, ScoredField::Custom(_));
    match (operator, value) {
        (Gte | Lte, _) if !is_custom => {
            refuse(&format!("{} compares numbers; {kind}", operator.api_name()))
        }
        (Equals, _) if *field == ScoredField::Tags => {
            refuse("EQUALS does not apply to tags: use CONTAINS (has the tag) or IN")
        }
        (Exists, None) => Ok(None),
        (Exists, Some(_)) => bad_value("EXISTS takes no value"),
        (_, None | Some(Value::Null)) => {
            bad_value(&format!("{} needs a value", operator.api_name()))
        }
        (Gte | Lte, Some(v @ Value::Number(_))) => Ok(Some(v.clone())),
        (Gte | Lte, Some(_)) => bad_value(&format!("{} takes a number", operator.api_name())),
        (In, Some(Value::Array(values))) => {
            if values.is_empty() || values.len() > VALUES_MAX {
                return bad_value(&format!("IN takes 1 to {VALUES_MAX} values"));
            }
            if !is_custom && !values.iter().all(Value::is_string) {
                return bad_value("IN takes a list of strings here");
            }
            Ok(Some(Value::Array(values.clone())))
        }
        (In, Some(_)) => bad_value("IN takes a list of values"),
        (Contains, Some(v @ Value::String(_))) => Ok(Some(v.clone())),
        (Contains, Some(_)) => bad_value("CONTAINS takes a string"),
        (Equals, Some(v @ Value::String(_))) => Ok(Some(v.clone())),
        (Equals, Some(v @ (Value::Number(_) | Value::Bool(_)))) if is_custom => Ok(Some(v.clone())),
        (Equals, Some(_)) => {
            bad_value("EQUALS takes a string (or, for custom fields, a number or boolean)")
        }
    }
}

/// The score `facts` earn under `criteria`: the sum of the met criteria's points, clamped
/// to 0..=100.
pub fn score(criteria: &[Criterion], facts: &Facts) -> i32 {
    let sum: i64 = criteria
        .iter()
        .filter(|c| meets(c, facts))
        .map(|c| i64::from(c.points))
        .sum();
    // Lossless: clamped into 0..=100 first.
    sum.clamp(0, i64::from(SCORE_MAX)) as i32
}

/// Whether `facts` meet `criterion`. Texts compare without regard to case.
pub fn meets(criterion: &Criterion, facts: &Facts) -> bool {
    use ScoringOperator::*;
    let wanted = criterion.value.as_ref();
    match &criterion.field {
        ScoredField::Text(name) => {
            let text = facts
                .text
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, v)| v.as_deref())
                .map(str::trim)
                .filter(|t| !t.is_empty());
            match (criterion.operator, text) {
                (Exists, found) => found.is_some(),
                (_, None) => false,
                (_, Some(text)) => text_meets(criterion.operator, text, wanted),
            }
        }
        ScoredField::Tags => match criterion.operator {
            Exists => !facts.tags.is_empty(),
            _ => facts
                .tags
                .iter()
                .any(|tag| text_meets(Equals, tag, wanted) || text_meets(In, tag, wanted)),
        },
        ScoredField::Custom(key) => match (criterion.operator, facts.custom_fields.get(key)) {
            (_, None | Some(Value::Null)) => false,
            (Exists, Some(_)) => true,
            (Equals, Some(found)) => wanted.is_some_and(|w| same(found, w)),
            (In, Some(found)) => wanted
                .and_then(Value::as_array)
                .is_some_and(|ws| ws.iter().any(|w| same(found, w))),
            (Contains, Some(Value::String(text))) => text_meets(Contains, text, wanted),
            (Contains, Some(Value::Array(items))) => items
                .iter()
                .any(|item| wanted.is_some_and(|w| same(item, w))),
            (Gte | Lte, Some(Value::Number(n))) => {
                match (
                    decimal(n),
                    wanted.and_then(Value::as_number).and_then(decimal),
                ) {
                    (Some(found), Some(bound)) if criterion.operator == Gte => found >= bound,
                    (Some(found), Some(bound)) => found <= bound,
                    _ => false,
                }
            }
            _ => false,
        },
    }
}

fn text_meets(operator: ScoringOperator, text: &str, wanted: Option<&Value>) -> bool {
    let text = text.to_lowercase();
    match (operator, wanted) {
        (ScoringOperator::Equals, Some(Value::String(w))) => text == w.trim().to_lowercase(),
        (ScoringOperator::Contains, Some(Value::String(w))) => text.contains(&w.to_lowercase()),
        (ScoringOperator::In, Some(Value::Array(ws))) => ws
            .iter()
            .filter_map(Value::as_str)
            .any(|w| text == w.trim().to_lowercase()),
        _ => false,
    }
}

/// Custom values are equal when they are the same JSON, or the same text but for case.
fn same(found: &Value, wanted: &Value) -> bool {
    match (found, wanted) {
        (Value::String(a), Value::String(b)) => a.trim().to_lowercase() == b.trim().to_lowercase(),
        (Value::Number(a), Value::Number(b)) => decimal(a).is_some() && decimal(a) == decimal(b),
        _ => found == wanted,
    }
}

/// A JSON number, exactly (no float rounding).
fn decimal(number: &serde_json::Number) -> Option<BigDecimal> {
    number.to_string().parse().ok()
}

#[cfg(test)]
mod tests;
