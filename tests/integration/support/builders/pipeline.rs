//! `PipelineBuilder`: a pipeline with the default stages, or with the stages given.

use serde_json::{json, Map, Value};

use super::Draft;
use crate::support::TestApp;

/// What a created pipeline holds.
pub const PIPELINE_FIELDS: &str =
    "id name isDefault version stages { id name key position probability kind }";

/// `PipelineBuilder::new("Sales").create(&app)`: the default stages (Lead in, Qualified,
/// Proposal, Negotiation, Won, Lost). The first pipeline of a workspace is its default.
#[derive(Clone, Debug)]
pub struct PipelineBuilder {
    draft: Draft,
}

impl PipelineBuilder {
    pub fn new(name: &str) -> PipelineBuilder {
        PipelineBuilder {
            draft: Draft::new("name", name),
        }
    }

    /// These stages, in this order, instead of the default ones.
    pub fn stages(mut self, stages: impl IntoIterator<Item = Stage>) -> PipelineBuilder {
        let stages: Vec<Value> = stages.into_iter().map(|s| Value::Object(s.0)).collect();
        self.draft = self.draft.set("stages", stages);
        self
    }

    /// Writes with `key` (say, another workspace's admin key) instead of the app's admin key.
    pub fn with_key(mut self, key: &str) -> PipelineBuilder {
        self.draft = self.draft.with_key(key);
        self
    }

    /// Creates the pipeline; returns it with `PIPELINE_FIELDS`.
    pub async fn create(self, app: &TestApp) -> Value {
        let mutation = format!(
            "mutation($input: CreatePipelineInput!) {{ createPipeline(input: $input) {{ pipeline {{ {PIPELINE_FIELDS} }} }} }}"
        );
        self.draft
            .create(app, &mutation, "createPipeline", "pipeline")
            .await
    }
}

/// A stage of `PipelineBuilder::stages`: open unless made with `won` or `lost`.
#[derive(Clone, Debug)]
pub struct Stage(Map<String, Value>);

impl Stage {
    /// An open stage (the kind is left to the default).
    pub fn new(name: impl Into<String>) -> Stage {
        let mut stage = Map::new();
        stage.insert("name".into(), json!(name.into()));
        Stage(stage)
    }

    pub fn won(name: &str) -> Stage {
        Stage::new(name).kind("WON")
    }

    pub fn lost(name: &str) -> Stage {
        Stage::new(name).kind("LOST")
    }

    /// A stage key (a slug such as `proposal`), for `stageKey` lookups.
    pub fn key(mut self, key: &str) -> Stage {
        self.0.insert("key".into(), json!(key));
        self
    }

    pub fn probability(mut self, probability: &str) -> Stage {
        self.0.insert("probability".into(), json!(probability));
        self
    }

    fn kind(mut self, kind: &str) -> Stage {
        self.0.insert("kind".into(), json!(kind));
        self
    }
}

/// A created pipeline's stage ids, in order.
pub fn stage_ids(pipeline: &Value) -> Vec<String> {
    pipeline["stages"]
        .as_array()
        .unwrap_or_else(|| panic!("no stages in {pipeline}"))
        .iter()
        .map(|s| s["id"].as_str().expect("a stage id").to_owned())
        .collect()
}
