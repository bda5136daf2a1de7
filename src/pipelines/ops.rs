//! Pipeline and stage operations. Every change goes through the write path.

use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::model::{NewPipeline, NewStage, Pipeline, Stage, StageChanges};
use super::rules::{self, StageKind, StageSpec};
use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::{is_still_referenced, unique_conflict, AppError};
use crate::validate;
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

const PIPELINE_NAME_TAKEN: (&str, &str, &str) = (
    "pipelines_name_unique",
    "input.name",
    "a pipeline with this name already exists",
);
const STAGE_KEY_TAKEN: (&str, &str, &str) = (
    "stages_key_unique",
    "input.key",
    "this pipeline already has a stage with this key",
);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PipelineWithStages {
    pub pipeline: Pipeline,
    pub stages: Vec<Stage>,
}

pub struct NewPipelineInput {
    pub name: String,
    /// Stages in order; `None` gives the default set.
    pub stages: Option<Vec<StageSpec>>,
    pub make_default: bool,
}

#[derive(Default)]
pub struct PipelineUpdate {
    pub name: Option<String>,
    pub archived: Option<bool>,
    pub make_default: bool,
    pub expected_version: Option<i32>,
}

pub(crate) fn pipeline_not_found(id: Uuid) -> AppError {
    AppError::not_found("pipeline", id)
}

pub(crate) fn stage_not_found(id: Uuid) -> AppError {
    AppError::not_found("stage", id)
}

/// Creates a pipeline with its stages. The workspace's first pipeline becomes its default.
pub async fn create_pipeline(
    pool: &DbPool,
    actor: &Actor,
    input: NewPipelineInput,
    options: WriteOptions,
) -> Result<WriteResult<PipelineWithStages>, AppError> {
    let request = WriteRequest {
        action: "pipeline.create",
        entity_type: "pipeline",
        entity_id: None,
        scope: Scope::CrmWrite,
        input: json!({ "name": input.name, "stages": input.stages.as_ref().map(|s| s.len()), "makeDefault": input.make_default }),
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let name = validate::required_text("input.name", &input.name, rules::MAX_NAME_LEN)?;
            let stages = match &input.stages {
                Some(specs) => specs
                    .iter()
                    .enumerate()
                    .map(|(i, spec)| rules::stage(&format!("input.stages.{i}"), spec))
                    .collect::<Result<Vec<_>, _>>()?,
                None => rules::default_stages(),
            };
            rules::stage_set("input.stages", &stages)?;
            // Serialise pipeline creation per workspace, so "first one is the default" holds.
            crate::auth::model::Workspace::lock(conn, workspace_id).await?;
            let first = Pipeline::count(conn, workspace_id).await? == 0;
            let pipeline = Pipeline::insert(
                conn,
                &NewPipeline {
                    workspace_id,
                    id: Uuid::now_v7(),
                    name: &name,
                    is_default: false,
                },
            )
            .await
            .map_err(|e| unique_conflict(e, &[PIPELINE_NAME_TAKEN]))?;
            if first || input.make_default {
                Pipeline::make_default(conn, workspace_id, pipeline.id).await?;
            }
            let pipeline = Pipeline::find(conn, workspace_id, pipeline.id)
                .await?
                .ok_or_else(|| pipeline_not_found(pipeline.id))?;
            let new_stages: Vec<NewStage<'_>> = stages
                .iter()
                .enumerate()
                .map(|(i, stage)| NewStage::from_valid(workspace_id, pipeline.id, i as i32, stage))
                .collect();
            let stages = Stage::insert_many(conn, &new_stages)
                .await
                .map_err(|e| unique_conflict(e, &[STAGE_KEY_TAKEN]))?;
            let value = PipelineWithStages { pipeline, stages };
            Ok(Written {
                entity_id: value.pipeline.id,
                before: None,
                after: Some(snapshot(&value)?),
                events: vec![],
                value,
            })
        }
        .boxed()
    })
    .await
}

/// Renames, archives/unarchives or makes default.
pub async fn update_pipeline(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    update: PipelineUpdate,
    options: WriteOptions,
) -> Result<WriteResult<Pipeline>, AppError> {
    let request = WriteRequest {
        action: "pipeline.update",
        entity_type: "pipeline",
        entity_id: Some(id),
        scope: Scope::CrmWrite,
        input: json!({ "id": id, "name": update.name, "archived": update.archived, "makeDefault": update.make_default, "expectedVersion": update.expected_version }),
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let before = Pipeline::find_for_update(conn, workspace_id, id).await?.ok_or_else(|| pipeline_not_found(id))?;
            validate::expected_version(update.expected_version, before.version, "pipeline", id)?;
            let mut changed = before.clone();
            if let Some(name) = &update.name {
                changed.name = validate::required_text("input.name", name, rules::MAX_NAME_LEN)?;
            }
            match update.archived {
                Some(true) if before.is_default => {
                    return Err(AppError::conflict(Some("input.archived"), "the default pipeline cannot be archived; make another pipeline the default first"));
                }
                Some(true) if before.archived_at.is_none() => changed.archived_at = Some(chrono::Utc::now()),
                Some(false) => changed.archived_at = None,
                _ => {}
            }
            if update.make_default && changed.archived_at.is_some() {
                return Err(AppError::conflict(Some("input.makeDefault"), "an archived pipeline cannot be the default"));
            }
            let mut after = if changed != before {
                Pipeline::save(conn, &changed).await.map_err(|e| unique_conflict(e, &[PIPELINE_NAME_TAKEN]))?
            } else {
                before.clone()
            };
            if update.make_default && !before.is_default {
                Pipeline::make_default(conn, workspace_id, id).await?;
                after = Pipeline::find(conn, workspace_id, id).await?.ok_or_else(|| pipeline_not_found(id))?;
            }
            Ok(Written { entity_id: id, before: Some(snapshot(&before)?), after: Some(snapshot(&after)?), events: vec![], value: after })
        }
        .boxed()
    })
    .await
}

