//! Moving deals between stages. A move is one transaction: the deal's new stage, a
//! `StageChange` appended to its history, and `deal.stage_changed` in the outbox. The deal row
//! is locked first, so concurrent moves of one deal queue up and the history stays a chain.

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt;
use serde_json::json;
use uuid::Uuid;

use super::model::{Deal, Placement, StageChange};
use super::ops::{deal_event, deal_not_found};
use super::rules;
use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::NewEvent;
use crate::pipelines::model::Stage;
use crate::pipelines::rules::StageKind;
use crate::validate;
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

/// A deal after a move, with the change it recorded (none when it was already there).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Moved {
    pub deal: Deal,
    pub stage_change: Option<StageChange>,
}

/// Moves a locked `deal` to `to`, appending to its history. The caller holds the deal's lock.
pub(crate) async fn apply_move(
    conn: &mut AsyncPgConnection,
    actor_key_id: Uuid,
    deal: &Deal,
    to: &Stage,
    lost_reason: Option<&str>,
) -> Result<(Deal, StageChange, Vec<NewEvent>), AppError> {
    let from = Stage::find(conn, deal.workspace_id, deal.stage_id).await?;
    let sequence = StageChange::latest(conn, deal.id)
        .await?
        .map_or(1, |c| c.sequence + 1);
    let now = Utc::now();
    let outcome = rules::outcome(to.kind(), lost_reason, now)?;
    let moved = Deal::place(
        conn,
        deal.id,
        &Placement {
            pipeline_id: to.pipeline_id,
            stage_id: to.id,
            won_at: outcome.won_at,
            lost_at: outcome.lost_at,
            lost_reason: outcome.lost_reason.as_deref(),
            entered_stage_at: now,
        },
    )
    .await?;
    let change = StageChange {
        workspace_id: deal.workspace_id,
        id: Uuid::now_v7(),
        deal_id: deal.id,
        sequence,
        from_stage_id: Some(deal.stage_id),
        to_stage_id: to.id,
        from_pipeline_id: Some(deal.pipeline_id),
        to_pipeline_id: to.pipeline_id,
        from_stage_name: from.map(|s| s.name),
        to_stage_name: to.name.clone(),
        to_stage_kind: to.kind.clone(),
        amount: deal.amount.clone(),
        currency: deal.currency.clone(),
        actor_key_id: Some(actor_key_id),
        changed_at: now,
    };
    StageChange::insert(conn, &change).await?;
    let details = json!({
        "stageChangeId": change.id,
        "sequence": change.sequence,
        "fromStageId": change.from_stage_id,
        "toStageId": change.to_stage_id,
        "fromPipelineId": change.from_pipeline_id,
        "toPipelineId": change.to_pipeline_id,
        "fromStageName": change.from_stage_name,
        "toStageName": change.to_stage_name,
        "toStageKind": change.to_stage_kind,
        "amount": change.amount.to_string(),
        "currency": change.currency,
        "actorKeyId": change.actor_key_id,
        "changedAt": change.changed_at,
    });
    let mut events = vec![deal_event("deal.stage_changed", &moved, details.clone())];
    match to.kind() {
        StageKind::Won => events.push(deal_event("deal.won", &moved, details)),
        StageKind::Lost => events.push(deal_event(
            "deal.lost",
            &moved,
            json!({ "lostReason": moved.lost_reason }),
        )),
        StageKind::Open => {}
    }
    Ok((moved, change, events))
}

/// Where to move a deal.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Stage(Uuid),
    /// The first WON stage of the deal's pipeline.
    Won,
    /// The first LOST stage of the deal's pipeline.
    Lost,
}

