//! The events pipelines publish: every change to a pipeline or a stage, so the servers that
//! keep a workspace's pipelines and stages in memory (`pipelines::reference`) forget them,
//! and integrations can follow a sales process being reshaped. The payload is the row.

use crate::events::EventKind;

pub const PIPELINE_CREATED: EventKind = EventKind::new("pipeline.created", "pipeline");
pub const PIPELINE_UPDATED: EventKind = EventKind::new("pipeline.updated", "pipeline");
pub const PIPELINE_DELETED: EventKind = EventKind::new("pipeline.deleted", "pipeline");
pub const STAGE_CREATED: EventKind = EventKind::new("stage.created", "stage");
pub const STAGE_UPDATED: EventKind = EventKind::new("stage.updated", "stage");
pub const STAGE_DELETED: EventKind = EventKind::new("stage.deleted", "stage");

/// Every event of the domain, in the order the API lists them.
pub const KINDS: &[EventKind] = &[
    PIPELINE_CREATED,
    PIPELINE_UPDATED,
    PIPELINE_DELETED,
    STAGE_CREATED,
    STAGE_UPDATED,
    STAGE_DELETED,
];

/// Whether an event of `entity_type` changes what `reference` keeps.
pub fn changes_reference_data(entity_type: &str) -> bool {
    entity_type == "pipeline" || entity_type == "stage"
}
