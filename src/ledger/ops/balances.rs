//! Reading the books: the trial balance, an account's balance, an account's ledger with its
//! running balance. All from `ledger_daily_totals` except the ledger's own page of lines.

use std::collections::{BTreeMap, HashMap};

use bigdecimal::{BigDecimal, Zero};
use chrono::NaiveDate;
use uuid::Uuid;

use crate::auth::{Actor, Scope};
use crate::db::page::{Listed, Position, SortKey};
use crate::db::DbPool;
use crate::error::AppError;
use crate::ledger::model::balance::{self, AccountTotals};
use crate::ledger::model::{AccountingAccount, JournalLine, LedgerLine, LedgerPage};
use crate::ledger::rules::NormalSide;
use crate::ledger::{LedgerLinesOrder, LedgerLinesWindow, Listing};

/// One account's posted totals in one currency up to a date.
#[derive(Debug, Clone)]
pub struct AccountBalance {
    pub currency: String,
    pub debit: BigDecimal,
    pub credit: BigDecimal,
    /// On the account's normal side: debits minus credits for assets and expenses, credits
    /// minus debits for the rest.
    pub balance: BigDecimal,
}

impl AccountBalance {
    pub fn of(side: NormalSide, currency: String, debit: BigDecimal, credit: BigDecimal) -> Self {
        let balance = match side {
            NormalSide::Debit => &debit - &credit,
            NormalSide::Credit => &credit - &debit,
        };
        AccountBalance {
            currency,
            debit,
            credit,
            balance,
        }
    }
}

/// A row of the trial balance: an account in one currency.
#[derive(Debug, Clone)]
pub struct TrialBalanceRow {
    pub account: AccountingAccount,
    pub currency: String,
    pub debit: BigDecimal,
    pub credit: BigDecimal,
}

/// Every account with postings up to `as_of`, per currency, and each currency's totals.
#[derive(Debug, Clone)]
pub struct TrialBalance {
    pub as_of: NaiveDate,
    /// By account code, then currency.
    pub rows: Vec<TrialBalanceRow>,
    /// Per currency (in code order): total debits and total credits, always equal.
    pub totals: Vec<(String, BigDecimal, BigDecimal)>,
}

/// `trialBalance(asOf, currency)`.
pub async fn trial_balance(
    pool: &DbPool,
    actor: &Actor,
    as_of: NaiveDate,
    currency: Option<&str>,
) -> Result<TrialBalance, AppError> {
    actor.require(Scope::CrmRead)?;
    let currency = currency
        .map(|c| crate::money::currency("currency", c))
        .transpose()?;
    let mut conn = crate::db::conn(pool).await?;
    let sums = balance::totals(
        &mut conn,
        actor.workspace_id,
        as_of,
        currency.as_deref(),
        None,
    )
    .await?;
    let mut ids: Vec<Uuid> = sums.iter().map(|s| s.account_id).collect();
    ids.dedup();
    let accounts: HashMap<Uuid, AccountingAccount> =
        AccountingAccount::find_many(&mut conn, actor.workspace_id, &ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
    let mut totals: BTreeMap<String, (BigDecimal, BigDecimal)> = BTreeMap::new();
    let mut rows: Vec<TrialBalanceRow> = Vec::with_capacity(sums.len());
    for AccountTotals {
        account_id,
        currency,
        debit,
        credit,
    } in sums
    {
        let total = totals.entry(currency.clone()).or_default();
        total.0 += &debit;
        total.1 += &credit;
        if let Some(account) = accounts.get(&account_id) {
            rows.push(TrialBalanceRow {
                account: account.clone(),
                currency,
                debit,
                credit,
            });
        }
    }
    rows.sort_by(|a, b| (&a.account.code, &a.currency).cmp(&(&b.account.code, &b.currency)));
    Ok(TrialBalance {
        as_of,
        rows,
        totals: totals.into_iter().map(|(c, (d, k))| (c, d, k)).collect(),
    })
}

/// A line of an account's ledger and the account's balance in its currency after it.
#[derive(Debug, Clone)]
pub struct LedgerRow {
    pub line: JournalLine,
    /// On the account's normal side, in the line's currency.
    pub running_balance: BigDecimal,
}

impl Listed<LedgerLinesOrder> for LedgerRow {
    fn position(&self, _order: LedgerLinesOrder) -> Position {
        Position {
            key: SortKey::Date(self.line.entry_date),
            id: self.line.id,
        }
    }
}

/// `ledgerLines(accountId, from, to, …)`: the account's posted lines, oldest first, each with
/// the running balance after it. The running balance starts from the account's balance just
/// before the page (everything before `from`, and before the cursor), so every page agrees.
pub async fn ledger_lines(
    pool: &DbPool,
    actor: &Actor,
    account_id: Uuid,
    page: LedgerPage,
    window: &LedgerLinesWindow,
) -> Result<Listing<LedgerRow>, AppError> {
    actor.require(Scope::CrmRead)?;
    if let (Some(from), Some(to)) = (page.from, page.to) {
        if from > to {
            return Err(AppError::bad_input("to", "must not be before `from`"));
        }
    }
    let mut conn = crate::db::conn(pool).await?;
    let ws = actor.workspace_id;
    let account = AccountingAccount::find(&mut conn, ws, account_id)
        .await?
        .ok_or_else(|| AppError::not_found("accounting account", account_id))?;
    let side = account.account_type().normal_side();
    let lines = LedgerLine::page(&mut conn, ws, account_id, &page, window).await?;
    let total = LedgerLine::count(&mut conn, ws, account_id, &page).await?;
    let opening = match (&window.after, page.from) {
        (
            Some(Position {
                key: SortKey::Date(day),
                id,
            }),
            _,
        ) => balance::net_before(&mut conn, ws, account_id, *day, Some(*id)).await?,
        (_, Some(from)) => balance::net_before(&mut conn, ws, account_id, from, None).await?,
        _ => Vec::new(),
    };
    let mut running: HashMap<String, BigDecimal> = opening.into_iter().collect();
    let rows = lines
        .into_iter()
        .map(|line| {
            let net = running
                .entry(line.currency.clone())
                .or_insert_with(BigDecimal::zero);
            *net += &line.debit - &line.credit;
            let running_balance = match side {
                NormalSide::Debit => net.clone(),
                NormalSide::Credit => -net.clone(),
            };
            LedgerRow {
                line,
                running_balance,
            }
        })
        .collect();
    Ok(Listing { rows, total })
}
