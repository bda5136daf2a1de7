//! Creating, changing and deleting pipelines.

use async_trait::async_trait;
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{pipeline_not_found, PIPELINE_NAME_TAKEN, STAGE_KEY_TAKEN};
use crate::auth::Actor;
use crate::db::DbPool;
use crate::error::{is_still_referenced, unique_conflict, AppError};
use crate::events::NewEvent;
use crate::pipelines::events;
use crate::pipelines::model::{NewPipeline, NewStage, Pipeline, Stage};
use crate::pipelines::rules::{self, PipelineInput, PipelinePatch};
use crate::validate;
use crate::write::locked::locked;
use crate::write::remove::Removable;
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

/// A new pipeline and its stages, in order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PipelineWithStages {
    pub pipeline: Pipeline,
    pub stages: Vec<Stage>,
}

/// Creates a pipeline with its stages. The workspace's first pipeline becomes its default.
pub async fn create_pipeline(
    pool: &DbPool,
    actor: &Actor,
    input: PipelineInput,
    options: WriteOptions,
) -> Result<WriteResult<PipelineWithStages>, AppError> {
    let request = WriteRequest::crm(
        "pipeline.create",
        None,
        json!({ "name": input.name, "stages": input.stages.as_ref().map(|s| s.len()), "makeDefault": input.make_default }),
        options,
    );
    write::write(pool, actor, request, move |conn, workspace_id| {
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
            let events = vec![NewEvent::new(
                events::PIPELINE_CREATED,
                value.pipeline.id,
                &value.pipeline,
            )?];
            Ok(Written {
                entity_id: value.pipeline.id,
                before: None,
                after: Some(snapshot(&value)?),
                events,
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
    patch: PipelinePatch,
    options: WriteOptions,
) -> Result<WriteResult<Pipeline>, AppError> {
    let request = WriteRequest::crm(
        "pipeline.update",
        Some(id),
        json!({ "id": id, "name": patch.name, "archived": patch.archived, "makeDefault": patch.make_default, "expectedVersion": patch.expected_version }),
        options,
    );
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let before = locked::<Pipeline>(conn, workspace_id, id, patch.expected_version).await?;
            let mut changed = before.clone();
            if let Some(name) = &patch.name {
                changed.name = validate::required_text("input.name", name, rules::MAX_NAME_LEN)?;
            }
            match patch.archived {
                Some(true) if before.is_default => {
                    return Err(AppError::conflict(Some("input.archived"), "the default pipeline cannot be archived; make another pipeline the default first"));
                }
                Some(true) if before.archived_at.is_none() => changed.archived_at = Some(chrono::Utc::now()),
                Some(false) => changed.archived_at = None,
                _ => {}
            }
            if patch.make_default && changed.archived_at.is_some() {
                return Err(AppError::conflict(Some("input.makeDefault"), "an archived pipeline cannot be the default"));
            }
            let mut after = if changed != before {
                Pipeline::save(conn, &changed).await.map_err(|e| unique_conflict(e, &[PIPELINE_NAME_TAKEN]))?
            } else {
                before.clone()
            };
            if patch.make_default && !before.is_default {
                Pipeline::make_default(conn, workspace_id, id).await?;
                after = Pipeline::find(conn, workspace_id, id).await?.ok_or_else(|| pipeline_not_found(id))?;
            }
            let events = vec![NewEvent::new(events::PIPELINE_UPDATED, id, &after)?];
            Written::changed(id, &before, after, events)
        }
        .boxed()
    })
    .await
}

/// A pipeline without deals may be deleted, but not the default one.
#[async_trait]
impl Removable for Pipeline {
    const DELETE: &'static str = "pipeline.delete";

    fn may_delete(&self) -> Result<(), AppError> {
        if self.is_default {
            return Err(AppError::conflict(
                Some("input.id"),
                "the default pipeline cannot be deleted; make another pipeline the default first",
            ));
        }
        Ok(())
    }

    async fn delete_locked(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> Result<(), AppError> {
        match Pipeline::delete(conn, workspace_id, id).await {
            Ok(_) => Ok(()),
            Err(e) if is_still_referenced(&e) => Err(AppError::conflict(
                Some("input.id"),
                "the pipeline still has deals; move or delete them first",
            )),
            Err(e) => Err(e.into()),
        }
    }

    fn deleted_event(&self) -> Result<NewEvent, serde_json::Error> {
        NewEvent::new(events::PIPELINE_DELETED, self.id, self)
    }
}
