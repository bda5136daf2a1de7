//! The deal API's inputs: the list's filter and order, and each mutation's input, parsed into
//! what the domain operations take.

use async_graphql::{Enum, InputObject, Json, MaybeUndefined, ID};
use chrono::NaiveDate;

use super::types::{DealStatusGql, ValuePeriodGql};
use crate::deals::model::{DealFilter, DealOrder, DealSort};
use crate::deals::ops::{DealInput, DealPatch};
use crate::deals::rules::{DealStatus, ValuePeriod};
use crate::error::AppError;
use crate::graphql::mutation::MutationOptions;
use crate::graphql::scalars::Decimal;
use crate::graphql::{parse_id, patch};
use crate::write::Patch;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum DealOrderField {
    UpdatedAt,
    CreatedAt,
    Amount,
    ExpectedCloseDate,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum OrderDirection {
    Asc,
    Desc,
}

/// How to order deals. Default: most recently updated first.
#[derive(InputObject, Clone, Copy)]
pub struct DealOrderInput {
    pub field: DealOrderField,
    #[graphql(default_with = "OrderDirection::Desc")]
    pub direction: OrderDirection,
}

impl From<Option<DealOrderInput>> for DealOrder {
    fn from(input: Option<DealOrderInput>) -> Self {
        match input {
            None => DealOrder::default(),
            Some(input) => DealOrder {
                sort: match input.field {
                    DealOrderField::UpdatedAt => DealSort::UpdatedAt,
                    DealOrderField::CreatedAt => DealSort::CreatedAt,
                    DealOrderField::Amount => DealSort::Amount,
                    DealOrderField::ExpectedCloseDate => DealSort::ExpectedCloseDate,
                },
                descending: input.direction == OrderDirection::Desc,
            },
        }
    }
}

/// A custom field condition: the record's `customFields[key]` equals `value` (for deals and
/// leads).
#[derive(InputObject)]
pub struct CustomFieldFilter {
    pub key: String,
    pub value: Json<serde_json::Value>,
}

#[derive(InputObject, Default)]
pub struct DealFilterInput {
    pub pipeline_id: Option<ID>,
    pub stage_id: Option<ID>,
    pub status: Option<DealStatusGql>,
    pub owner_id: Option<String>,
    pub company_id: Option<ID>,
    pub contact_id: Option<ID>,
    pub tag_id: Option<ID>,
    /// Amounts are compared within `currency` when given.
    pub amount_min: Option<Decimal>,
    pub amount_max: Option<Decimal>,
    pub currency: Option<String>,
    pub expected_close_from: Option<NaiveDate>,
    pub expected_close_to: Option<NaiveDate>,
    pub custom_field: Option<CustomFieldFilter>,
    /// Case-insensitive text in the title.
    pub search: Option<String>,
}

impl DealFilterInput {
    pub(super) fn parse(self) -> Result<DealFilter, AppError> {
        let id = |v: Option<ID>, f: &str| v.map(|id| parse_id(&id, f)).transpose();
        Ok(DealFilter {
            pipeline_id: id(self.pipeline_id, "filter.pipelineId")?,
            stage_id: id(self.stage_id, "filter.stageId")?,
            status: self.status.map(DealStatus::from),
            owner_id: self.owner_id,
            company_id: id(self.company_id, "filter.companyId")?,
            contact_id: id(self.contact_id, "filter.contactId")?,
            tag_id: id(self.tag_id, "filter.tagId")?,
            amount_min: self.amount_min.map(|d| d.0),
            amount_max: self.amount_max.map(|d| d.0),
            currency: self
                .currency
                .map(|c| crate::money::currency("filter.currency", &c))
                .transpose()?,
            expected_close_from: self.expected_close_from,
            expected_close_to: self.expected_close_to,
            custom_field: self.custom_field.map(|f| (f.key, f.value.0)),
            search: self.search,
        })
    }
}

#[derive(InputObject)]
pub struct CreateDealInput {
    /// 1–300 characters.
    pub title: String,
    pub description: Option<String>,
    /// ≥ 0, no more decimals than the currency allows. Default "0".
    pub amount: Option<Decimal>,
    /// ISO 4217. Default: the workspace's default currency.
    pub currency: Option<String>,
    /// 0..1. Omitted: follow the stage's probability.
    pub close_probability: Option<Decimal>,
    pub expected_close_date: Option<NaiveDate>,
    pub value_period: Option<ValuePeriodGql>,
    pub owner_id: Option<String>,
    pub company_id: Option<ID>,
    /// A JSON object.
    pub custom_fields: Option<Json<serde_json::Value>>,
    /// Omitted: the first stage of the default pipeline.
    pub stage_id: Option<ID>,
    /// Required when `stageId` is a LOST stage.
    pub lost_reason: Option<String>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl CreateDealInput {
    pub(super) fn parse(self) -> Result<(DealInput, MutationOptions), AppError> {
        let input = DealInput {
            title: self.title,
            description: self.description,
            amount: self.amount.map(|a| a.0),
            currency: self.currency,
            close_probability: self.close_probability.map(|p| p.0),
            expected_close_date: self.expected_close_date,
            value_period: self.value_period.map(ValuePeriod::from),
            owner_id: self.owner_id,
            company_id: self
                .company_id
                .map(|id| parse_id(&id, "input.companyId"))
                .transpose()?,
            custom_fields: self.custom_fields.map(|j| j.0),
            stage_id: self
                .stage_id
                .map(|id| parse_id(&id, "input.stageId"))
                .transpose()?,
            lost_reason: self.lost_reason,
        };
        Ok((input, self.options))
    }
}

#[derive(InputObject)]
pub struct UpdateDealInput {
    pub id: ID,
    pub title: Option<String>,
    pub description: MaybeUndefined<String>,
    pub amount: Option<Decimal>,
    pub currency: Option<String>,
    /// null: follow the stage's probability again.
    pub close_probability: MaybeUndefined<Decimal>,
    pub expected_close_date: MaybeUndefined<NaiveDate>,
    pub value_period: Option<ValuePeriodGql>,
    pub owner_id: MaybeUndefined<String>,
    pub company_id: MaybeUndefined<ID>,
    pub custom_fields: Option<Json<serde_json::Value>>,
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

/// An update's target, its patch and its options.
pub(super) type Parsed<P> = (uuid::Uuid, P, MutationOptions);

impl UpdateDealInput {
    pub(super) fn parse(self) -> Result<Parsed<DealPatch>, AppError> {
        let id = parse_id(&self.id, "input.id")?;
        let company_id = match patch(self.company_id) {
            Patch::Unchanged => Patch::Unchanged,
            Patch::Clear => Patch::Clear,
            Patch::Set(id) => Patch::Set(parse_id(&id, "input.companyId")?),
        };
        let patch = DealPatch {
            title: self.title,
            description: patch(self.description),
            amount: self.amount.map(|a| a.0),
            currency: self.currency,
            close_probability: patch(self.close_probability).map(|p| p.0),
            expected_close_date: patch(self.expected_close_date),
            value_period: self.value_period.map(ValuePeriod::from),
            owner_id: patch(self.owner_id),
            company_id,
            custom_fields: self.custom_fields.map(|j| j.0),
            expected_version: self.expected_version,
        };
        Ok((id, patch, self.options))
    }
}

#[derive(InputObject)]
pub struct DeleteDealInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct MoveDealInput {
    pub deal_id: ID,
    /// Any stage of the workspace: another pipeline's stage moves the deal there.
    pub stage_id: ID,
    /// Required when moving into a LOST stage.
    pub lost_reason: Option<String>,
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct WinDealInput {
    pub deal_id: ID,
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct LoseDealInput {
    pub deal_id: ID,
    pub reason: String,
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct LinkDealContactInput {
    pub deal_id: ID,
    pub contact_id: ID,
    /// decision_maker, champion, end_user, … (free text, ≤ 100 characters).
    pub role: Option<String>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct UnlinkDealContactInput {
    pub deal_id: ID,
    pub contact_id: ID,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct CreateDealTagInput {
    pub name: String,
    pub color: Option<String>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct TagDealInput {
    pub deal_id: ID,
    pub tag_id: ID,
    #[graphql(flatten)]
    pub options: MutationOptions,
}
