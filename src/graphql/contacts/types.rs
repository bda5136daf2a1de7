//! The `Contact` and `Company` output types, the `LifecycleStage` enum and the mutation
//! payloads.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, Json, SimpleObject, ID};
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::loaders::{loader, CompanyContactsLoader, CompanyLoader};
use super::{prefetch, CONTACTS_LIST};
use crate::contacts::model::{Company, Contact};
use crate::contacts::rules::{tag_list, LifecycleStage};
use crate::graphql::cursor_key::Cursors;
use crate::graphql::enums::same_enum;
use crate::graphql::linked::linked_record;
use crate::graphql::mutation::{record_payload, DescribedWriteOutcome, WriteOutcome};
use crate::graphql::pagination::{connection, ConnectionFields};

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

/// A person: a lead, a champion, a buyer.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Contact", complex)]
pub struct ContactGql {
    #[graphql(owned)]
    pub id: ID,
    /// The display name; built from firstName and lastName when none was given.
    pub name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Unique in the workspace, compared without regard to case.
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The job title.
    pub title: Option<String>,
    pub company_id: Option<ID>,
    pub lifecycle_stage: LifecycleStageGql,
    /// 0 to 1000.
    pub lead_score: Option<i32>,
    /// Who owns the relationship: a free-form user id of your identity system.
    pub owner_id: Option<String>,
    pub tags: Vec<String>,
    /// Your own fields, as a JSON object.
    pub custom_fields: Json<Value>,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every update; pass it as `expectedVersion` to update safely.
    pub version: i32,
    /// The id, typed, for loaders.
    #[graphql(skip)]
    pub uuid: Uuid,
    #[graphql(skip)]
    pub company_uuid: Option<Uuid>,
}

impl ContactGql {
    pub fn from_row(row: Contact) -> Self {
        Self {
            id: ID(row.id.to_string()),
            lifecycle_stage: row.stage().into(),
            tags: tag_list(&row.tags),
            company_id: row.company_id.map(|id| ID(id.to_string())),
            uuid: row.id,
            company_uuid: row.company_id,
            name: row.name,
            first_name: row.first_name,
            last_name: row.last_name,
            email: row.email,
            phone: row.phone,
            title: row.title,
            lead_score: row.lead_score,
            owner_id: row.owner_id,
            custom_fields: Json(row.custom_fields),
            last_activity_at: row.last_activity_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

impl From<Contact> for ContactGql {
    fn from(row: Contact) -> Self {
        Self::from_row(row)
    }
}

linked_record! {
    impl ContactGql (uuid) {
        invoices: Contact, timeline: Contact, tasks: Contact, activities: Contact;

        /// The company the contact works for.
        async fn company(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CompanyGql>> {
            crate::graphql::loaders::related(ctx, self.company_uuid, CompanyGql::from_row).await
        }

        /// The deals this contact is on, with their role in each.
        async fn deals(
            &self,
            ctx: &Context<'_>,
        ) -> async_graphql::Result<Vec<crate::graphql::deals::ContactDealGql>> {
            crate::graphql::deals::contact_deals(ctx, self.uuid).await
        }
    }
}

/// An organisation behind deals and contacts.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Company", complex)]
pub struct CompanyGql {
    #[graphql(owned)]
    pub id: ID,
    pub name: String,
    /// Normalised ("acme.com"), unique in the workspace.
    pub domain: Option<String>,
    pub website: Option<String>,
    pub industry: Option<String>,
    /// A size band, e.g. "51-200".
    pub size: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. "DE".
    pub country: Option<String>,
    pub city: Option<String>,
    /// Ideal-customer-profile tier, e.g. "A".
    pub icp_tier: Option<String>,
    pub is_target_account: bool,
    /// Who owns the account: a free-form user id of your identity system.
    pub owner_id: Option<String>,
    pub tags: Vec<String>,
    /// Your own fields, as a JSON object.
    pub custom_fields: Json<Value>,
    /// When the newest activity logged on the company happened.
    pub last_activity_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every update; pass it as `expectedVersion` to update safely.
    pub version: i32,
    /// The id, typed, for loaders.
    #[graphql(skip)]
    pub uuid: Uuid,
    /// The row, for loaders (they cache rows); shared, as this type is cloned freely.
    #[graphql(skip)]
    pub row: Arc<Company>,
}

impl CompanyGql {
    pub fn from_row(row: Company) -> Self {
        Self {
            row: Arc::new(row.clone()),
            id: ID(row.id.to_string()),
            tags: tag_list(&row.tags),
            uuid: row.id,
            name: row.name,
            domain: row.domain,
            website: row.website,
            industry: row.industry,
            size: row.size,
            country: row.country,
            city: row.city,
            icp_tier: row.icp_tier,
            is_target_account: row.is_target_account,
            owner_id: row.owner_id,
            custom_fields: Json(row.custom_fields),
            last_activity_at: row.last_activity_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

impl From<Company> for CompanyGql {
    fn from(row: Company) -> Self {
        Self::from_row(row)
    }
}

linked_record! {
    impl CompanyGql (uuid) {
        invoices: Company, timeline: Company, activities: Company;

        /// The company's deals, most recently updated first (at most `first`, default 20, max 100).
        async fn deals(
            &self,
            ctx: &Context<'_>,
            first: Option<i32>,
        ) -> async_graphql::Result<Vec<crate::graphql::deals::DealGql>> {
            crate::graphql::deals::company_deals(ctx, self.uuid, first).await
        }

        /// The people at this company, most recently updated first.
        async fn contacts(
            &self,
            ctx: &Context<'_>,
            first: Option<i32>,
            after: Option<String>,
        ) -> async_graphql::Result<ContactConnection> {
            let cursors = Cursors::of(ctx)?;
            let (window, key) = prefetch::company_contacts_page(cursors, self.uuid, first, after)?;
            let look = ctx.look_ahead();
            let wants_company = [look.field("nodes"), look.field("edges").field("node")]
                .iter()
                .any(|node| node.field("company").exists());
            if wants_company {
                // Each contact listed here works for this very company.
                loader::<CompanyLoader>(ctx)?
                    .feed_one(self.uuid, Company::clone(&self.row))
                    .await;
            }
            let listing = loader::<CompanyContactsLoader>(ctx)?
                .load_one(key)
                .await?
                .unwrap_or_default();
            Ok(connection(
                cursors,
                CONTACTS_LIST,
                &window,
                listing,
                ContactGql::from_row,
            ))
        }
    }
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
