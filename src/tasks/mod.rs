//! Domain: tasks — what someone has to do for a customer, due at a time or on a day, about
//! any of a contact, a company, a deal and a lead. Completing one (status DONE) stamps
//! `completed_at` and logs a TASK_COMPLETED activity on what it links, in the same
//! transaction, through the activities domain. Rows and SQL in `model`, rules in `rules`,
//! operations in `ops`, events in `events`.

pub mod events;
pub mod model;
pub mod ops;
pub mod rules;

pub use crate::db::page::Listing;
use crate::db::page::{KeyKind, ListOrder, Window};

/// Tasks are listed soonest due first (a due day counts from its start, UTC; undated last);
/// ties break on the id. The key is the table's generated `due_sort` column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TasksOrder;

impl ListOrder for TasksOrder {
    fn name(self) -> &'static str {
        "due_sort"
    }

    fn key_kind(self) -> KeyKind {
        KeyKind::Time
    }

    fn descending(self) -> bool {
        false
    }
}

/// A page of tasks.
pub type TasksWindow = Window<TasksOrder>;
