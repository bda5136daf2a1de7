//! Mutation inputs of the contact and company API, and their mapping onto the domain's
//! inputs (absent → unchanged, null → cleared).

use async_graphql::{InputObject, Json, MaybeUndefined, ID};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::types::LifecycleStageGql;
use crate::contacts::ops::{CompanyInput, CompanyPatch, ContactInput, ContactPatch};
use crate::error::AppError;
use crate::graphql::mutation::{DescribedMutationOptions, MutationOptions, Update};
use crate::graphql::{optional_id, patch, patched_id};
use crate::write::WriteOptions;

#[derive(InputObject)]
pub struct CreateContactInput {
    /// 1–200 characters; built from firstName and lastName when absent.
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Unique in the workspace, without regard to case.
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    /// A company of this workspace.
    pub company_id: Option<ID>,
    /// LEAD when absent.
    pub lifecycle_stage: Option<LifecycleStageGql>,
    /// 0 to 1000.
    pub lead_score: Option<i32>,
    pub owner_id: Option<String>,
    pub tags: Option<Vec<String>>,
    /// A JSON object.
    pub custom_fields: Option<Json<Value>>,
    pub last_activity_at: Option<DateTime<Utc>>,
    #[graphql(flatten)]
    pub options: DescribedMutationOptions,
}

impl CreateContactInput {
    pub fn into_parts(self) -> Result<(ContactInput, WriteOptions), AppError> {
        let input = ContactInput {
            name: self.name,
            first_name: self.first_name,
            last_name: self.last_name,
            email: self.email,
            phone: self.phone,
            title: self.title,
            company_id: optional_id(self.company_id, "input.companyId")?,
            lifecycle_stage: self.lifecycle_stage.map(Into::into),
            lead_score: self.lead_score,
            owner_id: self.owner_id,
            tags: self.tags,
            custom_fields: self.custom_fields.map(|json| json.0),
            last_activity_at: self.last_activity_at,
        };
        Ok((input, self.options.into()))
    }
}

/// A partial update: fields left out stay as they are, fields set to null are cleared.
#[derive(InputObject)]
pub struct UpdateContactInput {
    pub id: ID,
    /// Refuse the update (STALE_OBJECT) unless the contact still has this version.
    pub expected_version: Option<i32>,
    /// Null builds the name from firstName and lastName again.
    pub name: MaybeUndefined<String>,
    pub first_name: MaybeUndefined<String>,
    pub last_name: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    pub title: MaybeUndefined<String>,
    pub company_id: MaybeUndefined<ID>,
    pub lifecycle_stage: MaybeUndefined<LifecycleStageGql>,
    pub lead_score: MaybeUndefined<i32>,
    pub owner_id: MaybeUndefined<String>,
    pub tags: MaybeUndefined<Vec<String>>,
    pub custom_fields: MaybeUndefined<Json<Value>>,
    pub last_activity_at: MaybeUndefined<DateTime<Utc>>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl UpdateContactInput {
    pub fn into_parts(self) -> Result<Update<ContactPatch>, AppError> {
        let patch = ContactPatch {
            name: patch(self.name),
            first_name: patch(self.first_name),
            last_name: patch(self.last_name),
            email: patch(self.email),
            phone: patch(self.phone),
            title: patch(self.title),
            company_id: patched_id(self.company_id, "input.companyId")?,
            lifecycle_stage: patch(self.lifecycle_stage).map(Into::into),
            lead_score: patch(self.lead_score),
            owner_id: patch(self.owner_id),
            tags: patch(self.tags),
            custom_fields: patch(self.custom_fields).map(|json| json.0),
            last_activity_at: patch(self.last_activity_at),
        };
        Update::of(&self.id, self.expected_version, patch, self.options)
    }
}

#[derive(InputObject)]
pub struct DeleteContactInput {
    pub id: ID,
    /// Refuse the delete (STALE_OBJECT) unless the contact still has this version.
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct CreateCompanyInput {
    /// 1–200 characters.
    pub name: String,
    /// Normalised: "https://www.Acme.com/about" is stored as "acme.com". Unique in the
    /// workspace.
    pub domain: Option<String>,
    pub website: Option<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. "DE".
    pub country: Option<String>,
    pub city: Option<String>,
    pub icp_tier: Option<String>,
    /// False when absent.
    pub is_target_account: Option<bool>,
    pub owner_id: Option<String>,
    pub tags: Option<Vec<String>>,
    /// A JSON object.
    pub custom_fields: Option<Json<Value>>,
    #[graphql(flatten)]
    pub options: DescribedMutationOptions,
}

impl CreateCompanyInput {
    pub fn into_parts(self) -> (CompanyInput, WriteOptions) {
        let input = CompanyInput {
            name: self.name,
            domain: self.domain,
            website: self.website,
            industry: self.industry,
            size: self.size,
            country: self.country,
            city: self.city,
            icp_tier: self.icp_tier,
            is_target_account: self.is_target_account,
            owner_id: self.owner_id,
            tags: self.tags,
            custom_fields: self.custom_fields.map(|json| json.0),
        };
        (input, self.options.into())
    }
}

/// A partial update: fields left out stay as they are, fields set to null are cleared.
#[derive(InputObject)]
pub struct UpdateCompanyInput {
    pub id: ID,
    /// Refuse the update (STALE_OBJECT) unless the company still has this version.
    pub expected_version: Option<i32>,
    pub name: MaybeUndefined<String>,
    pub domain: MaybeUndefined<String>,
    pub website: MaybeUndefined<String>,
    pub industry: MaybeUndefined<String>,
    pub size: MaybeUndefined<String>,
    pub country: MaybeUndefined<String>,
    pub city: MaybeUndefined<String>,
    pub icp_tier: MaybeUndefined<String>,
    pub is_target_account: MaybeUndefined<bool>,
    pub owner_id: MaybeUndefined<String>,
    pub tags: MaybeUndefined<Vec<String>>,
    pub custom_fields: MaybeUndefined<Json<Value>>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl UpdateCompanyInput {
    pub fn into_parts(self) -> Result<Update<CompanyPatch>, AppError> {
        let patch = CompanyPatch {
            name: patch(self.name),
            domain: patch(self.domain),
            website: patch(self.website),
            industry: patch(self.industry),
            size: patch(self.size),
            country: patch(self.country),
            city: patch(self.city),
            icp_tier: patch(self.icp_tier),
            is_target_account: patch(self.is_target_account),
            owner_id: patch(self.owner_id),
            tags: patch(self.tags),
            custom_fields: patch(self.custom_fields).map(|json| json.0),
        };
        Update::of(&self.id, self.expected_version, patch, self.options)
    }
}

#[derive(InputObject)]
pub struct DeleteCompanyInput {
    pub id: ID,
    /// Refuse the delete (STALE_OBJECT) unless the company still has this version.
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}
