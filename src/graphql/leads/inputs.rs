//! Mutation inputs of the lead API, and their mapping onto the domain's inputs (absent →
//! unchanged, null → cleared).

use async_graphql::{InputObject, Json, MaybeUndefined, ID};
use serde_json::Value;

use super::types::LeadSourceGql;
use crate::error::AppError;
use crate::graphql::mutation::{DescribedMutationOptions, MutationOptions, Update};
use crate::graphql::patch;
use crate::leads::ops::{LeadInput, LeadPatch};
use crate::write::WriteOptions;

#[derive(InputObject)]
pub struct CreateLeadInput {
    /// 1–200 characters.
    pub name: String,
    /// Unique among the workspace's open leads, without regard to case.
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub company_name: Option<String>,
    pub website: Option<String>,
    /// MANUAL when absent.
    pub source: Option<LeadSourceGql>,
    /// 0 to 100; 0 when absent.
    pub score: Option<i32>,
    pub owner_id: Option<String>,
    pub tags: Option<Vec<String>>,
    /// A JSON object.
    pub custom_fields: Option<Json<Value>>,
    #[graphql(flatten)]
    pub options: DescribedMutationOptions,
}

impl CreateLeadInput {
    pub fn into_parts(self) -> (LeadInput, WriteOptions) {
        let input = LeadInput {
            name: self.name,
            email: self.email,
            phone: self.phone,
            title: self.title,
            company_name: self.company_name,
            website: self.website,
            source: self.source.map(Into::into),
            score: self.score,
            owner_id: self.owner_id,
            tags: self.tags,
            custom_fields: self.custom_fields.map(|json| json.0),
        };
        (input, self.options.into())
    }
}

/// A partial update: fields left out stay as they are, fields set to null are cleared. The
/// status changes only through `qualifyLead`, `disqualifyLead`, `reopenLead` and
/// `convertLead`, which keep its history. A converted lead refuses any update (CONFLICT).
#[derive(InputObject)]
pub struct UpdateLeadInput {
    pub id: ID,
    /// Refuse the update (STALE_OBJECT) unless the lead still has this version.
    pub expected_version: Option<i32>,
    pub name: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    pub title: MaybeUndefined<String>,
    pub company_name: MaybeUndefined<String>,
    pub website: MaybeUndefined<String>,
    pub source: MaybeUndefined<LeadSourceGql>,
    /// Null sets 0.
    pub score: MaybeUndefined<i32>,
    pub owner_id: MaybeUndefined<String>,
    pub tags: MaybeUndefined<Vec<String>>,
    pub custom_fields: MaybeUndefined<Json<Value>>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl UpdateLeadInput {
    pub fn into_parts(self) -> Result<Update<LeadPatch>, AppError> {
        let patch = LeadPatch {
            name: patch(self.name),
            email: patch(self.email),
            phone: patch(self.phone),
            title: patch(self.title),
            company_name: patch(self.company_name),
            website: patch(self.website),
            source: patch(self.source).map(Into::into),
            score: patch(self.score),
            owner_id: patch(self.owner_id),
            tags: patch(self.tags),
            custom_fields: patch(self.custom_fields).map(|json| json.0),
        };
        Update::of(&self.id, self.expected_version, patch, self.options)
    }
}

#[derive(InputObject)]
pub struct DeleteLeadInput {
    pub id: ID,
    /// Refuse the delete (STALE_OBJECT) unless the lead still has this version.
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

/// `qualifyLead` and `reopenLead`: the lead, and why (kept in its history).
#[derive(InputObject)]
pub struct LeadStatusInput {
    pub id: ID,
    /// Refuse (STALE_OBJECT) unless the lead still has this version.
    pub expected_version: Option<i32>,
    /// Up to 1,000 characters, kept in the lead's status history.
    pub reason: Option<String>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct DisqualifyLeadInput {
    pub id: ID,
    /// Refuse (STALE_OBJECT) unless the lead still has this version.
    pub expected_version: Option<i32>,
    /// Why the lead is not a fit (required, up to 1,000 characters).
    pub reason: String,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

/// What every status change takes, whichever mutation asked for it.
pub struct StatusRequest {
    pub id: ID,
    pub expected_version: Option<i32>,
    pub reason: Option<String>,
    pub options: MutationOptions,
}

impl From<LeadStatusInput> for StatusRequest {
    fn from(input: LeadStatusInput) -> Self {
        StatusRequest {
            id: input.id,
            expected_version: input.expected_version,
            reason: input.reason,
            options: input.options,
        }
    }
}

impl From<DisqualifyLeadInput> for StatusRequest {
    fn from(input: DisqualifyLeadInput) -> Self {
        StatusRequest {
            id: input.id,
            expected_version: input.expected_version,
            reason: Some(input.reason),
            options: input.options,
        }
    }
}

#[derive(InputObject)]
pub struct AssignLeadInput {
    pub id: ID,
    /// Refuse (STALE_OBJECT) unless the lead still has this version.
    pub expected_version: Option<i32>,
    /// The new owner; null leaves the lead unowned.
    pub owner_id: Option<String>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}