/// Deletes a pipeline without deals. The default pipeline cannot be deleted.
pub async fn delete_pipeline(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<Pipeline>, AppError> {
    let request = WriteRequest {
        action: "pipeline.delete",
        entity_type: "pipeline",
        entity_id: Some(id),
        scope: Scope::CrmWrite,
        input: json!({ "id": id, "expectedVersion": expected_version }),
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let before = Pipeline::find_for_update(conn, workspace_id, id).await?.ok_or_else(|| pipeline_not_found(id))?;
            validate::expected_version(expected_version, before.version, "pipeline", id)?;
            if before.is_default {
                return Err(AppError::conflict(Some("input.id"), "the default pipeline cannot be deleted; make another pipeline the default first"));
            }
            Pipeline::delete(conn, workspace_id, id).await.map_err(|e| {
                if is_still_referenced(&e) {
                    AppError::conflict(Some("input.id"), "the pipeline still has deals; move or delete them first")
                } else {
                    e.into()
                }
            })?;
            Ok(Written { entity_id: id, before: Some(snapshot(&before)?), after: None, events: vec![], value: before })
        }
        .boxed()
    })
    .await
}

/// Adds a stage at `position` (default: last), shifting later stages.
pub async fn add_stage(
    pool: &DbPool,
    actor: &Actor,
    pipeline_id: Uuid,
    spec: StageSpec,
    position: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<Stage>, AppError> {
    let request = WriteRequest {
        action: "stage.create",
        entity_type: "stage",
        entity_id: None,
        scope: Scope::CrmWrite,
        input: json!({ "pipelineId": pipeline_id, "name": spec.name, "key": spec.key, "probability": spec.probability.as_ref().map(|p| p.to_string()), "kind": spec.kind.as_str(), "color": spec.color, "rottingDays": spec.rotting_days, "position": position }),
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let stage = rules::stage("input", &spec)?;
            Pipeline::find_for_update(conn, workspace_id, pipeline_id)
                .await?
                .ok_or_else(|| pipeline_not_found(pipeline_id))?;
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
            Ok(Written {
                entity_id: stage.id,
                before: None,
                after: Some(snapshot(&stage)?),
                events: vec![],
                value: stage,
            })
        }
        .boxed()
    })
    .await
}

/// Changes to a stage; `None` leaves a field unchanged, `Some(None)` clears it.
#[derive(Default)]
pub struct StageUpdate {
    pub name: Option<String>,
    pub key: Option<Option<String>>,
    pub probability: Option<bigdecimal::BigDecimal>,
    pub kind: Option<StageKind>,
    pub color: Option<Option<String>>,
    pub rotting_days: Option<Option<i32>>,
    pub expected_version: Option<i32>,
}

pub async fn update_stage(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    update: StageUpdate,
    options: WriteOptions,
) -> Result<WriteResult<Stage>, AppError> {
    let request = WriteRequest {
        action: "stage.update",
        entity_type: "stage",
        entity_id: Some(id),
        scope: Scope::CrmWrite,
        input: json!({ "id": id, "name": update.name, "key": update.key, "probability": update.probability.as_ref().map(|p| p.to_string()), "kind": update.kind.map(StageKind::as_str), "color": update.color, "rottingDays": update.rotting_days, "expectedVersion": update.expected_version }),
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
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
            validate::expected_version(update.expected_version, before.version, "stage", id)?;
            let mut changes = StageChanges::default();
            if let Some(name) = &update.name {
                changes.name = Some(validate::required_text(
                    "input.name",
                    name,
                    rules::MAX_NAME_LEN,
                )?);
            }
            if let Some(key) = &update.key {
                changes.key = Some(match key.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(key) => Some(rules::slug("input.key", key)?),
                });
            }
            if let Some(p) = &update.probability {
                changes.probability = Some(validate::probability("input.probability", p)?);
            }
            if let Some(kind) = update.kind {
                let other_open = siblings
                    .iter()
                    .any(|s| s.id != id && s.kind() == StageKind::Open);
                if kind != StageKind::Open && !other_open {
                    return Err(AppError::bad_input(
                        "input.kind",
                        "a pipeline needs at least one OPEN stage",
                    ));
                }
                changes.kind = Some(kind.as_str().to_owned());
            }
            if let Some(color) = &update.color {
                changes.color = Some(validate::color("input.color", color.as_deref())?);
            }
            if let Some(days) = update.rotting_days {
                if days.is_some_and(|d| !(1..=3650).contains(&d)) {
                    return Err(AppError::bad_input(
                        "input.rottingDays",
                        "must be between 1 and 3650",
                    ));
                }
                changes.rotting_days = Some(days);
            }
            let after = Stage::update(conn, workspace_id, id, &changes)
                .await
                .map_err(|e| unique_conflict(e, &[STAGE_KEY_TAKEN]))?;
            Ok(Written {
                entity_id: id,
                before: Some(snapshot(&before)?),
                after: Some(snapshot(&after)?),
                events: vec![],
                value: after,
            })
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
    let request = WriteRequest {
        action: "pipeline.reorder_stages",
        entity_type: "pipeline",
        entity_id: Some(pipeline_id),
        scope: Scope::CrmWrite,
        input: json!({ "pipelineId": pipeline_id, "stageIds": stage_ids }),
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            Pipeline::find_for_update(conn, workspace_id, pipeline_id)
                .await?
                .ok_or_else(|| pipeline_not_found(pipeline_id))?;
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
                events: vec![],
                value: after,
            })
        }
        .boxed()
    })
    .await
}
