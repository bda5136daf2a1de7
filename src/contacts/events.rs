//! The events contacts and companies publish, declared once: their names and payloads.
//! (`*.updated` carries the write layer's `RecordUpdated`.)

use serde::Serialize;
use uuid::Uuid;

use super::model::{Company, Contact};
use crate::events::EventKind;

pub const CONTACT_CREATED: EventKind = EventKind::new("contact.created", "contact");
pub const CONTACT_UPDATED: EventKind = EventKind::new("contact.updated", "contact");
pub const CONTACT_DELETED: EventKind = EventKind::new("contact.deleted", "contact");
pub const COMPANY_CREATED: EventKind = EventKind::new("company.created", "company");
pub const COMPANY_UPDATED: EventKind = EventKind::new("company.updated", "company");
pub const COMPANY_DELETED: EventKind = EventKind::new("company.deleted", "company");

/// Every event of the domain, in the order the API lists them.
pub const KINDS: &[EventKind] = &[
    CONTACT_CREATED,
    CONTACT_UPDATED,
    CONTACT_DELETED,
    COMPANY_CREATED,
    COMPANY_UPDATED,
    COMPANY_DELETED,
];

/// The payload of `contact.deleted`, and the start of `contact.created`'s: which contact.
#[derive(Debug, Serialize)]
pub struct ContactIdentity<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub email: Option<&'a str>,
}

impl<'a> From<&'a Contact> for ContactIdentity<'a> {
    fn from(contact: &'a Contact) -> Self {
        ContactIdentity {
            id: contact.id,
            name: &contact.name,
            email: contact.email.as_deref(),
        }
    }
}

/// The payload of `contact.created`: the contact and its company.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactCreated<'a> {
    #[serde(flatten)]
    pub contact: ContactIdentity<'a>,
    pub company_id: Option<Uuid>,
}

/// The payload of `company.created` and `company.deleted`: which company.
#[derive(Debug, Serialize)]
pub struct CompanyIdentity<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub domain: Option<&'a str>,
}

impl<'a> From<&'a Company> for CompanyIdentity<'a> {
    fn from(company: &'a Company) -> Self {
        CompanyIdentity {
            id: company.id,
            name: &company.name,
            domain: company.domain.as_deref(),
        }
    }
}
