//! Billing tools — `create_invoice`, `list_invoices`, `record_payment` — over the operations
//! behind `createInvoice`, `invoices` and `recordPayment`. Recording a payment posts to the
//! ledger, so it is declared destructive.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::args::{arg_enum, number, tool_args, uuid, Decimal, Id};
use super::paging::{page_json, row, window_of};
use super::tool::{self, options, recorded, Call, Effect, ToolSpec};
use crate::billing::model::InvoiceFilter;
use crate::billing::ops;
use crate::billing::rules::{
    InvoiceInput, InvoiceKind, InvoiceStatus, LineInput, LineKind, PaymentInput, PaymentMethod,
};
use crate::billing::InvoicesOrder;
use crate::error::AppError;

pub fn tools() -> Vec<ToolSpec> {
    vec![
        tool::write(
            "create_invoice",
            "Creates a draft invoice for a company and/or contact (optionally a deal), with its \
             line items; amounts are decimal strings. It is numbered, posted and frozen when \
             issued (in the app or GraphQL `issueInvoice`).",
            Effect::Write,
            create_invoice,
        ),
        tool::read(
            "list_invoices",
            "Lists invoices and credit notes, newest first, by status, kind, overdue, \
             customer, deal, issue dates or currency.",
            list_invoices,
        ),
        tool::write(
            "record_payment",
            "Records money received against an issued invoice (in its currency), or as the \
             customer's credit when no invoice is given; posts it to the ledger. A payment \
             whose provider and provider_reference_id were seen before returns that payment \
             (`duplicate: true`) and writes nothing.",
            Effect::Destructive,
            record_payment,
        ),
    ]
}

arg_enum!(
    /// What a line sells; it picks the default revenue account.
    LineKindArg => LineKind { Product, Service }
);

arg_enum!(
    InvoiceStatusArg => InvoiceStatus { Draft, Issued, PartiallyPaid, Paid, Void }
);

arg_enum!(
    /// An invoice, or a credit note correcting one.
    InvoiceKindArg => InvoiceKind { Invoice, CreditNote }
);

arg_enum!(
    /// How money came in: cash posts to Cash, check to Undeposited funds, the rest to Bank.
    PaymentMethodArg => PaymentMethod { Cash, BankTransfer, Card, Check, Other }
);

/// One line item.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceLineArg {
    pub kind: LineKindArg,
    pub name: String,
    pub description: Option<String>,
    /// Above zero, a decimal string.
    pub quantity: Decimal,
    /// Zero or more, a decimal string.
    pub unit_amount: Decimal,
    /// An amount off the line, in the invoice's currency.
    pub discount: Option<Decimal>,
    /// 0 to 1 ("0.2" for 20 %).
    pub tax_rate: Option<Decimal>,
    /// YYYY-MM-DD.
    pub service_period_start: Option<NaiveDate>,
    /// YYYY-MM-DD.
    pub service_period_end: Option<NaiveDate>,
    /// Absent: the workspace's revenue account for the line's kind.
    pub revenue_account_id: Option<Id>,
}

impl InvoiceLineArg {
    fn line(self) -> LineInput {
        LineInput {
            kind: self.kind.into(),
            name: self.name,
            description: self.description,
            quantity: self.quantity.0,
            unit_amount: self.unit_amount.0,
            discount: number(self.discount),
            tax_rate: number(self.tax_rate),
            service_period_start: self.service_period_start,
            service_period_end: self.service_period_end,
            revenue_account_id: uuid(self.revenue_account_id),
        }
    }
}

tool_args! {
    pub struct CreateInvoice {
        /// Your own number (unique in the workspace); absent: INV-000123 when issued.
        pub number: Option<String>,
        /// The customer: a company, a contact, or both.
        pub company_id: Option<Id>,
        pub contact_id: Option<Id>,
        pub deal_id: Option<Id>,
        pub lead_id: Option<Id>,
        /// ISO 4217; absent: the deal's currency, else the workspace's default.
        pub currency: Option<String>,
        /// YYYY-MM-DD; absent: the day it is issued.
        pub issue_date: Option<NaiveDate>,
        /// YYYY-MM-DD; absent: issue date + payment_terms_days, else the issue date.
        pub due_date: Option<NaiveDate>,
        pub payment_terms_days: Option<i32>,
        pub memo: Option<String>,
        pub lines: Vec<InvoiceLineArg>,
    }
    writes "invoice"
}

