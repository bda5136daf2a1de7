//! Domain: activities — what happened with a customer (notes, calls, e-mails, meetings,
//! completed tasks), each about one or more of a contact, a company, a deal and a lead.
//! Logging one moves those records' `last_activity_at` forward in the same transaction.
//! Rows and SQL in `model`, input rules in `rules`, the operations in `ops` (whose
//! in-transaction piece `ops::log_in` other domains use, as tasks do on completion), the
//! events in `events`.

pub mod events;
pub mod model;
pub mod ops;
pub mod rules;

pub use crate::db::page::Listing;
use crate::db::page::{KeyKind, ListOrder, Window};

/// Activities are listed newest first by when they happened; ties break on the id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ActivitiesOrder;

impl ListOrder for ActivitiesOrder {
    fn name(self) -> &'static str {
        "occurred_at"
    }

    fn key_kind(self) -> KeyKind {
        KeyKind::Time
    }

    fn descending(self) -> bool {
        true
    }
}

/// A page of activities.
pub type ActivitiesWindow = Window<ActivitiesOrder>;
