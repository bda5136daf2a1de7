//! Billing's output types: invoices (and credit notes) with their lines, payments, money
//! per currency, and the mutation payloads.

use async_graphql::connection::Connection;
use async_graphql::{Context, Object, SimpleObject, ID};
use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};

use super::loaders::{
    CreditNotesLoader, InvoiceLinesLoader, InvoiceLoader, InvoicePaymentsLoader, PaymentLoader,
    RefundsLoader,
};
use crate::billing::model::{Invoice, InvoiceLine, Payment};
use crate::billing::ops::InvoiceRecord;
use crate::billing::rules::{InvoiceKind, InvoiceStatus, LineKind, PaymentKind, PaymentMethod};
use crate::graphql::contacts::{CompanyGql, CompanyLoader, ContactGql, ContactLoader};
use crate::graphql::deals::{DealGql, DealLoader};
use crate::graphql::enums::same_enum;
use crate::graphql::ledger::{
    AccountingAccountGql, AccountingAccountLoader, JournalEntryGql, JournalEntryLoader,
};
use crate::graphql::loaders;
use crate::graphql::pagination::ConnectionFields;
use crate::graphql::scalars::Decimal;

pub type InvoiceConnection = Connection<String, InvoiceGql, ConnectionFields>;
pub type PaymentConnection = Connection<String, PaymentGql, ConnectionFields>;

same_enum!(
    /// DRAFT → ISSUED → PARTIALLY_PAID → PAID, or VOID (only with nothing paid).
    InvoiceStatusGql as "InvoiceStatus" = InvoiceStatus [Draft, Issued, PartiallyPaid, Paid, Void]
);
same_enum!(
    /// An invoice, or a credit note correcting one.
    InvoiceKindGql as "InvoiceKind" = InvoiceKind [Invoice, CreditNote]
);
same_enum!(
    /// What a line sells; it picks the default revenue account.
    InvoiceLineKindGql as "InvoiceLineKind" = LineKind [Product, Service]
);
same_enum!(
    /// How money came in: cash posts to Cash, CHECK to Undeposited funds, the rest to Bank;
    /// CUSTOMER_CREDIT is credit applied with applyCustomerCredit.
    PaymentMethodGql as "PaymentMethod" = PaymentMethod
        [Cash, BankTransfer, Card, Check, Other, CustomerCredit]
);
same_enum!(
    /// Money in, money back, or customer credit moved onto an invoice.
    PaymentKindGql as "PaymentKind" = PaymentKind [Payment, Refund, CreditApplication]
);

/// An amount in one currency.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Money")]
pub struct MoneyGql {
    pub amount: Decimal,
    pub currency: String,
}

impl MoneyGql {
    pub fn of(amount: &BigDecimal, currency: &str) -> MoneyGql {
        MoneyGql {
            amount: Decimal::money(amount, currency),
            currency: currency.to_owned(),
        }
    }
}

/// An invoice or a credit note. Amounts are in `currency`, computed per line and summed
/// (see `InvoiceLine`); `amountDue` = `total` − `amountPaid` − `amountCredited`.
#[derive(Clone)]
pub struct InvoiceGql {
    pub row: Invoice,
    /// The lines as a write returned them (a dry run's exist nowhere else).
    pub written_lines: Option<Vec<InvoiceLine>>,
}

impl From<Invoice> for InvoiceGql {
    fn from(row: Invoice) -> Self {
        InvoiceGql {
            row,
            written_lines: None,
        }
    }
}

impl From<InvoiceRecord> for InvoiceGql {
    fn from(record: InvoiceRecord) -> Self {
        InvoiceGql {
            row: record.invoice,
            written_lines: Some(record.lines),
        }
    }
}

