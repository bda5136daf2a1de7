//! Tools for the double-entry ledger: `create_accounting_account`,
//! `list_accounting_accounts`, `create_journal_entry`, `list_journal_entries` — over the
//! operations behind `createAccountingAccount`, `accountingAccounts`, `createJournalEntry`
//! and `journalEntries`.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::args::{arg_enum, number, tool_args, uuid, Decimal, Id};
use super::paging::{page_json, row, window_of};
use super::tool::{self, options, recorded, written, Call, Effect, ToolSpec};
use crate::error::AppError;
use crate::ledger::model::{AccountFilter, AccountingAccount, EntryFilter};
use crate::ledger::ops::{self, AccountInput, EntryInput, EntryStatus, LineInput, SourceLinks};
use crate::ledger::rules::AccountType;
use crate::ledger::{AccountsOrder, JournalEntriesOrder};
use crate::write::record;

pub fn tools() -> Vec<ToolSpec> {
    vec![
        tool::write(
            "create_accounting_account",
            "Adds an account to the workspace's chart of accounts. Its code is unique.",
            Effect::Write,
            create_accounting_account,
        ),
        tool::read(
            "list_accounting_accounts",
            "Lists the chart of accounts by code, by type, archived or not, or a term in code \
             or name.",
            list_accounting_accounts,
        ),
        tool::write(
            "create_journal_entry",
            "Records a journal entry: at least two lines whose debits equal their credits in \
             every currency, amounts as decimal strings. status `draft` (default) can still \
             change; `posted` is numbered, counts in the balances and never changes again.",
            Effect::Destructive,
            create_journal_entry,
        ),
        tool::read(
            "list_journal_entries",
            "Lists journal entries, newest date first, by status and date range.",
            list_journal_entries,
        ),
    ]
}

arg_enum!(
    /// The five classes of a chart of accounts.
    AccountTypeArg => AccountType { Asset, Liability, Equity, Revenue, Expense }
);

arg_enum!(
    #[derive(Default)]
    EntryStatusArg => EntryStatus {
        #[default]
        Draft,
        Posted,
    }
);

tool_args! {
    pub struct CreateAccountingAccount {
        /// Unique in the workspace, e.g. "1200".
        pub code: String,
        pub name: String,
        #[serde(rename = "type")]
        pub account_type: AccountTypeArg,
        pub description: Option<String>,
        /// A parent account of the same type.
        pub parent_id: Option<Id>,
    }
    writes "account"
}

async fn create_accounting_account(
    call: Call,
    input: CreateAccountingAccount,
) -> Result<Value, AppError> {
    let account = AccountInput {
        code: input.code,
        name: input.name,
        account_type: input.account_type.into(),
        description: input.description,
        parent_id: uuid(input.parent_id),
    };
    let options = options(input.idempotency_key, input.dry_run);
    let result =
        record::create::<AccountingAccount>(&call.pool, &call.actor, account, options).await?;
    written("account", &result)
}

tool_args! {
    pub struct ListAccountingAccounts {
        #[serde(rename = "type")]
        pub account_type: Option<AccountTypeArg>,
        /// true: archived accounts only; false: open ones only; absent: both.
        pub archived: Option<bool>,
        /// Found in the code or the name, case-insensitively.
        pub query: Option<String>,
    }
    pages
}

async fn list_accounting_accounts(
    call: Call,
    input: ListAccountingAccounts,
) -> Result<Value, AppError> {
    let filter = AccountFilter {
        account_type: input.account_type.map(Into::into),
        archived: input.archived,
        search: input.query,
    };
    let window = window_of(
        &call,
        "accountingAccounts",
        AccountsOrder,
        input.limit,
        input.after,
    )?;
    let listing = ops::accounting_accounts(&call.pool, &call.actor, filter, &window)
        .await
        .map_err(|err| match err {
            AppError::BadInput { field, message } if field == "filter.search" => {
                AppError::BadInput {
                    field: "query".into(),
                    message,
                }
            }
            other => other,
        })?;
    page_json(&call, "accountingAccounts", &window, listing, row)
}

/// One line of a journal entry: a debit or a credit.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JournalLineArg {
    pub account_id: Id,
    /// ISO 4217.
    pub currency: String,
    /// A decimal string; give debit or credit.
    pub debit: Option<Decimal>,
    /// A decimal string; give debit or credit.
    pub credit: Option<Decimal>,
    pub description: Option<String>,
    pub deal_id: Option<Id>,
    pub contact_id: Option<Id>,
    pub company_id: Option<Id>,
}

impl JournalLineArg {
    fn line(self) -> LineInput {
        LineInput {
            account_id: self.account_id.0,
            currency: self.currency,
            debit: number(self.debit),
            credit: number(self.credit),
            description: self.description,
            links: SourceLinks {
                invoice_id: None,
                payment_id: None,
                deal_id: uuid(self.deal_id),
                contact_id: uuid(self.contact_id),
                company_id: uuid(self.company_id),
            },
        }
    }
}

tool_args! {
    pub struct CreateJournalEntry {
        /// YYYY-MM-DD.
        pub date: NaiveDate,
        /// Up to 1,000 characters.
        pub memo: Option<String>,
        /// At least two; debits equal credits in every currency.
        pub lines: Vec<JournalLineArg>,
        /// `posted` posts it at once; `draft` when absent.
        #[serde(default)]
        pub status: EntryStatusArg,
    }
    writes "entry"
}

async fn create_journal_entry(call: Call, input: CreateJournalEntry) -> Result<Value, AppError> {
    let lines = input.lines.into_iter().map(JournalLineArg::line).collect();
    let entry = EntryInput {
        date: input.date,
        memo: input.memo,
        lines,
    };
    let options = options(input.idempotency_key, input.dry_run);
    let result = ops::create(&call.pool, &call.actor, entry, input.status.into(), options).await?;
    recorded(&result)
}

tool_args! {
    pub struct ListJournalEntries {
        pub status: Option<EntryStatusArg>,
        /// Dated on or after (YYYY-MM-DD).
        pub from: Option<NaiveDate>,
        /// Dated on or before (YYYY-MM-DD).
        pub to: Option<NaiveDate>,
    }
    pages
}

async fn list_journal_entries(call: Call, input: ListJournalEntries) -> Result<Value, AppError> {
    let filter = EntryFilter {
        status: input.status.map(Into::into),
        from: input.from,
        to: input.to,
    };
    let window = window_of(
        &call,
        "journalEntries",
        JournalEntriesOrder,
        input.limit,
        input.after,
    )?;
    let listing = ops::journal_entries(&call.pool, &call.actor, filter, &window).await?;
    page_json(&call, "journalEntries", &window, listing, row)
}
