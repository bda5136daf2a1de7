//! GraphQL for pipelines and stages.

use async_graphql::{
    ComplexObject, Context, Enum, InputObject, MaybeUndefined, Object, SimpleObject, ID,
};
use chrono::{DateTime, Utc};

use super::deals::{DealConnection, DealOrderInput};
use super::loaders::{self, PipelineLoader, PipelineStagesLoader, StageDealCountLoader};
use super::scalars::Decimal;
use super::{actor, maybe, parse_id, pool, write_options};
use crate::auth::Scope;
use crate::deals::moves;
use crate::error::AppError;
use crate::pipelines::model::{Pipeline, Stage};
use crate::pipelines::ops::{self, NewPipelineInput, PipelineUpdate, StageUpdate};
use crate::pipelines::rules::{StageKind, StageSpec};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "StageKind")]
pub enum StageKindGql {
    /// Deals here are still being worked.
    Open,
    /// Entering it wins the deal (stamps `wonAt`).
    Won,
    /// Entering it loses the deal (needs a reason, stamps `lostAt`).
    Lost,
}

impl From<StageKindGql> for StageKind {
    fn from(kind: StageKindGql) -> Self {
        match kind {
            StageKindGql::Open => StageKind::Open,
            StageKindGql::Won => StageKind::Won,
            StageKindGql::Lost => StageKind::Lost,
        }
    }
}

impl From<StageKind> for StageKindGql {
    fn from(kind: StageKind) -> Self {
        match kind {
            StageKind::Open => StageKindGql::Open,
            StageKind::Won => StageKindGql::Won,
            StageKind::Lost => StageKindGql::Lost,
        }
    }
}

/// A sales pipeline: an ordered list of stages.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Pipeline", complex)]
pub struct PipelineGql {
    #[graphql(owned)]
    pub id: ID,
    pub name: String,
    /// Deals created without a stage land in the default pipeline's first stage.
    pub is_default: bool,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub row: Pipeline,
}

impl From<Pipeline> for PipelineGql {
    fn from(p: Pipeline) -> Self {
        Self {
            id: ID(p.id.to_string()),
            name: p.name.clone(),
            is_default: p.is_default,
            archived_at: p.archived_at,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
            row: p,
        }
    }
}

#[ComplexObject]
impl PipelineGql {
    /// The stages, in order.
    async fn stages(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StageGql>> {
        let stages = loaders::get::<PipelineStagesLoader>(ctx)?
            .load_one(self.row.id)
            .await?
            .unwrap_or_default();
        let ids: Vec<uuid::Uuid> = stages.iter().map(|s| s.id).collect();
        super::deals::prime_board(ctx, &ids).await?;
        Ok(stages.into_iter().map(StageGql::from).collect())
    }
}

/// A step of a pipeline.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Stage", complex)]
pub struct StageGql {
    #[graphql(owned)]
    pub id: ID,
    pub pipeline_id: ID,
    pub name: String,
    /// A stable slug for scripts, unique within the pipeline.
    pub key: Option<String>,
    /// 0-based order within the pipeline.
    pub position: i32,
    /// The close probability of deals here that have none of their own (0..1).
    pub probability: Decimal,
    pub kind: StageKindGql,
    pub color: Option<String>,
    /// A deal idle here longer than this is flagged `isRotting`.
    pub rotting_days: Option<i32>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub row: Stage,
}

impl From<Stage> for StageGql {
    fn from(s: Stage) -> Self {
        Self {
            id: ID(s.id.to_string()),
            pipeline_id: ID(s.pipeline_id.to_string()),
            name: s.name.clone(),
            key: s.key.clone(),
            position: s.position,
            probability: Decimal::plain(&s.probability),
            kind: s.kind().into(),
            color: s.color.clone(),
            rotting_days: s.rotting_days,
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
            row: s,
        }
    }
}

#[ComplexObject]
impl StageGql {
    async fn pipeline(&self, ctx: &Context<'_>) -> async_graphql::Result<PipelineGql> {
        let pipeline = loaders::get::<PipelineLoader>(ctx)?
            .load_one(self.row.pipeline_id)
            .await?;
        Ok(pipeline
            .ok_or_else(|| AppError::not_found("pipeline", self.row.pipeline_id))?
            .into())
    }

