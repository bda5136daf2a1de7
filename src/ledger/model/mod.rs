//! Ledger rows and their SQL. The only place in the domain that talks to the database.

pub mod account;
pub mod balance;
pub mod entry;

pub use account::{
    AccountFilter, AccountingAccount, AccountingAccountChanges, NewAccountingAccount, CODE_UNIQUE,
};
pub use balance::{AccountTotals, LedgerLine, LedgerPage};
pub use entry::{EntryFilter, JournalEntry, JournalLine, NewJournalEntry};
