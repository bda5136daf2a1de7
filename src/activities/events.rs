//! The events activities publish, declared once: their names and payloads. (`activity.updated`
//! carries the write layer's `RecordUpdated`.)

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::model::Activity;
use crate::events::EventKind;

pub const ACTIVITY_LOGGED: EventKind = EventKind::new("activity.logged", "activity");
pub const ACTIVITY_UPDATED: EventKind = EventKind::new("activity.updated", "activity");
pub const ACTIVITY_DELETED: EventKind = EventKind::new("activity.deleted", "activity");

/// Every event of the domain, in the order the API lists them.
pub const KINDS: &[EventKind] = &[ACTIVITY_LOGGED, ACTIVITY_UPDATED, ACTIVITY_DELETED];

/// The payload of `activity.logged` and `activity.deleted`: which activity, of what kind,
/// when, and what it is about.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityIdentity<'a> {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub activity_type: &'a str,
    pub subject: Option<&'a str>,
    pub occurred_at: DateTime<Utc>,
    pub contact_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub created_by: Uuid,
}

impl<'a> From<&'a Activity> for ActivityIdentity<'a> {
    fn from(activity: &'a Activity) -> Self {
        ActivityIdentity {
            id: activity.id,
            activity_type: &activity.activity_type,
            subject: activity.subject.as_deref(),
            occurred_at: activity.occurred_at,
            contact_id: activity.contact_id,
            company_id: activity.company_id,
            deal_id: activity.deal_id,
            lead_id: activity.lead_id,
            created_by: activity.created_by,
        }
    }
}
