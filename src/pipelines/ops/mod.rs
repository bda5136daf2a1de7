//! Pipeline and stage operations, each through the write path.

mod pipeline;
mod reads;
mod stage;

use uuid::Uuid;

pub use self::pipeline::{create_pipeline, update_pipeline, PipelineWithStages};
pub use self::reads::{pipelines, pipelines_with_stages, stages_of};
pub use self::stage::{add_stage, delete_stage, reorder_stages, update_stage, StageOccupants};
use super::model::Pipeline;
pub use super::rules::{PipelineInput, PipelinePatch, StagePatch, StageSpec};
use crate::error::AppError;

const PIPELINE_NAME_TAKEN: (&str, &str, &str) = (
    "pipelines_name_unique",
    "input.name",
    "a pipeline with this name already exists",
);
const STAGE_KEY_TAKEN: (&str, &str, &str) = (
    "stages_key_unique",
    "input.key",
    "this pipeline already has a stage with this key",
);

// A pipeline is locked by its own edits and by the stage writes that change its list of stages.
crate::write::locked::lockable!(Pipeline, "pipeline");

fn pipeline_not_found(id: Uuid) -> AppError {
    AppError::not_found("pipeline", id)
}

fn stage_not_found(id: Uuid) -> AppError {
    AppError::not_found("stage", id)
}
