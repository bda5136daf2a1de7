//! The ledger's output types: accounts, journal entries and their lines, balances, the
//! trial balance, and the mutation payloads.

use async_graphql::connection::Connection;
use async_graphql::{ComplexObject, Context, Enum, Object, SimpleObject, ID};
use bigdecimal::{BigDecimal, Zero};
use chrono::{DateTime, NaiveDate, Utc};

use super::loaders::{
    AccountBalanceLoader, AccountingAccountLoader, BalanceKey, JournalEntryLoader,
    JournalLinesLoader, ReversalLoader,
};
use crate::graphql::contacts::{CompanyGql, CompanyLoader, ContactGql, ContactLoader};
use crate::graphql::deals::{DealGql, DealLoader};
use crate::graphql::enums::same_enum;
use crate::graphql::loaders;
use crate::graphql::mutation::{record_payload, WriteOutcome};
use crate::graphql::pagination::ConnectionFields;
use crate::graphql::scalars::Decimal;
use crate::ledger::model::{AccountingAccount, JournalEntry, JournalLine};
use crate::ledger::ops::{AccountBalance, LedgerRow, RecordedEntry, TrialBalance};
use crate::ledger::rules::{AccountType, EntryStatus, NormalSide};
use crate::write::WriteResult;

pub type AccountingAccountConnection = Connection<String, AccountingAccountGql, ConnectionFields>;
pub type JournalEntryConnection = Connection<String, JournalEntryGql, ConnectionFields>;
pub type LedgerLineConnection = Connection<String, LedgerLineGql, ConnectionFields>;

/// The five classes of a chart of accounts.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "AccountingAccountType")]
pub enum AccountTypeGql {
    Asset,
    Liability,
    Equity,
    Revenue,
    Expense,
}

/// The side on which an account grows.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "NormalSide")]
pub enum NormalSideGql {
    Debit,
    Credit,
}

/// A draft can be posted; a posted entry never changes (reverse it instead).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
#[graphql(name = "JournalEntryStatus")]
pub enum EntryStatusGql {
    #[default]
    Draft,
    Posted,
}

same_enum!(
    AccountTypeGql,
    AccountType,
    [Asset, Liability, Equity, Revenue, Expense]
);
same_enum!(NormalSideGql, NormalSide, [Debit, Credit]);
same_enum!(EntryStatusGql, EntryStatus, [Draft, Posted]);

/// An account of the chart of accounts.
#[derive(Clone)]
pub struct AccountingAccountGql(pub AccountingAccount);

impl From<AccountingAccount> for AccountingAccountGql {
    fn from(row: AccountingAccount) -> Self {
        AccountingAccountGql(row)
    }
}

loaders::from_shared_row!(AccountingAccountGql: AccountingAccount, JournalEntryGql: JournalEntry);

