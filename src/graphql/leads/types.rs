//! The `Lead` output type, its enums and the mutation payloads.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, Json, SimpleObject, ID};
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::loaders::LeadStatusChangesLoader;
use crate::graphql::loaders;
use crate::leads::model::LeadStatusChange;
use crate::leads::ops::StatusChanged;
use crate::write::WriteResult;

use crate::contacts::rules::tag_list;
use crate::graphql::enums::same_enum;
use crate::graphql::linked::linked_record;
use crate::graphql::mutation::{record_payload, DescribedWriteOutcome, WriteOutcome};
use crate::graphql::pagination::ConnectionFields;
use crate::leads::model::Lead;
use crate::leads::rules::{LeadSource, LeadStatus};

pub type LeadConnection = Connection<String, LeadGql, ConnectionFields>;

/// Where a lead came from.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "LeadSource")]
pub enum LeadSourceGql {
    /// Entered by hand.
    Manual,
    /// A form on your website.
    Website,
    Referral,
    Campaign,
    Import,
    /// Created by a script through the API.
    Api,
    /// Created by an AI agent through the MCP tools.
    Mcp,
    Other,
}

/// Where a lead is in its lifecycle.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
#[graphql(name = "LeadStatus")]
pub enum LeadStatusGql {
    /// Not yet worked.
    #[default]
    New,
    /// Being worked: contacted, in conversation.
    Working,
    /// Worth converting.
    Qualified,
    /// Not a fit; `disqualifiedReason` says why.
    Disqualified,
    /// Converted into a contact (and company and deal); read-only from then on.
    Converted,
}

same_enum!(
    LeadSourceGql,
    LeadSource,
    [Manual, Website, Referral, Campaign, Import, Api, Mcp, Other]
);
same_enum!(
    LeadStatusGql,
    LeadStatus,
    [New, Working, Qualified, Disqualified, Converted]
);

/// A person who may become a customer, before they are a contact.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Lead", complex)]
pub struct LeadGql {
    #[graphql(owned)]
    pub id: ID,
    pub name: String,
    /// Unique among the workspace's open leads (not converted or disqualified), without
    /// regard to case.
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The job title.
    pub title: Option<String>,
    /// The organisation they named; conversion finds or creates the company.
    pub company_name: Option<String>,
    pub website: Option<String>,
    pub source: LeadSourceGql,
    pub status: LeadStatusGql,
    /// 0 to 100.
    pub score: i32,
    /// Who works the lead: a free-form user id of your identity system.
    pub owner_id: Option<String>,
    pub tags: Vec<String>,
    /// Your own fields, as a JSON object.
    pub custom_fields: Json<Value>,
    pub qualified_at: Option<DateTime<Utc>>,
    pub disqualified_at: Option<DateTime<Utc>>,
    pub disqualified_reason: Option<String>,
    pub converted_at: Option<DateTime<Utc>>,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; pass it as `expectedVersion` to update safely.
    pub version: i32,
    #[graphql(skip)]
    pub uuid: Uuid,
}

linked_record! {
    #[async_graphql::ComplexObject]
    impl LeadGql (uuid) {
        timeline: Lead, tasks: Lead, activities: Lead;

        /// Every status change, oldest first: a chain where each change's `fromStatus` is the
        /// previous one's `toStatus` (the first starts from NEW).
        async fn status_changes(
            &self,
            ctx: &Context<'_>,
        ) -> async_graphql::Result<Vec<LeadStatusChangeGql>> {
            let changes = loaders::get::<LeadStatusChangesLoader>(ctx)?
                .load_one(self.uuid)
                .await?
                .unwrap_or_default();
            Ok(changes.into_iter().map(LeadStatusChangeGql::from).collect())
        }

        /// The record of the lead's conversion: what it became, why, by whom and when; null
        /// unless the lead is CONVERTED.
        async fn conversion(
            &self,
            ctx: &Context<'_>,
        ) -> async_graphql::Result<Option<super::conversion::LeadConversionGql>> {
            super::conversion::conversion_of(ctx, self.uuid).await
        }
    }
}

/// One change of a lead's status.
#[derive(SimpleObject, Clone)]
#[graphql(name = "LeadStatusChange")]
pub struct LeadStatusChangeGql {
    pub id: ID,
    /// 1 for the lead's first change, then one more for each.
    pub sequence: i32,
    pub from_status: LeadStatusGql,
    pub to_status: LeadStatusGql,
    pub reason: Option<String>,
    /// The API key that made the change.
    pub actor_key_id: ID,
    pub changed_at: DateTime<Utc>,
}

impl From<LeadStatusChange> for LeadStatusChangeGql {
    fn from(row: LeadStatusChange) -> Self {
        let status = |s: &str| LeadStatus::parse(s).unwrap_or_default().into();
        Self {
            id: ID(row.id.to_string()),
            sequence: row.sequence,
            from_status: status(&row.from_status),
            to_status: status(&row.to_status),
            reason: row.reason,
            actor_key_id: ID(row.actor_key_id.to_string()),
            changed_at: row.changed_at,
        }
    }
}

impl From<Lead> for LeadGql {
    fn from(row: Lead) -> Self {
        Self::from_row(row)
    }
}

loaders::from_shared_row!(LeadGql: Lead);

impl LeadGql {
    pub fn from_row(row: Lead) -> Self {
        Self {
            id: ID(row.id.to_string()),
            uuid: row.id,
            source: row.source().into(),
            status: row.status().into(),
            tags: tag_list(&row.tags),
            name: row.name,
            email: row.email,
            phone: row.phone,
            title: row.title,
            company_name: row.company_name,
            website: row.website,
            score: row.score,
            owner_id: row.owner_id,
            custom_fields: Json(row.custom_fields.into_value()),
            qualified_at: row.qualified_at,
            disqualified_at: row.disqualified_at,
            disqualified_reason: row.disqualified_reason,
            converted_at: row.converted_at,
            last_activity_at: row.last_activity_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

#[derive(SimpleObject)]
pub struct CreateLeadPayload {
    pub lead: LeadGql,
    #[graphql(flatten)]
    pub outcome: DescribedWriteOutcome,
}

#[derive(SimpleObject)]
pub struct UpdateLeadPayload {
    pub lead: LeadGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct DeleteLeadPayload {
    /// The lead as it was before it was deleted.
    pub lead: LeadGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

/// What `qualifyLead`, `disqualifyLead` and `reopenLead` did.
#[derive(SimpleObject)]
pub struct LeadStatusPayload {
    pub lead: LeadGql,
    /// The change added to the lead's history (as it would be, for a dry run).
    pub status_change: LeadStatusChangeGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

impl From<WriteResult<StatusChanged>> for LeadStatusPayload {
    fn from(result: WriteResult<StatusChanged>) -> Self {
        LeadStatusPayload {
            outcome: (&result).into(),
            lead: result.value.lead.into(),
            status_change: result.value.change.into(),
        }
    }
}

#[derive(SimpleObject)]
pub struct AssignLeadPayload {
    pub lead: LeadGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

record_payload!(
    AssignLeadPayload { lead: Lead },
    CreateLeadPayload { lead: Lead },
    UpdateLeadPayload { lead: Lead },
    DeleteLeadPayload { lead: Lead },
);
