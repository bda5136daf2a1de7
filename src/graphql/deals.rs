//! GraphQL for deals: the deal type and its relations (all through dataloaders), the deal
//! list with filters and keyset cursors, moves, links and tags.

use async_graphql::connection::PageInfo;
use async_graphql::{
    ComplexObject, Context, Enum, InputObject, Json, MaybeUndefined, Object, SimpleObject, ID,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::contacts::{CompanyGql, CompanyLoader, ContactGql, ContactLoader};
use super::loaders::{
    self, DealContactsLoader, DealTagsLoader, PipelineLoader, Related, Relations,
    StageChangeCountLoader, StageChangesKey, StageChangesLoader, StageDealCountLoader,
    StageDealsKey, StageDealsLoader, StageLoader,
};
use super::pagination::{page_size, page_size_of};
use super::pipelines::{PipelineGql, StageGql};
use super::scalars::Decimal;
use super::{actor, maybe, parse_id, pool, write_options};
use crate::auth::Scope;
use crate::deals::links::{self, DealContact};
use crate::deals::list::{DealFilter, DealOrder, DealSort, DealWindow, SortValue};
use crate::deals::model::{Deal, StageChange};
use crate::deals::moves::{self, Target};
use crate::deals::ops::{self, DealUpdate, NewDealInput};
use crate::deals::rules::{DealStatus, ValuePeriod};
use crate::deals::tags::{self, DealTag};
use crate::error::AppError;
use crate::pipelines::model::Stage;
use crate::pipelines::rules::StageKind;

// ---------------------------------------------------------------- enums and inputs

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

fn sort_code(sort: DealSort) -> u8 {
    match sort {
        DealSort::UpdatedAt => 0,
        DealSort::CreatedAt => 1,
        DealSort::Amount => 2,
        DealSort::ExpectedCloseDate => 3,
    }
}

pub(crate) fn order_key(order: &DealOrder) -> (u8, bool) {
    (sort_code(order.sort), order.descending)
}

pub(crate) fn order_from_key((code, descending): (u8, bool)) -> DealOrder {
    let sort = match code {
        1 => DealSort::CreatedAt,
        2 => DealSort::Amount,
        3 => DealSort::ExpectedCloseDate,
        _ => DealSort::UpdatedAt,
    };
    DealOrder { sort, descending }
}

/// Cursor: the order it belongs to, the sort value and the id (opaque to clients).
pub(crate) fn encode_deal_cursor(order: &DealOrder, deal: &Deal) -> String {
    let value = match order.value_of(deal) {
        SortValue::Time(t) => t.to_rfc3339(),
        SortValue::Amount(a) => a.to_string(),
        SortValue::Date(d) => d.to_string(),
    };
    URL_SAFE_NO_PAD.encode(format!(
        "d1|{}|{}|{}",
        sort_code(order.sort),
        deal.id,
        value
    ))
}

pub(crate) fn decode_deal_cursor(
    cursor: &str,
    order: &DealOrder,
    field: &str,
) -> Result<(SortValue, Uuid), AppError> {
    let bad = || AppError::bad_input(field, "is not a valid cursor for this list and order");
    let text =
        String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?).map_err(|_| bad())?;
    let mut parts = text.splitn(4, '|');
    let (Some("d1"), Some(code), Some(id), Some(value)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if code != sort_code(order.sort).to_string() {
        return Err(AppError::bad_input(
            field,
            "belongs to a list with another order",
        ));
    }
    let id = Uuid::parse_str(id).map_err(|_| bad())?;
    let value = match order.sort {
        DealSort::UpdatedAt | DealSort::CreatedAt => SortValue::Time(
            DateTime::parse_from_rfc3339(value)
                .map_err(|_| bad())?
                .with_timezone(&Utc),
        ),
        DealSort::Amount => SortValue::Amount(value.parse().map_err(|_| bad())?),
        DealSort::ExpectedCloseDate => SortValue::Date(value.parse().map_err(|_| bad())?),
    };
    Ok((value, id))
}

/// A custom field condition: the deal's `customFields[key]` equals `value`.
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
    fn parse(self) -> Result<DealFilter, AppError> {
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

// ---------------------------------------------------------------- output types

/// A deal: an opportunity moving through a pipeline.
#[derive(Clone)]
pub struct DealGql(pub Deal);

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
            None => self.stage_row(ctx).await?.probability,
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
        Ok(loaders::get::<CompanyLoader>(ctx)?.load_one(id).await?)
    }
    async fn custom_fields(&self) -> Json<serde_json::Value> {
        Json(self.0.custom_fields.clone())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
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
    /// The deal's stage history, newest first. Each change's `from` is the previous `to`.
    async fn stage_changes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<StageChangeConnection> {
        let limit = page_size(first)?;
        let below = after.as_deref().map(decode_change_cursor).transpose()?;
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
    async fn stage_row(&self, ctx: &Context<'_>) -> Result<Stage, AppError> {
        loaders::get::<StageLoader>(ctx)?
            .load_one(self.0.stage_id)
            .await?
            .ok_or_else(|| AppError::not_found("stage", self.0.stage_id))
    }
}

fn encode_change_cursor(change: &StageChange) -> String {
    URL_SAFE_NO_PAD.encode(format!("sc1|{}", change.sequence))
}

fn decode_change_cursor(cursor: &str) -> Result<i32, AppError> {
    let bad = || AppError::bad_input("after", "is not a valid stage-change cursor");
    let text =
        String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?).map_err(|_| bad())?;
    text.strip_prefix("sc1|")
        .and_then(|n| n.parse().ok())
        .ok_or_else(bad)
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
            .await?;
        Ok(contact.ok_or_else(|| AppError::not_found("contact", self.0.contact_id))?)
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

/// One move of a deal between stages, with the deal's value at that moment.
#[derive(SimpleObject, Clone)]
#[graphql(name = "StageChange", complex)]
pub struct StageChangeGql {
    pub id: ID,
    /// 1 for the stage the deal was created in, then 2, 3, …
    pub sequence: i32,
    pub from_stage_id: Option<ID>,
    pub to_stage_id: ID,
    pub from_pipeline_id: Option<ID>,
    pub to_pipeline_id: ID,
    /// The stage names at the time (stages may be renamed or deleted later).
    pub from_stage_name: Option<String>,
    pub to_stage_name: String,
    pub amount: Decimal,
    pub currency: String,
    /// The API key that made the move.
    pub actor_key_id: Option<ID>,
    pub changed_at: DateTime<Utc>,
    #[graphql(skip)]
    pub row: StageChange,
}

impl From<StageChange> for StageChangeGql {
    fn from(c: StageChange) -> Self {
        Self {
            id: ID(c.id.to_string()),
            sequence: c.sequence,
            from_stage_id: c.from_stage_id.map(|id| ID(id.to_string())),
            to_stage_id: ID(c.to_stage_id.to_string()),
            from_pipeline_id: c.from_pipeline_id.map(|id| ID(id.to_string())),
            to_pipeline_id: ID(c.to_pipeline_id.to_string()),
            from_stage_name: c.from_stage_name.clone(),
            to_stage_name: c.to_stage_name.clone(),
            amount: Decimal::money(&c.amount, &c.currency),
            currency: c.currency.clone(),
            actor_key_id: c.actor_key_id.map(|id| ID(id.to_string())),
            changed_at: c.changed_at,
            row: c,
        }
    }
}

#[ComplexObject]
impl StageChangeGql {
    /// Null when the deal was created in `toStage`, or the stage was deleted since.
    #[allow(clippy::wrong_self_convention)] // the GraphQL field is `fromStage`, not a conversion
    async fn from_stage(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StageGql>> {
        let Some(id) = self.row.from_stage_id else {
            return Ok(None);
        };
        Ok(loaders::get::<StageLoader>(ctx)?
            .load_one(id)
            .await?
            .map(StageGql::from))
    }
    /// Null when the stage was deleted since.
    async fn to_stage(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StageGql>> {
        Ok(loaders::get::<StageLoader>(ctx)?
            .load_one(self.row.to_stage_id)
            .await?
            .map(StageGql::from))
    }
    async fn deal(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DealGql>> {
        Ok(loaders::get::<loaders::DealLoader>(ctx)?
            .load_one(self.row.deal_id)
            .await?
            .map(DealGql))
    }
}

pub struct StageChangeConnection {
    deal_id: Uuid,
    rows: Vec<StageChange>,
    has_next: bool,
    has_previous: bool,
}

#[derive(SimpleObject)]
pub struct StageChangeEdge {
    pub cursor: String,
    pub node: StageChangeGql,
}

#[Object]
impl StageChangeConnection {
    async fn edges(&self) -> Vec<StageChangeEdge> {
        self.rows
            .iter()
            .map(|c| StageChangeEdge {
                cursor: encode_change_cursor(c),
                node: c.clone().into(),
            })
            .collect()
    }
    async fn nodes(&self) -> Vec<StageChangeGql> {
        self.rows
            .iter()
            .cloned()
            .map(StageChangeGql::from)
            .collect()
    }
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_previous_page: self.has_previous,
            has_next_page: self.has_next,
            start_cursor: self.rows.first().map(encode_change_cursor),
            end_cursor: self.rows.last().map(encode_change_cursor),
        }
    }
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(loaders::get::<StageChangeCountLoader>(ctx)?
            .load_one(self.deal_id)
            .await?
            .unwrap_or(0))
    }
}

/// Where a deal list's `totalCount` comes from: counted only when asked for.
#[derive(Clone)]
enum Total {
    Filter(Box<DealFilter>),
    Stage(Uuid),
}

pub struct DealConnection {
    order: DealOrder,
    rows: Vec<Deal>,
    has_next: bool,
    has_previous: bool,
    total: Total,
}

#[derive(SimpleObject)]
pub struct DealEdge {
    pub cursor: String,
    pub node: DealGql,
}

#[Object]
impl DealConnection {
    async fn edges(&self) -> Vec<DealEdge> {
        self.rows
            .iter()
            .map(|d| DealEdge {
                cursor: encode_deal_cursor(&self.order, d),
                node: DealGql(d.clone()),
            })
            .collect()
    }
    async fn nodes(&self) -> Vec<DealGql> {
        self.rows.iter().cloned().map(DealGql).collect()
    }
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_previous_page: self.has_previous,
            has_next_page: self.has_next,
            start_cursor: self
                .rows
                .first()
                .map(|d| encode_deal_cursor(&self.order, d)),
            end_cursor: self.rows.last().map(|d| encode_deal_cursor(&self.order, d)),
        }
    }
    /// All matching deals, across pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        match &self.total {
            Total::Stage(id) => Ok(loaders::get::<StageDealCountLoader>(ctx)?
                .load_one(*id)
                .await?
                .unwrap_or(0)),
            Total::Filter(filter) => {
                let actor = actor(ctx)?;
                let mut conn = crate::db::conn(pool(ctx)?).await?;
                Ok(Deal::count_filtered(&mut conn, actor.workspace_id, filter)
                    .await
                    .map_err(AppError::from)?)
            }
        }
    }
}

