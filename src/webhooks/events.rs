//! The events webhook management publishes.

use serde::Serialize;
use uuid::Uuid;

use crate::events::EventKind;

pub const CREATED: EventKind = EventKind::new("webhook_endpoint.created", "webhook_endpoint");
pub const UPDATED: EventKind = EventKind::new("webhook_endpoint.updated", "webhook_endpoint");
pub const DELETED: EventKind = EventKind::new("webhook_endpoint.deleted", "webhook_endpoint");
/// An endpoint stopped receiving: its receiver answered 410 Gone, or it failed for too long.
pub const DISABLED: EventKind = EventKind::new("webhook_endpoint.disabled", "webhook_endpoint");

/// Every event of the domain, in the order the API lists them.
pub const KINDS: &[EventKind] = &[CREATED, UPDATED, DELETED, DISABLED];

/// The payload of every endpoint event (never its secret).
#[derive(Debug, Serialize)]
pub struct EndpointIdentity<'a> {
    pub id: Uuid,
    pub url: &'a str,
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
}
