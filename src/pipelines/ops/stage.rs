//! Stage operations: adding, changing, reordering and deleting a pipeline's stages. Stage
//! edits of one pipeline serialise on its stage rows' locks.

use diesel_async::AsyncPgConnection;
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use serde_json::json;
use uuid::Uuid;

use super::{stage_not_found, STAGE_KEY_TAKEN};
use crate::auth::Actor;
use crate::db::DbPool;
use crate::error::{unique_conflict, AppError};
use crate::events::NewEvent;
use crate::pipelines::events;
use crate::pipelines::model::{NewStage, Pipeline, Stage, StageUpdate};
use crate::pipelines::rules::{self, StageKind, StagePatch, StageSpec};
use crate::validate;
use crate::write::locked::locked;
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

/// Adds a stage at `position` (default: last), shifting later stages.
pub async fn add_stage(
    pool: &DbPool,
    actor: &Actor,
    pipeline_id: Uuid,
    spec: StageSpec,
    position: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<Stage>, AppError> {
    let request = WriteRequest::crm(
        "stage.create",
        None,
        json!({ "pipelineId": pipeline_id, "name": spec.name, "key": spec.key, "probability": spec.probability.as_ref().map(|p| p.to_string()), "kind": spec.kind.as_str(), "color": spec.color, "rottingDays": spec.rotting_days, "position": position }),
        options,
    );
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let stage = rules::stage("input", &spec)?;
            locked::<Pipeline>(conn, workspace_id, pipeline_id, None).await?;
            let existing = Stage::of_pipeline_for_update(conn, workspace_id, pipeline_id).await?;
            if existing.len() >= rules::MAX_STAGES {
                return Err(AppError::bad_input(
                    "input.pipelineId",
                    format!("a pipeline has at most {} stages", rules::MAX_STAGES),
                ));
            }
            let count = existing.len() as i32;
            let position = match position {
                None => count,
                Some(p) if (0..=count).contains(&p) => p,
                Some(_) => {
                    return Err(AppError::bad_input(
                        "input.position",
                        format!("must be between 0 and {count}"),
                    ))
                }
            };
            // Positions are unique but deferred, so shifting in any order is fine.
            for later in existing.iter().filter(|s| s.position >= position) {
                Stage::set_position(conn, later.id, later.position + 1).await?;
            }
            let new = NewStage::from_valid(workspace_id, pipeline_id, position, &stage);
            let mut inserted = Stage::insert_many(conn, &[new])
                .await
                .map_err(|e| unique_conflict(e, &[STAGE_KEY_TAKEN]))?;
            let stage = inserted
                .pop()
                .ok_or_else(|| AppError::internal("stage insert returned nothing"))?;
            let events = vec![NewEvent::new(events::STAGE_CREATED, stage.id, &stage)?];
            Written::created(stage.id, stage, events)
        }
        .boxed()
    })
    .await
}

/// `updateStage`: validates only the fields the patch touches.
pub async fn update_stage(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    patch: StagePatch,
    options: WriteOptions,
) -> Result<WriteResult<Stage>, AppError> {
    let request = WriteRequest::crm(
        "stage.update",
        Some(id),
        json!({ "id": id, "name": patch.name, "key": patch.key, "probability": patch.probability.as_ref().map(|p| p.to_string()), "kind": patch.kind.map(StageKind::as_str), "color": patch.color, "rottingDays": patch.rotting_days, "expectedVersion": patch.expected_version }),
        options,
    );
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let found = Stage::find(conn, workspace_id, id)
                .await?
                .ok_or_else(|| stage_not_found(id))?;
            let siblings =
                Stage::of_pipeline_for_update(conn, workspace_id, found.pipeline_id).await?;
            let before = siblings
                .iter()
                .find(|s| s.id == id)
                .cloned()
                .ok_or_else(|| stage_not_found(id))?;
            validate::expected_version(patch.expected_version, before.version, "stage", id)?;
            let others: Vec<StageKind> = siblings
                .iter()
                .filter(|s| s.id != id)
                .map(Stage::kind)
                .collect();
            let stage = rules::patched_stage(&before, patch, &others)?;
            let after = Stage::update(conn, workspace_id, id, &StageUpdate::of(&stage))
                .await
                .map_err(|e| unique_conflict(e, &[STAGE_KEY_TAKEN]))?;
            let events = vec![NewEvent::new(events::STAGE_UPDATED, id, &after)?];
            Written::changed(id, &before, after, events)
        }
        .boxed()
    })
    .await
}

