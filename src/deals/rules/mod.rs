//! Deal rules: field validation, what a move does to a deal, and (in `analytics`) the
//! arithmetic of pipeline reports. Pure, no database.

pub mod analytics;

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::model::Deal;
use crate::error::AppError;
use crate::pipelines::rules::StageKind;
use crate::write::Patch;
use crate::{money, validate};

pub const MAX_TITLE_LEN: usize = 300;
pub const MAX_DESCRIPTION_LEN: usize = 20_000;
pub const MAX_OWNER_LEN: usize = 200;
pub const MAX_LOST_REASON_LEN: usize = 1000;
pub const MAX_ROLE_LEN: usize = 100;
pub const MAX_TAG_NAME_LEN: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValuePeriod {
    OneTime,
    Monthly,
    Quarterly,
    Annual,
}

impl ValuePeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            ValuePeriod::OneTime => "one_time",
            ValuePeriod::Monthly => "monthly",
            ValuePeriod::Quarterly => "quarterly",
            ValuePeriod::Annual => "annual",
        }
    }

    pub fn parse(value: &str) -> ValuePeriod {
        match value {
            "monthly" => ValuePeriod::Monthly,
            "quarterly" => ValuePeriod::Quarterly,
            "annual" => ValuePeriod::Annual,
            _ => ValuePeriod::OneTime,
        }
    }
}

/// Open, won or lost: where the deal's current stage puts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealStatus {
    Open,
    Won,
    Lost,
}

/// A new deal as the caller describes it, before validation.
#[derive(Debug, Clone, Default)]
pub struct DealInput {
    pub title: String,
    pub description: Option<String>,
    pub amount: Option<BigDecimal>,
    pub currency: Option<String>,
    pub close_probability: Option<BigDecimal>,
    pub expected_close_date: Option<NaiveDate>,
    pub value_period: Option<ValuePeriod>,
    pub owner_id: Option<String>,
    pub company_id: Option<Uuid>,
    pub custom_fields: Option<Value>,
    pub stage_id: Option<Uuid>,
    pub lost_reason: Option<String>,
}

/// Where a new deal starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageTarget {
    /// The first stage of the workspace's default pipeline.
    DefaultPipeline,
    /// This stage.
    Stage(Uuid),
    /// The first stage of this pipeline.
    FirstOf(Uuid),
    /// The stage with this key in this pipeline, or in the default pipeline.
    Keyed {
        pipeline_id: Option<Uuid>,
        key: String,
    },
}

/// A partial edit of a deal: `None`/`Unchanged` leaves a field alone, `Clear` empties a
/// nullable one.
#[derive(Debug, Clone, Default)]
pub struct DealPatch {
    pub title: Option<String>,
    pub description: Patch<String>,
    pub amount: Option<BigDecimal>,
    pub currency: Option<String>,
    /// `Clear`: follow the stage's probability again.
    pub close_probability: Patch<BigDecimal>,
    pub expected_close_date: Patch<NaiveDate>,
    pub value_period: Option<ValuePeriod>,
    pub owner_id: Patch<String>,
    pub company_id: Patch<Uuid>,
    pub custom_fields: Option<Value>,
    pub expected_version: Option<i32>,
}

/// The validated money of a deal.
pub fn amount(
    field: &str,
    value: &BigDecimal,
    currency_field: &str,
    currency: &str,
) -> Result<(BigDecimal, String), AppError> {
    let currency = money::currency(currency_field, currency)?;
    let amount = money::amount(field, value, &currency)?;
    Ok((amount, currency))
}

pub fn title(value: &str) -> Result<String, AppError> {
    validate::required_text("input.title", value, MAX_TITLE_LEN)
}

pub fn description(value: Option<&str>) -> Result<Option<String>, AppError> {
    validate::optional_text("input.description", value, MAX_DESCRIPTION_LEN)
}

pub fn owner(value: Option<&str>) -> Result<Option<String>, AppError> {
    validate::optional_text("input.ownerId", value, MAX_OWNER_LEN)
}

pub fn custom_fields(value: &Value) -> Result<Value, AppError> {
    validate::custom_fields("input.customFields", value)
}

pub fn close_probability(value: &BigDecimal) -> Result<BigDecimal, AppError> {
    validate::probability("input.closeProbability", value)
}

/// `before` with the patch applied, each touched field validated, in the input's order.
pub fn patched(before: &Deal, patch: DealPatch) -> Result<Deal, AppError> {
    let mut deal = before.clone();
    if let Some(value) = &patch.title {
        deal.title = title(value)?;
    }
    if !patch.description.is_unchanged() {
        deal.description = description(patch.description.apply(None).as_deref())?;
    }
    if patch.amount.is_some() || patch.currency.is_some() {
        let value = patch.amount.as_ref().unwrap_or(&before.amount);
        let code = patch.currency.as_deref().unwrap_or(&before.currency);
        (deal.amount, deal.currency) = amount("input.amount", value, "input.currency", code)?;
    }
    if !patch.close_probability.is_unchanged() {
        deal.close_probability = patch
            .close_probability
            .apply(None)
            .as_ref()
            .map(close_probability)
            .transpose()?;
    }
    deal.expected_close_date = patch.expected_close_date.apply(deal.expected_close_date);
    if let Some(period) = patch.value_period {
        deal.value_period = period.as_str().to_owned();
    }
    if !patch.owner_id.is_unchanged() {
        deal.owner_id = owner(patch.owner_id.apply(None).as_deref())?;
    }
    deal.company_id = patch.company_id.apply(deal.company_id);
    if let Some(value) = &patch.custom_fields {
        deal.custom_fields = custom_fields(value)?.into();
    }
    Ok(deal)
}

