//! Creating, editing and deleting deals. Moves are in `moves.rs`.

use bigdecimal::BigDecimal;
use chrono::NaiveDate;
use futures_util::FutureExt;
use serde_json::{json, Value};
use uuid::Uuid;

use super::model::{Deal, NewDeal, StageChange};
use super::rules::{self, ValuePeriod};
use crate::auth::model::Workspace;
use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::{AppError, ErrorCode};
use crate::events::NewEvent;
use crate::pipelines::model::{Pipeline, Stage};
use crate::validate;
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

pub(crate) fn deal_not_found(id: Uuid) -> AppError {
    AppError::not_found("deal", id)
}

/// A foreign-key violation on `company_id` means the company is not in this workspace.
pub(crate) fn company_not_found(err: diesel::result::Error, company_id: Option<Uuid>) -> AppError {
    match (&err, company_id) {
        (
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                _,
            ),
            Some(id),
        ) => AppError::not_found("company", id),
        _ => err.into(),
    }
}

pub(crate) fn deal_event(event_type: &'static str, deal: &Deal, extra: Value) -> NewEvent {
    let mut payload = json!({
        "dealId": deal.id,
        "pipelineId": deal.pipeline_id,
        "stageId": deal.stage_id,
        "version": deal.version,
    });
    if let (Value::Object(map), Value::Object(extra)) = (&mut payload, extra) {
        map.extend(extra);
    }
    NewEvent {
        event_type,
        entity_type: "deal",
        entity_id: deal.id,
        payload,
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewDealInput {
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

/// Creates a deal in `stageId`, or in the first stage of the default pipeline. Its history
/// starts with that stage.
pub async fn create_deal(
    pool: &DbPool,
    actor: &Actor,
    input: NewDealInput,
    options: WriteOptions,
) -> Result<WriteResult<Deal>, AppError> {
    let request = WriteRequest {
        action: "deal.create",
        entity_type: "deal",
        entity_id: None,
        scope: Scope::CrmWrite,
        input: json!({
            "title": input.title, "description": input.description,
            "amount": input.amount.as_ref().map(|a| a.normalized().to_string()), "currency": input.currency,
            "closeProbability": input.close_probability.as_ref().map(|p| p.normalized().to_string()),
            "expectedCloseDate": input.expected_close_date, "valuePeriod": input.value_period.map(ValuePeriod::as_str),
            "ownerId": input.owner_id, "companyId": input.company_id, "customFields": input.custom_fields,
            "stageId": input.stage_id, "lostReason": input.lost_reason,
        }),
        options,
    };
    let workspace_id = actor.workspace_id;
    let actor_key_id = actor.key_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let title = rules::title(&input.title)?;
            let description = rules::description(input.description.as_deref())?;
            let owner_id = rules::owner(input.owner_id.as_deref())?;
            let custom_fields = match &input.custom_fields {
                Some(fields) => rules::custom_fields(fields)?,
                None => json!({}),
            };
            let close_probability = input.close_probability.as_ref().map(rules::close_probability).transpose()?;
            let currency = match &input.currency {
                Some(code) => code.clone(),
                None => Workspace::find(conn, workspace_id).await?.default_currency,
            };
            let zero = BigDecimal::from(0);
            let (amount, currency) = rules::amount("input.amount", input.amount.as_ref().unwrap_or(&zero), "input.currency", &currency)?;
            let stage = match input.stage_id {
                Some(id) => Stage::find(conn, workspace_id, id).await?.ok_or_else(|| AppError::not_found("stage", id))?,
                None => first_stage_of_default_pipeline(conn, workspace_id).await?,
            };
            let now = chrono::Utc::now();
            let outcome = rules::outcome(stage.kind(), input.lost_reason.as_deref(), now)?;
            let deal = Deal::insert(
                conn,
                &NewDeal {
                    workspace_id,
                    id: Uuid::now_v7(),
                    pipeline_id: stage.pipeline_id,
                    stage_id: stage.id,
                    title,
                    description,
                    amount,
                    currency,
                    close_probability,
                    expected_close_date: input.expected_close_date,
                    won_at: outcome.won_at,
                    lost_at: outcome.lost_at,
                    lost_reason: outcome.lost_reason,
                    value_period: input.value_period.unwrap_or(ValuePeriod::OneTime).as_str().to_owned(),
                    owner_id,
                    company_id: input.company_id,
                    custom_fields,
                },
            )
            .await
            .map_err(|e| company_not_found(e, input.company_id))?;
            StageChange::insert(
                conn,
                &StageChange {
                    workspace_id,
                    id: Uuid::now_v7(),
                    deal_id: deal.id,
                    sequence: 1,
                    from_stage_id: None,
                    to_stage_id: stage.id,
                    from_pipeline_id: None,
                    to_pipeline_id: stage.pipeline_id,
                    from_stage_name: None,
                    to_stage_name: stage.name.clone(),
                    to_stage_kind: stage.kind.clone(),
                    amount: deal.amount.clone(),
                    currency: deal.currency.clone(),
                    actor_key_id: Some(actor_key_id),
                    changed_at: deal.entered_stage_at,
                },
            )
            .await?;
            let event = deal_event("deal.created", &deal, json!({ "title": deal.title, "amount": deal.amount.to_string(), "currency": deal.currency }));
            Ok(Written { entity_id: deal.id, before: None, after: Some(snapshot(&deal)?), events: vec![event], value: deal })
        }
        .boxed()
    })
    .await
}

