//! Billing's mutation inputs and list filters, and their mapping onto the domain's inputs.

use async_graphql::{InputObject, MaybeUndefined, ID};
use chrono::{DateTime, NaiveDate, Utc};

use super::types::{
    InvoiceKindGql, InvoiceLineKindGql, InvoiceStatusGql, PaymentKindGql, PaymentMethodGql,
};
use crate::billing::model::{InvoiceFilter, PaymentFilter};
use crate::billing::ops::CreditNoteInput;
use crate::billing::rules::{InvoiceInput, InvoicePatch, LineInput, PaymentInput, RefundInput};
use crate::error::AppError;
use crate::graphql::mutation::{MutationOptions, Update};
use crate::graphql::scalars::Decimal;
use crate::graphql::{optional_id, parse_id, patch, patched_id};
use crate::write::WriteOptions;

/// One line of an invoice.
#[derive(InputObject)]
pub struct InvoiceLineInput {
    #[graphql(default_with = "InvoiceLineKindGql::Service")]
    pub kind: InvoiceLineKindGql,
    /// 1–200 characters.
    pub name: String,
    pub description: Option<String>,
    /// Above zero; up to 4 decimals.
    pub quantity: Decimal,
    /// Zero or more; up to 4 decimals.
    pub unit_amount: Decimal,
    /// An amount off the line, in the invoice's currency, at most quantity × unitAmount.
    pub discount: Option<Decimal>,
    /// 0..1 (0.2 for 20 %).
    pub tax_rate: Option<Decimal>,
    pub service_period_start: Option<NaiveDate>,
    pub service_period_end: Option<NaiveDate>,
    /// A revenue account to post the line to; the default services or product revenue
    /// account when absent.
    pub revenue_account_id: Option<ID>,
}

fn lines(lines: Vec<InvoiceLineInput>, prefix: &str) -> Result<Vec<LineInput>, AppError> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            Ok(LineInput {
                kind: line.kind.into(),
                name: line.name,
                description: line.description,
                quantity: line.quantity.0,
                unit_amount: line.unit_amount.0,
                discount: line.discount.map(|d| d.0),
                tax_rate: line.tax_rate.map(|r| r.0),
                service_period_start: line.service_period_start,
                service_period_end: line.service_period_end,
                revenue_account_id: optional_id(
                    line.revenue_account_id,
                    &format!("{prefix}.lines[{i}].revenueAccountId"),
                )?,
            })
        })
        .collect()
}

