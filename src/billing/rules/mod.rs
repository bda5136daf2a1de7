//! Billing rules: pure, no database. `amounts` is the one place money is computed;
//! `invoice` checks an invoice's input and `payment` decides how a payment splits between
//! its invoice and the customer's credit. The database keeps the same rules as triggers
//! (`billing_guards`); these come first so callers get errors naming their fields.

pub mod amounts;
mod invoice;
mod invoice_patch;
mod payment;
mod settings;

use serde::{Deserialize, Serialize};

pub use self::amounts::{InvoiceAmounts, LineAmounts};
pub use self::invoice::{
    due_date, validate_invoice, validate_number, InvoiceInput, LineInput, ValidInvoice, ValidLine,
    MAX_LINES, MEMO_MAX,
};
pub use self::invoice_patch::{as_input, InvoicePatch};
pub use self::payment::{
    refund_split, validate_payment, validate_refund, PaymentInput, PaymentSplit, RefundInput,
    ValidPayment,
};
pub use self::settings::{PostingPurpose, SettingsPatch};

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }
    };
}

text_enum!(
    /// An invoice, or a credit note correcting one.
    InvoiceKind { Invoice => "invoice", CreditNote => "credit_note" }
);
text_enum!(
    /// DRAFT → ISSUED → PARTIALLY_PAID → PAID, or VOID (only with nothing paid).
    InvoiceStatus {
        Draft => "draft",
        Issued => "issued",
        PartiallyPaid => "partially_paid",
        Paid => "paid",
        Void => "void",
    }
);
text_enum!(
    /// What a line sells; it picks the default revenue account.
    LineKind { Product => "product", Service => "service" }
);
text_enum!(
    /// How money came in; it picks the account the money is debited to.
    PaymentMethod {
        Cash => "cash",
        BankTransfer => "bank_transfer",
        Card => "card",
        Check => "check",
        Other => "other",
        CustomerCredit => "customer_credit",
    }
);
text_enum!(
    /// Money in, money back, or customer credit moved onto an invoice.
    PaymentKind {
        Payment => "payment",
        Refund => "refund",
        CreditApplication => "credit_application",
    }
);

impl InvoiceStatus {
    /// Issued and not settled: money may still come in.
    pub fn is_open(self) -> bool {
        matches!(self, InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip() {
        for s in InvoiceStatus::ALL {
            assert_eq!(InvoiceStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(
            PaymentMethod::parse("bank_transfer"),
            Some(PaymentMethod::BankTransfer)
        );
        assert_eq!(InvoiceKind::parse("credit note"), None);
    }
}
