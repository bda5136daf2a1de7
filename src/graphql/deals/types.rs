//! The deal API's output types: `Deal` and its relations (each through a loader), contact
//! links, tags, and the mutation payloads. The stage history's `StageChange` has its own file.

use std::sync::Arc;

use async_graphql::{Context, Enum, Json, Object, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};

use super::connection::StageChangeConnection;
use super::cursor::decode_change_cursor;
use super::loaders::{
    DealContactsLoader, DealLoader, DealTagsLoader, StageChangesKey, StageChangesLoader,
};
use crate::deals::model::{Deal, DealContact, DealTag};
use crate::deals::ops::Moved;
use crate::deals::rules::{DealStatus, ValuePeriod};
use crate::error::AppError;
use crate::graphql::contacts::{CompanyGql, CompanyLoader, ContactGql, ContactLoader};
use crate::graphql::cursor_key::Cursors;
use crate::graphql::loaders;
use crate::graphql::mutation::WriteOutcome;
use crate::graphql::pagination::page_size;
use crate::graphql::pipelines::{PipelineGql, PipelineLoader, StageGql, StageLoader};
use crate::graphql::scalars::Decimal;
use crate::pipelines::model::Stage;
use crate::pipelines::rules::StageKind;
use crate::write::WriteResult;

pub use super::stage_change::StageChangeGql;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "ValuePeriod")]
pub enum ValuePeriodGql {
    OneTime,
    Monthly,
    Quarterly,
    Annual,
}

impl From<ValuePeriodGql> for ValuePeriod {
    fn from(v: ValuePeriodGql) -> Self {
        match v {
            ValuePeriodGql::OneTime => ValuePeriod::OneTime,
            ValuePeriodGql::Monthly => ValuePeriod::Monthly,
            ValuePeriodGql::Quarterly => ValuePeriod::Quarterly,
            ValuePeriodGql::Annual => ValuePeriod::Annual,
        }
    }
}

