//! Scalars: `Decimal` is a string in both directions, so no JSON number (a float in most
//! clients) ever carries money or a probability.

use std::str::FromStr;

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use bigdecimal::BigDecimal;

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
