//! Dataloaders for pipelines and stages: by id, and a pipeline's stages in order. They cache
//! rows; the resolvers map them to types. A query's loaders answer from the process's
//! in-memory copy of the workspace's pipelines and stages (`pipelines::reference`), so
//! `stage { name }` costs no statement; mutations (and workspaces too large to keep) read
//! the tables.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::loaders::{find_by_id, ById, ByParent, Children, Loaders, Scope};
use crate::pipelines::model::{Pipeline, Stage};
use crate::pipelines::reference::{ReferenceData, WorkspaceReference};

find_by_id!(Pipeline, Stage);

/// Adds the pipeline loaders to a set.
pub fn register(loaders: &mut Loaders) {
    let scope = loaders.scope();
    loaders.add(PipelineLoader(scope.clone()));
    loaders.add(StageLoader(scope.clone()));
    loaders.add(PipelineStagesLoader(scope));
}

/// The workspace's kept pipelines and stages, when this request may use them.
async fn kept(scope: &Scope) -> Result<Option<Arc<WorkspaceReference>>, AppError> {
    match scope.cache::<ReferenceData>() {
        Some(reference) => reference.of(&scope.pool, scope.workspace_id).await,
        None => Ok(None),
    }
}

/// The workspace's pipelines in list order, from its kept rows when this request may read
/// them; `None` when it must read the table.
pub async fn kept_pipelines(
    scope: &Scope,
    include_archived: bool,
) -> Result<Option<Vec<Pipeline>>, AppError> {
    Ok(kept(scope)
        .await?
        .map(|kept| kept.pipelines(include_archived)))
}

/// Pipelines by id.
pub struct PipelineLoader(Scope);

impl Loader<Uuid> for PipelineLoader {
    type Value = Arc<Pipeline>;
    type Error = AppError;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Arc<Pipeline>>, AppError> {
        match kept(&self.0).await? {
            Some(kept) => Ok(ids
                .iter()
                .filter_map(|id| kept.pipeline(*id).map(|p| (*id, Arc::new(p.clone()))))
                .collect()),
            None => ById::<Pipeline>::new(self.0.clone()).load(ids).await,
        }
    }
}

/// Stages by id.
pub struct StageLoader(Scope);

impl StageLoader {
    /// For callers that fetch stages alongside their own rows (a board's batch).
    pub fn new(scope: Scope) -> Self {
        StageLoader(scope)
    }
}

impl Loader<Uuid> for StageLoader {
    type Value = Arc<Stage>;
    type Error = AppError;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Arc<Stage>>, AppError> {
        match kept(&self.0).await? {
            Some(kept) => Ok(ids
                .iter()
                .filter_map(|id| kept.stage(*id).map(|s| (*id, Arc::new(s.clone()))))
                .collect()),
            None => ById::<Stage>::new(self.0.clone()).load(ids).await,
        }
    }
}

/// A pipeline's stages, in order.
pub struct PipelineStages;
pub struct PipelineStagesLoader(Scope);

impl Loader<Uuid> for PipelineStagesLoader {
    type Value = Vec<Stage>;
    type Error = AppError;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<Stage>>, AppError> {
        match kept(&self.0).await? {
            Some(kept) => Ok(ids
                .iter()
                .map(|id| (*id, kept.stages_of(*id).to_vec()))
                .collect()),
            None => {
                ByParent::<PipelineStages>::new(self.0.clone())
                    .load(ids)
                    .await
            }
        }
    }
}

impl Children for PipelineStages {
    type Row = Stage;

    async fn of_parents(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        pipeline_ids: &[Uuid],
    ) -> QueryResult<Vec<(Uuid, Stage)>> {
        let stages = Stage::of_pipelines(conn, workspace_id, pipeline_ids).await?;
        Ok(stages.into_iter().map(|s| (s.pipeline_id, s)).collect())
    }
}
