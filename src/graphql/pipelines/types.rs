//! The pipeline API's output types: `Pipeline`, `Stage` (with the board's `deals`), the
//! `StageKind` enum, and the mutation payloads.

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::loaders::{PipelineLoader, PipelineStagesLoader};
use crate::error::AppError;
use crate::graphql::deals::{DealConnection, DealOrderInput, StageDealCountLoader};
use crate::graphql::loaders;
use crate::graphql::mutation::WriteOutcome;
use crate::graphql::scalars::Decimal;
use crate::pipelines::model::{Pipeline, Stage};
use crate::pipelines::rules::StageKind;
use crate::write::WriteResult;

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

/// A pipeline as the API shows it: the loaders' shared row, read field by field.
#[derive(Clone)]
pub struct PipelineGql(pub Arc<Pipeline>);

/// A stage as the API shows it: the loaders' shared row, read field by field, so the stages of
/// a board are never copied.
#[derive(Clone)]
pub struct StageGql(pub Arc<Stage>);

loaders::shared_row_gql!(PipelineGql: Pipeline, StageGql: Stage);

/// A sales pipeline: an ordered list of stages, always at least one OPEN, one WON and one LOST,
/// so every deal in it can be worked, won and lost.
#[Object(name = "Pipeline")]
impl PipelineGql {
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Deals created without a stage land in the default pipeline's first stage.
    async fn is_default(&self) -> bool {
        self.0.is_default
    }
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The stages, in order.
    async fn stages(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StageGql>> {
        let stages = loaders::get::<PipelineStagesLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let ids: Vec<uuid::Uuid> = stages.iter().map(|s| s.id).collect();
        crate::graphql::deals::prime_board(ctx, &ids).await?;
        Ok(stages.into_iter().map(StageGql::from).collect())
    }
}

/// A step of a pipeline.
#[Object(name = "Stage")]
impl StageGql {
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn pipeline_id(&self) -> ID {
        ID(self.0.pipeline_id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// A stable slug for scripts, unique within the pipeline.
    async fn key(&self) -> Option<&str> {
        self.0.key.as_deref()
    }
    /// 0-based order within the pipeline.
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// The close probability of deals here that have none of their own (0..1).
    async fn probability(&self) -> Decimal {
        Decimal::plain(&self.0.probability)
    }
    async fn kind(&self) -> StageKindGql {
        self.0.kind().into()
    }
    async fn color(&self) -> Option<&str> {
        self.0.color.as_deref()
    }
    /// A deal idle here longer than this is flagged `isRotting`.
    async fn rotting_days(&self) -> Option<i32> {
        self.0.rotting_days
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn pipeline(&self, ctx: &Context<'_>) -> async_graphql::Result<PipelineGql> {
        let pipeline = loaders::get::<PipelineLoader>(ctx)?
            .load_one(self.0.pipeline_id)
            .await?;
        Ok(pipeline
            .ok_or_else(|| AppError::not_found("pipeline", self.0.pipeline_id))?
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
        crate::graphql::deals::stage_deals(ctx, &self.0, first, after, order_by).await
    }

    /// How many deals are in this stage.
    async fn deal_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(loaders::get::<StageDealCountLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or(0))
    }
}

#[derive(SimpleObject)]
pub struct PipelinePayload {
    pub pipeline: PipelineGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct StagePayload {
    pub stage: StageGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct ReorderStagesPayload {
    pub stages: Vec<StageGql>,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

impl From<WriteResult<Pipeline>> for PipelinePayload {
    fn from(result: WriteResult<Pipeline>) -> Self {
        PipelinePayload {
            outcome: WriteOutcome::from(&result),
            pipeline: result.value.into(),
        }
    }
}

impl From<WriteResult<Stage>> for StagePayload {
    fn from(result: WriteResult<Stage>) -> Self {
        StagePayload {
            outcome: WriteOutcome::from(&result),
            stage: result.value.into(),
        }
    }
}

impl From<WriteResult<Vec<Stage>>> for ReorderStagesPayload {
    fn from(result: WriteResult<Vec<Stage>>) -> Self {
        ReorderStagesPayload {
            outcome: WriteOutcome::from(&result),
            stages: result.value.into_iter().map(StageGql::from).collect(),
        }
    }
}
