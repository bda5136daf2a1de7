//! Domain: contacts (people) and companies (organisations) — their rows and SQL (`model`),
//! their input rules (`rules`) and the operations the API calls (`ops`).

pub mod events;
pub mod model;
pub mod ops;
pub mod rules;

pub use crate::write::Patch;

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// How a list is ordered. Times list newest first, names A to Z; ties break on the id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ListOrder {
    #[default]
    UpdatedAt,
    CreatedAt,
    Name,
}

impl ListOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            ListOrder::UpdatedAt => "updated_at",
            ListOrder::CreatedAt => "created_at",
            ListOrder::Name => "name",
        }
    }
}

/// The value a row is ordered by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SortKey {
    Time(DateTime<Utc>),
    Text(String),
}

/// A keyset position: the sort key and id of the last row already seen.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Position {
    pub key: SortKey,
    pub id: Uuid,
}

/// One page of a list: rows after `after` in `order`, at most `limit` of them.
#[derive(Debug, Clone, Default)]
pub struct ListWindow {
    pub order: ListOrder,
    pub after: Option<Position>,
    pub limit: i64,
}

impl ListWindow {
    /// One row more than wanted, to learn whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }
}

/// A row that can be listed with keyset paging.
pub trait Listed {
    fn id(&self) -> Uuid;
    fn sort_key(&self, order: ListOrder) -> SortKey;

    fn position(&self, order: ListOrder) -> Position {
        Position {
            key: self.sort_key(order),
            id: self.id(),
        }
    }
}

/// A page of rows and how many rows match across all pages.
#[derive(Debug, Clone)]
pub struct Listing<T> {
    pub rows: Vec<T>,
    pub total: i64,
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Listing {
            rows: Vec::new(),
            total: 0,
        }
    }
}
