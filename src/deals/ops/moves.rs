//! Moving deals between stages. A move is one transaction: the deal's new stage, a
//! `StageChange` appended to its history, and `deal.stage_changed` in the outbox. The deal row
//! is locked first, so concurrent moves of one deal queue up and the history stays a chain.

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use serde_json::json;
use uuid::Uuid;

use super::event;
use crate::auth::Actor;
use crate::db::DbPool;
use crate::deals::events;
use crate::deals::model::{Deal, MoveChanges, StageChange};
use crate::deals::rules;
use crate::error::AppError;
use crate::events::NewEvent;
use crate::pipelines::model::Stage;
use crate::pipelines::ops::StageOccupants;
use crate::pipelines::rules::StageKind;
use crate::write::locked::locked;
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

/// A deal after a move, with the change it recorded (none when it was already there).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Moved {
    pub deal: Deal,
    pub stage_change: Option<StageChange>,
}

/// Moves a locked `deal` to `to`, appending to its history. The caller holds the deal's lock.
async fn apply_move(
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
        &MoveChanges {
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
    let stage_changed = events::StageChanged::of(&moved, &change);
    let mut published = vec![event(&stage_changed)?];
    match to.kind() {
        StageKind::Won => published.push(event(&events::Won(stage_changed))?),
        StageKind::Lost => published.push(event(&events::Lost::of(&moved))?),
        StageKind::Open => {}
    }
    Ok((moved, change, published))
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
    let request = WriteRequest::crm(
        action,
        Some(deal_id),
        json!({ "dealId": deal_id, "to": target_json, "lostReason": lost_reason, "expectedVersion": expected_version }),
        options,
    );
    let actor_key_id = actor.key_id;
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let deal = locked::<Deal>(conn, workspace_id, deal_id, expected_version).await?;
            let to = match target {
                Target::Stage(id) => Stage::find(conn, workspace_id, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("stage", id))?,
                Target::Won => first_of_kind(conn, &deal, StageKind::Won).await?,
                Target::Lost => first_of_kind(conn, &deal, StageKind::Lost).await?,
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

/// The first stage of `kind` in the deal's pipeline (`winDeal`, `loseDeal`).
async fn first_of_kind(
    conn: &mut AsyncPgConnection,
    deal: &Deal,
    kind: StageKind,
) -> Result<Stage, AppError> {
    let stages = Stage::of_pipelines(conn, deal.workspace_id, &[deal.pipeline_id]).await?;
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
        })
}

/// A stage's deals as stage deletion moves them out: locked first, then each moved like any
/// other move, so their histories record why they left.
#[derive(Debug, Default)]
pub struct StageDeals {
    locked: Vec<Deal>,
}

impl StageOccupants for StageDeals {
    fn lock<'a>(
        &'a mut self,
        conn: &'a mut AsyncPgConnection,
        stage: &'a Stage,
    ) -> BoxFuture<'a, Result<usize, AppError>> {
        async move {
            self.locked = Deal::in_stage_for_update(conn, stage.workspace_id, stage.id).await?;
            Ok(self.locked.len())
        }
        .boxed()
    }

    fn move_to<'a>(
        &'a mut self,
        conn: &'a mut AsyncPgConnection,
        actor_key_id: Uuid,
        to: &'a Stage,
        reason: &'a str,
    ) -> BoxFuture<'a, Result<Vec<NewEvent>, AppError>> {
        async move {
            let mut published = Vec::new();
            for deal in &self.locked {
                let (_, _, events) = apply_move(conn, actor_key_id, deal, to, Some(reason)).await?;
                published.extend(events);
            }
            Ok(published)
        }
        .boxed()
    }
}
