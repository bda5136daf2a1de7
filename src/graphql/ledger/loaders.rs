//! Dataloaders for the ledger, scoped to the caller's workspace: one statement per batch.

use std::collections::{BTreeMap, HashMap};

use async_graphql::dataloader::Loader;
use bigdecimal::BigDecimal;
use chrono::NaiveDate;
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::loaders::{children_by, find_by_id, ById, Loaders, Scope};
use crate::ledger::model::balance;
use crate::ledger::model::{AccountingAccount, JournalEntry, JournalLine};

find_by_id!(AccountingAccount, JournalEntry);

/// Accounts by id (`node`, a line's account, an account's parent).
pub type AccountingAccountLoader = ById<AccountingAccount>;
/// Journal entries by id (`node`, a reversal's original, a ledger line's entry).
pub type JournalEntryLoader = ById<JournalEntry>;

children_by! {
    /// An entry's lines, in line order.
    EntryLines, JournalLinesLoader: JournalLine = JournalLine::of_entries, by entry_id;
    /// The entry reversing each entry (at most one).
    Reversals, ReversalLoader: JournalEntry = JournalEntry::reversals_of, by reverses_id;
}

/// An account's balance question: its posted totals in a currency up to a date.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BalanceKey {
    pub account_id: Uuid,
    pub as_of: NaiveDate,
    pub currency: String,
}

/// `AccountingAccount.balance` for a page of accounts: one statement per distinct
/// (date, currency) asked, whatever the number of accounts.
pub struct AccountBalanceLoader(Scope);

impl Loader<BalanceKey> for AccountBalanceLoader {
    /// Debits and credits.
    type Value = (BigDecimal, BigDecimal);
    type Error = AppError;

    async fn load(
        &self,
        keys: &[BalanceKey],
    ) -> Result<HashMap<BalanceKey, (BigDecimal, BigDecimal)>, AppError> {
        let mut asked: BTreeMap<(NaiveDate, &str), Vec<Uuid>> = BTreeMap::new();
        for key in keys {
            asked
                .entry((key.as_of, key.currency.as_str()))
                .or_default()
                .push(key.account_id);
        }
        let mut conn = self.0.conn().await?;
        let mut found = HashMap::new();
        for ((as_of, currency), ids) in asked {
            let totals = balance::totals(
                &mut conn,
                self.0.workspace_id,
                as_of,
                Some(currency),
                Some(&ids),
            )
            .await?;
            for total in totals {
                let key = BalanceKey {
                    account_id: total.account_id,
                    as_of,
                    currency: total.currency,
                };
                found.insert(key, (total.debit, total.credit));
            }
        }
        Ok(found)
    }
}

/// Adds this domain's loaders to a set.
pub fn register(loaders: &mut Loaders) {
    let scope = loaders.scope();
    loaders.add(AccountingAccountLoader::new(scope.clone()));
    loaders.add(JournalEntryLoader::new(scope.clone()));
    loaders.add(JournalLinesLoader::new(scope.clone()));
    loaders.add(ReversalLoader::new(scope.clone()));
    loaders.add(AccountBalanceLoader(scope));
}
