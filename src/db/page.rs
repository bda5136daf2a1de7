//! A keyset window over time-ordered (UUIDv7) ids, listed newest first. Model functions take
//! it so every list pages the same way, without OFFSET.

use uuid::Uuid;

#[derive(Debug, Clone, Default)]
pub struct IdWindow {
    /// Only ids older than this (forward paging).
    pub after: Option<Uuid>,
    /// Only ids newer than this (backward paging).
    pub before: Option<Uuid>,
    /// Rows wanted; the query fetches one more to learn whether there are more.
    pub limit: i64,
    /// Take the rows nearest `before` (Relay `last`) instead of nearest `after`.
    pub from_end: bool,
}

impl IdWindow {
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }
}
