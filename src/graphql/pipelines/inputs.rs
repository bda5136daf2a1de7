//! The pipeline API's inputs, parsed into what the domain operations take.

use async_graphql::{InputObject, MaybeUndefined, ID};

use super::types::StageKindGql;
use crate::error::AppError;
use crate::graphql::mutation::MutationOptions;
use crate::graphql::scalars::Decimal;
use crate::graphql::{parse_id, patch};
use crate::pipelines::ops::{PipelineInput, PipelinePatch, StagePatch, StageSpec};
use crate::pipelines::rules::StageKind;

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
    /// The stages in order, at least one OPEN, one WON and one LOST. Omitted: a standard set
    /// (Lead in … Won, Lost).
    pub stages: Option<Vec<StageInput>>,
    /// Make it the default pipeline (the first pipeline always is).
    #[graphql(default)]
    pub make_default: bool,
    #[graphql(flatten)]
    pub options: MutationOptions,
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
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct DeletePipelineInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
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
    #[graphql(flatten)]
    pub options: MutationOptions,
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
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct DeleteStageInput {
    pub id: ID,
    /// Required when the stage has deals: another stage of the same pipeline (checked even when
    /// the stage is empty). The moves are recorded in each deal's history.
    pub move_deals_to: Option<ID>,
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct ReorderStagesInput {
    pub pipeline_id: ID,
    /// Every stage of the pipeline, exactly once, in the new order.
    pub stage_ids: Vec<ID>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl CreatePipelineInput {
    pub(super) fn parse(self) -> (PipelineInput, MutationOptions) {
        let input = PipelineInput {
            name: self.name,
            stages: self
                .stages
                .map(|stages| stages.into_iter().map(StageSpec::from).collect()),
            make_default: self.make_default,
        };
        (input, self.options)
    }
}

impl UpdatePipelineInput {
    pub(super) fn parse(self) -> Result<(uuid::Uuid, PipelinePatch, MutationOptions), AppError> {
        let id = parse_id(&self.id, "input.id")?;
        let patch = PipelinePatch {
            name: self.name,
            archived: self.archived,
            make_default: self.make_default,
            expected_version: self.expected_version,
        };
        Ok((id, patch, self.options))
    }
}

impl AddStageInput {
    pub(super) fn parse(
        self,
    ) -> Result<(uuid::Uuid, StageSpec, Option<i32>, MutationOptions), AppError> {
        let pipeline_id = parse_id(&self.pipeline_id, "input.pipelineId")?;
        let spec = StageSpec {
            name: self.name,
            key: self.key,
            probability: self.probability.map(|p| p.0),
            kind: self.kind.into(),
            color: self.color,
            rotting_days: self.rotting_days,
        };
        Ok((pipeline_id, spec, self.position, self.options))
    }
}

impl UpdateStageInput {
    pub(super) fn parse(self) -> Result<(uuid::Uuid, StagePatch, MutationOptions), AppError> {
        let id = parse_id(&self.id, "input.id")?;
        let patch = StagePatch {
            name: self.name,
            key: patch(self.key),
            probability: self.probability.map(|p| p.0),
            kind: self.kind.map(StageKind::from),
            color: patch(self.color),
            rotting_days: patch(self.rotting_days),
            expected_version: self.expected_version,
        };
        Ok((id, patch, self.options))
    }
}
