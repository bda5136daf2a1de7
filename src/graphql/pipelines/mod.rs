//! GraphQL for pipelines and stages: `pipelines`, `pipeline`, `stage` and their mutations.
//! Resolvers parse input, call `pipelines::ops`, map.

mod inputs;
mod loaders;
mod types;

use std::sync::Arc;

use async_graphql::{Context, Object, ID};

use self::inputs::{
    AddStageInput, CreatePipelineInput, DeletePipelineInput, DeleteStageInput, ReorderStagesInput,
    UpdatePipelineInput, UpdateStageInput,
};
pub use self::loaders::register as register_loaders;
pub use self::loaders::{PipelineLoader, StageLoader};
pub use self::types::{PipelineGql, StageGql, StageKindGql};
use self::types::{PipelinePayload, ReorderStagesPayload, StagePayload};
use super::mutation::WriteOutcome;
use super::{actor, loaders as registry, parse_id, pool};
use crate::auth::Scope;
use crate::deals::ops::StageDeals;
use crate::graphql::loaders::Loaders;
use crate::pipelines::model::Pipeline;
use crate::pipelines::ops;
use crate::pipelines::reference::ReferenceData;
use crate::write::remove;

#[derive(Default)]
pub struct PipelinesQuery;

#[Object]
impl PipelinesQuery {
    /// The workspace's pipelines, the default first.
    async fn pipelines(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] include_archived: bool,
    ) -> async_graphql::Result<Vec<PipelineGql>> {
        let actor = actor(ctx)?;
        actor.require(Scope::CrmRead)?;
        let scope = ctx
            .data_opt::<Arc<Loaders>>()
            .map(|loaders| loaders.scope());
        let kept = match &scope {
            Some(scope) => loaders::kept_pipelines(scope, include_archived).await?,
            None => None,
        };
        let rows = match kept {
            Some(rows) => rows,
            None => ops::pipelines(pool(ctx)?, actor.workspace_id, include_archived).await?,
        };
        Ok(rows.into_iter().map(PipelineGql::from).collect())
    }

    /// A pipeline by id; null if there is none in this workspace.
    async fn pipeline(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<PipelineGql>> {
        let actor = actor(ctx)?;
        actor.require(Scope::CrmRead)?;
        let id = parse_id(&id, "id")?;
        Ok(registry::get::<PipelineLoader>(ctx)?
            .load_one(id)
            .await?
            .map(PipelineGql::from))
    }

    /// A stage by id; null if there is none in this workspace.
    async fn stage(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<StageGql>> {
        let actor = actor(ctx)?;
        actor.require(Scope::CrmRead)?;
        let id = parse_id(&id, "id")?;
        Ok(registry::get::<StageLoader>(ctx)?
            .load_one(id)
            .await?
            .map(StageGql::from))
    }
}

#[derive(Default)]
pub struct PipelinesMutation;

#[Object]
impl PipelinesMutation {
    /// Creates a pipeline, with its stages inline or the standard set.
    async fn create_pipeline(
        &self,
        ctx: &Context<'_>,
        input: CreatePipelineInput,
    ) -> async_graphql::Result<PipelinePayload> {
        let actor = actor(ctx)?;
        let (new, options) = input.parse();
        let result = ops::create_pipeline(pool(ctx)?, actor, new, options.into()).await?;
        forget_kept(ctx, result.committed());
        let outcome = WriteOutcome::from(&result);
        Ok(PipelinePayload {
            pipeline: result.value.pipeline.into(),
            outcome,
        })
    }

    /// Renames, archives, restores or makes default.
    async fn update_pipeline(
        &self,
        ctx: &Context<'_>,
        input: UpdatePipelineInput,
    ) -> async_graphql::Result<PipelinePayload> {
        let actor = actor(ctx)?;
        let (id, patch, options) = input.parse()?;
        let result = ops::update_pipeline(pool(ctx)?, actor, id, patch, options.into()).await?;
        forget_kept(ctx, result.committed());
        Ok(result.into())
    }

    /// Deletes a pipeline that has no deals (not the default one).
    async fn delete_pipeline(
        &self,
        ctx: &Context<'_>,
        input: DeletePipelineInput,
    ) -> async_graphql::Result<PipelinePayload> {
        let actor = actor(ctx)?;
        let id = parse_id(&input.id, "input.id")?;
        let options = input.options.into();
        let result =
            remove::delete::<Pipeline>(pool(ctx)?, actor, id, input.expected_version, options)
                .await?;
        forget_kept(ctx, result.committed());
        Ok(result.into())
    }

    /// Adds a stage to a pipeline.
    async fn add_stage(
        &self,
        ctx: &Context<'_>,
        input: AddStageInput,
    ) -> async_graphql::Result<StagePayload> {
        let actor = actor(ctx)?;
        let (pipeline_id, spec, position, options) = input.parse()?;
        let result = ops::add_stage(
            pool(ctx)?,
            actor,
            pipeline_id,
            spec,
            position,
            options.into(),
        )
        .await?;
        forget_kept(ctx, result.committed());
        Ok(result.into())
    }

    /// Changes a stage; absent fields stay as they are, null clears.
    async fn update_stage(
        &self,
        ctx: &Context<'_>,
        input: UpdateStageInput,
    ) -> async_graphql::Result<StagePayload> {
        let actor = actor(ctx)?;
        let (id, patch, options) = input.parse()?;
        let result = ops::update_stage(pool(ctx)?, actor, id, patch, options.into()).await?;
        forget_kept(ctx, result.committed());
        Ok(result.into())
    }

    /// Deletes a stage; its deals move to `moveDealsTo`, recorded like any other move.
    async fn delete_stage(
        &self,
        ctx: &Context<'_>,
        input: DeleteStageInput,
    ) -> async_graphql::Result<StagePayload> {
        let actor = actor(ctx)?;
        let id = parse_id(&input.id, "input.id")?;
        let move_to = input
            .move_deals_to
            .map(|id| parse_id(&id, "input.moveDealsTo"))
            .transpose()?;
        // Pipelines cannot name deals; this layer sees both and hands deals' part over.
        let result = ops::delete_stage(
            pool(ctx)?,
            actor,
            id,
            move_to,
            input.expected_version,
            StageDeals::default(),
            input.options.into(),
        )
        .await?;
        forget_kept(ctx, result.committed());
        Ok(result.into())
    }

    /// Puts all of a pipeline's stages in a new order.
    async fn reorder_stages(
        &self,
        ctx: &Context<'_>,
        input: ReorderStagesInput,
    ) -> async_graphql::Result<ReorderStagesPayload> {
        let actor = actor(ctx)?;
        let pipeline_id = parse_id(&input.pipeline_id, "input.pipelineId")?;
        let ids = input
            .stage_ids
            .iter()
            .enumerate()
            .map(|(i, id)| parse_id(id, &format!("input.stageIds.{i}")))
            .collect::<Result<Vec<_>, _>>()?;
        let options = input.options.into();
        let result = ops::reorder_stages(pool(ctx)?, actor, pipeline_id, ids, options).await?;
        forget_kept(ctx, result.committed());
        Ok(result.into())
    }
}

/// After a committed pipeline or stage write (each publishes `pipeline.*` or `stage.*`
/// events) this server's kept pipelines and stages are stale: the next request reads them
/// anew. Other servers forget them when the events reach them; writes to anything else keep
/// them.
fn forget_kept(ctx: &Context<'_>, committed: bool) {
    let Some(loaders) = ctx.data_opt::<Arc<Loaders>>().filter(|_| committed) else {
        return;
    };
    if let (Ok(actor), Some(kept)) = (actor(ctx), loaders.shared_cache::<ReferenceData>()) {
        kept.forget(actor.workspace_id);
    }
}