async fn create_invoice(call: Call, input: CreateInvoice) -> Result<Value, AppError> {
    let invoice = InvoiceInput {
        number: input.number,
        company_id: uuid(input.company_id),
        contact_id: uuid(input.contact_id),
        deal_id: uuid(input.deal_id),
        lead_id: uuid(input.lead_id),
        currency: input.currency,
        issue_date: input.issue_date,
        due_date: input.due_date,
        payment_terms_days: input.payment_terms_days,
        memo: input.memo,
        lines: input.lines.into_iter().map(InvoiceLineArg::line).collect(),
    };
    let options = options(input.idempotency_key, input.dry_run);
    recorded(&ops::create(&call.pool, &call.actor, invoice, options).await?)
}

tool_args! {
    pub struct ListInvoices {
        pub status: Option<InvoiceStatusArg>,
        pub kind: Option<InvoiceKindArg>,
        /// true: open and past due today; false: not.
        pub overdue: Option<bool>,
        pub company_id: Option<Id>,
        pub contact_id: Option<Id>,
        pub deal_id: Option<Id>,
        /// Issued on or after (YYYY-MM-DD).
        pub issued_from: Option<NaiveDate>,
        /// Issued on or before (YYYY-MM-DD).
        pub issued_to: Option<NaiveDate>,
        /// ISO 4217.
        pub currency: Option<String>,
    }
    pages
}

async fn list_invoices(call: Call, input: ListInvoices) -> Result<Value, AppError> {
    let filter = InvoiceFilter {
        status: input.status.map(Into::into),
        kind: input.kind.map(Into::into),
        overdue: input.overdue,
        today: Some(Utc::now().date_naive()),
        company_id: uuid(input.company_id),
        contact_id: uuid(input.contact_id),
        deal_id: uuid(input.deal_id),
        issued_from: input.issued_from,
        issued_to: input.issued_to,
        currency: input
            .currency
            .map(|c| crate::money::currency("currency", &c))
            .transpose()?,
    };
    let window = window_of(&call, "invoices", InvoicesOrder, input.limit, input.after)?;
    let listing = ops::invoices(&call.pool, &call.actor, filter, &window).await?;
    page_json(&call, "invoices", &window, listing, row)
}

tool_args! {
    pub struct RecordPayment {
        /// Absent: unapplied, kept as the customer's credit (give company_id or contact_id).
        pub invoice_id: Option<Id>,
        pub company_id: Option<Id>,
        pub contact_id: Option<Id>,
        /// Above zero, a decimal string in the currency's minor units.
        pub amount: Decimal,
        /// ISO 4217; must be the invoice's.
        pub currency: String,
        /// RFC 3339; absent: now.
        pub paid_at: Option<DateTime<Utc>>,
        pub method: PaymentMethodArg,
        /// Where the payment comes from ("stripe"); needed with provider_reference_id.
        pub provider: Option<String>,
        /// The provider's id for it; unique per provider in the workspace.
        pub provider_reference_id: Option<String>,
        pub memo: Option<String>,
        /// Keep what exceeds the invoice's amount due as customer credit (refused otherwise).
        #[serde(default)]
        pub as_credit: bool,
    }
    writes "payment"
}

async fn record_payment(call: Call, input: RecordPayment) -> Result<Value, AppError> {
    let payment = PaymentInput {
        invoice_id: uuid(input.invoice_id),
        company_id: uuid(input.company_id),
        contact_id: uuid(input.contact_id),
        amount: input.amount.0,
        currency: input.currency,
        paid_at: input.paid_at,
        method: input.method.into(),
        provider: input.provider,
        provider_reference_id: input.provider_reference_id,
        memo: input.memo,
        as_credit: input.as_credit,
    };
    let options = options(input.idempotency_key, input.dry_run);
    recorded(&ops::record(&call.pool, &call.actor, payment, options).await?)
}