/// The outcome stamps a deal gets on entering a stage of `kind`.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub won_at: Option<DateTime<Utc>>,
    pub lost_at: Option<DateTime<Utc>>,
    pub lost_reason: Option<String>,
}

/// Entering a WON stage stamps `wonAt`; a LOST stage needs a reason and stamps `lostAt`; an
/// OPEN stage clears both.
pub fn outcome(
    kind: StageKind,
    lost_reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Outcome, AppError> {
    match kind {
        StageKind::Open => Ok(Outcome {
            won_at: None,
            lost_at: None,
            lost_reason: None,
        }),
        StageKind::Won => Ok(Outcome {
            won_at: Some(now),
            lost_at: None,
            lost_reason: None,
        }),
        StageKind::Lost => {
            let reason =
                validate::optional_text("input.lostReason", lost_reason, MAX_LOST_REASON_LEN)?
                    .ok_or_else(|| {
                        AppError::bad_input(
                            "input.lostReason",
                            "is required when moving a deal to a LOST stage",
                        )
                    })?;
            Ok(Outcome {
                won_at: None,
                lost_at: Some(now),
                lost_reason: Some(reason),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn lost_needs_a_reason() {
        let now = Utc::now();
        assert!(outcome(StageKind::Lost, None, now).is_err());
        assert!(outcome(StageKind::Lost, Some("  "), now).is_err());
        let lost = outcome(StageKind::Lost, Some("budget"), now).ok();
        assert_eq!(lost.and_then(|o| o.lost_reason).as_deref(), Some("budget"));
    }

    #[test]
    fn won_stamps_and_open_clears() {
        let now = Utc::now();
        assert_eq!(
            outcome(StageKind::Won, None, now)
                .ok()
                .and_then(|o| o.won_at),
            Some(now)
        );
        let open = outcome(StageKind::Open, Some("ignored"), now).ok();
        assert_eq!(
            open,
            Some(Outcome {
                won_at: None,
                lost_at: None,
                lost_reason: None
            })
        );
    }

    #[test]
    fn money_is_checked_against_the_currency() {
        let dec = |s: &str| BigDecimal::from_str(s).unwrap_or_default();
        assert!(amount("input.amount", &dec("-1"), "input.currency", "USD").is_err());
        let err = amount("input.amount", &dec("1"), "input.currency", "USX").err();
        assert_eq!(err.as_ref().and_then(|e| e.field()), Some("input.currency"));
        let err = amount("input.amount", &dec("12.345"), "input.currency", "JPY").err();
        assert_eq!(err.as_ref().and_then(|e| e.field()), Some("input.amount"));
    }

    fn existing_deal() -> Deal {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        Deal {
            workspace_id: Uuid::nil(),
            id: Uuid::nil(),
            pipeline_id: Uuid::nil(),
            stage_id: Uuid::nil(),
            title: "Acme".into(),
            description: Some("renewal".into()),
            amount: BigDecimal::from(100),
            currency: "USD".into(),
            close_probability: Some(BigDecimal::from(1)),
            expected_close_date: None,
            won_at: None,
            lost_at: None,
            lost_reason: None,
            value_period: "one_time".into(),
            owner_id: Some("ana".into()),
            company_id: None,
            custom_fields: serde_json::json!({}).into(),
            entered_stage_at: at,
            version: 1,
            created_at: at,
            updated_at: at,
            last_activity_at: None,
        }
    }

    #[test]
    fn a_patch_touches_only_its_fields() {
        let before = existing_deal();
        let patch = DealPatch {
            description: Patch::Clear,
            close_probability: Patch::Clear,
            owner_id: Patch::Set("  bo ".into()),
            ..DealPatch::default()
        };
        let after = patched(&before, patch).unwrap();
        assert_eq!(after.description, None);
        assert_eq!(after.close_probability, None);
        assert_eq!(after.owner_id.as_deref(), Some("bo"));
        assert_eq!(after.title, before.title);
        assert_eq!(after.amount, before.amount);
        assert_eq!(patched(&before, DealPatch::default()).unwrap(), before);
    }

    #[test]
    fn a_patch_checks_money_against_the_kept_currency() {
        let patch = DealPatch {
            currency: Some("JPY".into()),
            amount: Some(BigDecimal::from_str("1.5").unwrap_or_default()),
            ..DealPatch::default()
        };
        let err = patched(&existing_deal(), patch).err();
        assert_eq!(err.as_ref().and_then(|e| e.field()), Some("input.amount"));
    }

    #[test]
    fn titles_are_bounded() {
        assert!(title(&"x".repeat(10_000)).is_err());
        assert!(title("Acme renewal").is_ok());
    }
}
