//! The payloads of billing's mutations: what was written, and the write's outcome.

use async_graphql::SimpleObject;

use super::types::{InvoiceGql, PaymentGql};
use crate::billing::ops::{CreditNoteRecord, InvoiceRecord, PaymentRecord};
use crate::graphql::mutation::WriteOutcome;
use crate::write::WriteResult;

#[derive(SimpleObject)]
pub struct InvoicePayload {
    pub invoice: InvoiceGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

impl From<WriteResult<InvoiceRecord>> for InvoicePayload {
    fn from(result: WriteResult<InvoiceRecord>) -> Self {
        InvoicePayload {
            outcome: (&result).into(),
            invoice: result.value.into(),
        }
    }
}

#[derive(SimpleObject)]
pub struct CreditNotePayload {
    pub credit_note: InvoiceGql,
    /// The invoice it corrects, with its lowered amount due.
    pub invoice: InvoiceGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

impl From<WriteResult<CreditNoteRecord>> for CreditNotePayload {
    fn from(result: WriteResult<CreditNoteRecord>) -> Self {
        CreditNotePayload {
            outcome: (&result).into(),
            credit_note: result.value.credit_note.into(),
            invoice: result.value.invoice.into(),
        }
    }
}

#[derive(SimpleObject)]
pub struct PaymentPayload {
    pub payment: PaymentGql,
    /// Its invoice after it (null for customer credit).
    pub invoice: Option<InvoiceGql>,
    /// True when the provider's reference was already recorded: this is that payment, and
    /// nothing new was written.
    pub duplicate: bool,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

impl From<WriteResult<PaymentRecord>> for PaymentPayload {
    fn from(result: WriteResult<PaymentRecord>) -> Self {
        PaymentPayload {
            outcome: (&result).into(),
            duplicate: result.value.duplicate,
            payment: PaymentGql(result.value.payment),
            invoice: result.value.invoice.map(Into::into),
        }
    }
}