/// Loads, in one go per loader, the relations the query selects on a page of deals. The
/// loaders cache per request, so each deal's own field resolvers are then answered from memory.
async fn prefetch(ctx: &Context<'_>, rows: &[Deal]) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    let look = ctx.look_ahead();
    let nodes = [look.field("nodes"), look.field("edges").field("node")];
    let wants = |name: &str| nodes.iter().any(|n| n.field(name).exists());
    let unique = |ids: Vec<Uuid>| {
        let mut ids = ids;
        ids.sort();
        ids.dedup();
        ids
    };
    let deal_ids: Vec<Uuid> = rows.iter().map(|d| d.id).collect();
    let stages = async {
        if ["stage", "closeProbability", "isRotting", "weightedAmount"]
            .iter()
            .any(|f| wants(f))
        {
            loaders::get::<StageLoader>(ctx)?
                .load_many(unique(rows.iter().map(|d| d.stage_id).collect()))
                .await?;
        }
        Ok::<_, AppError>(())
    };
    let pipelines = async {
        if wants("pipeline") {
            loaders::get::<PipelineLoader>(ctx)?
                .load_many(unique(rows.iter().map(|d| d.pipeline_id).collect()))
                .await?;
        }
        Ok::<_, AppError>(())
    };
    let companies = async {
        if wants("company") {
            loaders::get::<CompanyLoader>(ctx)?
                .load_many(unique(rows.iter().filter_map(|d| d.company_id).collect()))
                .await?;
        }
        Ok::<_, AppError>(())
    };
    let tags = async {
        if wants("tags") {
            loaders::get::<DealTagsLoader>(ctx)?
                .load_many(deal_ids.clone())
                .await?;
        }
        Ok::<_, AppError>(())
    };
    let contacts = async {
        if !wants("contacts") {
            return Ok::<_, AppError>(());
        }
        let links = loaders::get::<DealContactsLoader>(ctx)?
            .load_many(deal_ids.clone())
            .await?;
        let contact_field = nodes
            .iter()
            .map(|n| n.field("contacts").field("contact"))
            .find(|f| f.exists());
        if let Some(contact_field) = contact_field {
            let ids = unique(links.values().flatten().map(|l| l.contact_id).collect());
            let people = loaders::get::<ContactLoader>(ctx)?.load_many(ids).await?;
            if contact_field.field("company").exists() {
                let company_ids = unique(people.values().filter_map(|c| c.company_uuid).collect());
                loaders::get::<CompanyLoader>(ctx)?
                    .load_many(company_ids)
                    .await?;
            }
        }
        Ok(())
    };
    futures_util::try_join!(stages, pipelines, companies, tags, contacts)?;
    Ok(())
}

