//! A draft's partial update: absent fields stay, null clears, lines given replace them all.
//! Applied to the stored draft it gives a whole new input, checked like a new invoice's.

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::{InvoiceInput, LineInput, LineKind};
use crate::billing::model::{Invoice, InvoiceLine};
use crate::write::Patch;

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoicePatch {
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub number: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub company_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub contact_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub deal_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub lead_id: Patch<Uuid>,
    /// Absent: unchanged; null is not allowed (an invoice always has a currency).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub issue_date: Patch<NaiveDate>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub due_date: Patch<NaiveDate>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub payment_terms_days: Patch<i32>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub memo: Patch<String>,
    /// Given: the draft's lines become these.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<LineInput>>,
}

impl InvoicePatch {
    /// The draft's content after this patch.
    pub fn apply(self, draft: &Invoice, lines: &[InvoiceLine]) -> InvoiceInput {
        InvoiceInput {
            number: self.number.apply(draft.number.clone()),
            company_id: self.company_id.apply(draft.company_id),
            contact_id: self.contact_id.apply(draft.contact_id),
            deal_id: self.deal_id.apply(draft.deal_id),
            lead_id: self.lead_id.apply(draft.lead_id),
            currency: Some(self.currency.unwrap_or_else(|| draft.currency.clone())),
            issue_date: self.issue_date.apply(draft.issue_date),
            due_date: self.due_date.apply(draft.due_date),
            payment_terms_days: self.payment_terms_days.apply(draft.payment_terms_days),
            memo: self.memo.apply(draft.memo.clone()),
            lines: self
                .lines
                .unwrap_or_else(|| lines.iter().map(as_input).collect()),
        }
    }
}

/// A stored line as input again.
pub fn as_input(line: &InvoiceLine) -> LineInput {
    LineInput {
        kind: LineKind::parse(&line.kind).unwrap_or(LineKind::Service),
        name: line.name.clone(),
        description: line.description.clone(),
        quantity: line.quantity.clone(),
        unit_amount: line.unit_amount.clone(),
        discount: Some(line.discount.clone()),
        tax_rate: Some(line.tax_rate.clone()),
        service_period_start: line.service_period_start,
        service_period_end: line.service_period_end,
        revenue_account_id: line.revenue_account_id,
    }
}
