//! `ContactBuilder`: a person, optionally at a company.

use serde_json::Value;

use super::{id_of, Draft, Id};
use crate::support::TestApp;

/// What a created contact holds; contact tests read the same fields from updates.
pub const CONTACT_FIELDS: &str = "id name firstName lastName email phone title companyId lifecycleStage leadScore ownerId tags customFields lastActivityAt version createdAt updatedAt company { id name }";

/// `ContactBuilder::new("Ada").email("ada@x.io").company(&id).with_key(&key).create(&app)`.
#[derive(Clone, Debug)]
pub struct ContactBuilder {
    draft: Draft,
}

impl ContactBuilder {
    pub fn new(name: &str) -> ContactBuilder {
        ContactBuilder {
            draft: Draft::new("name", name),
        }
    }

    /// A contact given by first and last name only; the API composes `name`.
    pub fn first_last(first_name: &str, last_name: &str) -> ContactBuilder {
        ContactBuilder {
            draft: Draft::new("firstName", first_name).set("lastName", last_name),
        }
    }

    pub fn email(self, email: &str) -> ContactBuilder {
        self.set("email", email)
    }

    pub fn phone(self, phone: &str) -> ContactBuilder {
        self.set("phone", phone)
    }

    pub fn title(self, title: &str) -> ContactBuilder {
        self.set("title", title)
    }

    pub fn company(self, id: &(impl Id + ?Sized)) -> ContactBuilder {
        self.set("companyId", id.to_id())
    }

    /// A `LifecycleStage` name: `LEAD`, `MQL`, `CUSTOMER`, …
    pub fn lifecycle_stage(self, stage: &str) -> ContactBuilder {
        self.set("lifecycleStage", stage)
    }

    pub fn lead_score(self, score: i64) -> ContactBuilder {
        self.set("leadScore", score)
    }

    pub fn owner(self, owner_id: &str) -> ContactBuilder {
        self.set("ownerId", owner_id)
    }

    pub fn tags(self, tags: &[&str]) -> ContactBuilder {
        self.set("tags", tags)
    }

    pub fn custom_fields(self, fields: Value) -> ContactBuilder {
        self.set("customFields", fields)
    }

    /// Writes with `key` (say, another workspace's admin key) instead of the app's admin key.
    pub fn with_key(mut self, key: &str) -> ContactBuilder {
        self.draft = self.draft.with_key(key);
        self
    }

    /// Creates the contact; returns it with `CONTACT_FIELDS`.
    pub async fn create(self, app: &TestApp) -> Value {
        let mutation = format!(
            "mutation($input: CreateContactInput!) {{ createContact(input: $input) {{ contact {{ {CONTACT_FIELDS} }} }} }}"
        );
        self.draft
            .create(app, &mutation, "createContact", "contact")
            .await
    }

    /// Creates the contact; returns its id.
    pub async fn create_id(self, app: &TestApp) -> String {
        id_of(&self.create(app).await)
    }

    fn set(mut self, field: &str, value: impl Into<Value>) -> ContactBuilder {
        self.draft = self.draft.set(field, value);
        self
    }
}
