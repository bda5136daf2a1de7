//! Reads the API makes outside its loaders. The caller has checked `crm:read`.

use uuid::Uuid;

use crate::db::DbPool;
use crate::error::AppError;
use crate::pipelines::model::{Pipeline, Stage};

/// The workspace's pipelines, the default first, then by creation.
pub async fn pipelines(
    pool: &DbPool,
    workspace_id: Uuid,
    include_archived: bool,
) -> Result<Vec<Pipeline>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    Ok(Pipeline::list(&mut conn, workspace_id, include_archived).await?)
}

/// A pipeline's stages in order (`list_deal_stages`); `NOT_FOUND` naming `field` when the
/// workspace has no such pipeline.
pub async fn stages_of(
    pool: &DbPool,
    workspace_id: Uuid,
    pipeline_id: Uuid,
    field: &str,
) -> Result<Vec<Stage>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    if Pipeline::find(&mut conn, workspace_id, pipeline_id)
        .await?
        .is_none()
    {
        return Err(AppError::not_found_at(field, "pipeline", pipeline_id));
    }
    Ok(Stage::of_pipelines(&mut conn, workspace_id, &[pipeline_id]).await?)
}

/// The workspace's pipelines as [`pipelines`] lists them, each with its stages in order: two
/// statements however many pipelines (`list_pipelines`).
pub async fn pipelines_with_stages(
    pool: &DbPool,
    workspace_id: Uuid,
    include_archived: bool,
) -> Result<Vec<super::PipelineWithStages>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    let pipelines = Pipeline::list(&mut conn, workspace_id, include_archived).await?;
    let ids: Vec<Uuid> = pipelines.iter().map(|p| p.id).collect();
    let mut stages = Stage::of_pipelines(&mut conn, workspace_id, &ids).await?;
    Ok(pipelines
        .into_iter()
        .map(|pipeline| {
            let (own, rest) = stages.drain(..).partition(|s| s.pipeline_id == pipeline.id);
            stages = rest;
            super::PipelineWithStages {
                pipeline,
                stages: own,
            }
        })
        .collect())
}