    /// The stage's deals, most recently updated first unless `orderBy` says otherwise.
    async fn deals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order_by: Option<DealOrderInput>,
    ) -> async_graphql::Result<DealConnection> {
        super::deals::stage_deals(ctx, &self.row, first, after, order_by).await
    }

    /// How many deals are in this stage.
    async fn deal_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(loaders::get::<StageDealCountLoader>(ctx)?
            .load_one(self.row.id)
            .await?
            .unwrap_or(0))
    }
}

#[derive(InputObject)]
pub struct StageInput {
    pub name: String,
    pub key: Option<String>,
    /// 0..1, as a string ("0.25"). Default: 1 for WON stages, 0 otherwise.
    pub probability: Option<Decimal>,
    #[graphql(default_with = "StageKindGql::Open")]
    pub kind: StageKindGql,
    pub color: Option<String>,
    pub rotting_days: Option<i32>,
}

impl From<StageInput> for StageSpec {
    fn from(input: StageInput) -> Self {
        StageSpec {
            name: input.name,
            key: input.key,
            probability: input.probability.map(|p| p.0),
            kind: input.kind.into(),
            color: input.color,
            rotting_days: input.rotting_days,
        }
    }
}

#[derive(InputObject)]
pub struct CreatePipelineInput {
    pub name: String,
    /// The stages in order. Omitted: a standard set (Lead in … Won, Lost).
    pub stages: Option<Vec<StageInput>>,
    /// Make it the default pipeline (the first pipeline always is).
    #[graphql(default)]
    pub make_default: bool,
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct UpdatePipelineInput {
    pub id: ID,
    pub name: Option<String>,
    /// true archives (hidden from `pipelines` by default), false restores.
    pub archived: Option<bool>,
    /// true makes this the default pipeline (the old default stops being one).
    #[graphql(default)]
    pub make_default: bool,
    pub expected_version: Option<i32>,
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct DeletePipelineInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct AddStageInput {
    pub pipeline_id: ID,
    pub name: String,
    pub key: Option<String>,
    pub probability: Option<Decimal>,
    #[graphql(default_with = "StageKindGql::Open")]
    pub kind: StageKindGql,
    pub color: Option<String>,
    pub rotting_days: Option<i32>,
    /// Where to insert it (0-based); default: last.
    pub position: Option<i32>,
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct UpdateStageInput {
    pub id: ID,
    pub name: Option<String>,
    /// null clears the key.
    pub key: MaybeUndefined<String>,
    pub probability: Option<Decimal>,
    pub kind: Option<StageKindGql>,
    pub color: MaybeUndefined<String>,
    pub rotting_days: MaybeUndefined<i32>,
    pub expected_version: Option<i32>,
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct DeleteStageInput {
    pub id: ID,
    /// Required when the stage has deals: another stage of the same pipeline. The moves are
    /// recorded in each deal's history.
    pub move_deals_to: Option<ID>,
    pub expected_version: Option<i32>,
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct ReorderStagesInput {
    pub pipeline_id: ID,
    /// Every stage of the pipeline, exactly once, in the new order.
    pub stage_ids: Vec<ID>,
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(SimpleObject)]
pub struct PipelinePayload {
    pub pipeline: PipelineGql,
    pub replayed: bool,
    pub dry_run: bool,
}

#[derive(SimpleObject)]
pub struct StagePayload {
    pub stage: StageGql,
    pub replayed: bool,
    pub dry_run: bool,
}

#[derive(SimpleObject)]
pub struct ReorderStagesPayload {
    pub stages: Vec<StageGql>,
    pub replayed: bool,
    pub dry_run: bool,
}

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
        let mut conn = crate::db::conn(pool(ctx)?).await?;
        let rows = Pipeline::list(&mut conn, actor.workspace_id, include_archived)
            .await
            .map_err(AppError::from)?;
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
        Ok(loaders::get::<PipelineLoader>(ctx)?
            .load_one(id)
            .await?
            .map(PipelineGql::from))
    }

    /// A stage by id; null if there is none in this workspace.
    async fn stage(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<StageGql>> {
        let actor = actor(ctx)?;
        actor.require(Scope::CrmRead)?;
        let id = parse_id(&id, "id")?;
        Ok(loaders::get::<loaders::StageLoader>(ctx)?
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
        let options = write_options(input.idempotency_key, input.dry_run);
        let new = NewPipelineInput {
            name: input.name,
            stages: input
                .stages
                .map(|stages| stages.into_iter().map(StageSpec::from).collect()),
            make_default: input.make_default,
        };
        let result = ops::create_pipeline(pool(ctx)?, actor, new, options).await?;
        Ok(PipelinePayload {
            pipeline: result.value.pipeline.into(),
            replayed: result.replayed,
            dry_run: result.dry_run,
        })
    }

    /// Renames, archives, restores or makes default.
    async fn update_pipeline(
        &self,
        ctx: &Context<'_>,
        input: UpdatePipelineInput,
    ) -> async_graphql::Result<PipelinePayload> {
        let actor = actor(ctx)?;
        let id = parse_id(&input.id, "input.id")?;
        let options = write_options(input.idempotency_key, input.dry_run);
        let update = PipelineUpdate {
            name: input.name,
            archived: input.archived,
            make_default: input.make_default,
            expected_version: input.expected_version,
        };
        let result = ops::update_pipeline(pool(ctx)?, actor, id, update, options).await?;
        Ok(PipelinePayload {
            pipeline: result.value.into(),
            replayed: result.replayed,
            dry_run: result.dry_run,
        })
    }

    /// Deletes a pipeline that has no deals (not the default one).
    async fn delete_pipeline(
        &self,
        ctx: &Context<'_>,
        input: DeletePipelineInput,
    ) -> async_graphql::Result<PipelinePayload> {
        let actor = actor(ctx)?;
        let id = parse_id(&input.id, "input.id")?;
        let options = write_options(input.idempotency_key, input.dry_run);
        let result =
            ops::delete_pipeline(pool(ctx)?, actor, id, input.expected_version, options).await?;
        Ok(PipelinePayload {
            pipeline: result.value.into(),
            replayed: result.replayed,
            dry_run: result.dry_run,
        })
    }

    /// Adds a stage to a pipeline.
    async fn add_stage(
        &self,
        ctx: &Context<'_>,
        input: AddStageInput,
    ) -> async_graphql::Result<StagePayload> {
        let actor = actor(ctx)?;
        let pipeline_id = parse_id(&input.pipeline_id, "input.pipelineId")?;
        let options = write_options(input.idempotency_key, input.dry_run);
        let spec = StageSpec {
            name: input.name,
            key: input.key,
            probability: input.probability.map(|p| p.0),
            kind: input.kind.into(),
            color: input.color,
            rotting_days: input.rotting_days,
        };
        let result = ops::add_stage(
            pool(ctx)?,
            actor,
            pipeline_id,
            spec,
            input.position,
            options,
        )
        .await?;
        Ok(StagePayload {
            stage: result.value.into(),
            replayed: result.replayed,
            dry_run: result.dry_run,
        })
    }

    /// Changes a stage; absent fields stay as they are, null clears.
    async fn update_stage(
        &self,
        ctx: &Context<'_>,
        input: UpdateStageInput,
    ) -> async_graphql::Result<StagePayload> {
        let actor = actor(ctx)?;
        let id = parse_id(&input.id, "input.id")?;
        let options = write_options(input.idempotency_key, input.dry_run);
        let update = StageUpdate {
            name: input.name,
            key: maybe(input.key),
            probability: input.probability.map(|p| p.0),
            kind: input.kind.map(StageKind::from),
            color: maybe(input.color),
            rotting_days: maybe(input.rotting_days),
            expected_version: input.expected_version,
        };
        let result = ops::update_stage(pool(ctx)?, actor, id, update, options).await?;
        Ok(StagePayload {
            stage: result.value.into(),
            replayed: result.replayed,
            dry_run: result.dry_run,
        })
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
        let options = write_options(input.idempotency_key, input.dry_run);
        let result = moves::delete_stage(
            pool(ctx)?,
            actor,
            id,
            move_to,
            input.expected_version,
            options,
        )
        .await?;
        Ok(StagePayload {
            stage: result.value.into(),
            replayed: result.replayed,
            dry_run: result.dry_run,
        })
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
        let options = write_options(input.idempotency_key, input.dry_run);
        let result = ops::reorder_stages(pool(ctx)?, actor, pipeline_id, ids, options).await?;
        Ok(ReorderStagesPayload {
            stages: result.value.into_iter().map(StageGql::from).collect(),
            replayed: result.replayed,
            dry_run: result.dry_run,
        })
    }
}