/// `Stage.deals`: batched across the stages of a board by `StageDealsLoader`.
pub(crate) async fn stage_deals(
    ctx: &Context<'_>,
    stage: &Stage,
    first: Option<i32>,
    after: Option<String>,
    order_by: Option<DealOrderInput>,
) -> async_graphql::Result<DealConnection> {
    actor(ctx)?.require(Scope::CrmRead)?;
    let order = DealOrder::from(order_by);
    let limit = page_size(first)?;
    if let Some(cursor) = &after {
        decode_deal_cursor(cursor, &order, "after")?;
    }
    let key = StageDealsKey {
        stage_id: stage.id,
        order: order_key(&order),
        limit: limit + 1,
        after: after.clone(),
        relations: wanted_relations(ctx),
    };
    let page = loaders::get::<StageDealsLoader>(ctx)?.load_one(key).await?;
    let Some(page) = page else {
        return Ok(DealConnection {
            order,
            rows: vec![],
            has_next: false,
            has_previous: after.is_some(),
            total: Total::Stage(stage.id),
        });
    };
    prime(ctx, &page.related).await?;
    let mut rows = page.deals;
    let has_next = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(DealConnection {
        order,
        rows,
        has_next,
        has_previous: after.is_some(),
        total: Total::Stage(stage.id),
    })
}

