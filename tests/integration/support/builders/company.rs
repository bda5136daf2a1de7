//! `CompanyBuilder`: an organisation that contacts and deals belong to.

use serde_json::Value;

use super::{id_of, Draft};
use crate::support::TestApp;

/// What a created company holds; company tests read the same fields from updates.
pub const COMPANY_FIELDS: &str = "id name domain website industry size country city icpTier isTargetAccount ownerId tags customFields version createdAt updatedAt";

/// `CompanyBuilder::new("Acme").domain("acme.com").country("US").create(&app)`.
#[derive(Clone, Debug)]
pub struct CompanyBuilder {
    draft: Draft,
}

impl CompanyBuilder {
    pub fn new(name: &str) -> CompanyBuilder {
        CompanyBuilder {
            draft: Draft::new("name", name),
        }
    }

    /// As typed: the API normalises it (`https://www.Acme.com/x` → `acme.com`).
    pub fn domain(self, domain: &str) -> CompanyBuilder {
        self.set("domain", domain)
    }

    pub fn website(self, url: &str) -> CompanyBuilder {
        self.set("website", url)
    }

    pub fn industry(self, industry: &str) -> CompanyBuilder {
        self.set("industry", industry)
    }

    pub fn size(self, size: &str) -> CompanyBuilder {
        self.set("size", size)
    }

    /// An ISO 3166-1 alpha-2 code, in any case.
    pub fn country(self, country: &str) -> CompanyBuilder {
        self.set("country", country)
    }

    pub fn city(self, city: &str) -> CompanyBuilder {
        self.set("city", city)
    }

    pub fn icp_tier(self, tier: &str) -> CompanyBuilder {
        self.set("icpTier", tier)
    }

    pub fn target_account(self, is_target: bool) -> CompanyBuilder {
        self.set("isTargetAccount", is_target)
    }

    pub fn owner(self, owner_id: &str) -> CompanyBuilder {
        self.set("ownerId", owner_id)
    }

    pub fn tags(self, tags: &[&str]) -> CompanyBuilder {
        self.set("tags", tags)
    }

    pub fn custom_fields(self, fields: Value) -> CompanyBuilder {
        self.set("customFields", fields)
    }

    /// Writes with `key` (say, another workspace's admin key) instead of the app's admin key.
    pub fn with_key(mut self, key: &str) -> CompanyBuilder {
        self.draft = self.draft.with_key(key);
        self
    }

    /// Creates the company; returns it with `COMPANY_FIELDS`.
    pub async fn create(self, app: &TestApp) -> Value {
        let mutation = format!(
            "mutation($input: CreateCompanyInput!) {{ createCompany(input: $input) {{ company {{ {COMPANY_FIELDS} }} }} }}"
        );
        self.draft
            .create(app, &mutation, "createCompany", "company")
            .await
    }

    /// Creates the company; returns its id.
    pub async fn create_id(self, app: &TestApp) -> String {
        id_of(&self.create(app).await)
    }

    fn set(mut self, field: &str, value: impl Into<Value>) -> CompanyBuilder {
        self.draft = self.draft.set(field, value);
        self
    }
}
