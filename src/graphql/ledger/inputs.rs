//! Mutation inputs and list filters of the ledger API, and their mapping onto the domain's
//! inputs (absent → unchanged, null → cleared).

use async_graphql::{InputObject, MaybeUndefined, ID};
use chrono::NaiveDate;

use super::types::{AccountTypeGql, EntryStatusGql};
use crate::error::AppError;
use crate::graphql::mutation::{MutationOptions, Update};
use crate::graphql::scalars::Decimal;
use crate::graphql::{parse_id, patch};
use crate::ledger::model::{AccountFilter, EntryFilter};
use crate::ledger::ops::{
    AccountInput, AccountPatch, EntryInput, EntryPatch, LineInput, SourceLinks,
};
use crate::write::WriteOptions;

#[derive(InputObject)]
pub struct CreateAccountingAccountInput {
    /// 1–20 characters without spaces, unique in the workspace ("1300").
    pub code: String,
    /// 1–200 characters.
    pub name: String,
    #[graphql(name = "type")]
    pub account_type: AccountTypeGql,
    pub description: Option<String>,
    /// Group it under this account (which must not be grouped itself).
    pub parent_id: Option<ID>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl CreateAccountingAccountInput {
    pub fn into_parts(self) -> Result<(AccountInput, WriteOptions), AppError> {
        let parent_id = self
            .parent_id
            .map(|id| parse_id(&id, "input.parentId"))
            .transpose()?;
        let input = AccountInput {
            code: self.code,
            name: self.name,
            account_type: self.account_type.into(),
            description: self.description,
            parent_id,
        };
        Ok((input, self.options.into()))
    }
}

/// A partial update: fields left out stay as they are, null clears `description` and
/// `parentId`.
#[derive(InputObject)]
pub struct UpdateAccountingAccountInput {
    pub id: ID,
    /// Refuse the update (STALE_OBJECT) unless the account still has this version.
    pub expected_version: Option<i32>,
    pub code: MaybeUndefined<String>,
    pub name: MaybeUndefined<String>,
    #[graphql(name = "type")]
    pub account_type: MaybeUndefined<AccountTypeGql>,
    pub description: MaybeUndefined<String>,
    pub parent_id: MaybeUndefined<ID>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl UpdateAccountingAccountInput {
    pub fn into_parts(self) -> Result<Update<AccountPatch>, AppError> {
        let parent_id = match patch(self.parent_id) {
            crate::write::Patch::Set(id) => {
                crate::write::Patch::Set(parse_id(&id, "input.parentId")?)
            }
            crate::write::Patch::Clear => crate::write::Patch::Clear,
            crate::write::Patch::Unchanged => crate::write::Patch::Unchanged,
        };
        Ok(Update {
            id: parse_id(&self.id, "input.id")?,
            expected_version: self.expected_version,
            patch: AccountPatch {
                code: patch(self.code),
                name: patch(self.name),
                account_type: patch(self.account_type).map(Into::into),
                description: patch(self.description),
                parent_id,
            },
            options: self.options.into(),
        })
    }
}

#[derive(InputObject)]
pub struct ArchiveAccountingAccountInput {
    pub id: ID,
    /// false opens an archived account again.
    #[graphql(default = true)]
    pub archived: bool,
    /// Refuse (STALE_OBJECT) unless the account still has this version.
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct DeleteAccountingAccountInput {
    pub id: ID,
    /// Refuse (STALE_OBJECT) unless the account still has this version.
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

/// One line: a debit or a credit (exactly one of them above zero).
#[derive(InputObject)]
pub struct JournalLineInput {
    pub account_id: ID,
    /// ISO 4217; the amounts may have no more decimals than it has (USD 2, JPY 0, KWD 3).
    pub currency: String,
    pub debit: Option<Decimal>,
    pub credit: Option<Decimal>,
    /// Up to 1,000 characters.
    pub description: Option<String>,
    pub invoice_id: Option<ID>,
    pub payment_id: Option<ID>,
    pub deal_id: Option<ID>,
    pub contact_id: Option<ID>,
    pub company_id: Option<ID>,
}

#[derive(InputObject)]
pub struct CreateJournalEntryInput {
    pub date: NaiveDate,
    /// Up to 1,000 characters.
    pub memo: Option<String>,
    /// At least two; debits equal credits in every currency.
    pub lines: Vec<JournalLineInput>,
    /// POSTED posts it at once (it gets its number); DRAFT when absent.
    #[graphql(default)]
    pub status: EntryStatusGql,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl CreateJournalEntryInput {
    pub fn into_parts(self) -> Result<(EntryInput, EntryStatusGql, WriteOptions), AppError> {
        let input = EntryInput {
            date: self.date,
            memo: self.memo,
            lines: line_inputs(self.lines)?,
        };
        Ok((input, self.status, self.options.into()))
    }
}

/// Changes to a DRAFT entry; a posted one is CONFLICT (reverse it instead).
#[derive(InputObject)]
pub struct UpdateJournalEntryInput {
    pub id: ID,
    /// Refuse (STALE_OBJECT) unless the draft still has this version.
    pub expected_version: Option<i32>,
    pub date: Option<NaiveDate>,
    /// Up to 1,000 characters; null clears it.
    pub memo: MaybeUndefined<String>,
    /// All of the draft's lines, replacing the ones it has; absent: they stay.
    pub lines: Option<Vec<JournalLineInput>>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl UpdateJournalEntryInput {
    pub fn into_parts(self) -> Result<Update<EntryPatch>, AppError> {
        Ok(Update {
            id: parse_id(&self.id, "input.id")?,
            expected_version: self.expected_version,
            patch: EntryPatch {
                date: self.date,
                memo: patch(self.memo),
                lines: self.lines.map(line_inputs).transpose()?,
            },
            options: self.options.into(),
        })
    }
}

/// Deletes a DRAFT entry and its lines; a posted one is CONFLICT (reverse it instead).
#[derive(InputObject)]
pub struct DeleteJournalEntryInput {
    pub id: ID,
    /// Refuse (STALE_OBJECT) unless the draft still has this version.
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

fn line_inputs(lines: Vec<JournalLineInput>) -> Result<Vec<LineInput>, AppError> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| line_input(line, &format!("input.lines[{i}]")))
        .collect()
}

fn line_input(line: JournalLineInput, field: &str) -> Result<LineInput, AppError> {
    let id = |id: Option<ID>, name: &str| {
        id.map(|id| parse_id(&id, &format!("{field}.{name}")))
            .transpose()
    };
    Ok(LineInput {
        account_id: parse_id(&line.account_id, &format!("{field}.accountId"))?,
        currency: line.currency,
        debit: line.debit.map(|d| d.0),
        credit: line.credit.map(|c| c.0),
        description: line.description,
        links: SourceLinks {
            invoice_id: id(line.invoice_id, "invoiceId")?,
            payment_id: id(line.payment_id, "paymentId")?,
            deal_id: id(line.deal_id, "dealId")?,
            contact_id: id(line.contact_id, "contactId")?,
            company_id: id(line.company_id, "companyId")?,
        },
    })
}

#[derive(InputObject)]
pub struct PostJournalEntryInput {
    pub id: ID,
    /// Refuse (STALE_OBJECT) unless the draft still has this version.
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct ReverseJournalEntryInput {
    /// A posted entry that is not reversed yet.
    pub id: ID,
    /// The reversal's date; today when absent.
    pub date: Option<NaiveDate>,
    /// "Reversal of journal entry N" when absent.
    pub memo: Option<String>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

/// Which accounts to list; every field given narrows the list.
#[derive(InputObject, Default)]
#[graphql(name = "AccountingAccountFilter")]
pub struct AccountFilterInput {
    #[graphql(name = "type")]
    pub account_type: Option<AccountTypeGql>,
    /// false: open accounts only; true: archived ones only; absent: both.
    pub archived: Option<bool>,
    /// Part of the code or name, in any case.
    pub search: Option<String>,
}

impl From<AccountFilterInput> for AccountFilter {
    fn from(filter: AccountFilterInput) -> Self {
        AccountFilter {
            account_type: filter.account_type.map(Into::into),
            archived: filter.archived,
            search: filter.search,
        }
    }
}

/// Which journal entries to list; every field given narrows the list.
#[derive(InputObject, Default)]
#[graphql(name = "JournalEntryFilter")]
pub struct EntryFilterInput {
    pub status: Option<EntryStatusGql>,
    /// Dated on or after.
    pub from: Option<NaiveDate>,
    /// Dated on or before.
    pub to: Option<NaiveDate>,
}

impl From<EntryFilterInput> for EntryFilter {
    fn from(filter: EntryFilterInput) -> Self {
        EntryFilter {
            status: filter.status.map(Into::into),
            from: filter.from,
            to: filter.to,
        }
    }
}
