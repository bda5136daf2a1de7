//! Fixture builders, after crates.io's `CrateBuilder`: one line creates a pipeline, a deal, a
//! contact, a company or a lead through the public GraphQL API, so fixtures get every guarantee of the
//! write path and never depend on table layouts.
//!
//! `XBuilder::new(required).optional(…).with_key(&key).create(&app)` returns the created object
//! as JSON (the fields in `X_FIELDS`); `create_id` returns only its id. Without `with_key` the
//! app's admin key writes.

mod activity;
mod company;
mod contact;
mod deal;
mod invoice;
mod lead;
mod ledger;
mod pipeline;
mod rules;
mod task;

use serde_json::{json, Map, Value};

pub use activity::{ActivityBuilder, ACTIVITY_FIELDS};
pub use company::{CompanyBuilder, COMPANY_FIELDS};
pub use contact::{ContactBuilder, CONTACT_FIELDS};
pub use deal::{DealBuilder, DEAL_FIELDS};
pub use invoice::{InvoiceBuilder, INVOICE_FIELDS};
pub use lead::{LeadBuilder, LEAD_FIELDS};
pub use ledger::{account_ids, JournalEntryBuilder, JOURNAL_ENTRY_FIELDS};
pub use pipeline::{stage_ids, PipelineBuilder, Stage};
pub use rules::{RoutingRuleBuilder, ScoringRuleBuilder, ROUTING_RULE_FIELDS, SCORING_RULE_FIELDS};
pub use task::{TaskBuilder, TASK_FIELDS};

use crate::support::TestApp;

/// Whatever a test holds an id in: `&str`, `String`, a JSON value read from a response, a `Uuid`.
pub trait Id {
    fn to_id(&self) -> Value;
}

impl Id for str {
    fn to_id(&self) -> Value {
        json!(self)
    }
}

impl Id for String {
    fn to_id(&self) -> Value {
        json!(self)
    }
}

impl Id for Value {
    fn to_id(&self) -> Value {
        self.clone()
    }
}

impl Id for uuid::Uuid {
    fn to_id(&self) -> Value {
        json!(self)
    }
}

/// What every builder holds: the mutation's input so far and the key to write with.
#[derive(Clone, Debug, Default)]
struct Draft {
    input: Map<String, Value>,
    key: Option<String>,
}

impl Draft {
    fn new(field: &str, value: impl Into<Value>) -> Draft {
        Draft::default().set(field, value)
    }

    fn set(mut self, field: &str, value: impl Into<Value>) -> Draft {
        self.input.insert(field.to_owned(), value.into());
        self
    }

    fn with_key(mut self, key: &str) -> Draft {
        self.key = Some(key.to_owned());
        self
    }

    /// Runs `mutation` (taking `$input`), asserting it succeeded, and returns
    /// `data.<root>.<object>`.
    async fn create(self, app: &TestApp, mutation: &str, root: &str, object: &str) -> Value {
        let key = self.key.unwrap_or_else(|| app.admin_key.clone());
        let response = app
            .gql_as(&key, mutation, json!({ "input": self.input }))
            .await;
        response.data()[root][object].clone()
    }
}

/// The `id` of a created object, as a string.
fn id_of(object: &Value) -> String {
    object["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {object}"))
        .to_owned()
}
