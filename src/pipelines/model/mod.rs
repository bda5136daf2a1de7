//! Pipeline and stage rows and their SQL. The only place in the domain that talks to the
//! database.

pub mod pipeline;
pub mod stage;

pub use pipeline::{NewPipeline, Pipeline, PipelineChanges};
pub use stage::{NewStage, Stage, StageUpdate};
