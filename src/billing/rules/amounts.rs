//! The one place billing computes money. The rule, which the `billing_guards` migration
//! checks again in the database:
//!
//! * a line's **subtotal** is quantity × unit amount, rounded half away from zero to the
//!   currency's minor units (2 for USD, 0 for JPY, 3 for KWD), less the line's discount
//!   (an amount, already in minor units);
//! * its **tax** is subtotal × tax rate, rounded the same way; its total is the two added;
//! * the invoice's subtotal and tax are the sums of its lines' (rounded per line, then summed
//!   — never rounded again), its total their sum;
//! * **amount due** = total − amount paid − amount credited (by credit notes).

use bigdecimal::{BigDecimal, RoundingMode, Zero};
use serde::{Deserialize, Serialize};

use super::{InvoiceKind, InvoiceStatus};

/// What one line comes to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineAmounts {
    pub subtotal: BigDecimal,
    pub tax: BigDecimal,
    pub total: BigDecimal,
}

/// What an invoice comes to: the sums of its lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceAmounts {
    pub subtotal: BigDecimal,
    pub tax_total: BigDecimal,
    pub total: BigDecimal,
}

/// `amount` rounded half away from zero to `currency`'s minor units.
pub fn round_to_currency(amount: &BigDecimal, currency: &str) -> BigDecimal {
    amount.with_scale_round(crate::money::minor_units(currency), RoundingMode::HalfUp)
}

/// quantity × unit amount, rounded: what a line costs before its discount.
pub fn line_gross(quantity: &BigDecimal, unit_amount: &BigDecimal, currency: &str) -> BigDecimal {
    round_to_currency(&(quantity * unit_amount), currency)
}

/// A line's amounts, by the rule above. `discount` must not exceed the gross (the rules
/// check it before).
pub fn line_amounts(
    quantity: &BigDecimal,
    unit_amount: &BigDecimal,
    discount: &BigDecimal,
    tax_rate: &BigDecimal,
    currency: &str,
) -> LineAmounts {
    let subtotal = line_gross(quantity, unit_amount, currency) - discount;
    let tax = round_to_currency(&(&subtotal * tax_rate), currency);
    let total = &subtotal + &tax;
    LineAmounts {
        subtotal: subtotal.normalized(),
        tax: tax.normalized(),
        total: total.normalized(),
    }
}

/// The invoice's amounts: its lines' summed.
pub fn invoice_amounts<'a>(lines: impl IntoIterator<Item = &'a LineAmounts>) -> InvoiceAmounts {
    let mut subtotal = BigDecimal::zero();
    let mut tax_total = BigDecimal::zero();
    for line in lines {
        subtotal += &line.subtotal;
        tax_total += &line.tax;
    }
    let total = &subtotal + &tax_total;
    InvoiceAmounts {
        subtotal: subtotal.normalized(),
        tax_total: tax_total.normalized(),
        total: total.normalized(),
    }
}

/// What is left to pay.
pub fn amount_due(total: &BigDecimal, paid: &BigDecimal, credited: &BigDecimal) -> BigDecimal {
    (total - paid - credited).normalized()
}

/// The status an issued invoice has with these amounts (drafts and void invoices keep
/// theirs): PAID when nothing is due, ISSUED while nothing was paid or credited, else
/// PARTIALLY_PAID. A credit note is ISSUED once issued.
pub fn settled_status(
    kind: InvoiceKind,
    total: &BigDecimal,
    paid: &BigDecimal,
    credited: &BigDecimal,
) -> InvoiceStatus {
    if kind == InvoiceKind::CreditNote {
        return InvoiceStatus::Issued;
    }
    if amount_due(total, paid, credited).is_zero() {
        InvoiceStatus::Paid
    } else if paid.is_zero() && credited.is_zero() {
        InvoiceStatus::Issued
    } else {
        InvoiceStatus::PartiallyPaid
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn dec(s: &str) -> BigDecimal {
        BigDecimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn lines_round_to_the_currency_then_sum() {
        // 3 × 0.335 = 1.005 → 1.01 (half away from zero); tax 8.25 % of 1.01 = 0.083325 → 0.08.
        let line = line_amounts(&dec("3"), &dec("0.335"), &dec("0"), &dec("0.0825"), "USD");
        assert_eq!(line.subtotal, dec("1.01"));
        assert_eq!(line.tax, dec("0.08"));
        assert_eq!(line.total, dec("1.09"));
        // Two such lines: summed per line (2.18), not rounded from the unrounded sum.
        let total = invoice_amounts([&line, &line]);
        assert_eq!(total.subtotal, dec("2.02"));
        assert_eq!(total.tax_total, dec("0.16"));
        assert_eq!(total.total, dec("2.18"));
    }

    #[test]
    fn discounts_come_off_before_tax_and_jpy_has_no_decimals() {
        let line = line_amounts(&dec("2.5"), &dec("999"), &dec("100"), &dec("0.1"), "JPY");
        // 2.5 × 999 = 2497.5 → 2498; less 100 = 2398; tax 239.8 → 240.
        assert_eq!(line.subtotal, dec("2398"));
        assert_eq!(line.tax, dec("240"));
        assert_eq!(line.total, dec("2638"));
    }

    #[test]
    fn status_follows_the_amounts() {
        let invoice = InvoiceKind::Invoice;
        let (t, z) = (dec("100"), dec("0"));
        assert_eq!(settled_status(invoice, &t, &z, &z), InvoiceStatus::Issued);
        assert_eq!(
            settled_status(invoice, &t, &dec("40"), &z),
            InvoiceStatus::PartiallyPaid
        );
        assert_eq!(
            settled_status(invoice, &t, &dec("40"), &dec("60")),
            InvoiceStatus::Paid
        );
        assert_eq!(settled_status(invoice, &z, &z, &z), InvoiceStatus::Paid);
        assert_eq!(
            settled_status(InvoiceKind::CreditNote, &t, &z, &t),
            InvoiceStatus::Issued
        );
    }
}
