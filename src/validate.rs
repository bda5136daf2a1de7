//! Input rules shared by every domain: text lengths, custom fields, tags, probabilities,
//! colours, countries and optimistic-concurrency versions. Pure functions, no database.

use bigdecimal::{BigDecimal, One, Zero};
use serde_json::Value;
use uuid::Uuid;

use crate::error::AppError;

pub const MAX_CUSTOM_FIELDS: usize = 100;
pub const MAX_CUSTOM_FIELDS_BYTES: usize = 16 * 1024;
pub const MAX_TAGS: usize = 50;
pub const MAX_TAG_LEN: usize = 50;

/// A required, trimmed text of 1 to `max` characters.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(AppError::bad_input(field, "must not be empty"));
    }
    check_len(field, trimmed, max)?;
    Ok(trimmed.to_owned())
}

/// An optional text of at most `max` characters; blank becomes `None`.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, AppError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => {
            check_len(field, text, max)?;
            Ok(Some(text.to_owned()))
        }
    }
}

fn check_len(field: &str, text: &str, max: usize) -> Result<(), AppError> {
    let len = text.chars().count();
    if len > max {
        return Err(AppError::bad_input(
            field,
            format!("must be at most {max} characters (got {len})"),
        ));
    }
    Ok(())
}

/// Custom fields are a JSON object of bounded size.
pub fn custom_fields(field: &str, value: &Value) -> Result<Value, AppError> {
    let Value::Object(map) = value else {
        return Err(AppError::bad_input(field, "must be a JSON object"));
    };
    if map.len() > MAX_CUSTOM_FIELDS {
        return Err(AppError::bad_input(
            field,
            format!("may have at most {MAX_CUSTOM_FIELDS} keys"),
        ));
    }
    if let Some(key) = map.keys().find(|k| k.is_empty() || k.chars().count() > 100) {
        return Err(AppError::bad_input(
            field,
            format!("key {key:?} must be 1 to 100 characters"),
        ));
    }
    if value.to_string().len() > MAX_CUSTOM_FIELDS_BYTES {
        return Err(AppError::bad_input(
            field,
            format!("must be at most {MAX_CUSTOM_FIELDS_BYTES} bytes of JSON"),
        ));
    }
    Ok(value.clone())
}

/// Free-text labels: trimmed, de-duplicated (case-insensitively), bounded.
pub fn tags(field: &str, tags: &[String]) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let tag = required_text(field, tag, MAX_TAG_LEN)?;
        if !out.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
            out.push(tag);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(AppError::bad_input(
            field,
            format!("may have at most {MAX_TAGS} tags"),
        ));
    }
    Ok(out)
}

/// A probability between 0 and 1 with at most 4 decimals.
pub fn probability(field: &str, value: &BigDecimal) -> Result<BigDecimal, AppError> {
    if value < &BigDecimal::zero() || value > &BigDecimal::one() {
        return Err(AppError::bad_input(
            field,
            format!("must be between 0 and 1 (got {value})"),
        ));
    }
    if value.normalized().fractional_digit_count() > 4 {
        return Err(AppError::bad_input(field, "may have at most 4 decimals"));
    }
    Ok(value.normalized())
}

/// `#rrggbb`.
pub fn color(field: &str, value: Option<&str>) -> Result<Option<String>, AppError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(c)
            if c.len() == 7
                && c.starts_with('#')
                && c[1..].chars().all(|ch| ch.is_ascii_hexdigit()) =>
        {
            Ok(Some(c.to_ascii_lowercase()))
        }
        Some(c) => Err(AppError::bad_input(
            field,
            format!("must be a colour like #1f77b4 (got {c:?})"),
        )),
    }
}

/// An ISO 3166-1 alpha-2 country code, upper-cased.
pub fn country(field: &str, value: Option<&str>) -> Result<Option<String>, AppError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(code) => {
            let upper = code.to_ascii_uppercase();
            isocountry::CountryCode::for_alpha2(&upper)
                .map(|_| Some(upper))
                .map_err(|_| {
                    AppError::bad_input(
                        field,
                        format!("{code:?} is not an ISO 3166-1 alpha-2 country code"),
                    )
                })
        }
    }
}

/// Optimistic concurrency: an update that names a version must find exactly that version.
pub fn expected_version(
    expected: Option<i32>,
    actual: i32,
    entity: &'static str,
    id: Uuid,
) -> Result<(), AppError> {
    match expected {
        Some(expected) if expected != actual => Err(AppError::StaleObject {
            entity,
            id,
            expected,
            actual,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use serde_json::json;

    use super::*;

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(
            required_text("input.name", "  Acme ", 10).ok().as_deref(),
            Some("Acme")
        );
        assert_eq!(
            required_text("input.name", "   ", 10)
                .err()
                .and_then(|e| e.field().map(str::to_owned))
                .as_deref(),
            Some("input.name")
        );
        assert!(required_text("input.title", &"x".repeat(10_000), 300).is_err());
        assert_eq!(optional_text("f", Some("  "), 5).ok(), Some(None));
    }

    #[test]
    fn custom_fields_must_be_an_object() {
        assert!(custom_fields("f", &json!({"plan": "pro"})).is_ok());
        assert!(custom_fields("f", &json!([1])).is_err());
        assert!(custom_fields("f", &json!("x")).is_err());
    }

    #[test]
    fn probabilities_are_between_zero_and_one() {
        let ok = BigDecimal::from_str("0.25").unwrap_or_default();
        assert!(probability("p", &ok).is_ok());
        let too_big = BigDecimal::from_str("1.5").unwrap_or_default();
        assert!(probability("p", &too_big).is_err());
        let negative = BigDecimal::from_str("-0.1").unwrap_or_default();
        assert!(probability("p", &negative).is_err());
    }

    #[test]
    fn tags_are_deduplicated_case_insensitively() {
        let tags =
            tags("t", &["VIP".into(), "vip".into(), " enterprise ".into()]).unwrap_or_default();
        assert_eq!(tags, vec!["VIP", "enterprise"]);
    }

    #[test]
    fn colors_and_countries() {
        assert_eq!(
            color("c", Some("#A0B1C2")).ok().flatten().as_deref(),
            Some("#a0b1c2")
        );
        assert!(color("c", Some("red")).is_err());
        assert_eq!(
            country("c", Some("de")).ok().flatten().as_deref(),
            Some("DE")
        );
        assert!(country("c", Some("XX")).is_err());
    }

    #[test]
    fn stale_versions_are_refused() {
        let id = Uuid::nil();
        assert!(expected_version(None, 3, "deal", id).is_ok());
        assert!(expected_version(Some(3), 3, "deal", id).is_ok());
        assert!(matches!(
            expected_version(Some(2), 3, "deal", id),
            Err(AppError::StaleObject { .. })
        ));
    }
}
