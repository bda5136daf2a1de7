//! Tools for pipelines and their stages: `create_pipeline`, `list_pipelines`,
//! `create_deal_stage`, `list_deal_stages` — over `createPipeline`, `pipelines` and
//! `addStage`'s operations.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use super::args::{number, tool_args, Decimal, Id};
use super::paging::row;
use super::tool::{self, options, written, Call, Effect, ToolSpec};
use crate::error::AppError;
use crate::pipelines::ops::{self, PipelineInput, StageSpec};
use crate::pipelines::rules::StageKind;

pub fn tools() -> Vec<ToolSpec> {
    vec![
        tool::write(
            "create_pipeline",
            "Creates a sales pipeline with its ordered stages (at least one open, one won and \
             one lost; without `stages` a standard set: Lead in, Qualified, Proposal, \
             Negotiation, Won, Lost). The first pipeline becomes the default.",
            Effect::Write,
            create_pipeline,
        ),
        tool::read(
            "list_pipelines",
            "Lists the workspace's pipelines, the default first, each with its stages in order.",
            list_pipelines,
        ),
        tool::write(
            "create_deal_stage",
            "Adds a stage to a pipeline, at `position` (0-based) or last.",
            Effect::Write,
            create_deal_stage,
        ),
        tool::read(
            "list_deal_stages",
            "Lists a pipeline's stages in order, with their kind (open, won, lost) and \
             probability.",
            list_deal_stages,
        ),
    ]
}

/// Whether deals in a stage are still being worked, won or lost.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageKindArg {
    #[default]
    Open,
    Won,
    Lost,
}

impl From<StageKindArg> for StageKind {
    fn from(kind: StageKindArg) -> Self {
        match kind {
            StageKindArg::Open => StageKind::Open,
            StageKindArg::Won => StageKind::Won,
            StageKindArg::Lost => StageKind::Lost,
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageArg {
    pub name: String,
    /// A stable key such as "proposal".
    pub key: Option<String>,
    /// 0..1 as a decimal string ("0.25"). Default: 1 for won stages, 0 otherwise.
    pub probability: Option<Decimal>,
    /// `open` when absent.
    #[serde(default)]
    pub kind: StageKindArg,
    pub color: Option<String>,
    /// Days without activity after which a deal in this stage is rotting.
    pub rotting_days: Option<i32>,
}

impl StageArg {
    fn spec(self) -> StageSpec {
        StageSpec {
            name: self.name,
            key: self.key,
            probability: number(self.probability),
            kind: self.kind.into(),
            color: self.color,
            rotting_days: self.rotting_days,
        }
    }
}

tool_args! {
    pub struct CreatePipeline {
        pub name: String,
        /// The stages in order; a standard set when absent.
        pub stages: Option<Vec<StageArg>>,
        /// Make it the default pipeline (the first pipeline always is).
        #[serde(default)]
        pub make_default: bool,
    }
    writes "pipeline"
}

async fn create_pipeline(call: Call, input: CreatePipeline) -> Result<Value, AppError> {
    let stages = input
        .stages
        .map(|stages| stages.into_iter().map(StageArg::spec).collect());
    let pipeline = PipelineInput {
        name: input.name,
        stages,
        make_default: input.make_default,
    };
    let options = options(input.idempotency_key, input.dry_run);
    let result = ops::create_pipeline(&call.pool, &call.actor, pipeline, options).await?;
    Ok(json!({
        "pipeline": row(&result.value.pipeline)?,
        "stages": row(&result.value.stages)?,
        "replayed": result.replayed,
        "dry_run": result.dry_run,
    }))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListPipelines {
    /// Include archived pipelines too.
    #[serde(default)]
    pub include_archived: bool,
}

async fn list_pipelines(call: Call, input: ListPipelines) -> Result<Value, AppError> {
    let workspace_id = call.actor.workspace_id;
    let pipelines =
        ops::pipelines_with_stages(&call.pool, workspace_id, input.include_archived).await?;
    Ok(json!({ "items": row(&pipelines)? }))
}

tool_args! {
    pub struct CreateDealStage {
        pub pipeline_id: Id,
        pub name: String,
        /// A stable key such as "proposal".
        pub key: Option<String>,
        /// 0..1 as a decimal string ("0.25"). Default: 1 for won stages, 0 otherwise.
        pub probability: Option<Decimal>,
        /// `open` when absent.
        #[serde(default)]
        pub kind: StageKindArg,
        pub color: Option<String>,
        pub rotting_days: Option<i32>,
        /// Where to insert it (0-based); last when absent.
        pub position: Option<i32>,
    }
    writes "stage"
}

async fn create_deal_stage(call: Call, input: CreateDealStage) -> Result<Value, AppError> {
    let pipeline_id = input.pipeline_id.0;
    let spec = StageArg {
        name: input.name,
        key: input.key,
        probability: input.probability,
        kind: input.kind,
        color: input.color,
        rotting_days: input.rotting_days,
    }
    .spec();
    let options = options(input.idempotency_key, input.dry_run);
    let result = ops::add_stage(
        &call.pool,
        &call.actor,
        pipeline_id,
        spec,
        input.position,
        options,
    )
    .await?;
    written("stage", &result)
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListDealStages {
    pub pipeline_id: Id,
}

async fn list_deal_stages(call: Call, input: ListDealStages) -> Result<Value, AppError> {
    let pipeline_id = input.pipeline_id.0;
    let stages = ops::stages_of(
        &call.pool,
        call.actor.workspace_id,
        pipeline_id,
        "pipeline_id",
    )
    .await?;
    Ok(json!({ "items": row(&stages)? }))
}
