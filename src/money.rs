//! Money: amounts are `BigDecimal`s next to an ISO 4217 code, validated against the real code
//! list and its minor units. Amounts in different currencies are never added together.

use bigdecimal::{BigDecimal, Zero};
use iso_currency::Currency;

use crate::error::AppError;

/// Largest amount we store: NUMERIC(22, 4) leaves 18 integer digits.
const MAX_INTEGER_DIGITS: i64 = 18;

/// An upper-case ISO 4217 code that exists.
pub fn currency(field: &str, code: &str) -> Result<String, AppError> {
    let upper = code.trim().to_ascii_uppercase();
    match Currency::from_code(&upper) {
        Some(_) => Ok(upper),
        None => Err(AppError::bad_input(
            field,
            format!("{code:?} is not an ISO 4217 currency code"),
        )),
    }
}

/// Decimals the currency allows (2 for USD, 0 for JPY, 3 for KWD; 4 for units without one).
pub fn minor_units(code: &str) -> i64 {
    Currency::from_code(code)
        .and_then(|c| c.exponent())
        .map(i64::from)
        .unwrap_or(4)
}

/// A non-negative amount with no more decimals than the currency allows.
pub fn amount(field: &str, amount: &BigDecimal, currency: &str) -> Result<BigDecimal, AppError> {
    if amount < &BigDecimal::zero() {
        return Err(AppError::bad_input(
            field,
            format!("must not be negative (got {amount})"),
        ));
    }
    let normalized = amount.normalized();
    let decimals = normalized.fractional_digit_count().max(0);
    let allowed = minor_units(currency);
    if decimals > allowed {
        return Err(AppError::bad_input(
            field,
            format!("{currency} allows {allowed} decimal places; {amount} has {decimals}"),
        ));
    }
    let (digits, scale) = normalized.as_bigint_and_exponent();
    let integer_digits = digits.to_string().trim_start_matches('-').len() as i64 - scale;
    if integer_digits > MAX_INTEGER_DIGITS {
        return Err(AppError::bad_input(field, "is too large"));
    }
    Ok(normalized)
}

/// The amount as the API shows it: exactly the currency's decimals ("1200.00", "5000").
pub fn display(amount: &BigDecimal, currency: &str) -> String {
    let units = minor_units(currency);
    // bigdecimal prints any zero as "0", whatever its scale.
    if amount.is_zero() {
        return if units > 0 {
            format!("0.{}", "0".repeat(units as usize))
        } else {
            "0".to_owned()
        };
    }
    amount.with_scale(units).to_string()
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn dec(s: &str) -> BigDecimal {
        BigDecimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn currencies_come_from_the_real_list() {
        assert_eq!(currency("c", "usd").ok().as_deref(), Some("USD"));
        assert!(currency("c", "USX").is_err());
    }

    #[test]
    fn decimals_follow_the_currency() {
        assert!(amount("a", &dec("12.34"), "USD").is_ok());
        assert!(amount("a", &dec("12.345"), "USD").is_err());
        assert!(amount("a", &dec("12.345"), "JPY").is_err());
        assert!(amount("a", &dec("12"), "JPY").is_ok());
        assert!(amount("a", &dec("12.000"), "JPY").is_ok());
        assert!(amount("a", &dec("1.234"), "KWD").is_ok());
        assert!(amount("a", &dec("-1"), "USD").is_err());
        assert!(amount("a", &dec("1e30"), "USD").is_err());
    }

    #[test]
    fn zero_keeps_its_decimals() {
        assert_eq!(display(&dec("0"), "USD"), "0.00");
        assert_eq!(display(&dec("0.0000"), "USD"), "0.00");
    }

    #[test]
    fn display_uses_minor_units() {
        assert_eq!(display(&dec("1200"), "USD"), "1200.00");
        assert_eq!(display(&dec("5000.0000"), "JPY"), "5000");
    }
}