/// The relations a deal connection's selection asks for.
fn wanted_relations(ctx: &Context<'_>) -> Relations {
    relations_of(&ctx.look_ahead())
}

fn relations_of(look: &async_graphql::Lookahead<'_>) -> Relations {
    let nodes = [look.field("nodes"), look.field("edges").field("node")];
    let wants = |name: &str| nodes.iter().any(|n| n.field(name).exists());
    let contact = |name: &str| {
        nodes
            .iter()
            .any(|n| n.field("contacts").field("contact").field(name).exists())
    };
    Relations {
        stages: ["stage", "closeProbability", "isRotting", "weightedAmount"]
            .iter()
            .any(|f| wants(f)),
        companies: wants("company"),
        contact_links: wants("contacts"),
        contacts: nodes
            .iter()
            .any(|n| n.field("contacts").field("contact").exists()),
        contact_companies: contact("company"),
        tags: wants("tags"),
    }
}

/// `Pipeline.stages`: loads what every stage's `deals` and `dealCount` will ask for in one
/// call each, so a board's statements do not depend on how its stages' resolvers interleave.
pub(crate) async fn prime_board(ctx: &Context<'_>, stage_ids: &[Uuid]) -> Result<(), AppError> {
    use async_graphql::InputType;
    if stage_ids.is_empty() {
        return Ok(());
    }
    let look = ctx.look_ahead();
    if look.field("dealCount").exists() || look.field("deals").field("totalCount").exists() {
        loaders::get::<StageDealCountLoader>(ctx)?
            .load_many(stage_ids.iter().copied())
            .await?;
    }
    let deals = look.field("deals");
    let fields = deals.selection_fields();
    // Only the plain case: one `deals` selection (aliases with other arguments load lazily).
    let [field] = fields.as_slice() else {
        return Ok(());
    };
    let Ok(arguments) = field.arguments() else {
        return Ok(());
    };
    let argument = |name: &str| {
        arguments
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, v)| v.clone())
    };
    let Ok(first) = <Option<i32> as InputType>::parse(argument("first")) else {
        return Ok(());
    };
    let Ok(after) = <Option<String> as InputType>::parse(argument("after")) else {
        return Ok(());
    };
    let Ok(order_by) = <Option<DealOrderInput> as InputType>::parse(argument("orderBy")) else {
        return Ok(());
    };
    let Ok(limit) = page_size(first) else {
        return Ok(());
    };
    let order = DealOrder::from(order_by);
    if after
        .as_deref()
        .is_some_and(|c| decode_deal_cursor(c, &order, "after").is_err())
    {
        return Ok(());
    }
    let relations = relations_of(&deals);
    let keys = stage_ids.iter().map(|id| StageDealsKey {
        stage_id: *id,
        order: order_key(&order),
        limit: limit + 1,
        after: after.clone(),
        relations,
    });
    loaders::get::<StageDealsLoader>(ctx)?
        .load_many(keys)
        .await?;
    Ok(())
}