async fn first_stage_of_default_pipeline(
    conn: &mut diesel_async::AsyncPgConnection,
    workspace_id: Uuid,
) -> Result<Stage, AppError> {
    let pipeline = Pipeline::find_default(conn, workspace_id)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(
                "input.stageId",
                "the workspace has no pipeline yet: create one, or pass stageId",
            )
        })?;
    let stages = Stage::of_pipelines(conn, workspace_id, &[pipeline.id]).await?;
    stages
        .into_iter()
        .next()
        .ok_or_else(|| AppError::internal("default pipeline without stages"))
}

/// A partial update: `None` leaves a field alone; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct DealUpdate {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub amount: Option<BigDecimal>,
    pub currency: Option<String>,
    /// `Some(None)`: follow the stage's probability again.
    pub close_probability: Option<Option<BigDecimal>>,
    pub expected_close_date: Option<Option<NaiveDate>>,
    pub value_period: Option<ValuePeriod>,
    pub owner_id: Option<Option<String>>,
    pub company_id: Option<Option<Uuid>>,
    pub custom_fields: Option<Value>,
    pub expected_version: Option<i32>,
}

pub async fn update_deal(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    update: DealUpdate,
    options: WriteOptions,
) -> Result<WriteResult<Deal>, AppError> {
    let request = WriteRequest {
        action: "deal.update",
        entity_type: "deal",
        entity_id: Some(id),
        scope: Scope::CrmWrite,
        input: json!({
            "id": id, "title": update.title, "description": update.description,
            "amount": update.amount.as_ref().map(|a| a.normalized().to_string()), "currency": update.currency,
            "closeProbability": update.close_probability.as_ref().map(|p| p.as_ref().map(|p| p.normalized().to_string())),
            "expectedCloseDate": update.expected_close_date, "valuePeriod": update.value_period.map(ValuePeriod::as_str),
            "ownerId": update.owner_id, "companyId": update.company_id, "customFields": update.custom_fields,
            "expectedVersion": update.expected_version,
        }),
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let before = Deal::find_for_update(conn, workspace_id, id)
                .await?
                .ok_or_else(|| deal_not_found(id))?;
            validate::expected_version(update.expected_version, before.version, "deal", id)?;
            let mut deal = before.clone();
            if let Some(title) = &update.title {
                deal.title = rules::title(title)?;
            }
            if let Some(description) = &update.description {
                deal.description = rules::description(description.as_deref())?;
            }
            if update.amount.is_some() || update.currency.is_some() {
                let amount = update.amount.as_ref().unwrap_or(&before.amount);
                let currency = update.currency.as_deref().unwrap_or(&before.currency);
                (deal.amount, deal.currency) =
                    rules::amount("input.amount", amount, "input.currency", currency)?;
            }
            if let Some(p) = &update.close_probability {
                deal.close_probability = p.as_ref().map(rules::close_probability).transpose()?;
            }
            if let Some(date) = update.expected_close_date {
                deal.expected_close_date = date;
            }
            if let Some(period) = update.value_period {
                deal.value_period = period.as_str().to_owned();
            }
            if let Some(owner) = &update.owner_id {
                deal.owner_id = rules::owner(owner.as_deref())?;
            }
            if let Some(company) = update.company_id {
                deal.company_id = company;
            }
            if let Some(fields) = &update.custom_fields {
                deal.custom_fields = rules::custom_fields(fields)?;
            }
            if deal == before {
                return Ok(Written {
                    entity_id: id,
                    before: Some(snapshot(&before)?),
                    after: Some(snapshot(&before)?),
                    events: vec![],
                    value: before,
                });
            }
            let after = Deal::save_fields(conn, &deal)
                .await
                .map_err(|e| company_not_found(e, deal.company_id))?;
            let event = deal_event("deal.updated", &after, json!({}));
            Ok(Written {
                entity_id: id,
                before: Some(snapshot(&before)?),
                after: Some(snapshot(&after)?),
                events: vec![event],
                value: after,
            })
        }
        .boxed()
    })
    .await
}

pub async fn delete_deal(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<Deal>, AppError> {
    let request = WriteRequest {
        action: "deal.delete",
        entity_type: "deal",
        entity_id: Some(id),
        scope: Scope::CrmWrite,
        input: json!({ "id": id, "expectedVersion": expected_version }),
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let before = Deal::find_for_update(conn, workspace_id, id)
                .await?
                .ok_or_else(|| deal_not_found(id))?;
            validate::expected_version(expected_version, before.version, "deal", id)?;
            Deal::delete(conn, workspace_id, id).await?;
            let event = deal_event("deal.deleted", &before, json!({}));
            Ok(Written {
                entity_id: id,
                before: Some(snapshot(&before)?),
                after: None,
                events: vec![event],
                value: before,
            })
        }
        .boxed()
    })
    .await
}

/// Is `err` a NOT_FOUND? (Used by callers that turn a missing row into `null`.)
pub fn is_not_found(err: &AppError) -> bool {
    err.code() == ErrorCode::NotFound
}
