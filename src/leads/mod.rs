//! Domain: leads — people who may become customers, worked through a lifecycle (new,
//! working, qualified; or disqualified) until they are converted into a contact, a company and
//! perhaps a deal. Rows and SQL in `model`, input rules and lifecycle decisions in `rules`,
//! the operations the API calls in `ops`, the events they publish in `events`.

pub mod events;
pub mod model;
pub mod ops;
pub mod rules;

pub use crate::db::page::Listing;
use crate::db::page::{KeyKind, ListOrder, Window};

/// How leads are listed: times and scores highest first, names A to Z; ties break on the id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum LeadsOrder {
    #[default]
    CreatedAt,
    UpdatedAt,
    Score,
    Name,
}

impl ListOrder for LeadsOrder {
    fn name(self) -> &'static str {
        match self {
            LeadsOrder::CreatedAt => "created_at",
            LeadsOrder::UpdatedAt => "updated_at",
            LeadsOrder::Score => "score",
            LeadsOrder::Name => "name",
        }
    }

    fn key_kind(self) -> KeyKind {
        match self {
            LeadsOrder::CreatedAt | LeadsOrder::UpdatedAt => KeyKind::Time,
            LeadsOrder::Score => KeyKind::Int,
            LeadsOrder::Name => KeyKind::Text,
        }
    }

    fn descending(self) -> bool {
        !matches!(self, LeadsOrder::Name)
    }
}

/// A page of leads.
pub type LeadsWindow = Window<LeadsOrder>;
