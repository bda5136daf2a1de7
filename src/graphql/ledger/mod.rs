//! GraphQL for the ledger: the chart of accounts, journal entries, an account's ledger and
//! the trial balance, and their mutations.

mod inputs;
pub mod loaders;
mod prefetch;
pub mod types;

use std::sync::Arc;

use async_graphql::{Context, Object, ID};
use async_trait::async_trait;
use chrono::NaiveDate;
use uuid::Uuid;

pub use self::inputs::{
    AccountFilterInput, ArchiveAccountingAccountInput, CreateAccountingAccountInput,
    CreateJournalEntryInput, DeleteAccountingAccountInput, DeleteJournalEntryInput,
    EntryFilterInput, PostJournalEntryInput, ReverseJournalEntryInput,
    UpdateAccountingAccountInput, UpdateJournalEntryInput,
};
pub use self::loaders::{
    register as register_loaders, AccountingAccountLoader, JournalEntryLoader,
};
pub use self::types::{
    AccountingAccountConnection, AccountingAccountGql, AccountingAccountPayload,
    JournalEntryConnection, JournalEntryGql, JournalEntryPayload, LedgerLineConnection,
    LedgerLineGql, TrialBalanceGql,
};
use super::{actor, loaders as registry, parse_id, pool};
use crate::error::AppError;
use crate::graphql::mutation::{mutate, Delete, Kept, Target};
use crate::graphql::pagination::Page;
use crate::ledger::model::{AccountingAccount, LedgerPage};
use crate::ledger::ops::{self, RecordedEntry};
use crate::ledger::{AccountsOrder, JournalEntriesOrder, LedgerLinesOrder};
use crate::write::{draft, record};

/// The names the ledger's lists' cursors carry.
const ACCOUNTS_LIST: &str = "accountingAccounts";
const ENTRIES_LIST: &str = "journalEntries";
const LEDGER_LIST: &str = "ledgerLines";

#[derive(Default)]
pub struct LedgerQuery;

