//! The events contacts and companies publish, declared once: their names and payloads.

use serde::Serialize;
use uuid::Uuid;

use super::model::{Company, Contact};
use crate::events::{Event, EventKind};

pub const CONTACT_CREATED: EventKind = EventKind {
    name: "contact.created",
    entity_type: "contact",
};
pub const CONTACT_UPDATED: EventKind = EventKind {
    name: "contact.updated",
    entity_type: "contact",
};
pub const CONTACT_DELETED: EventKind = EventKind {
    name: "contact.deleted",
    entity_type: "contact",
};
pub const COMPANY_CREATED: EventKind = EventKind {
    name: "company.created",
    entity_type: "company",
};
pub const COMPANY_UPDATED: EventKind = EventKind {
    name: "company.updated",
    entity_type: "company",
};
pub const COMPANY_DELETED: EventKind = EventKind {
    name: "company.deleted",
    entity_type: "company",
};

/// Every event of the domain, in the order the API lists them.
pub const KINDS: &[EventKind] = &[
    CONTACT_CREATED,
    CONTACT_UPDATED,
    CONTACT_DELETED,
    COMPANY_CREATED,
    COMPANY_UPDATED,
    COMPANY_DELETED,
];

/// `contact.created`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactCreated<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub company_id: Option<Uuid>,
}

impl<'a> From<&'a Contact> for ContactCreated<'a> {
    fn from(contact: &'a Contact) -> Self {
        ContactCreated {
            id: contact.id,
            name: &contact.name,
            email: contact.email.as_deref(),
            company_id: contact.company_id,
        }
    }
}

impl Event for ContactCreated<'_> {
    const KIND: EventKind = CONTACT_CREATED;
    fn entity_id(&self) -> Uuid {
        self.id
    }
}

/// `contact.deleted`.
#[derive(Debug, Serialize)]
pub struct ContactDeleted<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub email: Option<&'a str>,
}

impl<'a> From<&'a Contact> for ContactDeleted<'a> {
    fn from(contact: &'a Contact) -> Self {
        ContactDeleted {
            id: contact.id,
            name: &contact.name,
            email: contact.email.as_deref(),
        }
    }
}

impl Event for ContactDeleted<'_> {
    const KIND: EventKind = CONTACT_DELETED;
    fn entity_id(&self) -> Uuid {
        self.id
    }
}

/// `company.created` and `company.deleted` say the same: which company.
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

/// `company.created`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct CompanyCreated<'a>(pub CompanyIdentity<'a>);

impl Event for CompanyCreated<'_> {
    const KIND: EventKind = COMPANY_CREATED;
    fn entity_id(&self) -> Uuid {
        self.0.id
    }
}

/// `company.deleted`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct CompanyDeleted<'a>(pub CompanyIdentity<'a>);

impl Event for CompanyDeleted<'_> {
    const KIND: EventKind = COMPANY_DELETED;
    fn entity_id(&self) -> Uuid {
        self.0.id
    }
}
