//! Ledger rules: what an account may hold (`account`) and what makes a journal entry
//! (`entry`). Pure: no database. The database keeps the same rules as triggers (see the
//! `ledger_guards` migration); these come first so callers get errors naming their fields.

mod account;
mod entry;

use serde::Serialize;

pub use self::account::{
    current_values, new_values, patched_values, AccountInput, AccountPatch, CODE_MAX,
    DESCRIPTION_MAX, NAME_MAX,
};
pub use self::entry::{
    as_lines, mirrored, validate_entry, CurrencyTotal, EntryInput, EntryPatch, LineInput,
    SourceLinks, ValidEntry, ValidLine, MAX_LINES, MEMO_MAX,
};

/// What an account records: the five classes of a chart of accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    Asset,
    Liability,
    Equity,
    Revenue,
    Expense,
}

/// The side on which an account grows: assets and expenses are debited to grow, the rest
/// credited. A balance is shown on the account's normal side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum NormalSide {
    Debit,
    Credit,
}

impl AccountType {
    pub const ALL: [AccountType; 5] = [
        AccountType::Asset,
        AccountType::Liability,
        AccountType::Equity,
        AccountType::Revenue,
        AccountType::Expense,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Asset => "asset",
            AccountType::Liability => "liability",
            AccountType::Equity => "equity",
            AccountType::Revenue => "revenue",
            AccountType::Expense => "expense",
        }
    }

    pub fn parse(text: &str) -> Option<AccountType> {
        AccountType::ALL.into_iter().find(|t| t.as_str() == text)
    }

    pub fn normal_side(self) -> NormalSide {
        match self {
            AccountType::Asset | AccountType::Expense => NormalSide::Debit,
            AccountType::Liability | AccountType::Equity | AccountType::Revenue => {
                NormalSide::Credit
            }
        }
    }
}

/// A journal entry is a draft until posted; posted entries never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Draft,
    Posted,
}

impl EntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Draft => "draft",
            EntryStatus::Posted => "posted",
        }
    }

    pub fn parse(text: &str) -> Option<EntryStatus> {
        [EntryStatus::Draft, EntryStatus::Posted]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_side_follows_the_type() {
        assert_eq!(AccountType::Asset.normal_side(), NormalSide::Debit);
        assert_eq!(AccountType::Expense.normal_side(), NormalSide::Debit);
        assert_eq!(AccountType::Liability.normal_side(), NormalSide::Credit);
        assert_eq!(AccountType::Equity.normal_side(), NormalSide::Credit);
        assert_eq!(AccountType::Revenue.normal_side(), NormalSide::Credit);
    }

    #[test]
    fn types_round_trip() {
        for t in AccountType::ALL {
            assert_eq!(AccountType::parse(t.as_str()), Some(t));
        }
        assert_eq!(AccountType::parse("Asset"), None);
    }
}
