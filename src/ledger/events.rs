//! The events the ledger publishes, declared once: their names and payloads. (Accounts'
//! `accounting_account.updated` carries the write layer's `RecordUpdated`.)

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::model::{AccountingAccount, JournalEntry};
use super::rules::CurrencyTotal;
use crate::events::EventKind;

pub const ACCOUNT_CREATED: EventKind =
    EventKind::new("accounting_account.created", "accounting_account");
pub const ACCOUNT_UPDATED: EventKind =
    EventKind::new("accounting_account.updated", "accounting_account");
pub const ACCOUNT_DELETED: EventKind =
    EventKind::new("accounting_account.deleted", "accounting_account");
pub const JOURNAL_ENTRY_POSTED: EventKind = EventKind::new("journal_entry.posted", "journal_entry");
pub const JOURNAL_ENTRY_REVERSED: EventKind =
    EventKind::new("journal_entry.reversed", "journal_entry");

/// Every event of the domain, in the order the API lists them.
pub const KINDS: &[EventKind] = &[
    ACCOUNT_CREATED,
    ACCOUNT_UPDATED,
    ACCOUNT_DELETED,
    JOURNAL_ENTRY_POSTED,
    JOURNAL_ENTRY_REVERSED,
];

/// The payload of `journal_entry.posted`: the entry and its amount in each currency.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntryPosted<'a> {
    pub entry_id: Uuid,
    pub number: i64,
    pub date: NaiveDate,
    pub memo: Option<&'a str>,
    pub reverses_id: Option<Uuid>,
    pub line_count: usize,
    /// Per currency: the entry's debits (equal to its credits).
    pub totals: &'a [CurrencyTotal],
}

/// The payload of `journal_entry.reversed`, about the entry that was reversed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntryReversed {
    pub entry_id: Uuid,
    pub number: Option<i64>,
    pub reversal_id: Uuid,
    pub reversal_number: Option<i64>,
    pub reversal_date: NaiveDate,
}

impl JournalEntryReversed {
    pub fn of(original: &JournalEntry, reversal: &JournalEntry) -> JournalEntryReversed {
        JournalEntryReversed {
            entry_id: original.id,
            number: original.number,
            reversal_id: reversal.id,
            reversal_number: reversal.number,
            reversal_date: reversal.entry_date,
        }
    }
}

/// The payload of `accounting_account.created` and `.deleted`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountIdentity<'a> {
    pub id: Uuid,
    pub code: &'a str,
    pub name: &'a str,
    #[serde(rename = "type")]
    pub account_type: &'a str,
}

impl<'a> From<&'a AccountingAccount> for AccountIdentity<'a> {
    fn from(account: &'a AccountingAccount) -> Self {
        AccountIdentity {
            id: account.id,
            code: &account.code,
            name: &account.name,
            account_type: &account.account_type,
        }
    }
}
