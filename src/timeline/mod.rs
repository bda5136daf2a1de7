//! Read model: timeline — one record's history, newest first, merged from the domains that
//! keep one: its activities (completed tasks included, as TASK_COMPLETED activities), a deal's
//! stage changes, a lead's status changes, and a lead's conversion (on the lead and on the
//! contact, company and deal it became). A page is ONE statement whatever the sources: a
//! UNION ALL of one arm per source (`model::ARMS`), each seeking past the cursor in its own
//! `(time, id)` index and limited to the page, merged and cut to the page, with the total
//! counted in the same statement. A new source is one more arm.

pub mod model;
pub mod ops;

use crate::activities::model::Activity;
pub use crate::db::page::Listing;
use crate::db::page::{KeyKind, ListOrder, Listed, Position, SortKey, Window};
use crate::deals::model::StageChange;
use crate::leads::model::{LeadConversion, LeadStatusChange};

/// Newest first by when it happened; ties break on the id (ids are unique across tables).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TimelineOrder;

impl ListOrder for TimelineOrder {
    fn name(self) -> &'static str {
        "at"
    }

    fn key_kind(self) -> KeyKind {
        KeyKind::Time
    }

    fn descending(self) -> bool {
        true
    }
}

pub type TimelineWindow = Window<TimelineOrder>;

/// The kinds of things a timeline holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Activity,
    StageChange,
    LeadStatusChange,
    Conversion,
}

impl ItemKind {
    pub const ALL: [ItemKind; 4] = [
        ItemKind::Activity,
        ItemKind::StageChange,
        ItemKind::LeadStatusChange,
        ItemKind::Conversion,
    ];
}

/// One thing that happened, as its own domain keeps it.
#[derive(Debug, Clone)]
pub enum TimelineItem {
    Activity(Activity),
    StageChange(StageChange),
    LeadStatusChange(LeadStatusChange),
    Conversion(LeadConversion),
}

impl Listed<TimelineOrder> for TimelineItem {
    fn position(&self, _order: TimelineOrder) -> Position {
        let (at, id) = match self {
            TimelineItem::Activity(a) => (a.occurred_at, a.id),
            TimelineItem::StageChange(c) => (c.changed_at, c.id),
            TimelineItem::LeadStatusChange(c) => (c.changed_at, c.id),
            TimelineItem::Conversion(c) => (c.converted_at, c.id),
        };
        Position {
            key: SortKey::Time(at),
            id,
        }
    }
}