impl From<ValuePeriod> for ValuePeriodGql {
    fn from(v: ValuePeriod) -> Self {
        match v {
            ValuePeriod::OneTime => ValuePeriodGql::OneTime,
            ValuePeriod::Monthly => ValuePeriodGql::Monthly,
            ValuePeriod::Quarterly => ValuePeriodGql::Quarterly,
            ValuePeriod::Annual => ValuePeriodGql::Annual,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "DealStatus")]
pub enum DealStatusGql {
    Open,
    Won,
    Lost,
}

impl From<DealStatusGql> for DealStatus {
    fn from(s: DealStatusGql) -> Self {
        match s {
            DealStatusGql::Open => DealStatus::Open,
            DealStatusGql::Won => DealStatus::Won,
            DealStatusGql::Lost => DealStatus::Lost,
        }
    }
}

impl From<DealStatus> for DealStatusGql {
    fn from(s: DealStatus) -> Self {
        match s {
            DealStatus::Open => DealStatusGql::Open,
            DealStatus::Won => DealStatusGql::Won,
            DealStatus::Lost => DealStatusGql::Lost,
        }
    }
}

/// A deal: an opportunity moving through a pipeline.
///
/// Every field of a deal resolves through one generated future as large as its largest
/// field's: the fields that reach into other domains (activities, tasks, invoices, the
/// timeline, the history) are boxed, so a board's thousands of small fields (`title`,
/// `amount`, …) do not each allocate and copy kilobytes of state they never use.
///
/// The row is shared with the loader or page that read it: a board's deals are never copied.
#[derive(Clone)]
pub struct DealGql(pub Arc<Deal>);

loaders::shared_row_gql!(DealGql: Deal);

#[Object(name = "Deal")]
impl DealGql {
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// With exactly the currency's decimals, as a string.
    async fn amount(&self) -> Decimal {
        Decimal::money(&self.0.amount, &self.0.currency)
    }
    /// ISO 4217.
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// The deal's own probability, or its stage's when none was set.
    async fn close_probability(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        match &self.0.close_probability {
            Some(p) => Ok(Decimal::plain(p)),
            None => Ok(Decimal::plain(&self.stage_row(ctx).await?.probability)),
        }
    }
    /// True when the probability was set on the deal rather than taken from the stage.
    async fn close_probability_is_set(&self) -> bool {
        self.0.close_probability.is_some()
    }
    /// The value weighted by `closeProbability`.
    async fn weighted_amount(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        let p = match &self.0.close_probability {
            Some(p) => p.clone(),
            None => self.stage_row(ctx).await?.probability.clone(),
        };
        let weighted = (&self.0.amount * p).with_scale_round(
            crate::money::minor_units(&self.0.currency),
            bigdecimal::RoundingMode::HalfEven,
        );
        Ok(Decimal::money(&weighted, &self.0.currency))
    }
    async fn expected_close_date(&self) -> Option<NaiveDate> {
        self.0.expected_close_date
    }
    async fn won_at(&self) -> Option<DateTime<Utc>> {
        self.0.won_at
    }
    async fn lost_at(&self) -> Option<DateTime<Utc>> {
        self.0.lost_at
    }
    async fn lost_reason(&self) -> Option<&str> {
        self.0.lost_reason.as_deref()
    }
    async fn status(&self) -> DealStatusGql {
        if self.0.won_at.is_some() {
            DealStatusGql::Won
        } else if self.0.lost_at.is_some() {
            DealStatusGql::Lost
        } else {
            DealStatusGql::Open
        }
    }
    async fn value_period(&self) -> ValuePeriodGql {
        ValuePeriod::parse(&self.0.value_period).into()
    }
    async fn owner_id(&self) -> Option<&str> {
        self.0.owner_id.as_deref()
    }
    async fn company_id(&self) -> Option<ID> {
        self.0.company_id.map(|id| ID(id.to_string()))
    }
    /// The company the deal is with.
    async fn company(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CompanyGql>> {
        let Some(id) = self.0.company_id else {
            return Ok(None);
        };
        Ok(loaders::get::<CompanyLoader>(ctx)?
            .load_one(id)
            .await?
            .map(CompanyGql::from_row))
    }
    async fn custom_fields(&self) -> Json<serde_json::Value> {
        Json(self.0.custom_fields.value().clone())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When the newest activity logged on the deal happened.
    async fn last_activity_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_activity_at
    }
    /// Incremented by every change; pass it as `expectedVersion` to update safely.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the deal entered its current stage.
    async fn entered_stage_at(&self) -> DateTime<Utc> {
        self.0.entered_stage_at
    }
    /// Seconds since the deal entered its current stage.
    async fn time_in_stage(&self) -> i64 {
        (Utc::now() - self.0.entered_stage_at).num_seconds().max(0)
    }
    /// An open deal idle in its stage longer than the stage's `rottingDays`.
    async fn is_rotting(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let stage = self.stage_row(ctx).await?;
        Ok(match stage.rotting_days {
            Some(days) if stage.kind() == StageKind::Open => {
                Utc::now() - self.0.entered_stage_at > chrono::Duration::days(i64::from(days))
            }
            _ => false,
        })
    }
    async fn stage(&self, ctx: &Context<'_>) -> async_graphql::Result<StageGql> {
        Ok(self.stage_row(ctx).await?.into())
    }
    async fn pipeline(&self, ctx: &Context<'_>) -> async_graphql::Result<PipelineGql> {
        let pipeline = loaders::get::<PipelineLoader>(ctx)?
            .load_one(self.0.pipeline_id)
            .await?;
        Ok(pipeline
            .ok_or_else(|| AppError::not_found("pipeline", self.0.pipeline_id))?
            .into())
    }
    /// The people on the deal, with their roles.
    async fn contacts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DealContactGql>> {
        let links = loaders::get::<DealContactsLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(links.into_iter().map(DealContactGql).collect())
    }
    async fn tags(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DealTagGql>> {
        let tags = loaders::get::<DealTagsLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(tags.into_iter().map(DealTagGql::from).collect())
    }
    /// What happened with it, newest first.
    async fn activities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<crate::graphql::activities::ActivityConnection> {
        let kind = crate::activities::rules::LinkKind::Deal;
        Box::pin(crate::graphql::activities::linked_activities(
            ctx, kind, self.0.id, first, after,
        ))
        .await
    }
    /// Its tasks, soonest due first (undated last).
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<crate::graphql::tasks::TaskConnection> {
        let kind = crate::activities::rules::LinkKind::Deal;
        Box::pin(crate::graphql::tasks::linked_tasks(
            ctx, kind, self.0.id, first, after,
        ))
        .await
    }
    /// Its open task due soonest (dated before undated); null when none is open.
    async fn next_task(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::tasks::TaskGql>> {
        Box::pin(crate::graphql::tasks::next_task(ctx, self.0.id)).await
    }
    /// Its invoices and credit notes, newest first.
    async fn invoices(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<crate::graphql::billing::InvoiceConnection> {
        let parent = crate::billing::ops::InvoiceParent::Deal;
        Box::pin(crate::graphql::billing::linked_invoices(
            ctx, parent, self.0.id, first, after,
        ))
        .await
    }
    /// Per currency: its issued invoices' totals less its credit notes (void ones aside).
    async fn invoiced_amount(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::billing::MoneyGql>> {
        Box::pin(crate::graphql::billing::deal_amounts(ctx, self.0.id, false)).await
    }
    /// Per currency: what was paid on its invoices, less refunds.
    async fn paid_amount(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::billing::MoneyGql>> {
        Box::pin(crate::graphql::billing::deal_amounts(ctx, self.0.id, true)).await
    }
    /// Its history, newest first (see `Query.timeline`).
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        types: Option<Vec<crate::graphql::timeline::TimelineItemTypeGql>>,
    ) -> async_graphql::Result<crate::graphql::timeline::TimelineConnection> {
        let kind = crate::activities::rules::LinkKind::Deal;
        Box::pin(crate::graphql::timeline::record_timeline(
            ctx, kind, self.0.id, first, after, types,
        ))
        .await
    }
    /// The deal's stage history, newest first. Each change's `from` is the previous `to`.
    async fn stage_changes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<StageChangeConnection> {
        let limit = page_size(first)?;
        let cursors = Cursors::of(ctx)?;
        let below = after
            .as_deref()
            .map(|c| decode_change_cursor(cursors, c))
            .transpose()?;
        let key = StageChangesKey {
            deal_id: self.0.id,
            limit: limit + 1,
            below,
        };
        let mut rows = loaders::get::<StageChangesLoader>(ctx)?
            .load_one(key)
            .await?
            .unwrap_or_default();
        let has_next = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(StageChangeConnection {
            deal_id: self.0.id,
            rows,
            has_next,
            has_previous: below.is_some(),
        })
    }
}

impl DealGql {
    async fn stage_row(&self, ctx: &Context<'_>) -> Result<Arc<Stage>, AppError> {
        loaders::get::<StageLoader>(ctx)?
            .load_one(self.0.stage_id)
            .await?
            .ok_or_else(|| AppError::not_found("stage", self.0.stage_id))
    }
}

/// A contact on a deal, with the role they play.
pub struct DealContactGql(pub DealContact);

#[Object(name = "DealContact")]
impl DealContactGql {
    async fn contact_id(&self) -> ID {
        ID(self.0.contact_id.to_string())
    }
    /// decision_maker, champion, end_user, … (free text).
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }
    async fn linked_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The contact itself: referenced, never copied, so its changes show here.
    async fn contact(&self, ctx: &Context<'_>) -> async_graphql::Result<ContactGql> {
        let contact = loaders::get::<ContactLoader>(ctx)?
            .load_one(self.0.contact_id)
            .await?
            .ok_or_else(|| AppError::not_found("contact", self.0.contact_id))?;
        Ok(ContactGql::from_row(contact))
    }
}

#[derive(SimpleObject)]
#[graphql(name = "DealTag")]
pub struct DealTagGql {
    pub id: ID,
    pub name: String,
    pub color: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<DealTag> for DealTagGql {
    fn from(t: DealTag) -> Self {
        Self {
            id: ID(t.id.to_string()),
            name: t.name,
            color: t.color,
            created_at: t.created_at,
        }
    }
}

/// A deal a contact is on, and the role they play in it.
pub struct ContactDealGql(pub DealContact);

#[Object(name = "ContactDeal")]
impl ContactDealGql {
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }
    async fn deal(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DealGql>> {
        Ok(loaders::get::<DealLoader>(ctx)?
            .load_one(self.0.deal_id)
            .await?
            .map(DealGql::from))
    }
}

#[derive(SimpleObject)]
pub struct DealPayload {
    pub deal: DealGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct MoveDealPayload {
    pub deal: DealGql,
    /// The recorded change; null when the deal already was in that stage.
    pub stage_change: Option<StageChangeGql>,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct DealContactPayload {
    pub deal_contact: DealContactGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct DealTagPayload {
    pub tag: DealTagGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

impl From<WriteResult<Moved>> for MoveDealPayload {
    fn from(result: WriteResult<Moved>) -> Self {
        let outcome = WriteOutcome::from(&result);
        MoveDealPayload {
            deal: result.value.deal.into(),
            stage_change: result.value.stage_change.map(StageChangeGql::from),
            outcome,
        }
    }
}

impl From<WriteResult<Deal>> for DealPayload {
    fn from(result: WriteResult<Deal>) -> Self {
        DealPayload {
            outcome: WriteOutcome::from(&result),
            deal: result.value.into(),
        }
    }
}

impl From<WriteResult<DealContact>> for DealContactPayload {
    fn from(result: WriteResult<DealContact>) -> Self {
        DealContactPayload {
            outcome: WriteOutcome::from(&result),
            deal_contact: DealContactGql(result.value),
        }
    }
}

impl From<WriteResult<DealTag>> for DealTagPayload {
    fn from(result: WriteResult<DealTag>) -> Self {
        DealTagPayload {
            outcome: WriteOutcome::from(&result),
            tag: result.value.into(),
        }
    }
}
