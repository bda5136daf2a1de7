//! Inputs of the activity API, and their mapping onto the domain's (absent → unchanged,
//! null → cleared).

use async_graphql::{InputObject, Json, MaybeUndefined, ID};
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::links::{link_ids, LinkIdChanges, LinkIds};
use super::types::ActivityTypeGql;
use crate::activities::model::ActivityFilter;
use crate::activities::ops::{ActivityInput, ActivityPatch};
use crate::error::AppError;
use crate::graphql::mutation::{MutationOptions, Update};
use crate::graphql::patch;
use crate::write::WriteOptions;

#[derive(InputObject)]
pub struct LogActivityInput {
    #[graphql(name = "type")]
    pub activity_type: ActivityTypeGql,
    /// Up to 500 characters.
    pub subject: Option<String>,
    /// Up to 64 KiB of UTF-8, kept as written.
    pub body: Option<String>,
    /// When it happened; now when absent. May be in the past (a call logged afterwards).
    pub occurred_at: Option<DateTime<Utc>>,
    /// A JSON object (not an array or a scalar).
    pub metadata: Option<Json<Value>>,
    /// At least one of contactId, companyId, dealId, leadId.
    pub contact_id: Option<ID>,
    pub company_id: Option<ID>,
    pub deal_id: Option<ID>,
    pub lead_id: Option<ID>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl LogActivityInput {
    pub fn into_parts(self) -> Result<(ActivityInput, WriteOptions), AppError> {
        let links = link_ids(
            [
                &self.contact_id,
                &self.company_id,
                &self.deal_id,
                &self.lead_id,
            ],
            "input",
        )?;
        let input = ActivityInput {
            activity_type: self.activity_type.into(),
            subject: self.subject,
            body: self.body,
            occurred_at: self.occurred_at,
            metadata: self.metadata.map(|json| json.0),
            links,
            created_by: Uuid::nil(),
        };
        Ok((input, self.options.into()))
    }
}

/// A partial update: fields left out stay as they are, fields set to null are cleared. The
/// activity must keep at least one link.
#[derive(InputObject)]
pub struct UpdateActivityInput {
    pub id: ID,
    /// Refuse the update (STALE_OBJECT) unless the activity still has this version.
    pub expected_version: Option<i32>,
    #[graphql(name = "type")]
    pub activity_type: Option<ActivityTypeGql>,
    pub subject: MaybeUndefined<String>,
    pub body: MaybeUndefined<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    /// Null empties it.
    pub metadata: MaybeUndefined<Json<Value>>,
    #[graphql(flatten)]
    pub links: LinkIdChanges,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl UpdateActivityInput {
    pub fn into_parts(self) -> Result<Update<ActivityPatch>, AppError> {
        let patch = ActivityPatch {
            activity_type: self.activity_type.map(Into::into),
            subject: patch(self.subject),
            body: patch(self.body),
            occurred_at: self.occurred_at,
            metadata: patch(self.metadata).map(|json| json.0),
            links: self.links.parse()?,
        };
        Update::of(&self.id, self.expected_version, patch, self.options)
    }
}

#[derive(InputObject)]
pub struct DeleteActivityInput {
    pub id: ID,
    /// Refuse the delete (STALE_OBJECT) unless the activity still has this version.
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

/// Which activities to list; every field given narrows the list.
#[derive(InputObject, Default)]
#[graphql(name = "ActivityFilter")]
pub struct ActivityFilterInput {
    #[graphql(flatten)]
    pub links: LinkIds,
    #[graphql(name = "type")]
    pub activity_type: Option<ActivityTypeGql>,
    /// Happened at or after this time.
    pub occurred_from: Option<DateTime<Utc>>,
    /// Happened before this time.
    pub occurred_to: Option<DateTime<Utc>>,
}

impl ActivityFilterInput {
    pub fn into_domain(self) -> Result<ActivityFilter, AppError> {
        Ok(ActivityFilter {
            links: self.links.parse("filter")?,
            activity_type: self.activity_type.map(Into::into),
            occurred_from: self.occurred_from,
            occurred_to: self.occurred_to,
        })
    }
}
