//! `LeadBuilder`: a lead, as a website form or a script would create it.

use serde_json::Value;

use super::Draft;
use crate::support::TestApp;

/// What a created lead holds; lead tests read the same fields from updates.
pub const LEAD_FIELDS: &str = "id name email phone title companyName website source status score ownerId tags customFields qualifiedAt disqualifiedAt disqualifiedReason convertedAt lastActivityAt version createdAt updatedAt";

/// `LeadBuilder::new("Priya").email("priya@x.io").source("WEBSITE").create(&app)`.
#[derive(Clone, Debug)]
pub struct LeadBuilder {
    draft: Draft,
}

impl LeadBuilder {
    pub fn new(name: &str) -> LeadBuilder {
        LeadBuilder {
            draft: Draft::new("name", name),
        }
    }

    pub fn email(self, email: &str) -> LeadBuilder {
        self.set("email", email)
    }

    pub fn phone(self, phone: &str) -> LeadBuilder {
        self.set("phone", phone)
    }

    pub fn title(self, title: &str) -> LeadBuilder {
        self.set("title", title)
    }

    pub fn website(self, website: &str) -> LeadBuilder {
        self.set("website", website)
    }

    pub fn company_name(self, name: &str) -> LeadBuilder {
        self.set("companyName", name)
    }

    /// A `LeadSource` name: `WEBSITE`, `REFERRAL`, …
    pub fn source(self, source: &str) -> LeadBuilder {
        self.set("source", source)
    }

    pub fn score(self, score: i64) -> LeadBuilder {
        self.set("score", score)
    }

    pub fn owner(self, owner_id: &str) -> LeadBuilder {
        self.set("ownerId", owner_id)
    }

    pub fn tags(self, tags: &[&str]) -> LeadBuilder {
        self.set("tags", tags)
    }

    pub fn custom_fields(self, fields: Value) -> LeadBuilder {
        self.set("customFields", fields)
    }

    /// Writes with `key` (say, another workspace's admin key) instead of the app's admin key.
    pub fn with_key(mut self, key: &str) -> LeadBuilder {
        self.draft = self.draft.with_key(key);
        self
    }

    /// Creates the lead; returns it with `LEAD_FIELDS`.
    pub async fn create(self, app: &TestApp) -> Value {
        let mutation = format!(
            "mutation($input: CreateLeadInput!) {{ createLead(input: $input) {{ lead {{ {LEAD_FIELDS} }} }} }}"
        );
        self.draft
            .create(app, &mutation, "createLead", "lead")
            .await
    }

    fn set(mut self, field: &str, value: impl Into<Value>) -> LeadBuilder {
        self.draft = self.draft.set(field, value);
        self
    }
}
