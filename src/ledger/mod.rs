//! Domain: ledger — the double-entry books behind the CRM's revenue. A chart of accounts;
//! journal entries whose lines debit and credit those accounts, balanced per currency,
//! numbered without gaps when posted and never changed afterwards (a mistake is reversed by a
//! mirror entry); balances, the trial balance and each account's ledger, read from per-day
//! totals kept in the posting's own transaction. The database holds the same rules as
//! triggers, so no path around the application can break them.
//!
//! Rows and SQL in `model`, input rules in `rules`, the operations in `ops` (among them
//! [`ops::post_entry`], which other domains call inside their own write to post), the default
//! chart in `chart`, events in `events`.

pub mod chart;
pub mod events;
pub mod model;
pub mod ops;
pub mod rules;

pub use crate::db::page::Listing;
use crate::db::page::{KeyKind, ListOrder, Window};

/// Accounts are listed by code, A to Z (ties break on the id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct AccountsOrder;

impl ListOrder for AccountsOrder {
    fn name(self) -> &'static str {
        "code"
    }

    fn key_kind(self) -> KeyKind {
        KeyKind::Text
    }

    fn descending(self) -> bool {
        false
    }
}

/// Journal entries are listed newest date first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct JournalEntriesOrder;

impl ListOrder for JournalEntriesOrder {
    fn name(self) -> &'static str {
        "entry_date"
    }

    fn key_kind(self) -> KeyKind {
        KeyKind::Date
    }

    fn descending(self) -> bool {
        true
    }
}

/// An account's ledger runs oldest first, so its running balance reads down the page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LedgerLinesOrder;

impl ListOrder for LedgerLinesOrder {
    fn name(self) -> &'static str {
        "entry_date"
    }

    fn key_kind(self) -> KeyKind {
        KeyKind::Date
    }

    fn descending(self) -> bool {
        false
    }
}

pub type AccountsWindow = Window<AccountsOrder>;
pub type JournalEntriesWindow = Window<JournalEntriesOrder>;
pub type LedgerLinesWindow = Window<LedgerLinesOrder>;
