//! `DealBuilder`: a deal in the default pipeline's first stage unless a stage is given.

use serde_json::Value;

use super::{id_of, Draft, Id};
use crate::support::TestApp;

/// What a created deal holds; deal tests read the same fields from moves and updates.
pub const DEAL_FIELDS: &str = "id title amount currency closeProbability closeProbabilityIsSet status wonAt lostAt lostReason version valuePeriod customFields expectedCloseDate stage { id name } pipeline { id }";

/// `DealBuilder::new("Acme renewal").amount("1200").currency("EUR").stage(&id).create(&app)`.
/// The workspace needs a pipeline first (`PipelineBuilder`).
#[derive(Clone, Debug)]
pub struct DealBuilder {
    draft: Draft,
}

impl DealBuilder {
    pub fn new(title: &str) -> DealBuilder {
        DealBuilder {
            draft: Draft::new("title", title),
        }
    }

    /// A decimal string, as the API takes money.
    pub fn amount(self, amount: &str) -> DealBuilder {
        self.set("amount", amount)
    }

    pub fn currency(self, currency: &str) -> DealBuilder {
        self.set("currency", currency)
    }

    pub fn stage(self, id: &(impl Id + ?Sized)) -> DealBuilder {
        self.set("stageId", id.to_id())
    }

    pub fn company(self, id: &(impl Id + ?Sized)) -> DealBuilder {
        self.set("companyId", id.to_id())
    }

    pub fn owner(self, owner_id: &str) -> DealBuilder {
        self.set("ownerId", owner_id)
    }

    /// The deal's own probability, instead of its stage's.
    pub fn close_probability(self, probability: &str) -> DealBuilder {
        self.set("closeProbability", probability)
    }

    /// A date (`2026-12-31`), or `None` to send an explicit null.
    pub fn expected_close_date<'a>(self, date: impl Into<Option<&'a str>>) -> DealBuilder {
        self.set("expectedCloseDate", date.into())
    }

    pub fn custom_fields(self, fields: Value) -> DealBuilder {
        self.set("customFields", fields)
    }

    /// Writes with `key` (say, another workspace's admin key) instead of the app's admin key.
    pub fn with_key(mut self, key: &str) -> DealBuilder {
        self.draft = self.draft.with_key(key);
        self
    }

    /// Creates the deal; returns it with `DEAL_FIELDS`.
    pub async fn create(self, app: &TestApp) -> Value {
        let mutation = format!(
            "mutation($input: CreateDealInput!) {{ createDeal(input: $input) {{ deal {{ {DEAL_FIELDS} }} }} }}"
        );
        self.draft
            .create(app, &mutation, "createDeal", "deal")
            .await
    }

    /// Creates the deal; returns its id.
    pub async fn create_id(self, app: &TestApp) -> String {
        id_of(&self.create(app).await)
    }

    fn set(mut self, field: &str, value: impl Into<Value>) -> DealBuilder {
        self.draft = self.draft.set(field, value);
        self
    }
}