/// Puts a batch's relations into the request's loader caches.
async fn prime(ctx: &Context<'_>, related: &Related) -> Result<(), AppError> {
    if !related.stages.is_empty() {
        loaders::get::<StageLoader>(ctx)?
            .feed_many(related.stages.clone())
            .await;
    }
    if !related.companies.is_empty() {
        loaders::get::<CompanyLoader>(ctx)?
            .feed_many(related.companies.clone())
            .await;
    }
    if !related.contact_links.is_empty() {
        loaders::get::<DealContactsLoader>(ctx)?
            .feed_many(related.contact_links.clone())
            .await;
    }
    if !related.contacts.is_empty() {
        loaders::get::<ContactLoader>(ctx)?
            .feed_many(related.contacts.clone())
            .await;
    }
    if !related.tags.is_empty() {
        loaders::get::<DealTagsLoader>(ctx)?
            .feed_many(related.tags.clone())
            .await;
    }
    Ok(())
}

// ---------------------------------------------------------------- queries

#[derive(Default)]
pub struct DealsQuery;

#[Object]
impl DealsQuery {
    /// A deal by id; null if there is none in this workspace.
    async fn deal(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<DealGql>> {
        actor(ctx)?.require(Scope::CrmRead)?;
        let id = parse_id(&id, "id")?;
        Ok(loaders::get::<loaders::DealLoader>(ctx)?
            .load_one(id)
            .await?
            .map(DealGql))
    }

    /// Deals matching `filter`, in `orderBy` order (default: most recently updated first).
    #[allow(clippy::too_many_arguments)] // Relay's four paging arguments plus filter and order
    async fn deals(
        &self,
        ctx: &Context<'_>,
        filter: Option<DealFilterInput>,
        order_by: Option<DealOrderInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<DealConnection> {
        let actor = actor(ctx)?;
        actor.require(Scope::CrmRead)?;
        let filter = filter.unwrap_or_default().parse()?;
        let order = DealOrder::from(order_by);
        if first.is_some() && last.is_some() {
            return Err(
                AppError::bad_input("last", "pass either `first` or `last`, not both").into(),
            );
        }
        let window = DealWindow {
            after: after
                .as_deref()
                .map(|c| decode_deal_cursor(c, &order, "after"))
                .transpose()?,
            before: before
                .as_deref()
                .map(|c| decode_deal_cursor(c, &order, "before"))
                .transpose()?,
            limit: match last {
                Some(_) => page_size_of(last, "last")?,
                None => page_size(first)?,
            },
            from_end: last.is_some(),
        };
        let mut rows = {
            // Give the connection back before the loaders below need theirs: holding it while
            // waiting on them deadlocks a busy pool.
            let mut conn = crate::db::conn(pool(ctx)?).await?;
            Deal::page(&mut conn, actor.workspace_id, &filter, &order, &window)
                .await
                .map_err(AppError::from)?
        };
        let more = rows.len() as i64 > window.limit;
        rows.truncate(usize::try_from(window.limit).unwrap_or(0));
        if window.from_end {
            rows.reverse();
        }
        prefetch(ctx, &rows).await?;
        let (has_previous, has_next) = if window.from_end {
            (more, window.before.is_some())
        } else {
            (window.after.is_some(), more)
        };
        Ok(DealConnection {
            order,
            rows,
            has_next,
            has_previous,
            total: Total::Filter(Box::new(filter)),
        })
    }

    /// The workspace's deal tags, by name.
    async fn deal_tags(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DealTagGql>> {
        let actor = actor(ctx)?;
        actor.require(Scope::CrmRead)?;
        let mut conn = crate::db::conn(pool(ctx)?).await?;
        Ok(DealTag::list(&mut conn, actor.workspace_id)
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(DealTagGql::from)
            .collect())
    }
}

// ---------------------------------------------------------------- mutations

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
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
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
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct DeleteDealInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct MoveDealInput {
    pub deal_id: ID,
    /// Any stage of the workspace: another pipeline's stage moves the deal there.
    pub stage_id: ID,
    /// Required when moving into a LOST stage.
    pub lost_reason: Option<String>,
    pub expected_version: Option<i32>,
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct WinDealInput {
    pub deal_id: ID,
    pub expected_version: Option<i32>,
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct LoseDealInput {
    pub deal_id: ID,
    pub reason: String,
    pub expected_version: Option<i32>,
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct LinkDealContactInput {
    pub deal_id: ID,
    pub contact_id: ID,
    /// decision_maker, champion, end_user, … (free text, ≤ 100 characters).
    pub role: Option<String>,
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct UnlinkDealContactInput {
    pub deal_id: ID,
    pub contact_id: ID,
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct CreateDealTagInput {
    pub name: String,
    pub color: Option<String>,
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct TagDealInput {
    pub deal_id: ID,
    pub tag_id: ID,
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(SimpleObject)]
pub struct DealPayload {
    pub deal: DealGql,
    pub replayed: bool,
    pub dry_run: bool,
}

#[derive(SimpleObject)]
pub struct MoveDealPayload {
    pub deal: DealGql,
    /// The recorded change; null when the deal already was in that stage.
    pub stage_change: Option<StageChangeGql>,
    pub replayed: bool,
    pub dry_run: bool,
}

#[derive(SimpleObject)]
pub struct DealContactPayload {
    pub deal_contact: DealContactGql,
    pub replayed: bool,
    pub dry_run: bool,
}

#[derive(SimpleObject)]
pub struct DealTagPayload {
    pub tag: DealTagGql,
    pub replayed: bool,
    pub dry_run: bool,
}

fn moved(result: crate::write::WriteResult<moves::Moved>) -> MoveDealPayload {
    MoveDealPayload {
        deal: DealGql(result.value.deal),
        stage_change: result.value.stage_change.map(StageChangeGql::from),
        replayed: result.replayed,
        dry_run: result.dry_run,
    }
}

#[derive(Default)]
pub struct DealsMutation;

#[Object]
impl DealsMutation {
    /// Creates a deal; without `stageId` it lands in the default pipeline's first stage.
    async fn create_deal(
        &self,
        ctx: &Context<'_>,
        input: CreateDealInput,
    ) -> async_graphql::Result<DealPayload> {
        let actor = actor(ctx)?;
        let options = write_options(input.idempotency_key, input.dry_run);
        let new = NewDealInput {
            title: input.title,
            description: input.description,
            amount: input.amount.map(|a| a.0),
            currency: input.currency,
            close_probability: input.close_probability.map(|p| p.0),
            expected_close_date: input.expected_close_date,
            value_period: input.value_period.map(ValuePeriod::from),
            owner_id: input.owner_id,
            company_id: input
                .company_id
                .map(|id| parse_id(&id, "input.companyId"))
                .transpose()?,
            custom_fields: input.custom_fields.map(|j| j.0),
            stage_id: input
                .stage_id
                .map(|id| parse_id(&id, "input.stageId"))
                .transpose()?,
            lost_reason: input.lost_reason,
        };
        let result = ops::create_deal(pool(ctx)?, actor, new, options).await?;
        Ok(DealPayload {
            deal: DealGql(result.value),
            replayed: result.replayed,
            dry_run: result.dry_run,
        })
    }

    /// Changes a deal; absent fields stay as they are, null clears.
    async fn update_deal(
        &self,
        ctx: &Context<'_>,
        input: UpdateDealInput,
    ) -> async_graphql::Result<DealPayload> {
        let actor = actor(ctx)?;
        let id = parse_id(&input.id, "input.id")?;
        let options = write_options(input.idempotency_key, input.dry_run);
        let update = DealUpdate {
            title: input.title,
            description: maybe(input.description),
            amount: input.amount.map(|a| a.0),
            currency: input.currency,
            close_probability: maybe(input.close_probability).map(|p| p.map(|p| p.0)),
            expected_close_date: maybe(input.expected_close_date),
            value_period: input.value_period.map(ValuePeriod::from),
            owner_id: maybe(input.owner_id),
            company_id: maybe(input.company_id)
                .map(|c| c.map(|id| parse_id(&id, "input.companyId")).transpose())
                .transpose()?,
            custom_fields: input.custom_fields.map(|j| j.0),
            expected_version: input.expected_version,
        };
        let result = ops::update_deal(pool(ctx)?, actor, id, update, options).await?;
        Ok(DealPayload {
            deal: DealGql(result.value),
            replayed: result.replayed,
            dry_run: result.dry_run,
        })
    }

    async fn delete_deal(
        &self,
        ctx: &Context<'_>,
        input: DeleteDealInput,
    ) -> async_graphql::Result<DealPayload> {
        let actor = actor(ctx)?;
        let id = parse_id(&input.id, "input.id")?;
        let options = write_options(input.idempotency_key, input.dry_run);
        let result =
            ops::delete_deal(pool(ctx)?, actor, id, input.expected_version, options).await?;
        Ok(DealPayload {
            deal: DealGql(result.value),
            replayed: result.replayed,
            dry_run: result.dry_run,
        })
    }

    /// Moves a deal to a stage, recording the move in its history.
    async fn move_deal(
        &self,
        ctx: &Context<'_>,
        input: MoveDealInput,
    ) -> async_graphql::Result<MoveDealPayload> {
        let actor = actor(ctx)?;
        let deal_id = parse_id(&input.deal_id, "input.dealId")?;
        let stage_id = parse_id(&input.stage_id, "input.stageId")?;
        let options = write_options(input.idempotency_key, input.dry_run);
        let result = moves::move_deal(
            pool(ctx)?,
            actor,
            deal_id,
            Target::Stage(stage_id),
            input.lost_reason,
            input.expected_version,
            options,
        )
        .await?;
        Ok(moved(result))
    }

    /// Moves a deal to its pipeline's WON stage.
    async fn win_deal(
        &self,
        ctx: &Context<'_>,
        input: WinDealInput,
    ) -> async_graphql::Result<MoveDealPayload> {
        let actor = actor(ctx)?;
        let deal_id = parse_id(&input.deal_id, "input.dealId")?;
        let options = write_options(input.idempotency_key, input.dry_run);
        let result = moves::move_deal(
            pool(ctx)?,
            actor,
            deal_id,
            Target::Won,
            None,
            input.expected_version,
            options,
        )
        .await?;
        Ok(moved(result))
    }

    /// Moves a deal to its pipeline's LOST stage, with a reason.
    async fn lose_deal(
        &self,
        ctx: &Context<'_>,
        input: LoseDealInput,
    ) -> async_graphql::Result<MoveDealPayload> {
        let actor = actor(ctx)?;
        let deal_id = parse_id(&input.deal_id, "input.dealId")?;
        let options = write_options(input.idempotency_key, input.dry_run);
        let reason = Some(input.reason);
        let result = moves::move_deal(
            pool(ctx)?,
            actor,
            deal_id,
            Target::Lost,
            reason,
            input.expected_version,
            options,
        )
        .await
        .map_err(|e| match e {
            AppError::BadInput { field, message } if field == "input.lostReason" => {
                AppError::BadInput {
                    field: "input.reason".into(),
                    message,
                }
            }
            other => other,
        })?;
        Ok(moved(result))
    }

    /// Links a contact to a deal with a role (linking again changes the role).
    async fn link_deal_contact(
        &self,
        ctx: &Context<'_>,
        input: LinkDealContactInput,
    ) -> async_graphql::Result<DealContactPayload> {
        let actor = actor(ctx)?;
        let deal_id = parse_id(&input.deal_id, "input.dealId")?;
        let contact_id = parse_id(&input.contact_id, "input.contactId")?;
        let options = write_options(input.idempotency_key, input.dry_run);
        let result =
            links::link_contact(pool(ctx)?, actor, deal_id, contact_id, input.role, options)
                .await?;
        Ok(DealContactPayload {
            deal_contact: DealContactGql(result.value),
            replayed: result.replayed,
            dry_run: result.dry_run,
        })
    }

    async fn unlink_deal_contact(
        &self,
        ctx: &Context<'_>,
        input: UnlinkDealContactInput,
    ) -> async_graphql::Result<DealContactPayload> {
        let actor = actor(ctx)?;
        let deal_id = parse_id(&input.deal_id, "input.dealId")?;
        let contact_id = parse_id(&input.contact_id, "input.contactId")?;
        let options = write_options(input.idempotency_key, input.dry_run);
        let result = links::unlink_contact(pool(ctx)?, actor, deal_id, contact_id, options).await?;
        Ok(DealContactPayload {
            deal_contact: DealContactGql(result.value),
            replayed: result.replayed,
            dry_run: result.dry_run,
        })
    }

    async fn create_deal_tag(
        &self,
        ctx: &Context<'_>,
        input: CreateDealTagInput,
    ) -> async_graphql::Result<DealTagPayload> {
        let actor = actor(ctx)?;
        let options = write_options(input.idempotency_key, input.dry_run);
        let result = tags::create_tag(pool(ctx)?, actor, input.name, input.color, options).await?;
        Ok(DealTagPayload {
            tag: result.value.into(),
            replayed: result.replayed,
            dry_run: result.dry_run,
        })
    }

    async fn tag_deal(
        &self,
        ctx: &Context<'_>,
        input: TagDealInput,
    ) -> async_graphql::Result<DealPayload> {
        set_tagged(ctx, input, true).await
    }

    async fn untag_deal(
        &self,
        ctx: &Context<'_>,
        input: TagDealInput,
    ) -> async_graphql::Result<DealPayload> {
        set_tagged(ctx, input, false).await
    }
}

async fn set_tagged(
    ctx: &Context<'_>,
    input: TagDealInput,
    tagged: bool,
) -> async_graphql::Result<DealPayload> {
    let actor = actor(ctx)?;
    let deal_id = parse_id(&input.deal_id, "input.dealId")?;
    let tag_id = parse_id(&input.tag_id, "input.tagId")?;
    let options = write_options(input.idempotency_key, input.dry_run);
    let result = tags::set_tagged(pool(ctx)?, actor, deal_id, tag_id, tagged, options).await?;
    Ok(DealPayload {
        deal: DealGql(result.value),
        replayed: result.replayed,
        dry_run: result.dry_run,
    })
}

/// A deal a contact is on, and the role they play in it.
pub struct ContactDealGql(DealContact);

#[Object(name = "ContactDeal")]
impl ContactDealGql {
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }
    async fn deal(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DealGql>> {
        Ok(loaders::get::<loaders::DealLoader>(ctx)?
            .load_one(self.0.deal_id)
            .await?
            .map(DealGql))
    }
}

/// `Contact.deals`: the contact's deal links, batched across contacts.
pub(crate) async fn contact_deals(
    ctx: &Context<'_>,
    contact_id: Uuid,
) -> async_graphql::Result<Vec<ContactDealGql>> {
    actor(ctx)?.require(Scope::CrmRead)?;
    let links = loaders::get::<loaders::ContactDealsLoader>(ctx)?
        .load_one(contact_id)
        .await?
        .unwrap_or_default();
    Ok(links.into_iter().map(ContactDealGql).collect())
}

/// `Company.deals`: the company's newest deals, batched across companies.
pub(crate) async fn company_deals(
    ctx: &Context<'_>,
    company_id: Uuid,
    first: Option<i32>,
) -> async_graphql::Result<Vec<DealGql>> {
    actor(ctx)?.require(Scope::CrmRead)?;
    let limit = page_size(first)?;
    let key = loaders::CompanyDealsKey { company_id, limit };
    let deals = loaders::get::<loaders::CompanyDealsLoader>(ctx)?
        .load_one(key)
        .await?
        .unwrap_or_default();
    Ok(deals.into_iter().map(DealGql).collect())
}
