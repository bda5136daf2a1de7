//! Creating, editing and deleting deals. Moves are in `moves.rs`.

use bigdecimal::BigDecimal;
use futures_util::FutureExt;
use serde_json::json;
use uuid::Uuid;

use super::{company_not_found, deal_not_found, event};
use crate::auth::model::Workspace;
use crate::auth::Actor;
use crate::db::DbPool;
use crate::deals::events;
use crate::deals::model::{Deal, NewDeal, StageChange};
use crate::deals::rules::{self, DealInput, DealPatch, ValuePeriod};
use crate::error::AppError;
use crate::pipelines::model::{Pipeline, Stage};
use crate::validate;
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

/// A money value as the idempotency fingerprint records it: normalized, as text.
fn canonical(value: &BigDecimal) -> String {
    value.normalized().to_string()
}

/// Creates a deal in `stageId`, or in the first stage of the default pipeline. Its history
/// starts with that stage.
pub async fn create_deal(
    pool: &DbPool,
    actor: &Actor,
    input: DealInput,
    options: WriteOptions,
) -> Result<WriteResult<Deal>, AppError> {
    let request = WriteRequest::crm(
        "deal.create",
        None,
        json!({
            "title": input.title, "description": input.description,
            "amount": input.amount.as_ref().map(canonical), "currency": input.currency,
            "closeProbability": input.close_probability.as_ref().map(canonical),
            "expectedCloseDate": input.expected_close_date, "valuePeriod": input.value_period.map(ValuePeriod::as_str),
            "ownerId": input.owner_id, "companyId": input.company_id, "customFields": input.custom_fields,
            "stageId": input.stage_id, "lostReason": input.lost_reason,
        }),
        options,
    );
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
            let close_probability = input
                .close_probability
                .as_ref()
                .map(rules::close_probability)
                .transpose()?;
            let currency = match &input.currency {
                Some(code) => code.clone(),
                None => Workspace::find(conn, workspace_id).await?.default_currency,
            };
            let zero = BigDecimal::from(0);
            let (amount, currency) = rules::amount(
                "input.amount",
                input.amount.as_ref().unwrap_or(&zero),
                "input.currency",
                &currency,
            )?;
            let stage = match input.stage_id {
                Some(id) => Stage::find(conn, workspace_id, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("stage", id))?,
                None => first_stage_of_default_pipeline(conn, workspace_id).await?,
            };
            let now = chrono::Utc::now();
            let outcome = rules::outcome(stage.kind(), input.lost_reason.as_deref(), now)?;
            let owner_id = match owner_id {
                Some(owner) => Some(owner),
                None => {
                    let facts = super::routing::NewDealFacts {
                        pipeline_id: stage.pipeline_id,
                        amount: &amount,
                        currency: &currency,
                        company_id: input.company_id,
                        custom_fields: &custom_fields,
                    };
                    super::routing::owner_of_new(conn, workspace_id, facts).await?
                }
            };
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
                    value_period: input
                        .value_period
                        .unwrap_or(ValuePeriod::OneTime)
                        .as_str()
                        .to_owned(),
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
            let event = event(&events::Created::of(&deal))?;
            Ok(Written {
                entity_id: deal.id,
                before: None,
                after: Some(snapshot(&deal)?),
                events: vec![event],
                value: deal,
            })
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

/// `updateDeal`: validates only the fields the patch touches.
pub async fn update_deal(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    patch: DealPatch,
    options: WriteOptions,
) -> Result<WriteResult<Deal>, AppError> {
    let request = WriteRequest::crm(
        "deal.update",
        Some(id),
        json!({
            "id": id, "title": patch.title, "description": patch.description,
            "amount": patch.amount.as_ref().map(canonical), "currency": patch.currency,
            "closeProbability": patch.close_probability.clone().map(|p| canonical(&p)),
            "expectedCloseDate": patch.expected_close_date, "valuePeriod": patch.value_period.map(ValuePeriod::as_str),
            "ownerId": patch.owner_id, "companyId": patch.company_id, "customFields": patch.custom_fields,
            "expectedVersion": patch.expected_version,
        }),
        options,
    );
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let before = Deal::find_for_update(conn, workspace_id, id)
                .await?
                .ok_or_else(|| deal_not_found(id))?;
            validate::expected_version(patch.expected_version, before.version, "deal", id)?;
            let deal = rules::patched(&before, patch)?;
            if deal == before {
                return Ok(Written {
                    entity_id: id,
                    before: Some(snapshot(&before)?),
                    after: Some(snapshot(&before)?),
                    events: vec![],
                    value: before,
                });
            }
            let after = Deal::save_changes(conn, &deal)
                .await
                .map_err(|e| company_not_found(e, deal.company_id))?;
            let event = event(&events::Updated((&after).into()))?;
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
    let request = WriteRequest::crm(
        "deal.delete",
        Some(id),
        json!({ "id": id, "expectedVersion": expected_version }),
        options,
    );
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let before = Deal::find_for_update(conn, workspace_id, id)
                .await?
                .ok_or_else(|| deal_not_found(id))?;
            validate::expected_version(expected_version, before.version, "deal", id)?;
            Deal::delete(conn, workspace_id, id).await?;
            let event = event(&events::Deleted((&before).into()))?;
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
