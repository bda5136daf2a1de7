//! The `Contact` and `Company` output types, the `LifecycleStage` enum and the mutation
//! payloads.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, Json, SimpleObject, ID};
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::loaders::{loader, CompanyContactsLoader, CompanyLoader};
use super::prefetch;
use crate::contacts::model::{Company, Contact};
use crate::contacts::rules::LifecycleStage;
use crate::graphql::cursor_key::Cursors;
use crate::graphql::enums::same_enum;
use crate::graphql::linked::linked_record;
use crate::graphql::mutation::{record_payload, DescribedWriteOutcome, WriteOutcome};
use crate::graphql::pagination::ConnectionFields;

pub type ContactConnection = Connection<String, ContactGql, ConnectionFields>;
pub type CompanyConnection = Connection<String, CompanyGql, ConnectionFields>;

/// Where a contact is in the funnel.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
#[graphql(name = "LifecycleStage")]
pub enum LifecycleStageGql {
    Subscriber,
    #[default]
    Lead,
    /// Marketing-qualified lead.
    Mql,
    /// Sales-qualified lead.
    Sql,
    Opportunity,
    Customer,
    Other,
}

same_enum!(
    LifecycleStageGql,
    LifecycleStage,
    [Subscriber, Lead, Mql, Sql, Opportunity, Customer, Other]
);

/// A contact as the API shows it: the loaders' shared row, read field by field, so a contact
/// on many deals of a board is never copied.
#[derive(Clone)]
pub struct ContactGql(pub Arc<Contact>);

crate::graphql::loaders::shared_row_gql!(ContactGql: Contact);

impl ContactGql {
    fn uuid(&self) -> Uuid {
        self.0.id
    }
}

