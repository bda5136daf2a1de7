//! The events leads publish, declared once: their names and payloads. (`lead.updated`
//! carries the write layer's `RecordUpdated`.)

use serde::Serialize;
use uuid::Uuid;

use super::model::Lead;
use crate::events::EventKind;

pub const LEAD_CREATED: EventKind = EventKind::new("lead.created", "lead");
pub const LEAD_UPDATED: EventKind = EventKind::new("lead.updated", "lead");
pub const LEAD_DELETED: EventKind = EventKind::new("lead.deleted", "lead");

pub const LEAD_STATUS_CHANGED: EventKind = EventKind::new("lead.status_changed", "lead");
pub const LEAD_ASSIGNED: EventKind = EventKind::new("lead.assigned", "lead");
pub const LEAD_CONVERTED: EventKind = EventKind::new("lead.converted", "lead");

/// Every event of the domain, in the order the API lists them.
pub const KINDS: &[EventKind] = &[
    LEAD_CREATED,
    LEAD_UPDATED,
    LEAD_DELETED,
    LEAD_STATUS_CHANGED,
    LEAD_ASSIGNED,
    LEAD_CONVERTED,
];

/// The payload of `lead.status_changed`: the history row it added.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadStatusChanged<'a> {
    pub lead_id: Uuid,
    pub sequence: i32,
    pub from: &'a str,
    pub to: &'a str,
    pub reason: Option<&'a str>,
    pub version: i32,
}

/// The payload of `lead.assigned`: who owned the lead before and who owns it now.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadAssigned<'a> {
    pub lead_id: Uuid,
    pub from_owner_id: Option<&'a str>,
    pub to_owner_id: Option<&'a str>,
    pub version: i32,
}

/// The payload of `lead.converted`: the conversion and what the lead became. The created
/// contact, company and deal publish their own `*.created` events in the same transaction.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadConverted<'a> {
    pub lead_id: Uuid,
    pub conversion_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub contact_created: bool,
    pub company_id: Option<Uuid>,
    pub company_created: bool,
    pub deal_id: Option<Uuid>,
    pub owner_id: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub version: i32,
}

/// The payload of `lead.created` and `lead.deleted`: which lead, and where it stands.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadIdentity<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub company_name: Option<&'a str>,
    pub source: &'a str,
    pub status: &'a str,
    pub owner_id: Option<&'a str>,
}

impl<'a> From<&'a Lead> for LeadIdentity<'a> {
    fn from(lead: &'a Lead) -> Self {
        LeadIdentity {
            id: lead.id,
            name: &lead.name,
            email: lead.email.as_deref(),
            company_name: lead.company_name.as_deref(),
            source: &lead.source,
            status: &lead.status,
            owner_id: lead.owner_id.as_deref(),
        }
    }
}
