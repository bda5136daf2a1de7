//! The pipeline API's output types: `Pipeline`, `Stage` (with the board's `deals`), the
//! `StageKind` enum, and the mutation payloads.

use async_graphql::{ComplexObject, Context, Enum, SimpleObject, ID};
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

/// A sales pipeline: an ordered list of stages, always at least one OPEN, one WON and one LOST,
/// so every deal in it can be worked, won and lost.
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
        crate::graphql::deals::prime_board(ctx, &ids).await?;
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

crate::graphql::loaders::from_shared_row!(StageGql: Stage, PipelineGql: Pipeline);

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
        crate::graphql::deals::stage_deals(ctx, &self.row, first, after, order_by).await
    }

    /// How many deals are in this stage.
    async fn deal_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(loaders::get::<StageDealCountLoader>(ctx)?
            .load_one(self.row.id)
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