linked_record! {
    /// A person: a lead, a champion, a buyer.
    #[async_graphql::Object(name = "Contact")]
    impl ContactGql (uuid()) {
        {
            pub async fn id(&self) -> ID {
                ID(self.0.id.to_string())
            }
            /// The display name; built from firstName and lastName when none was given.
            async fn name(&self) -> &str {
                &self.0.name
            }
            async fn first_name(&self) -> Option<&str> {
                self.0.first_name.as_deref()
            }
            async fn last_name(&self) -> Option<&str> {
                self.0.last_name.as_deref()
            }
            /// Unique in the workspace, compared without regard to case.
            async fn email(&self) -> Option<&str> {
                self.0.email.as_deref()
            }
            async fn phone(&self) -> Option<&str> {
                self.0.phone.as_deref()
            }
            /// The job title.
            async fn title(&self) -> Option<&str> {
                self.0.title.as_deref()
            }
            async fn company_id(&self) -> Option<ID> {
                self.0.company_id.map(|id| ID(id.to_string()))
            }
            async fn lifecycle_stage(&self) -> LifecycleStageGql {
                self.0.stage().into()
            }
            /// 0 to 1000.
            async fn lead_score(&self) -> Option<i32> {
                self.0.lead_score
            }
            /// Who owns the relationship: a free-form user id of your identity system.
            async fn owner_id(&self) -> Option<&str> {
                self.0.owner_id.as_deref()
            }
            async fn tags(&self) -> Vec<&str> {
                tag_names(&self.0.tags)
            }
            /// Your own fields, as a JSON object.
            async fn custom_fields(&self) -> Json<&Value> {
                Json(&self.0.custom_fields)
            }
            async fn last_activity_at(&self) -> Option<DateTime<Utc>> {
                self.0.last_activity_at
            }
            async fn created_at(&self) -> DateTime<Utc> {
                self.0.created_at
            }
            async fn updated_at(&self) -> DateTime<Utc> {
                self.0.updated_at
            }
            /// Increases with every update; pass it as `expectedVersion` to update safely.
            async fn version(&self) -> i32 {
                self.0.version
            }
        }
        invoices: Contact, timeline: Contact, tasks: Contact, activities: Contact;

        /// The company the contact works for.
        async fn company(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CompanyGql>> {
            crate::graphql::loaders::related(ctx, self.0.company_id, CompanyGql::from_row).await
        }

        /// The deals this contact is on, with their role in each.
        async fn deals(
            &self,
            ctx: &Context<'_>,
        ) -> async_graphql::Result<Vec<crate::graphql::deals::ContactDealGql>> {
            crate::graphql::deals::contact_deals(ctx, self.uuid()).await
        }
    }
}

/// A company as the API shows it: the loaders' shared row, read field by field (see
/// [`ContactGql`]).
#[derive(Clone)]
pub struct CompanyGql(pub Arc<Company>);

crate::graphql::loaders::shared_row_gql!(CompanyGql: Company);

impl CompanyGql {
    fn uuid(&self) -> Uuid {
        self.0.id
    }
}

linked_record! {
    /// An organisation behind deals and contacts.
    #[async_graphql::Object(name = "Company")]
    impl CompanyGql (uuid()) {
        {
            pub async fn id(&self) -> ID {
                ID(self.0.id.to_string())
            }
            async fn name(&self) -> &str {
                &self.0.name
            }
            /// Normalised ("acme.com"), unique in the workspace.
            async fn domain(&self) -> Option<&str> {
                self.0.domain.as_deref()
            }
            async fn website(&self) -> Option<&str> {
                self.0.website.as_deref()
            }
            async fn industry(&self) -> Option<&str> {
                self.0.industry.as_deref()
            }
            /// A size band, e.g. "51-200".
            async fn size(&self) -> Option<&str> {
                self.0.size.as_deref()
            }
            /// ISO 3166-1 alpha-2, e.g. "DE".
            async fn country(&self) -> Option<&str> {
                self.0.country.as_deref()
            }
            async fn city(&self) -> Option<&str> {
                self.0.city.as_deref()
            }
            /// Ideal-customer-profile tier, e.g. "A".
            async fn icp_tier(&self) -> Option<&str> {
                self.0.icp_tier.as_deref()
            }
            async fn is_target_account(&self) -> bool {
                self.0.is_target_account
            }
            /// Who owns the account: a free-form user id of your identity system.
            async fn owner_id(&self) -> Option<&str> {
                self.0.owner_id.as_deref()
            }
            async fn tags(&self) -> Vec<&str> {
                tag_names(&self.0.tags)
            }
            /// Your own fields, as a JSON object.
            async fn custom_fields(&self) -> Json<&Value> {
                Json(&self.0.custom_fields)
            }
            /// When the newest activity logged on the company happened.
            async fn last_activity_at(&self) -> Option<DateTime<Utc>> {
                self.0.last_activity_at
            }
            async fn created_at(&self) -> DateTime<Utc> {
                self.0.created_at
            }
            async fn updated_at(&self) -> DateTime<Utc> {
                self.0.updated_at
            }
            /// Increases with every update; pass it as `expectedVersion` to update safely.
            async fn version(&self) -> i32 {
                self.0.version
            }
        }
        invoices: Company, timeline: Company, activities: Company;

        /// The company's deals, most recently updated first (at most `first`, default 20, max 100).
        async fn deals(
            &self,
            ctx: &Context<'_>,
            first: Option<i32>,
        ) -> async_graphql::Result<Vec<crate::graphql::deals::DealGql>> {
            crate::graphql::deals::company_deals(ctx, self.uuid(), first).await
        }

        /// The people at this company, most recently updated first.
        async fn contacts(
            &self,
            ctx: &Context<'_>,
            first: Option<i32>,
            after: Option<String>,
        ) -> async_graphql::Result<ContactConnection> {
            let cursors = Cursors::of(ctx)?;
            let (page, key) = prefetch::company_contacts_page(cursors, self.uuid(), first, after)?;
            let look = ctx.look_ahead();
            let wants_company = [look.field("nodes"), look.field("edges").field("node")]
                .iter()
                .any(|node| node.field("company").exists());
            if wants_company {
                // Each contact listed here works for this very company.
                loader::<CompanyLoader>(ctx)?
                    .feed_one(self.uuid(), self.0.clone())
                    .await;
            }
            let listing = loader::<CompanyContactsLoader>(ctx)?
                .load_one(key)
                .await?
                .unwrap_or_default();
            Ok(page.connection(listing, ContactGql::from_row))
        }
    }
}

/// A record's tags as the API lists them (the column's array may hold NULLs; they are not tags).
fn tag_names(tags: &[Option<String>]) -> Vec<&str> {
    tags.iter().flatten().map(String::as_str).collect()
}

#[derive(SimpleObject)]
pub struct CreateContactPayload {
    pub contact: ContactGql,
    #[graphql(flatten)]
    pub outcome: DescribedWriteOutcome,
}

#[derive(SimpleObject)]
pub struct UpdateContactPayload {
    pub contact: ContactGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct DeleteContactPayload {
    /// The contact as it was before it was deleted.
    pub contact: ContactGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct CreateCompanyPayload {
    pub company: CompanyGql,
    #[graphql(flatten)]
    pub outcome: DescribedWriteOutcome,
}

#[derive(SimpleObject)]
pub struct UpdateCompanyPayload {
    pub company: CompanyGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct DeleteCompanyPayload {
    /// The company as it was before it was deleted.
    pub company: CompanyGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

record_payload!(
    CreateContactPayload { contact: Contact },
    UpdateContactPayload { contact: Contact },
    DeleteContactPayload { contact: Contact },
    CreateCompanyPayload { company: Company },
    UpdateCompanyPayload { company: Company },
    DeleteCompanyPayload { company: Company },
);
