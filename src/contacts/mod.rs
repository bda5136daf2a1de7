//! Domain: contacts (people) and companies (organisations) — their rows and SQL (`model`),
//! their input rules (`rules`) and the operations the API calls (`ops`).

pub mod events;
pub mod model;
pub mod ops;
pub mod rules;

pub use crate::write::Patch;

pub use crate::db::page::Listing;
use crate::db::page::{KeyKind, ListOrder, Window};

/// How contacts and companies are listed. Times list newest first, names A to Z; ties break
/// on the id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ContactsOrder {
    #[default]
    UpdatedAt,
    CreatedAt,
    Name,
}

impl ListOrder for ContactsOrder {
    fn name(self) -> &'static str {
        match self {
            ContactsOrder::UpdatedAt => "updated_at",
            ContactsOrder::CreatedAt => "created_at",
            ContactsOrder::Name => "name",
        }
    }

    fn key_kind(self) -> KeyKind {
        match self {
            ContactsOrder::UpdatedAt | ContactsOrder::CreatedAt => KeyKind::Time,
            ContactsOrder::Name => KeyKind::Text,
        }
    }

    fn descending(self) -> bool {
        !matches!(self, ContactsOrder::Name)
    }
}

/// A page of contacts or companies.
pub type ContactsWindow = Window<ContactsOrder>;
