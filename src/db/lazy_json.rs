//! A `jsonb` column kept as PostgreSQL sent it and parsed on first use. Custom fields ride on
//! every deal, contact, company and lead row, but most screens never show them: parsing them
//! into `serde_json::Value` maps and dropping those again was some 4 % of the board's CPU.

use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::Jsonb;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A JSON value read from a `jsonb` column; derefs to the parsed [`Value`].
#[derive(Clone, Default, FromSqlRow)]
pub struct LazyJson {
    /// The JSON text as stored (`jsonb`'s wire format minus its version byte).
    text: Box<[u8]>,
    parsed: OnceLock<Value>,
}

impl LazyJson {
    /// The value, parsed now if it was not yet.
    pub fn value(&self) -> &Value {
        // PostgreSQL only stores valid JSON in `jsonb`, so the fallback is never taken.
        self.parsed
            .get_or_init(|| serde_json::from_slice(&self.text).unwrap_or(Value::Null))
    }

    /// The parsed value, owned.
    pub fn into_value(self) -> Value {
        let text = self.text;
        self.parsed
            .into_inner()
            .unwrap_or_else(|| serde_json::from_slice(&text).unwrap_or(Value::Null))
    }
}

impl From<Value> for LazyJson {
    fn from(value: Value) -> Self {
        LazyJson {
            text: Box::default(),
            parsed: OnceLock::from(value),
        }
    }
}

impl Deref for LazyJson {
    type Target = Value;

    fn deref(&self) -> &Value {
        self.value()
    }
}

impl FromSql<Jsonb, Pg> for LazyJson {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        match value.as_bytes() {
            [1, text @ ..] => Ok(LazyJson {
                text: text.into(),
                parsed: OnceLock::new(),
            }),
            _ => Err("unsupported jsonb encoding version".into()),
        }
    }
}

impl PartialEq for LazyJson {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value()
    }
}

impl fmt::Debug for LazyJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value().fmt(f)
    }
}

impl Serialize for LazyJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for LazyJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(LazyJson::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_on_first_use_and_equal_by_value() {
        let stored = LazyJson {
            text: br#"{"seats": 5, "source": "web"}"#.as_slice().into(),
            parsed: OnceLock::new(),
        };
        assert!(stored.parsed.get().is_none());
        assert_eq!(stored["seats"], 5);
        assert!(stored.parsed.get().is_some());
        let given = LazyJson::from(serde_json::json!({"source": "web", "seats": 5}));
        assert_eq!(stored, given);
        assert_eq!(
            serde_json::to_string(&stored).unwrap(),
            r#"{"seats":5,"source":"web"}"#
        );
        assert_eq!(given.into_value()["source"], "web");
    }
}
