//! The events billing publishes, declared once: their names and payloads. Each is written to
//! the outbox in the transaction of its change (the ledger's `journal_entry.posted` comes
//! with every automatic posting too).

use bigdecimal::BigDecimal;
use serde::Serialize;
use uuid::Uuid;

use super::model::{Invoice, Payment};
use crate::events::{EventKind, NewEvent};

pub const INVOICE_ISSUED: EventKind = EventKind::new("invoice.issued", "invoice");
pub const INVOICE_PAID: EventKind = EventKind::new("invoice.paid", "invoice");
pub const INVOICE_VOIDED: EventKind = EventKind::new("invoice.voided", "invoice");
pub const PAYMENT_RECORDED: EventKind = EventKind::new("payment.recorded", "payment");
pub const PAYMENT_REFUNDED: EventKind = EventKind::new("payment.refunded", "payment");

/// Every event of the domain, in the order the API lists them.
pub const KINDS: &[EventKind] = &[
    INVOICE_ISSUED,
    INVOICE_PAID,
    INVOICE_VOIDED,
    PAYMENT_RECORDED,
    PAYMENT_REFUNDED,
];

/// The payload of `invoice.issued`, `invoice.paid` and `invoice.voided`: the invoice (or
/// credit note) as it stands after the change. Amounts are decimal strings.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceChanged<'a> {
    pub invoice_id: Uuid,
    pub number: Option<&'a str>,
    pub kind: &'a str,
    pub status: &'a str,
    pub currency: &'a str,
    pub total: &'a BigDecimal,
    pub amount_paid: &'a BigDecimal,
    pub amount_due: &'a BigDecimal,
    pub company_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub credited_invoice_id: Option<Uuid>,
    pub journal_entry_id: Option<Uuid>,
}

impl<'a> From<&'a Invoice> for InvoiceChanged<'a> {
    fn from(invoice: &'a Invoice) -> Self {
        InvoiceChanged {
            invoice_id: invoice.id,
            number: invoice.number.as_deref(),
            kind: &invoice.kind,
            status: &invoice.status,
            currency: &invoice.currency,
            total: &invoice.total,
            amount_paid: &invoice.amount_paid,
            amount_due: &invoice.amount_due,
            company_id: invoice.company_id,
            contact_id: invoice.contact_id,
            deal_id: invoice.deal_id,
            credited_invoice_id: invoice.credited_invoice_id,
            journal_entry_id: invoice.journal_entry_id,
        }
    }
}

/// The payload of `payment.recorded` and `payment.refunded` (the refund's row).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentChanged<'a> {
    pub payment_id: Uuid,
    pub kind: &'a str,
    pub invoice_id: Option<Uuid>,
    pub refunded_payment_id: Option<Uuid>,
    pub currency: &'a str,
    pub amount: &'a BigDecimal,
    pub applied_amount: &'a BigDecimal,
    pub credit_amount: &'a BigDecimal,
    pub method: &'a str,
    pub provider: Option<&'a str>,
    pub provider_reference_id: Option<&'a str>,
    pub journal_entry_id: Option<Uuid>,
}

impl<'a> From<&'a Payment> for PaymentChanged<'a> {
    fn from(payment: &'a Payment) -> Self {
        PaymentChanged {
            payment_id: payment.id,
            kind: &payment.kind,
            invoice_id: payment.invoice_id,
            refunded_payment_id: payment.refunded_payment_id,
            currency: &payment.currency,
            amount: &payment.amount,
            applied_amount: &payment.applied_amount,
            credit_amount: &payment.credit_amount,
            method: &payment.method,
            provider: payment.provider.as_deref(),
            provider_reference_id: payment.provider_reference_id.as_deref(),
            journal_entry_id: payment.journal_entry_id,
        }
    }
}

pub fn invoice_event(kind: EventKind, invoice: &Invoice) -> Result<NewEvent, serde_json::Error> {
    NewEvent::new(kind, invoice.id, &InvoiceChanged::from(invoice))
}

pub fn payment_event(kind: EventKind, payment: &Payment) -> Result<NewEvent, serde_json::Error> {
    NewEvent::new(kind, payment.id, &PaymentChanged::from(payment))
}
