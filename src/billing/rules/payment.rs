//! A payment's input, checked, and how money splits between an invoice and the customer's
//! credit: a payment pays its invoice up to what is due; the excess is refused unless the
//! caller asks to keep it as credit. A refund gives back the invoice part first, then credit.

use bigdecimal::{BigDecimal, Zero};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::PaymentMethod;
use crate::error::AppError;
use crate::validate::optional_text;

const PROVIDER_MAX: usize = 100;
const REFERENCE_MAX: usize = 200;
const MEMO_MAX: usize = 2000;

/// A payment as the caller gave it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentInput {
    /// None: unapplied, kept as the customer's credit.
    pub invoice_id: Option<Uuid>,
    /// The customer, for a payment without an invoice.
    pub company_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub amount: BigDecimal,
    pub currency: String,
    pub paid_at: Option<DateTime<Utc>>,
    pub method: PaymentMethod,
    pub provider: Option<String>,
    pub provider_reference_id: Option<String>,
    pub memo: Option<String>,
    /// Keep what exceeds the invoice's amount due as customer credit (else refused).
    pub as_credit: bool,
}

/// A payment that passed the rules.
#[derive(Debug, Clone)]
pub struct ValidPayment {
    pub amount: BigDecimal,
    pub currency: String,
    pub paid_at: DateTime<Utc>,
    pub method: PaymentMethod,
    pub provider: Option<String>,
    pub provider_reference_id: Option<String>,
    pub memo: Option<String>,
}

/// How much of a payment (or refund) goes to its invoice and how much to the customer's
/// credit; the two add up to the amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentSplit {
    pub applied: BigDecimal,
    pub credit: BigDecimal,
}

/// A refund as the caller gave it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundInput {
    pub payment_id: Uuid,
    /// What is still unrefunded when absent.
    pub amount: Option<BigDecimal>,
    pub paid_at: Option<DateTime<Utc>>,
    pub provider_reference_id: Option<String>,
    pub memo: Option<String>,
}

pub fn validate_payment(input: &PaymentInput, prefix: &str) -> Result<ValidPayment, AppError> {
    let currency = crate::money::currency(&format!("{prefix}.currency"), &input.currency)?;
    let amount = crate::money::amount(&format!("{prefix}.amount"), &input.amount, &currency)?;
    if amount.is_zero() {
        return Err(AppError::bad_input(
            format!("{prefix}.amount"),
            "a payment must be above zero",
        ));
    }
    if input.method == PaymentMethod::CustomerCredit {
        return Err(AppError::bad_input(
            format!("{prefix}.method"),
            "customer credit is applied with applyCustomerCredit, not recorded as a payment",
        ));
    }
    let provider = optional_text(
        &format!("{prefix}.provider"),
        input.provider.as_deref(),
        PROVIDER_MAX,
    )?;
    let provider_reference_id = optional_text(
        &format!("{prefix}.providerReferenceId"),
        input.provider_reference_id.as_deref(),
        REFERENCE_MAX,
    )?;
    if provider_reference_id.is_some() && provider.is_none() {
        return Err(AppError::bad_input(
            format!("{prefix}.provider"),
            "a providerReferenceId needs the provider it comes from",
        ));
    }
    let memo = optional_text(&format!("{prefix}.memo"), input.memo.as_deref(), MEMO_MAX)?;
    Ok(ValidPayment {
        amount,
        currency,
        paid_at: input.paid_at.unwrap_or_else(Utc::now),
        method: input.method,
        provider,
        provider_reference_id,
        memo,
    })
}

impl PaymentSplit {
    /// A payment of `amount` against an invoice with `due` left (None: no invoice).
    pub fn of_payment(
        amount: &BigDecimal,
        due: Option<&BigDecimal>,
        as_credit: bool,
        field: &str,
    ) -> Result<PaymentSplit, AppError> {
        let Some(due) = due else {
            return Ok(PaymentSplit {
                applied: BigDecimal::zero(),
                credit: amount.clone(),
            });
        };
        if amount <= due {
            return Ok(PaymentSplit {
                applied: amount.clone(),
                credit: BigDecimal::zero(),
            });
        }
        if !as_credit {
            return Err(AppError::bad_input(
                field,
                format!(
                    "the invoice has {} due and {} would overpay it; pass asCredit: true to keep the excess as customer credit",
                    due.normalized(),
                    amount.normalized()
                ),
            ));
        }
        Ok(PaymentSplit {
            applied: due.clone(),
            credit: (amount - due).normalized(),
        })
    }
}

/// A refund's split, given what of the payment is still unrefunded on the invoice
/// (`applied_left`) and as credit (`credit_left`): the invoice part goes back first. Negative
/// amounts, as stored. Refusing more than was paid names `field`.
pub fn refund_split(
    amount: &BigDecimal,
    applied_left: &BigDecimal,
    credit_left: &BigDecimal,
    field: &str,
) -> Result<PaymentSplit, AppError> {
    let left = applied_left + credit_left;
    if amount > &left {
        return Err(AppError::bad_input(
            field,
            format!(
                "only {} of this payment is not refunded yet; {} is more than was paid",
                left.normalized(),
                amount.normalized()
            ),
        ));
    }
    let applied = amount.min(applied_left).clone();
    let credit = amount - &applied;
    Ok(PaymentSplit {
        applied: -applied.normalized(),
        credit: -credit.normalized(),
    })
}

/// A refund's amount, checked like a payment's (positive, in minor units).
pub fn validate_refund(
    amount: &BigDecimal,
    currency: &str,
    field: &str,
) -> Result<BigDecimal, AppError> {
    let amount = crate::money::amount(field, amount, currency)?;
    if amount.is_zero() {
        return Err(AppError::bad_input(field, "a refund must be above zero"));
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn dec(s: &str) -> BigDecimal {
        BigDecimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn overpaying_needs_as_credit() {
        let due = dec("60");
        assert!(PaymentSplit::of_payment(&dec("100"), Some(&due), false, "a").is_err());
        let split = PaymentSplit::of_payment(&dec("100"), Some(&due), true, "a").unwrap();
        assert_eq!((split.applied, split.credit), (dec("60"), dec("40")));
        let unapplied = PaymentSplit::of_payment(&dec("5"), None, false, "a").unwrap();
        assert_eq!(unapplied.credit, dec("5"));
    }

    #[test]
    fn refunds_take_the_invoice_part_first_and_never_more_than_paid() {
        let split = refund_split(&dec("70"), &dec("60"), &dec("40"), "a").unwrap();
        assert_eq!((split.applied, split.credit), (dec("-60"), dec("-10")));
        assert!(refund_split(&dec("100.01"), &dec("60"), &dec("40"), "a").is_err());
    }
}