#[Object(name = "AccountingAccount")]
impl AccountingAccountGql {
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Unique in the workspace, e.g. "1100".
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    #[graphql(name = "type")]
    async fn account_type(&self) -> AccountTypeGql {
        self.0.account_type().into()
    }
    /// DEBIT for assets and expenses, CREDIT for liabilities, equity and revenue.
    async fn normal_side(&self) -> NormalSideGql {
        self.0.account_type().normal_side().into()
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The account this one is grouped under (one level).
    async fn parent(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<AccountingAccountGql>> {
        let Some(parent_id) = self.0.parent_id else {
            return Ok(None);
        };
        let parent = loaders::get::<AccountingAccountLoader>(ctx)?
            .load_one(parent_id)
            .await?;
        Ok(parent.map(AccountingAccountGql::from))
    }
    /// What the default chart made this account for (`accounts_receivable`, `cash` …), kept
    /// through renames; billing posts by it. Null for accounts you added.
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }
    /// An archived account takes no new postings; its history and balance stay.
    async fn archived(&self) -> bool {
        self.0.is_archived()
    }
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
    /// Posted totals in `currency` up to and including `asOf` (today when absent), with the
    /// balance on the account's normal side.
    async fn balance(
        &self,
        ctx: &Context<'_>,
        as_of: Option<NaiveDate>,
        currency: String,
    ) -> async_graphql::Result<AccountBalanceGql> {
        let currency = crate::money::currency("currency", &currency)?;
        let key = BalanceKey {
            account_id: self.0.id,
            as_of: as_of.unwrap_or_else(|| Utc::now().date_naive()),
            currency: currency.clone(),
        };
        let (debit, credit) = loaders::get::<AccountBalanceLoader>(ctx)?
            .load_one(key)
            .await?
            .unwrap_or_else(|| (BigDecimal::zero(), BigDecimal::zero()));
        let side = self.0.account_type().normal_side();
        Ok(AccountBalance::of(side, currency, debit, credit).into())
    }
    /// Increases with every change; pass it as `expectedVersion` to update safely.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// An account's posted totals in one currency.
#[derive(SimpleObject)]
#[graphql(name = "AccountBalance")]
pub struct AccountBalanceGql {
    pub currency: String,
    pub debit: Decimal,
    pub credit: Decimal,
    /// On the account's normal side: debits − credits for DEBIT accounts, credits − debits
    /// for CREDIT accounts.
    pub balance: Decimal,
}

impl From<AccountBalance> for AccountBalanceGql {
    fn from(b: AccountBalance) -> Self {
        AccountBalanceGql {
            debit: Decimal::money(&b.debit, &b.currency),
            credit: Decimal::money(&b.credit, &b.currency),
            balance: Decimal::money(&b.balance, &b.currency),
            currency: b.currency,
        }
    }
}

/// A dated, balanced set of debits and credits.
#[derive(SimpleObject, Clone)]
#[graphql(name = "JournalEntry", complex)]
pub struct JournalEntryGql {
    #[graphql(owned)]
    pub id: ID,
    /// 1, 2, 3 … in posting order, without gaps; null for a draft.
    pub number: Option<i64>,
    pub date: NaiveDate,
    pub memo: Option<String>,
    pub status: EntryStatusGql,
    pub posted_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub row: JournalEntry,
    /// The lines as a write returned them (a dry run's exist nowhere else).
    #[graphql(skip)]
    pub written_lines: Option<Vec<JournalLine>>,
}

impl From<JournalEntry> for JournalEntryGql {
    fn from(row: JournalEntry) -> Self {
        JournalEntryGql {
            id: ID(row.id.to_string()),
            number: row.number,
            date: row.entry_date,
            memo: row.memo.clone(),
            status: row.status().into(),
            posted_at: row.posted_at,
            version: row.version,
            created_at: row.created_at,
            row,
            written_lines: None,
        }
    }
}

#[ComplexObject]
impl JournalEntryGql {
    /// In line order.
    async fn lines(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<JournalLineGql>> {
        if let Some(lines) = &self.written_lines {
            return Ok(lines.iter().cloned().map(JournalLineGql).collect());
        }
        let lines = loaders::get::<JournalLinesLoader>(ctx)?
            .load_one(self.row.id)
            .await?
            .unwrap_or_default();
        Ok(lines.into_iter().map(JournalLineGql).collect())
    }
    /// The entry this one reverses.
    async fn reverses(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<JournalEntryGql>> {
        let Some(id) = self.row.reverses_id else {
            return Ok(None);
        };
        let entry = loaders::get::<JournalEntryLoader>(ctx)?
            .load_one(id)
            .await?;
        Ok(entry.map(Into::into))
    }
    /// The entry that reverses this one.
    async fn reversed_by(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<JournalEntryGql>> {
        let reversals = loaders::get::<ReversalLoader>(ctx)?
            .load_one(self.row.id)
            .await?
            .unwrap_or_default();
        Ok(reversals.into_iter().next().map(Into::into))
    }
}

/// One debit or credit of a journal entry.
#[derive(Clone)]
pub struct JournalLineGql(pub JournalLine);

#[Object(name = "JournalLine")]
impl JournalLineGql {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 1 for the entry's first line.
    async fn line_no(&self) -> i32 {
        self.0.line_no
    }
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<AccountingAccountGql> {
        loaders::get::<AccountingAccountLoader>(ctx)?
            .load_one(self.0.account_id)
            .await?
            .map(AccountingAccountGql::from)
            .ok_or_else(|| {
                crate::error::AppError::not_found("accounting account", self.0.account_id).into()
            })
    }
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// Zero when the line is a credit.
    async fn debit(&self) -> Decimal {
        Decimal::money(&self.0.debit, &self.0.currency)
    }
    /// Zero when the line is a debit.
    async fn credit(&self) -> Decimal {
        Decimal::money(&self.0.credit, &self.0.currency)
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn date(&self) -> NaiveDate {
        self.0.entry_date
    }
    /// The invoice this line is about (set by billing).
    async fn invoice_id(&self) -> Option<ID> {
        self.0.invoice_id.map(|id| ID(id.to_string()))
    }
    /// The payment this line is about (set by billing).
    async fn payment_id(&self) -> Option<ID> {
        self.0.payment_id.map(|id| ID(id.to_string()))
    }
    /// The linked deal; null when none, or when it has been deleted since.
    async fn deal(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DealGql>> {
        let Some(id) = self.0.deal_id else {
            return Ok(None);
        };
        Ok(loaders::get::<DealLoader>(ctx)?
            .load_one(id)
            .await?
            .map(DealGql::from))
    }
    async fn contact(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ContactGql>> {
        let Some(id) = self.0.contact_id else {
            return Ok(None);
        };
        let contact = loaders::get::<ContactLoader>(ctx)?.load_one(id).await?;
        Ok(contact.map(ContactGql::from_row))
    }
    async fn company(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CompanyGql>> {
        let Some(id) = self.0.company_id else {
            return Ok(None);
        };
        let company = loaders::get::<CompanyLoader>(ctx)?.load_one(id).await?;
        Ok(company.map(CompanyGql::from_row))
    }
    /// The linked ids as given, also when the record is gone.
    async fn deal_id(&self) -> Option<ID> {
        self.0.deal_id.map(|id| ID(id.to_string()))
    }
    async fn contact_id(&self) -> Option<ID> {
        self.0.contact_id.map(|id| ID(id.to_string()))
    }
    async fn company_id(&self) -> Option<ID> {
        self.0.company_id.map(|id| ID(id.to_string()))
    }
}

/// A posted line of an account's ledger and the account's balance after it.
pub struct LedgerLineGql(pub LedgerRow);

#[Object(name = "LedgerLine")]
impl LedgerLineGql {
    async fn line(&self) -> JournalLineGql {
        JournalLineGql(self.0.line.clone())
    }
    async fn entry(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<JournalEntryGql>> {
        let entry = loaders::get::<JournalEntryLoader>(ctx)?
            .load_one(self.0.line.entry_id)
            .await?;
        Ok(entry.map(Into::into))
    }
    /// The account's balance in the line's currency after this line, on its normal side.
    async fn running_balance(&self) -> Decimal {
        Decimal::money(&self.0.running_balance, &self.0.line.currency)
    }
}

/// Every account with postings up to a date, with each currency's totals.
pub struct TrialBalanceGql(pub TrialBalance);

#[Object(name = "TrialBalance")]
impl TrialBalanceGql {
    async fn as_of(&self) -> NaiveDate {
        self.0.as_of
    }
    /// By account code, then currency.
    async fn rows(&self) -> Vec<TrialBalanceRowGql> {
        self.0
            .rows
            .iter()
            .map(|row| TrialBalanceRowGql {
                account: AccountingAccountGql(row.account.clone()),
                amounts: amounts(&row.currency, &row.debit, &row.credit),
            })
            .collect()
    }
    /// Per currency: debits equal credits, so every `balance` here is zero.
    async fn totals(&self) -> Vec<TrialBalanceAmountsGql> {
        self.0
            .totals
            .iter()
            .map(|(currency, debit, credit)| amounts(currency, debit, credit))
            .collect()
    }
}

fn amounts(currency: &str, debit: &BigDecimal, credit: &BigDecimal) -> TrialBalanceAmountsGql {
    TrialBalanceAmountsGql {
        currency: currency.to_owned(),
        debit: Decimal::money(debit, currency),
        credit: Decimal::money(credit, currency),
        balance: Decimal::money(&(debit - credit), currency),
    }
}

/// Debits, credits and their difference in one currency.
#[derive(SimpleObject)]
#[graphql(name = "TrialBalanceAmounts")]
pub struct TrialBalanceAmountsGql {
    pub currency: String,
    pub debit: Decimal,
    pub credit: Decimal,
    /// Debit − credit: positive for a debit balance, negative for a credit balance.
    pub balance: Decimal,
}

#[derive(SimpleObject)]
#[graphql(name = "TrialBalanceRow")]
pub struct TrialBalanceRowGql {
    pub account: AccountingAccountGql,
    #[graphql(flatten)]
    pub amounts: TrialBalanceAmountsGql,
}

#[derive(SimpleObject)]
pub struct AccountingAccountPayload {
    pub accounting_account: AccountingAccountGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

record_payload!(AccountingAccountPayload {
    accounting_account: AccountingAccount
});

#[derive(SimpleObject)]
pub struct JournalEntryPayload {
    /// The entry written (for `reverseJournalEntry`, the reversal).
    pub journal_entry: JournalEntryGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

impl From<WriteResult<RecordedEntry>> for JournalEntryPayload {
    fn from(result: WriteResult<RecordedEntry>) -> Self {
        JournalEntryPayload {
            outcome: (&result).into(),
            journal_entry: JournalEntryGql {
                written_lines: Some(result.value.lines),
                ..result.value.entry.into()
            },
        }
    }
}
