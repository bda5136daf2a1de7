//! `billingSettings` and `updateBillingSettings`: automatic postings on or off, and the
//! account billing posts each thing to.

use async_graphql::{InputObject, MaybeUndefined, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use crate::billing::ops::SettingsView;
use crate::billing::rules::{PostingPurpose, SettingsPatch};
use crate::error::AppError;
use crate::graphql::ledger::AccountingAccountGql;
use crate::graphql::mutation::{MutationOptions, WriteOutcome};
use crate::graphql::patched_id;
use crate::write::{WriteOptions, WriteResult};

/// Whether billing posts to the ledger by itself, and where to. An account not chosen is the
/// default chart's account of that role.
pub struct BillingSettingsGql(pub SettingsView);

impl BillingSettingsGql {
    fn account(&self, purpose: PostingPurpose) -> Option<AccountingAccountGql> {
        self.0.account(purpose).cloned().map(AccountingAccountGql)
    }
}

#[Object(name = "BillingSettings")]
impl BillingSettingsGql {
    /// Issuing, paying, crediting, voiding and refunding post to the ledger in the same
    /// transaction (on unless turned off).
    async fn auto_post(&self) -> bool {
        self.0.settings.values.auto_post
    }
    /// Dr on issue, Cr on payment (an ASSET).
    async fn receivable_account(&self) -> Option<AccountingAccountGql> {
        self.account(PostingPurpose::Receivable)
    }
    /// Cr for SERVICE lines without their own revenue account (a REVENUE account).
    async fn services_revenue_account(&self) -> Option<AccountingAccountGql> {
        self.account(PostingPurpose::ServicesRevenue)
    }
    /// Cr for PRODUCT lines without their own revenue account (a REVENUE account).
    async fn product_revenue_account(&self) -> Option<AccountingAccountGql> {
        self.account(PostingPurpose::ProductRevenue)
    }
    /// Cr for the tax on issue (a LIABILITY).
    async fn sales_tax_account(&self) -> Option<AccountingAccountGql> {
        self.account(PostingPurpose::SalesTax)
    }
    /// Overpayments kept as credit (a LIABILITY).
    async fn customer_credit_account(&self) -> Option<AccountingAccountGql> {
        self.account(PostingPurpose::CustomerCredit)
    }
    /// Dr for CASH payments (an ASSET).
    async fn cash_account(&self) -> Option<AccountingAccountGql> {
        self.account(PostingPurpose::Cash)
    }
    /// Dr for BANK_TRANSFER, CARD and OTHER payments (an ASSET).
    async fn bank_account(&self) -> Option<AccountingAccountGql> {
        self.account(PostingPurpose::Bank)
    }
    /// Dr for CHECK payments until deposited (an ASSET).
    async fn undeposited_funds_account(&self) -> Option<AccountingAccountGql> {
        self.account(PostingPurpose::UndepositedFunds)
    }
    /// 0 until the settings are first changed.
    async fn version(&self) -> i32 {
        self.0.settings.version
    }
    /// Null until the settings are first changed.
    async fn updated_at(&self) -> Option<DateTime<Utc>> {
        (self.0.settings.version > 0).then_some(self.0.settings.updated_at)
    }
}

/// Changes the given settings. An account id must be an open account of the workspace of
/// the type its purpose needs; null goes back to the default chart's account.
#[derive(InputObject)]
pub struct UpdateBillingSettingsInput {
    pub auto_post: Option<bool>,
    pub receivable_account_id: MaybeUndefined<ID>,
    pub services_revenue_account_id: MaybeUndefined<ID>,
    pub product_revenue_account_id: MaybeUndefined<ID>,
    pub sales_tax_account_id: MaybeUndefined<ID>,
    pub customer_credit_account_id: MaybeUndefined<ID>,
    pub cash_account_id: MaybeUndefined<ID>,
    pub bank_account_id: MaybeUndefined<ID>,
    pub undeposited_funds_account_id: MaybeUndefined<ID>,
    /// Refuse (STALE_OBJECT) unless the settings still have this version (0: never changed).
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl UpdateBillingSettingsInput {
    pub fn into_parts(self) -> Result<(SettingsPatch, Option<i32>, WriteOptions), AppError> {
        let given = [
            (PostingPurpose::Receivable, self.receivable_account_id),
            (
                PostingPurpose::ServicesRevenue,
                self.services_revenue_account_id,
            ),
            (
                PostingPurpose::ProductRevenue,
                self.product_revenue_account_id,
            ),
            (PostingPurpose::SalesTax, self.sales_tax_account_id),
            (
                PostingPurpose::CustomerCredit,
                self.customer_credit_account_id,
            ),
            (PostingPurpose::Cash, self.cash_account_id),
            (PostingPurpose::Bank, self.bank_account_id),
            (
                PostingPurpose::UndepositedFunds,
                self.undeposited_funds_account_id,
            ),
        ];
        let accounts = given
            .into_iter()
            .map(|(purpose, id)| {
                let field = format!("input.{}", purpose.field());
                Ok((purpose, patched_id(id, &field)?))
            })
            .collect::<Result<_, AppError>>()?;
        let patch = SettingsPatch {
            auto_post: self.auto_post,
            accounts,
        };
        Ok((patch, self.expected_version, self.options.into()))
    }
}

#[derive(SimpleObject)]
pub struct BillingSettingsPayload {
    pub billing_settings: BillingSettingsGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

impl From<WriteResult<SettingsView>> for BillingSettingsPayload {
    fn from(result: WriteResult<SettingsView>) -> Self {
        BillingSettingsPayload {
            outcome: (&result).into(),
            billing_settings: BillingSettingsGql(result.value),
        }
    }
}
