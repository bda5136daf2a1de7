//! The events key management publishes: integrations react to security changes.

use serde::Serialize;
use uuid::Uuid;

use crate::auth::model::ApiKey;
use crate::events::EventKind;

pub const CREATED: EventKind = EventKind::new("api_key.created", "api_key");
pub const REVOKED: EventKind = EventKind::new("api_key.revoked", "api_key");

/// Every event of the domain, in the order the API lists them.
pub const KINDS: &[EventKind] = &[CREATED, REVOKED];

/// The payload of both events: the key (never its secret or hash).
#[derive(Debug, Serialize)]
pub struct KeyIdentity<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub prefix: &'a str,
    pub scopes: &'a [Option<String>],
}

impl<'a> From<&'a ApiKey> for KeyIdentity<'a> {
    fn from(key: &'a ApiKey) -> Self {
        KeyIdentity {
            id: key.id,
            name: &key.name,
            prefix: &key.prefix,
            scopes: &key.scopes,
        }
    }
}
