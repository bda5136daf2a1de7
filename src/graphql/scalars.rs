//! Scalars: `Decimal` is a string in both directions, so no JSON number (a float in most
//! clients) ever carries money or a probability. Dates and times are chrono's scalars, held
//! to strict ISO 8601 by [`check_text`] at the input boundary (`graphql::boundary`).

use std::str::FromStr;

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use bigdecimal::BigDecimal;
use chrono::{DateTime, FixedOffset, NaiveDate};

/// Checks the text of a scalar input by the scalar's GraphQL name, for the scalars whose own
/// parsing is more lenient than the API promises: chrono reads `2026-1-1`, year `0000` and
/// `+10000-01-01` as dates, and a space or a missing `T` in a time.
pub fn check_text(scalar: &str, text: &str) -> Result<(), String> {
    match scalar {
        "NaiveDate" => iso_date(text).map(drop),
        "DateTime" => iso_date_time(text).map(drop),
        _ => Ok(()),
    }
}

/// A calendar date exactly as `YYYY-MM-DD`, years 0001 to 9999.
pub fn iso_date(text: &str) -> Result<NaiveDate, String> {
    let refused = || format!("{text:?} is not a date like \"2026-03-31\" (YYYY-MM-DD)");
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&i| bytes[i].is_ascii_digit());
    if !shaped || &text[..4] == "0000" {
        return Err(refused());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| refused())
}

/// A point in time exactly as RFC 3339 (ISO 8601's profile for the internet):
/// `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds, then `Z` or `±HH:MM`.
pub fn iso_date_time(text: &str) -> Result<DateTime<FixedOffset>, String> {
    let refused =
        || format!("{text:?} is not a date and time like \"2026-03-31T09:30:00Z\" (RFC 3339)");
    let (date, rest) = text.split_at_checked(10).ok_or_else(refused)?;
    iso_date(date).map_err(|_| refused())?;
    let time = rest
        .strip_prefix('T')
        .or_else(|| rest.strip_prefix('t'))
        .ok_or_else(refused)?;
    let clock = time.as_bytes();
    let shaped = clock.len() >= 8
        && clock[2] == b':'
        && clock[5] == b':'
        && [0, 1, 3, 4, 6, 7]
            .iter()
            .all(|&i| clock[i].is_ascii_digit());
    if !shaped {
        return Err(refused());
    }
    let mut zone = &time[8..];
    if let Some(fraction) = zone.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return Err(refused());
        }
        zone = &fraction[digits..];
    }
    let offset = zone.as_bytes();
    let zoned = matches!(zone, "Z" | "z")
        || (offset.len() == 6
            && matches!(offset[0], b'+' | b'-')
            && offset[3] == b':'
            && [1, 2, 4, 5].iter().all(|&i| offset[i].is_ascii_digit()));
    if !zoned {
        return Err(refused());
    }
    DateTime::parse_from_rfc3339(text).map_err(|_| refused())
}

/// An exact decimal number, written as a string: "1200.50". JSON numbers are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal(pub BigDecimal, Option<String>);

impl Decimal {
    pub fn new(value: BigDecimal) -> Decimal {
        Decimal(value, None)
    }
}

#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) => {
                let trimmed = s.trim();
                let plain = !trimmed.is_empty()
                    && trimmed
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == '.' || c == '-');
                if !plain || trimmed.len() > 40 {
                    return Err(InputValueError::custom(format!(
                        "{s:?} is not a decimal like \"1200.50\""
                    )));
                }
                BigDecimal::from_str(trimmed)
                    .map(Decimal::new)
                    .map_err(|_| {
                        InputValueError::custom(format!("{s:?} is not a decimal like \"1200.50\""))
                    })
            }
            Value::Number(n) => Err(InputValueError::custom(format!(
                "decimals are strings, to stay exact: write \"{n}\" instead of {n}"
            ))),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.1.clone().unwrap_or_else(|| self.0.to_string()))
    }
}

impl Decimal {
    /// A money amount, shown with exactly the currency's decimals ("1200.00", "5000").
    pub fn money(amount: &BigDecimal, currency: &str) -> Decimal {
        Decimal(
            amount.clone(),
            Some(crate::money::display(amount, currency)),
        )
    }

    /// Any other decimal, without trailing zeros ("0.25").
    pub fn plain(value: &BigDecimal) -> Decimal {
        Decimal(value.normalized(), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict_iso_8601() {
        assert!(iso_date("2026-03-31").is_ok());
        assert!(iso_date("0001-01-01").is_ok());
        assert!(iso_date("9999-12-31").is_ok());
        for lax in [
            "2026-1-1",
            "2026-01-1",
            "0000-01-01",
            "+10000-01-01",
            "+2026-01-01",
            "-0001-01-01",
            "2026-02-30",
            "2026-13-01",
            " 2026-01-01",
            "2026-01-01 ",
            "20260101",
            "2026/01/01",
            "２０２６-01-01",
            "",
        ] {
            assert!(iso_date(lax).is_err(), "{lax:?} was accepted");
            assert!(
                check_text("NaiveDate", lax).is_err(),
                "{lax:?} was accepted"
            );
        }
    }

    #[test]
    fn date_times_are_strict_rfc_3339() {
        for good in [
            "2026-03-31T09:30:00Z",
            "2026-03-31T09:30:00.123456Z",
            "2026-03-31T09:30:00+02:00",
            "2026-03-31T09:30:00.5-05:30",
            "2026-03-31t09:30:00z",
        ] {
            assert!(iso_date_time(good).is_ok(), "{good:?} was refused");
        }
        for lax in [
            "2026-03-31 09:30:00Z",
            "2026-3-31T09:30:00Z",
            "0000-03-31T09:30:00Z",
            "+10000-03-31T09:30:00Z",
            "2026-03-31T9:30:00Z",
            "2026-03-31T09:30Z",
            "2026-03-31T09:30:00",
            "2026-03-31T09:30:00.Z",
            "2026-03-31T09:30:00.1234567890Z",
            "2026-03-31T09:30:00+0200",
            "2026-03-31T09:30:00 +02:00",
            "2026-03-31T25:30:00Z",
            "2026-03-31",
            "2026-03-31T09:30:00Zjunk",
        ] {
            assert!(iso_date_time(lax).is_err(), "{lax:?} was accepted");
            assert!(check_text("DateTime", lax).is_err(), "{lax:?} was accepted");
        }
        assert!(check_text("String", "2026-1-1").is_ok());
    }
}
