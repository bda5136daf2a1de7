//! Domain: billing — the lead-to-cash tail. Invoices and credit notes with their lines,
//! payments, refunds and customer credit. Issuing freezes an invoice (the database refuses
//! later edits); payments move its amounts and status in the same transaction; and, unless a
//! workspace turns it off, every issue, payment, credit note, void and refund posts to the
//! ledger through `ledger::ops::record_entry`, linked back to its invoice or payment.
//!
//! Amounts are computed in one place, `rules::amounts` (per line, rounded to the currency's
//! minor units, then summed), and the `billing_guards` migration checks them again.
//! Depends on deals and contacts (whose records invoices belong to) and on the ledger.

pub mod events;
pub mod model;
pub mod ops;
pub mod rules;

use crate::db::page::{KeyKind, ListOrder, Window};

/// Invoices are listed newest first (by creation; UUIDv7 ids break ties).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct InvoicesOrder;

impl ListOrder for InvoicesOrder {
    fn name(self) -> &'static str {
        "created_at"
    }

    fn key_kind(self) -> KeyKind {
        KeyKind::Time
    }

    fn descending(self) -> bool {
        true
    }
}

/// Payments are listed newest payment date first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PaymentsOrder;

impl ListOrder for PaymentsOrder {
    fn name(self) -> &'static str {
        "paid_at"
    }

    fn key_kind(self) -> KeyKind {
        KeyKind::Time
    }

    fn descending(self) -> bool {
        true
    }
}

pub type InvoicesWindow = Window<InvoicesOrder>;
pub type PaymentsWindow = Window<PaymentsOrder>;