#[Object]
impl LedgerQuery {
    /// The chart of accounts, by code. Needs `crm:read`.
    async fn accounting_accounts(
        &self,
        ctx: &Context<'_>,
        filter: Option<AccountFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<AccountingAccountConnection> {
        let page = Page::forward(ctx, ACCOUNTS_LIST, AccountsOrder, first, after)?;
        let filter = filter.unwrap_or_default().into();
        let listing =
            ops::accounting_accounts(pool(ctx)?, actor(ctx)?, filter, &page.window).await?;
        Ok(page.connection(listing, AccountingAccountGql::from))
    }

    /// Journal entries, newest date first. Needs `crm:read`.
    async fn journal_entries(
        &self,
        ctx: &Context<'_>,
        filter: Option<EntryFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<JournalEntryConnection> {
        let page = Page::forward(ctx, ENTRIES_LIST, JournalEntriesOrder, first, after)?;
        let filter = filter.unwrap_or_default().into();
        let listing = ops::journal_entries(pool(ctx)?, actor(ctx)?, filter, &page.window).await?;
        prefetch::entry_page(ctx, &listing.rows).await?;
        Ok(page.connection(listing, JournalEntryGql::from))
    }

    /// An account's posted lines dated `from`..`to` (both included), oldest first, each with
    /// the account's running balance after it. Needs `crm:read`.
    async fn ledger_lines(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<LedgerLineConnection> {
        let account_id = parse_id(&account_id, "accountId")?;
        let page = Page::forward(ctx, LEDGER_LIST, LedgerLinesOrder, first, after)?;
        let dates = LedgerPage { from, to };
        let listing =
            ops::ledger_lines(pool(ctx)?, actor(ctx)?, account_id, dates, &page.window).await?;
        Ok(page.connection(listing, LedgerLineGql))
    }

    /// Every account's posted debits and credits up to and including `asOf`, in `currency`
    /// (every currency when absent), with each currency's totals — which always balance.
    /// Needs `crm:read`.
    async fn trial_balance(
        &self,
        ctx: &Context<'_>,
        as_of: NaiveDate,
        currency: Option<String>,
    ) -> async_graphql::Result<TrialBalanceGql> {
        let balance =
            ops::trial_balance(pool(ctx)?, actor(ctx)?, as_of, currency.as_deref()).await?;
        Ok(TrialBalanceGql(balance))
    }
}

#[derive(Default)]
pub struct LedgerMutation;

#[Object]
impl LedgerMutation {
    /// Adds an account to the chart. Needs `crm:write`.
    async fn create_accounting_account(
        &self,
        ctx: &Context<'_>,
        input: CreateAccountingAccountInput,
    ) -> async_graphql::Result<AccountingAccountPayload> {
        let (input, options) = input.into_parts()?;
        mutate(ctx, |pool, actor| {
            record::create::<AccountingAccount>(pool, actor, input, options)
        })
        .await
    }

    /// Changes the given fields of an account. Needs `crm:write`.
    async fn update_accounting_account(
        &self,
        ctx: &Context<'_>,
        input: UpdateAccountingAccountInput,
    ) -> async_graphql::Result<AccountingAccountPayload> {
        let update = input.into_parts()?;
        mutate(ctx, update.through(record::update::<AccountingAccount>)).await
    }

    /// Closes an account to new postings (or opens it again with `archived: false`); its
    /// history and balance stay. Needs `crm:write`.
    async fn archive_accounting_account(
        &self,
        ctx: &Context<'_>,
        input: ArchiveAccountingAccountInput,
    ) -> async_graphql::Result<AccountingAccountPayload> {
        let target = Target::of(&input.id, input.expected_version, input.options)?;
        mutate(ctx, target.through_with(input.archived, ops::archive)).await
    }

    /// Deletes an account nothing was ever posted to and no account is grouped under
    /// (otherwise CONFLICT: archive it instead). Needs `crm:write`.
    async fn delete_accounting_account(
        &self,
        ctx: &Context<'_>,
        input: DeleteAccountingAccountInput,
    ) -> async_graphql::Result<AccountingAccountPayload> {
        let delete = Delete::of(&input.id, input.expected_version, input.options)?;
        mutate(ctx, delete.through(record::delete::<AccountingAccount>)).await
    }

    /// Records a journal entry, as a DRAFT or POSTED at once (numbered, and in the balances).
    /// Needs `crm:write`.
    async fn create_journal_entry(
        &self,
        ctx: &Context<'_>,
        input: CreateJournalEntryInput,
    ) -> async_graphql::Result<JournalEntryPayload> {
        let (input, status, options) = input.into_parts()?;
        mutate(ctx, |pool, actor| {
            ops::create(pool, actor, input, status.into(), options)
        })
        .await
    }

    /// Changes a DRAFT entry's date, memo or lines (given lines replace all of them); a
    /// posted entry is CONFLICT — reverse it instead. Needs `crm:write`.
    async fn update_journal_entry(
        &self,
        ctx: &Context<'_>,
        input: UpdateJournalEntryInput,
    ) -> async_graphql::Result<JournalEntryPayload> {
        mutate(
            ctx,
            input.into_parts()?.through(draft::update::<RecordedEntry>),
        )
        .await
    }

    /// Deletes a DRAFT entry with its lines and returns it; a posted entry is CONFLICT —
    /// reverse it instead. Needs `crm:write`.
    async fn delete_journal_entry(
        &self,
        ctx: &Context<'_>,
        input: DeleteJournalEntryInput,
    ) -> async_graphql::Result<JournalEntryPayload> {
        let delete = Delete::of(&input.id, input.expected_version, input.options)?;
        mutate(ctx, delete.through(draft::delete::<RecordedEntry>)).await
    }

    /// Posts a draft: it gets the workspace's next number and counts in the balances; it
    /// never changes again. Needs `crm:write`.
    async fn post_journal_entry(
        &self,
        ctx: &Context<'_>,
        input: PostJournalEntryInput,
    ) -> async_graphql::Result<JournalEntryPayload> {
        let post = Target::of(&input.id, input.expected_version, input.options)?;
        mutate(ctx, post.through(ops::post)).await
    }

    /// Posts the mirror of a posted entry (each debit a credit and back), linked both ways
    /// (`reverses`, `reversedBy`); an entry is reversed once. Returns the reversal. Needs
    /// `crm:write`.
    async fn reverse_journal_entry(
        &self,
        ctx: &Context<'_>,
        input: ReverseJournalEntryInput,
    ) -> async_graphql::Result<JournalEntryPayload> {
        let id = parse_id(&input.id, "input.id")?;
        let (date, memo, options) = (input.date, input.memo, input.options.into());
        mutate(ctx, |pool, actor| async move {
            let result = ops::reverse(pool, actor, id, date, memo, options).await?;
            if result.committed() {
                registry::get::<loaders::ReversalLoader>(ctx)?.clear::<Uuid>();
            }
            Ok(result)
        })
        .await
    }
}

/// A committed account write makes the request's cache true to it.
#[async_trait]
impl Kept for AccountingAccount {
    async fn keep(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        registry::get::<AccountingAccountLoader>(ctx)?
            .feed_one(self.id, Arc::new(self.clone()))
            .await;
        Ok(())
    }

    async fn forget(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        registry::get::<AccountingAccountLoader>(ctx)?.clear::<Uuid>();
        Ok(())
    }
}

/// A committed entry write (a delete too) makes the request's caches true to it.
#[async_trait]
impl Kept for RecordedEntry {
    async fn keep(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        registry::get::<JournalEntryLoader>(ctx)?
            .feed_one(self.entry.id, Arc::new(self.entry.clone()))
            .await;
        registry::get::<loaders::JournalLinesLoader>(ctx)?
            .feed_one(self.entry.id, self.lines.clone())
            .await;
        Ok(())
    }
}
