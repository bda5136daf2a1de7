//! Dataloaders for pipelines and stages: by id, and a pipeline's stages in order. They cache
//! rows; the resolvers map them to types.

use std::future::Future;

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::graphql::loaders::{ById, ByParent, Children, FindById, Loaders};
use crate::pipelines::model::{Pipeline, Stage};

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

impl FindById for Pipeline {
    fn id(&self) -> Uuid {
        self.id
    }

    fn find_many<'a>(
        conn: &'a mut AsyncPgConnection,
        workspace_id: Uuid,
        ids: &'a [Uuid],
    ) -> impl Future<Output = QueryResult<Vec<Self>>> + Send + 'a {
        Pipeline::find_many(conn, workspace_id, ids)
    }
}

impl FindById for Stage {
    fn id(&self) -> Uuid {
        self.id
    }

    fn find_many<'a>(
        conn: &'a mut AsyncPgConnection,
        workspace_id: Uuid,
        ids: &'a [Uuid],
    ) -> impl Future<Output = QueryResult<Vec<Self>>> + Send + 'a {
        Stage::find_many(conn, workspace_id, ids)
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
