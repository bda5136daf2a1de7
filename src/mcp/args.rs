//! Argument types that check themselves while the arguments are read, so a malformed id or
//! amount is refused at the door (and audited there, like GraphQL's input boundary) with the
//! argument's path, and the schema tells the agent the format.

use std::borrow::Cow;

use bigdecimal::BigDecimal;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};
use uuid::Uuid;

/// A record's id: a UUID written as a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Id(pub Uuid);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Uuid::parse_str(text.trim())
            .map(Id)
            .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a valid id")))
    }
}

impl JsonSchema for Id {
    fn schema_name() -> Cow<'static, str> {
        "Id".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "format": "uuid", "description": "A record's id." })
    }
}

/// An exact decimal written as a string ("12000.50"): a JSON number would pass through a
/// float on the way, so numbers are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal(pub BigDecimal);

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.trim()
            .parse()
            .map(Decimal)
            .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a decimal number")))
    }
}

impl JsonSchema for Decimal {
    fn schema_name() -> Cow<'static, str> {
        "Decimal".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]+)?$",
            "description": "An exact decimal number written as a string, e.g. \"12000.50\".",
        })
    }
}

/// A tool argument mirroring a domain enum: snake_case in JSON, its values listed in the
/// schema, and converted into the domain's type. Attributes before the name (docs, an extra
/// `derive(Default)`) and before a variant (`#[default]`) are kept.
macro_rules! arg_enum {
    ($(#[$attr:meta])* $name:ident => $domain:ident { $($(#[$vattr:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, serde::Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vattr])* $variant),+ }

        impl From<$name> for $domain {
            fn from(value: $name) -> Self {
                match value { $($name::$variant => $domain::$variant),+ }
            }
        }
    };
}
pub(crate) use arg_enum;

/// A tool's arguments: a struct that refuses unknown fields, with the JSON schema the agent
/// reads. Ending it in `writes "contact"` adds the options every writing tool takes
/// (`idempotency_key`, `dry_run`); ending it in `pages` adds a listing's `limit` and `after`.
/// A macro because `#[serde(flatten)]` does not combine with `deny_unknown_fields`.
macro_rules! tool_args {
    ($(#[$attr:meta])* pub struct $name:ident { $($body:tt)* } writes $noun:literal) => {
        $(#[$attr])*
        #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($body)*
            /// Retrying with the same key and input returns the first result and writes nothing.
            pub idempotency_key: Option<String>,
            #[doc = concat!("Check and return the would-be ", $noun, " without writing anything.")]
            #[serde(default)]
            pub dry_run: bool,
        }
    };
    ($(#[$attr:meta])* pub struct $name:ident { $($body:tt)* } pages) => {
        $(#[$attr])*
        #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($body)*
            /// 1 to 100; 20 when absent.
            #[schemars(range(min = 1, max = 100))]
            pub limit: Option<i32>,
            /// `next_cursor` of the previous page.
            pub after: Option<String>,
        }
    };
}
pub(crate) use tool_args;

/// The UUID inside an optional id.
pub fn uuid(id: Option<Id>) -> Option<Uuid> {
    id.map(|Id(uuid)| uuid)
}

/// The number inside an optional decimal.
pub fn number(decimal: Option<Decimal>) -> Option<BigDecimal> {
    decimal.map(|Decimal(value)| value)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn ids_and_decimals_are_strings_that_parse() {
        let id: Id = serde_json::from_value(json!("0190b5a6-0000-7000-8000-000000000000")).unwrap();
        assert_eq!(id.0.to_string(), "0190b5a6-0000-7000-8000-000000000000");
        assert!(serde_json::from_value::<Id>(json!("nope")).is_err());
        let amount: Decimal = serde_json::from_value(json!("12000.50")).unwrap();
        assert_eq!(amount.0.to_string(), "12000.50");
        assert!(serde_json::from_value::<Decimal>(json!(12.5)).is_err());
        assert!(serde_json::from_value::<Decimal>(json!("12,5")).is_err());
    }
}