#[Object(name = "Invoice")]
impl InvoiceGql {
    pub async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }
    /// Given, or INV-000001 … (CN-000001 … for credit notes) at issue, without gaps per
    /// workspace; null for a draft without one.
    async fn number(&self) -> Option<&str> {
        self.row.number.as_deref()
    }
    async fn kind(&self) -> InvoiceKindGql {
        self.row.kind().into()
    }
    async fn status(&self) -> InvoiceStatusGql {
        self.row.status().into()
    }
    /// ISO 4217.
    async fn currency(&self) -> &str {
        &self.row.currency
    }
    async fn issue_date(&self) -> Option<NaiveDate> {
        self.row.issue_date
    }
    async fn due_date(&self) -> Option<NaiveDate> {
        self.row.due_date
    }
    async fn payment_terms_days(&self) -> Option<i32> {
        self.row.payment_terms_days
    }
    /// Issued, not settled, and past its due date (today, UTC).
    async fn overdue(&self) -> bool {
        self.row.status().is_open()
            && self
                .row
                .due_date
                .is_some_and(|due| due < Utc::now().date_naive())
    }
    async fn memo(&self) -> Option<&str> {
        self.row.memo.as_deref()
    }
    /// Σ line subtotals (after discounts, before tax).
    async fn subtotal(&self) -> Decimal {
        Decimal::money(&self.row.subtotal, &self.row.currency)
    }
    /// Σ line taxes.
    async fn tax(&self) -> Decimal {
        Decimal::money(&self.row.tax_total, &self.row.currency)
    }
    async fn total(&self) -> Decimal {
        Decimal::money(&self.row.total, &self.row.currency)
    }
    /// Σ the applied amounts of its payments, less refunds.
    async fn amount_paid(&self) -> Decimal {
        Decimal::money(&self.row.amount_paid, &self.row.currency)
    }
    /// Σ its issued credit notes (for a credit note: its own total).
    async fn amount_credited(&self) -> Decimal {
        Decimal::money(&self.row.amount_credited, &self.row.currency)
    }
    async fn amount_due(&self) -> Decimal {
        Decimal::money(&self.row.amount_due, &self.row.currency)
    }
    /// In line order.
    async fn lines(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<InvoiceLineGql>> {
        if let Some(lines) = &self.written_lines {
            return Ok(lines.iter().cloned().map(InvoiceLineGql).collect());
        }
        let lines = loaders::get::<InvoiceLinesLoader>(ctx)?
            .load_one(self.row.id)
            .await?
            .unwrap_or_default();
        Ok(lines.into_iter().map(InvoiceLineGql).collect())
    }
    /// Payments, refunds and credit applied, oldest first.
    async fn payments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PaymentGql>> {
        let payments = loaders::get::<InvoicePaymentsLoader>(ctx)?
            .load_one(self.row.id)
            .await?
            .unwrap_or_default();
        Ok(payments.into_iter().map(PaymentGql).collect())
    }
    /// The credit notes correcting this invoice.
    async fn credit_notes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<InvoiceGql>> {
        let notes = loaders::get::<CreditNotesLoader>(ctx)?
            .load_one(self.row.id)
            .await?
            .unwrap_or_default();
        Ok(notes.into_iter().map(Into::into).collect())
    }
    /// For a credit note: the invoice it corrects.
    async fn credited_invoice(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<InvoiceGql>> {
        let Some(id) = self.row.credited_invoice_id else {
            return Ok(None);
        };
        Ok(loaders::get::<InvoiceLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Into::into))
    }
    async fn company(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CompanyGql>> {
        let Some(id) = self.row.company_id else {
            return Ok(None);
        };
        let company = loaders::get::<CompanyLoader>(ctx)?.load_one(id).await?;
        Ok(company.map(CompanyGql::from_row))
    }
    async fn contact(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ContactGql>> {
        let Some(id) = self.row.contact_id else {
            return Ok(None);
        };
        let contact = loaders::get::<ContactLoader>(ctx)?.load_one(id).await?;
        Ok(contact.map(ContactGql::from_row))
    }
    async fn deal(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DealGql>> {
        let Some(id) = self.row.deal_id else {
            return Ok(None);
        };
        Ok(loaders::get::<DealLoader>(ctx)?
            .load_one(id)
            .await?
            .map(DealGql::from))
    }
    async fn lead_id(&self) -> Option<ID> {
        self.row.lead_id.map(|id| ID(id.to_string()))
    }
    /// The ledger entry its issue posted (none for drafts, zero totals, or with automatic
    /// postings off).
    async fn journal_entry(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<JournalEntryGql>> {
        let Some(id) = self.row.journal_entry_id else {
            return Ok(None);
        };
        Ok(loaders::get::<JournalEntryLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Into::into))
    }
    async fn issued_at(&self) -> Option<DateTime<Utc>> {
        self.row.issued_at
    }
    async fn voided_at(&self) -> Option<DateTime<Utc>> {
        self.row.voided_at
    }
    /// Increases with every change; pass it as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.row.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.row.updated_at
    }
}

/// One line of an invoice. `subtotal` = round(quantity × unitAmount to the currency's minor
/// units) − discount; `tax` = round(subtotal × taxRate); `total` = subtotal + tax.
#[derive(Clone)]
pub struct InvoiceLineGql(pub InvoiceLine);

#[Object(name = "InvoiceLine")]
impl InvoiceLineGql {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn line_no(&self) -> i32 {
        self.0.line_no
    }
    async fn kind(&self) -> InvoiceLineKindGql {
        self.0.kind().into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn quantity(&self) -> Decimal {
        Decimal::plain(&self.0.quantity)
    }
    async fn unit_amount(&self) -> Decimal {
        Decimal::plain(&self.0.unit_amount)
    }
    /// An amount off the line.
    async fn discount(&self) -> Decimal {
        Decimal::plain(&self.0.discount)
    }
    /// 0..1 (0.2 for 20 %).
    async fn tax_rate(&self) -> Decimal {
        Decimal::plain(&self.0.tax_rate)
    }
    async fn service_period_start(&self) -> Option<NaiveDate> {
        self.0.service_period_start
    }
    async fn service_period_end(&self) -> Option<NaiveDate> {
        self.0.service_period_end
    }
    /// Where its revenue posts; null: the default services or product revenue account.
    async fn revenue_account(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<AccountingAccountGql>> {
        let Some(id) = self.0.revenue_account_id else {
            return Ok(None);
        };
        Ok(loaders::get::<AccountingAccountLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Into::into))
    }
    async fn subtotal(&self) -> Decimal {
        Decimal::plain(&self.0.subtotal)
    }
    async fn tax(&self) -> Decimal {
        Decimal::plain(&self.0.tax)
    }
    async fn total(&self) -> Decimal {
        Decimal::plain(&self.0.total)
    }
}

/// Money received, paid back (a REFUND, negative) or customer credit applied. `amount`
/// splits into `appliedAmount` (its invoice's amountPaid) and `creditAmount` (the customer's
/// credit).
#[derive(Clone)]
pub struct PaymentGql(pub Payment);

impl From<Payment> for PaymentGql {
    fn from(row: Payment) -> Self {
        PaymentGql(row)
    }
}

loaders::from_shared_row!(PaymentGql: Payment, InvoiceGql: Invoice);

#[Object(name = "Payment")]
impl PaymentGql {
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> PaymentKindGql {
        self.0.kind().into()
    }
    async fn amount(&self) -> Decimal {
        Decimal::money(&self.0.amount, &self.0.currency)
    }
    async fn applied_amount(&self) -> Decimal {
        Decimal::money(&self.0.applied_amount, &self.0.currency)
    }
    async fn credit_amount(&self) -> Decimal {
        Decimal::money(&self.0.credit_amount, &self.0.currency)
    }
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    async fn paid_at(&self) -> DateTime<Utc> {
        self.0.paid_at
    }
    async fn method(&self) -> PaymentMethodGql {
        self.0.method().into()
    }
    async fn provider(&self) -> Option<&str> {
        self.0.provider.as_deref()
    }
    async fn provider_reference_id(&self) -> Option<&str> {
        self.0.provider_reference_id.as_deref()
    }
    async fn memo(&self) -> Option<&str> {
        self.0.memo.as_deref()
    }
    async fn invoice(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<InvoiceGql>> {
        let Some(id) = self.0.invoice_id else {
            return Ok(None);
        };
        Ok(loaders::get::<InvoiceLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Into::into))
    }
    /// For a refund: the payment it gives money back on.
    async fn refunded_payment(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<PaymentGql>> {
        let Some(id) = self.0.refunded_payment_id else {
            return Ok(None);
        };
        Ok(loaders::get::<PaymentLoader>(ctx)?
            .load_one(id)
            .await?
            .map(PaymentGql::from))
    }
    /// Refunds of this payment.
    async fn refunds(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PaymentGql>> {
        let refunds = loaders::get::<RefundsLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(refunds.into_iter().map(PaymentGql).collect())
    }
    async fn company(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CompanyGql>> {
        let Some(id) = self.0.company_id else {
            return Ok(None);
        };
        let company = loaders::get::<CompanyLoader>(ctx)?.load_one(id).await?;
        Ok(company.map(CompanyGql::from_row))
    }
    async fn contact(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ContactGql>> {
        let Some(id) = self.0.contact_id else {
            return Ok(None);
        };
        let contact = loaders::get::<ContactLoader>(ctx)?.load_one(id).await?;
        Ok(contact.map(ContactGql::from_row))
    }
    /// The ledger entry it posted.
    async fn journal_entry(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<JournalEntryGql>> {
        let Some(id) = self.0.journal_entry_id else {
            return Ok(None);
        };
        Ok(loaders::get::<JournalEntryLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Into::into))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