/// Puts a pipeline's stages in the given order; the list must be exactly its stages.
pub async fn reorder_stages(
    pool: &DbPool,
    actor: &Actor,
    pipeline_id: Uuid,
    stage_ids: Vec<Uuid>,
    options: WriteOptions,
) -> Result<WriteResult<Vec<Stage>>, AppError> {
    let request = WriteRequest::crm(
        "pipeline.reorder_stages",
        Some(pipeline_id),
        json!({ "pipelineId": pipeline_id, "stageIds": stage_ids }),
        options,
    );
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let pipeline = locked::<Pipeline>(conn, workspace_id, pipeline_id, None).await?;
            let before = Stage::of_pipeline_for_update(conn, workspace_id, pipeline_id).await?;
            let current: Vec<Uuid> = before.iter().map(|s| s.id).collect();
            rules::reorder(&current, &stage_ids)?;
            for (position, id) in stage_ids.iter().enumerate() {
                let old = before.iter().find(|s| s.id == *id).map(|s| s.position);
                if old != Some(position as i32) {
                    Stage::set_position(conn, *id, position as i32).await?;
                }
            }
            let after = Stage::of_pipeline_for_update(conn, workspace_id, pipeline_id).await?;
            let order = |stages: &[Stage]| stages.iter().map(|s| s.id).collect::<Vec<_>>();
            Ok(Written {
                entity_id: pipeline_id,
                before: Some(json!({ "stageIds": order(&before) })),
                after: Some(json!({ "stageIds": order(&after) })),
                events: vec![NewEvent::new(
                    events::PIPELINE_UPDATED,
                    pipeline_id,
                    &pipeline,
                )?],
                value: after,
            })
        }
        .boxed()
    })
    .await
}

/// What a stage holds, as deleting the stage needs it: deals. Pipelines sit below deals in
/// the domain order and must not name them, so [`delete_stage`] takes this instead, and the
/// caller (the API layer, which sees both domains) hands it deals' implementation. The
/// deletion stays one transaction, and its statements run in the same order as when this code
/// lived with deals: lock the stage's occupants, check, move them, delete.
pub trait StageOccupants: Send + 'static {
    /// Locks what `stage` holds, so nothing enters or leaves it until the deletion commits,
    /// and says how much that is.
    fn lock<'a>(
        &'a mut self,
        conn: &'a mut AsyncPgConnection,
        stage: &'a Stage,
    ) -> BoxFuture<'a, Result<usize, AppError>>;

    /// Moves everything [`lock`](Self::lock) found to `to`, each move recorded like any
    /// other, and returns the events they publish.
    fn move_to<'a>(
        &'a mut self,
        conn: &'a mut AsyncPgConnection,
        actor_key_id: Uuid,
        to: &'a Stage,
        reason: &'a str,
    ) -> BoxFuture<'a, Result<Vec<NewEvent>, AppError>>;
}

/// Deletes a stage. What it holds must go somewhere: `move_deals_to`, a stage of the same
/// pipeline. A pipeline keeps at least one OPEN, one WON and one LOST stage.
pub async fn delete_stage<O: StageOccupants>(
    pool: &DbPool,
    actor: &Actor,
    stage_id: Uuid,
    move_deals_to: Option<Uuid>,
    expected_version: Option<i32>,
    mut occupants: O,
    options: WriteOptions,
) -> Result<WriteResult<Stage>, AppError> {
    let request = WriteRequest::crm(
        "stage.delete",
        Some(stage_id),
        json!({ "id": stage_id, "moveDealsTo": move_deals_to, "expectedVersion": expected_version }),
        options,
    );
    let actor_key_id = actor.key_id;
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let found = Stage::find(conn, workspace_id, stage_id).await?.ok_or_else(|| stage_not_found(stage_id))?;
            let siblings = Stage::of_pipeline_for_update(conn, workspace_id, found.pipeline_id).await?;
            let stage = siblings.iter().find(|s| s.id == stage_id).cloned().ok_or_else(|| stage_not_found(stage_id))?;
            validate::expected_version(expected_version, stage.version, "stage", stage_id)?;
            let before: Vec<StageKind> = siblings.iter().map(Stage::kind).collect();
            let after: Vec<StageKind> = siblings.iter().filter(|s| s.id != stage_id).map(Stage::kind).collect();
            rules::keeps_required_kinds("input.id", &before, &after)?;
            // The destination is checked even when the stage is empty: a wrong one is a
            // mistake the caller wants to hear about, not something an empty stage hides.
            let target = match move_deals_to {
                None => None,
                Some(target_id) => Some(siblings.iter().find(|s| s.id == target_id && s.id != stage_id).ok_or_else(|| {
                    AppError::bad_input("input.moveDealsTo", "must be another stage of the same pipeline")
                })?),
            };
            let held = occupants.lock(conn, &stage).await?;
            let mut events = Vec::new();
            if held > 0 {
                let target = target.ok_or_else(|| {
                    AppError::conflict(Some("input.moveDealsTo"), format!("the stage still has {held} deals: pass moveDealsTo, another stage of the pipeline"))
                })?;
                let reason = format!("stage {:?} was deleted", stage.name);
                events = occupants.move_to(conn, actor_key_id, target, &reason).await?;
            }
            Stage::delete(conn, workspace_id, stage_id).await?;
            events.push(NewEvent::new(events::STAGE_DELETED, stage_id, &stage)?);
            for later in siblings.iter().filter(|s| s.position > stage.position) {
                Stage::set_position(conn, later.id, later.position - 1).await?;
            }
            Ok(Written {
                entity_id: stage_id,
                before: Some(snapshot(&stage)?),
                after: Some(json!({ "deleted": true, "dealsMoved": held, "movedTo": move_deals_to })),
                events,
                value: stage,
            })
        }
        .boxed()
    })
    .await
}
