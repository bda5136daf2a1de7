//! Dataloaders for pipelines and stages: by id, and a pipeline's stages in order. They cache
//! rows; the resolvers map them to types.

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::graphql::loaders::{find_by_id, ById, ByParent, Children, Loaders};
use crate::pipelines::model::{Pipeline, Stage};

find_by_id!(Pipeline, Stage);

/// Adds the pipeline loaders to a set.
pub fn register(loaders: &mut Loaders) {
    let scope = loaders.scope();
    loaders.add(PipelineLoader::new(scope.clone()));
    loaders.add(StageLoader::new(scope.clone()));
    loaders.add(PipelineStagesLoader::new(scope));
}

/// Pipelines by id.
pub type PipelineLoader = ById<Pipeline>;

/// Stages by id.
pub type StageLoader = ById<Stage>;

/// A pipeline's stages, in order.
pub struct PipelineStages;
pub type PipelineStagesLoader = ByParent<PipelineStages>;

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
