//! Operations on the ledger, used by GraphQL (and by billing, through [`post_entry`]): reads
//! check the `crm:read` scope; accounts are plain records of the write path (`account.rs`),
//! journal entries have operations of their own (`entry.rs`).

mod account;
mod balances;
mod entry;

use uuid::Uuid;

pub use self::account::archive;
pub use self::balances::{
    ledger_lines, trial_balance, AccountBalance, LedgerRow, TrialBalance, TrialBalanceRow,
};
pub use self::entry::{create, post, post_entry, record_entry, reverse, Recorded, RecordedEntry};
use super::model::{AccountFilter, AccountingAccount, EntryFilter, JournalEntry};
pub use super::rules::{
    AccountInput, AccountPatch, EntryInput, EntryPatch, EntryStatus, LineInput, SourceLinks,
};
use super::{AccountsWindow, JournalEntriesWindow, Listing};

use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::AppError;
use crate::validate;

// A journal entry is locked by its edits, its posting and its reversal.
crate::write::locked::lockable!(JournalEntry, "journal entry");

/// Longest search term.
const SEARCH_MAX: usize = 200;

/// `accountingAccounts(filter, …)`: one page, by code, and the total number of matches.
pub async fn accounting_accounts(
    pool: &DbPool,
    actor: &Actor,
    mut filter: AccountFilter,
    window: &AccountsWindow,
) -> Result<Listing<AccountingAccount>, AppError> {
    actor.require(Scope::CrmRead)?;
    filter.search = validate::optional_text("filter.search", filter.search.as_deref(), SEARCH_MAX)?;
    let mut conn = crate::db::conn(pool).await?;
    let rows = AccountingAccount::page(&mut conn, actor.workspace_id, &filter, window).await?;
    let total = AccountingAccount::count(&mut conn, actor.workspace_id, &filter).await?;
    Ok(Listing { rows, total })
}

/// `journalEntries(filter, …)`: one page, newest date first, and the total number of matches.
pub async fn journal_entries(
    pool: &DbPool,
    actor: &Actor,
    filter: EntryFilter,
    window: &JournalEntriesWindow,
) -> Result<Listing<JournalEntry>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    let rows = JournalEntry::page(&mut conn, actor.workspace_id, &filter, window).await?;
    let total = JournalEntry::count(&mut conn, actor.workspace_id, &filter).await?;
    Ok(Listing { rows, total })
}

/// An account by id, when the caller may read it.
pub async fn accounting_account(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
) -> Result<Option<AccountingAccount>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    Ok(AccountingAccount::find(&mut conn, actor.workspace_id, id).await?)
}
