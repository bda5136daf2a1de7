//! Pipelines and their stages: the default pipeline, names, archiving, deletion, and the
//! stages' own lifecycle (inline creation, add, update, reorder, delete).

mod pipeline;
mod reference;
mod stages;

pub const CREATE_PIPELINE: &str = "mutation($input: CreatePipelineInput!) { createPipeline(input: $input) { pipeline { id name isDefault version stages { id name key position probability kind } } } }";