/// `moveDeal`, `winDeal`, `loseDeal`. Moving to the stage the deal is in changes nothing and
/// records nothing.
pub async fn move_deal(
    pool: &DbPool,
    actor: &Actor,
    deal_id: Uuid,
    target: Target,
    lost_reason: Option<String>,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<Moved>, AppError> {
    let (action, target_json) = match target {
        Target::Stage(id) => ("deal.move", json!(id)),
        Target::Won => ("deal.win", json!("won")),
        Target::Lost => ("deal.lose", json!("lost")),
    };
    let request = WriteRequest {
        action,
        entity_type: "deal",
        entity_id: Some(deal_id),
        scope: Scope::CrmWrite,
        input: json!({ "dealId": deal_id, "to": target_json, "lostReason": lost_reason, "expectedVersion": expected_version }),
        options,
    };
    let workspace_id = actor.workspace_id;
    let actor_key_id = actor.key_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let deal = Deal::find_for_update(conn, workspace_id, deal_id)
                .await?
                .ok_or_else(|| deal_not_found(deal_id))?;
            validate::expected_version(expected_version, deal.version, "deal", deal_id)?;
            let to = match target {
                Target::Stage(id) => Stage::find(conn, workspace_id, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("stage", id))?,
                Target::Won | Target::Lost => {
                    let kind = if matches!(target, Target::Won) {
                        StageKind::Won
                    } else {
                        StageKind::Lost
                    };
                    let stages =
                        Stage::of_pipelines(conn, workspace_id, &[deal.pipeline_id]).await?;
                    stages
                        .into_iter()
                        .find(|s| s.kind() == kind)
                        .ok_or_else(|| {
                            AppError::conflict(
                                Some("input.dealId"),
                                format!(
                                    "the deal's pipeline has no {} stage",
                                    kind.as_str().to_uppercase()
                                ),
                            )
                        })?
                }
            };
            if to.id == deal.stage_id {
                let unchanged = Moved {
                    deal: deal.clone(),
                    stage_change: None,
                };
                let same = snapshot(&deal)?;
                return Ok(Written {
                    entity_id: deal_id,
                    before: Some(same.clone()),
                    after: Some(same),
                    events: vec![],
                    value: unchanged,
                });
            }
            let (moved, change, events) =
                apply_move(conn, actor_key_id, &deal, &to, lost_reason.as_deref()).await?;
            Ok(Written {
                entity_id: deal_id,
                before: Some(snapshot(&deal)?),
                after: Some(snapshot(&moved)?),
                events,
                value: Moved {
                    deal: moved,
                    stage_change: Some(change),
                },
            })
        }
        .boxed()
    })
    .await
}

/// Deletes a stage. Its deals must go somewhere: `move_deals_to`, a stage of the same
/// pipeline; those moves are recorded like any other. A pipeline keeps at least one OPEN stage.
pub async fn delete_stage(
    pool: &DbPool,
    actor: &Actor,
    stage_id: Uuid,
    move_deals_to: Option<Uuid>,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<Stage>, AppError> {
    let request = WriteRequest {
        action: "stage.delete",
        entity_type: "stage",
        entity_id: Some(stage_id),
        scope: Scope::CrmWrite,
        input: json!({ "id": stage_id, "moveDealsTo": move_deals_to, "expectedVersion": expected_version }),
        options,
    };
    let workspace_id = actor.workspace_id;
    let actor_key_id = actor.key_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let found = Stage::find(conn, workspace_id, stage_id).await?.ok_or_else(|| AppError::not_found("stage", stage_id))?;
            let siblings = Stage::of_pipeline_for_update(conn, workspace_id, found.pipeline_id).await?;
            let stage = siblings.iter().find(|s| s.id == stage_id).cloned().ok_or_else(|| AppError::not_found("stage", stage_id))?;
            validate::expected_version(expected_version, stage.version, "stage", stage_id)?;
            if !siblings.iter().any(|s| s.id != stage_id && s.kind() == StageKind::Open) {
                return Err(AppError::bad_input("input.id", "this is the pipeline's last OPEN stage; a pipeline needs at least one"));
            }
            let deals = Deal::in_stage_for_update(conn, workspace_id, stage_id).await?;
            let mut events = Vec::new();
            if !deals.is_empty() {
                let target_id = move_deals_to.ok_or_else(|| {
                    AppError::conflict(Some("input.moveDealsTo"), format!("the stage still has {} deals: pass moveDealsTo, another stage of the pipeline", deals.len()))
                })?;
                let target = siblings
                    .iter()
                    .find(|s| s.id == target_id && s.id != stage_id)
                    .cloned()
                    .ok_or_else(|| AppError::bad_input("input.moveDealsTo", "must be another stage of the same pipeline"))?;
                let reason = format!("stage {:?} was deleted", stage.name);
                for deal in &deals {
                    let (_, _, moved_events) = apply_move(conn, actor_key_id, deal, &target, Some(&reason)).await?;
                    events.extend(moved_events);
                }
            }
            Stage::delete(conn, workspace_id, stage_id).await?;
            for later in siblings.iter().filter(|s| s.position > stage.position) {
                Stage::set_position(conn, later.id, later.position - 1).await?;
            }
            Ok(Written {
                entity_id: stage_id,
                before: Some(snapshot(&stage)?),
                after: Some(json!({ "deleted": true, "dealsMoved": deals.len(), "movedTo": move_deals_to })),
                events,
                value: stage,
            })
        }
        .boxed()
    })
    .await
}