#[derive(InputObject)]
pub struct CreateInvoiceInput {
    /// Your own number (unique in the workspace); absent: INV-000123 at issue.
    pub number: Option<String>,
    /// The customer: a company, a contact, or both.
    pub company_id: Option<ID>,
    pub contact_id: Option<ID>,
    pub deal_id: Option<ID>,
    pub lead_id: Option<ID>,
    /// ISO 4217; absent: the deal's currency, else the workspace's default.
    pub currency: Option<String>,
    /// Absent: the day it is issued.
    pub issue_date: Option<NaiveDate>,
    /// Absent: issue date + paymentTermsDays, else the issue date.
    pub due_date: Option<NaiveDate>,
    pub payment_terms_days: Option<i32>,
    pub memo: Option<String>,
    #[graphql(default)]
    pub lines: Vec<InvoiceLineInput>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl CreateInvoiceInput {
    pub fn into_parts(self) -> Result<(InvoiceInput, WriteOptions), AppError> {
        let input = InvoiceInput {
            number: self.number,
            company_id: optional_id(self.company_id, "input.companyId")?,
            contact_id: optional_id(self.contact_id, "input.contactId")?,
            deal_id: optional_id(self.deal_id, "input.dealId")?,
            lead_id: optional_id(self.lead_id, "input.leadId")?,
            currency: self.currency,
            issue_date: self.issue_date,
            due_date: self.due_date,
            payment_terms_days: self.payment_terms_days,
            memo: self.memo,
            lines: lines(self.lines, "input")?,
        };
        Ok((input, self.options.into()))
    }
}

/// Changes a draft: fields left out stay, null clears, `lines` (when given) replace all.
#[derive(InputObject)]
pub struct UpdateInvoiceInput {
    pub id: ID,
    /// Refuse (STALE_OBJECT) unless the invoice still has this version.
    pub expected_version: Option<i32>,
    pub number: MaybeUndefined<String>,
    pub company_id: MaybeUndefined<ID>,
    pub contact_id: MaybeUndefined<ID>,
    pub deal_id: MaybeUndefined<ID>,
    pub lead_id: MaybeUndefined<ID>,
    pub currency: Option<String>,
    pub issue_date: MaybeUndefined<NaiveDate>,
    pub due_date: MaybeUndefined<NaiveDate>,
    pub payment_terms_days: MaybeUndefined<i32>,
    pub memo: MaybeUndefined<String>,
    pub lines: Option<Vec<InvoiceLineInput>>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl UpdateInvoiceInput {
    pub fn into_parts(self) -> Result<Update<InvoicePatch>, AppError> {
        Ok(Update {
            id: parse_id(&self.id, "input.id")?,
            expected_version: self.expected_version,
            patch: InvoicePatch {
                number: patch(self.number),
                company_id: patched_id(self.company_id, "input.companyId")?,
                contact_id: patched_id(self.contact_id, "input.contactId")?,
                deal_id: patched_id(self.deal_id, "input.dealId")?,
                lead_id: patched_id(self.lead_id, "input.leadId")?,
                currency: self.currency,
                issue_date: patch(self.issue_date),
                due_date: patch(self.due_date),
                payment_terms_days: patch(self.payment_terms_days),
                memo: patch(self.memo),
                lines: self.lines.map(|l| lines(l, "input")).transpose()?,
            },
            options: self.options.into(),
        })
    }
}

#[derive(InputObject)]
pub struct IssueInvoiceInput {
    pub id: ID,
    /// Absent: the draft's issue date, else today.
    pub issue_date: Option<NaiveDate>,
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

/// Deletes a DRAFT invoice with its lines; an issued one is CONFLICT.
#[derive(InputObject)]
pub struct DeleteInvoiceInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct VoidInvoiceInput {
    pub id: ID,
    /// The reversal's date; today when absent.
    pub date: Option<NaiveDate>,
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct CreateCreditNoteInput {
    /// The issued invoice it corrects.
    pub invoice_id: ID,
    pub number: Option<String>,
    pub issue_date: Option<NaiveDate>,
    pub memo: Option<String>,
    /// What is credited; absent: all of the invoice's lines (refused if part was paid).
    pub lines: Option<Vec<InvoiceLineInput>>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl CreateCreditNoteInput {
    pub fn into_parts(self) -> Result<(CreditNoteInput, WriteOptions), AppError> {
        let input = CreditNoteInput {
            invoice_id: parse_id(&self.invoice_id, "input.invoiceId")?,
            number: self.number,
            issue_date: self.issue_date,
            memo: self.memo,
            lines: self.lines.map(|l| lines(l, "input")).transpose()?,
        };
        Ok((input, self.options.into()))
    }
}

#[derive(InputObject)]
pub struct RecordPaymentInput {
    /// Absent: unapplied, kept as the customer's credit (give companyId or contactId).
    pub invoice_id: Option<ID>,
    pub company_id: Option<ID>,
    pub contact_id: Option<ID>,
    /// Above zero, in the currency's minor units.
    pub amount: Decimal,
    /// ISO 4217; must be the invoice's.
    pub currency: String,
    /// Absent: now.
    pub paid_at: Option<DateTime<Utc>>,
    pub method: PaymentMethodGql,
    /// Where the payment comes from ("stripe"); needed with providerReferenceId.
    pub provider: Option<String>,
    /// The provider's id for it: a second payment with the same provider and reference
    /// returns the first (`duplicate: true`) and writes nothing.
    pub provider_reference_id: Option<String>,
    pub memo: Option<String>,
    /// Keep what exceeds the invoice's amount due as customer credit (refused otherwise).
    #[graphql(default)]
    pub as_credit: bool,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl RecordPaymentInput {
    pub fn into_parts(self) -> Result<(PaymentInput, WriteOptions), AppError> {
        let input = PaymentInput {
            invoice_id: optional_id(self.invoice_id, "input.invoiceId")?,
            company_id: optional_id(self.company_id, "input.companyId")?,
            contact_id: optional_id(self.contact_id, "input.contactId")?,
            amount: self.amount.0,
            currency: self.currency,
            paid_at: self.paid_at,
            method: self.method.into(),
            provider: self.provider,
            provider_reference_id: self.provider_reference_id,
            memo: self.memo,
            as_credit: self.as_credit,
        };
        Ok((input, self.options.into()))
    }
}

#[derive(InputObject)]
pub struct RefundPaymentInput {
    pub payment_id: ID,
    /// Absent: all that is not refunded yet.
    pub amount: Option<Decimal>,
    pub paid_at: Option<DateTime<Utc>>,
    /// The provider's id for the refund (same provider as the payment).
    pub provider_reference_id: Option<String>,
    pub memo: Option<String>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl RefundPaymentInput {
    pub fn into_parts(self) -> Result<(RefundInput, WriteOptions), AppError> {
        let input = RefundInput {
            payment_id: parse_id(&self.payment_id, "input.paymentId")?,
            amount: self.amount.map(|a| a.0),
            paid_at: self.paid_at,
            provider_reference_id: self.provider_reference_id,
            memo: self.memo,
        };
        Ok((input, self.options.into()))
    }
}

#[derive(InputObject)]
pub struct ApplyCustomerCreditInput {
    pub invoice_id: ID,
    /// Absent: as much as the customer's credit and the amount due allow.
    pub amount: Option<Decimal>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

/// Narrows `invoices`; every part given must match.
#[derive(InputObject, Default)]
pub struct InvoiceFilterInput {
    pub status: Option<InvoiceStatusGql>,
    pub kind: Option<InvoiceKindGql>,
    /// true: issued, unsettled and past due (today, UTC); false: the rest.
    pub overdue: Option<bool>,
    /// The customer.
    pub company_id: Option<ID>,
    pub contact_id: Option<ID>,
    pub deal_id: Option<ID>,
    /// Issued on or after.
    pub issued_from: Option<NaiveDate>,
    /// Issued on or before.
    pub issued_to: Option<NaiveDate>,
    pub currency: Option<String>,
}

impl InvoiceFilterInput {
    pub fn into_filter(self) -> Result<InvoiceFilter, AppError> {
        Ok(InvoiceFilter {
            status: self.status.map(Into::into),
            kind: self.kind.map(Into::into),
            overdue: self.overdue,
            today: Some(Utc::now().date_naive()),
            company_id: optional_id(self.company_id, "filter.companyId")?,
            contact_id: optional_id(self.contact_id, "filter.contactId")?,
            deal_id: optional_id(self.deal_id, "filter.dealId")?,
            issued_from: self.issued_from,
            issued_to: self.issued_to,
            currency: self
                .currency
                .map(|c| crate::money::currency("filter.currency", &c))
                .transpose()?,
        })
    }
}

/// Narrows `payments`; every part given must match.
#[derive(InputObject, Default)]
pub struct PaymentFilterInput {
    pub invoice_id: Option<ID>,
    pub company_id: Option<ID>,
    pub contact_id: Option<ID>,
    pub kind: Option<PaymentKindGql>,
    pub currency: Option<String>,
}

impl PaymentFilterInput {
    pub fn into_filter(self) -> Result<PaymentFilter, AppError> {
        Ok(PaymentFilter {
            invoice_id: optional_id(self.invoice_id, "filter.invoiceId")?,
            company_id: optional_id(self.company_id, "filter.companyId")?,
            contact_id: optional_id(self.contact_id, "filter.contactId")?,
            kind: self.kind.map(Into::into),
            currency: self
                .currency
                .map(|c| crate::money::currency("filter.currency", &c))
                .transpose()?,
        })
    }
}
