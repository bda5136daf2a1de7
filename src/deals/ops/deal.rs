//! Creating, editing and deleting deals. Moves are in `moves.rs`.

use async_trait::async_trait;
use bigdecimal::BigDecimal;
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt;
use serde_json::json;
use uuid::Uuid;

use super::{company_not_found, event};
use crate::auth::model::Workspace;
use crate::auth::Actor;
use crate::db::DbPool;
use crate::deals::events;
use crate::deals::model::{Deal, NewDeal, StageChange};
use crate::deals::rules::{self, DealInput, DealPatch, StageTarget, ValuePeriod};
use crate::error::{still_referenced, AppError};
use crate::events::NewEvent;
use crate::pipelines::model::{Pipeline, Stage};
use crate::write::locked::locked;
use crate::write::remove::Removable;
use crate::write::{self, WriteOptions, WriteRequest, WriteResult, Written};

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
    let actor_key_id = actor.key_id;
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let created = insert_deal(conn, workspace_id, actor_key_id, &input).await?;
            Written::created(created.deal.id, created.deal, vec![created.event])
        }
        .boxed()
    })
    .await
}

/// What inserting a deal wrote: the deal, the first row of its history, and its
/// `deal.created` event (for the caller to publish).
#[derive(Debug)]
pub struct InsertedDeal {
    pub deal: Deal,
    pub first_change: StageChange,
    pub event: NewEvent,
}

/// Validates `input` and inserts the deal in `input.stageId` (or the first stage of the
/// default pipeline) with its first stage change, in the caller's transaction. `createDeal`
/// is this through the write path; a lead's conversion calls it as one step of its own
/// change. Errors name createDeal's input fields (`input.title`, …).
pub async fn insert_deal(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    actor_key_id: Uuid,
    input: &DealInput,
) -> Result<InsertedDeal, AppError> {
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
    let target = match input.stage_id {
        Some(id) => StageTarget::Stage(id),
        None => StageTarget::DefaultPipeline,
    };
    let stage = stage_for(conn, workspace_id, &target).await?;
    let now = chrono::Utc::now();
    let outcome = rules::outcome(stage.kind(), input.lost_reason.as_deref(), now)?;
    // An unowned deal gets its owner from the workspace's routing rules.
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
    let first_change = StageChange {
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
    };
    StageChange::insert(conn, &first_change).await?;
    let event = event(&events::Created::of(&deal))?;
    Ok(InsertedDeal {
        deal,
        first_change,
        event,
    })
}

/// The stage `target` names. Errors name createDeal's fields: an unknown stage or pipeline is
/// NOT_FOUND, a key no stage of the pipeline has is BAD_USER_INPUT on `input.stageKey`.
pub async fn stage_for(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    target: &StageTarget,
) -> Result<Stage, AppError> {
    let pipeline_id = match target {
        StageTarget::Stage(id) => {
            return Stage::find(conn, workspace_id, *id)
                .await?
                .ok_or_else(|| AppError::not_found("stage", id));
        }
        StageTarget::DefaultPipeline
        | StageTarget::Keyed {
            pipeline_id: None, ..
        } => default_pipeline(conn, workspace_id).await?.id,
        StageTarget::FirstOf(id)
        | StageTarget::Keyed {
            pipeline_id: Some(id),
            ..
        } => {
            Pipeline::find(conn, workspace_id, *id)
                .await?
                .ok_or_else(|| AppError::not_found("pipeline", id))?
                .id
        }
    };
    let stages = Stage::of_pipelines(conn, workspace_id, &[pipeline_id]).await?;
    match target {
        StageTarget::Keyed { key, .. } => {
            let known: Vec<&str> = stages.iter().filter_map(|s| s.key.as_deref()).collect();
            let listed = if known.is_empty() {
                "it has no stage keys".to_owned()
            } else {
                format!("its keys are {}", known.join(", "))
            };
            stages
                .iter()
                .find(|s| s.key.as_deref() == Some(key.as_str()))
                .cloned()
                .ok_or_else(|| {
                    AppError::bad_input(
                        "input.stageKey",
                        format!(
                            "pipeline {pipeline_id} has no stage with the key {key:?} ({listed})"
                        ),
                    )
                })
        }
        _ => stages
            .into_iter()
            .next()
            .ok_or_else(|| AppError::internal("pipeline without stages")),
    }
}

async fn default_pipeline(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
) -> Result<Pipeline, AppError> {
    Pipeline::find_default(conn, workspace_id)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(
                "input.stageId",
                "the workspace has no pipeline yet: create one, or pass stageId",
            )
        })
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
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let before = locked::<Deal>(conn, workspace_id, id, patch.expected_version).await?;
            let deal = rules::patched(&before, patch)?;
            if deal == before {
                return Written::changed(id, &before, before.clone(), vec![]);
            }
            let after = Deal::save_changes(conn, &deal)
                .await
                .map_err(|e| company_not_found(e, deal.company_id))?;
            let event = event(&events::Updated((&after).into()))?;
            Written::changed(id, &before, after, vec![event])
        }
        .boxed()
    })
    .await
}

/// A deal goes with its stage history and contact roles; an invoice naming it refuses the
/// delete (`CONFLICT`).
#[async_trait]
impl Removable for Deal {
    const DELETE: &'static str = "deal.delete";

    async fn delete_locked(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> Result<(), AppError> {
        Deal::delete(conn, workspace_id, id)
            .await
            .map(drop)
            .map_err(|e| still_referenced(e, "deal"))
    }

    fn deleted_event(&self) -> Result<NewEvent, serde_json::Error> {
        NewEvent::of(&events::Deleted(self.into()))
    }
}
