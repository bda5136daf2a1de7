//! `ActivityBuilder`: an activity logged about a contact, a company, a deal or a lead.

use serde_json::Value;

use super::{Draft, Id};
use crate::support::TestApp;

/// What a logged activity holds; activity tests read the same fields from updates.
pub const ACTIVITY_FIELDS: &str = "id type subject body occurredAt metadata createdBy contactId companyId dealId leadId version createdAt updatedAt";

/// `ActivityBuilder::call().deal(&id).occurred_at("2026-11-30T10:00:00Z").create(&app)`.
#[derive(Clone, Debug)]
pub struct ActivityBuilder {
    draft: Draft,
}

impl ActivityBuilder {
    /// An activity of `activity_type` (`NOTE`, `CALL`, `EMAIL`, `MEETING`, `OTHER`).
    pub fn new(activity_type: &str) -> ActivityBuilder {
        ActivityBuilder {
            draft: Draft::new("type", activity_type),
        }
    }

    pub fn note() -> ActivityBuilder {
        Self::new("NOTE")
    }

    pub fn call() -> ActivityBuilder {
        Self::new("CALL")
    }

    pub fn subject(self, subject: &str) -> ActivityBuilder {
        self.set("subject", subject)
    }

    pub fn body(self, body: &str) -> ActivityBuilder {
        self.set("body", body)
    }

    /// An RFC 3339 time.
    pub fn occurred_at(self, at: &str) -> ActivityBuilder {
        self.set("occurredAt", at)
    }

    pub fn contact(self, id: &(impl Id + ?Sized)) -> ActivityBuilder {
        self.set("contactId", id.to_id())
    }

    pub fn company(self, id: &(impl Id + ?Sized)) -> ActivityBuilder {
        self.set("companyId", id.to_id())
    }

    pub fn deal(self, id: &(impl Id + ?Sized)) -> ActivityBuilder {
        self.set("dealId", id.to_id())
    }

    pub fn lead(self, id: &(impl Id + ?Sized)) -> ActivityBuilder {
        self.set("leadId", id.to_id())
    }

    /// Logs the activity; returns it with `ACTIVITY_FIELDS`.
    pub async fn create(self, app: &TestApp) -> Value {
        let mutation = format!(
            "mutation($input: LogActivityInput!) {{ logActivity(input: $input) {{ activity {{ {ACTIVITY_FIELDS} }} }} }}"
        );
        self.draft
            .create(app, &mutation, "logActivity", "activity")
            .await
    }

    fn set(mut self, field: &str, value: impl Into<Value>) -> ActivityBuilder {
        self.draft = self.draft.set(field, value);
        self
    }
}
