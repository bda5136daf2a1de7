//! Pure rules for contacts and companies: text limits (the database's CHECK limits), display
//! names, lifecycle stages, search patterns and partial updates; e-mail and domain rules are
//! in `addresses`.

mod addresses;
pub mod company;
pub mod contact;

use serde_json::Value;

pub use self::addresses::{domain, email};
use super::Patch;
use crate::error::AppError;
use crate::validate;

// The CHECK limits of migrations 000008 (companies) and 000009 (contacts).
pub const NAME_MAX: usize = 200;
pub const FIRST_NAME_MAX: usize = 100;
pub const LAST_NAME_MAX: usize = 100;
pub const EMAIL_MAX: usize = 320;
pub const PHONE_MAX: usize = 50;
pub const TITLE_MAX: usize = 200;
pub const OWNER_ID_MAX: usize = 200;
pub const DOMAIN_MAX: usize = 253;
pub const WEBSITE_MAX: usize = 2000;
pub const INDUSTRY_MAX: usize = 200;
pub const SIZE_MAX: usize = 50;
pub const CITY_MAX: usize = 200;
pub const ICP_TIER_MAX: usize = 50;
pub const LEAD_SCORE_MAX: i32 = 1000;
pub const SEARCH_MAX: usize = 200;

/// Where a contact is in the funnel; stored as lower-case text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStage {
    Subscriber,
    #[default]
    Lead,
    Mql,
    Sql,
    Opportunity,
    Customer,
    Other,
}

impl LifecycleStage {
    pub const ALL: [LifecycleStage; 7] = [
        LifecycleStage::Subscriber,
        LifecycleStage::Lead,
        LifecycleStage::Mql,
        LifecycleStage::Sql,
        LifecycleStage::Opportunity,
        LifecycleStage::Customer,
        LifecycleStage::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleStage::Subscriber => "subscriber",
            LifecycleStage::Lead => "lead",
            LifecycleStage::Mql => "mql",
            LifecycleStage::Sql => "sql",
            LifecycleStage::Opportunity => "opportunity",
            LifecycleStage::Customer => "customer",
            LifecycleStage::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<LifecycleStage> {
        Self::ALL.into_iter().find(|stage| stage.as_str() == text)
    }
}

/// A person's display name from their first and last names, when they have either.
pub fn display_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// A lead score between 0 and 1000.
pub fn lead_score(field: &str, value: Option<i32>) -> Result<Option<i32>, AppError> {
    match value {
        Some(score) if !(0..=LEAD_SCORE_MAX).contains(&score) => Err(AppError::bad_input(
            field,
            format!("must be between 0 and {LEAD_SCORE_MAX} (got {score})"),
        )),
        other => Ok(other),
    }
}

/// A free-text search term: trimmed and bounded; blank is no search.
pub fn search_term(field: &str, term: Option<&str>) -> Result<Option<String>, AppError> {
    validate::optional_text(field, term, SEARCH_MAX)
}

/// The `ILIKE` pattern that finds `term` anywhere, with LIKE's metacharacters escaped so
/// "50%" means the text "50%".
pub fn like_pattern(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// An optional text field after a patch: set (validated; blank clears), cleared or kept.
pub(crate) fn patched_text(
    field: &str,
    current: Option<String>,
    patch: Patch<String>,
    max: usize,
) -> Result<Option<String>, AppError> {
    match patch {
        Patch::Unchanged => Ok(current),
        Patch::Clear => Ok(None),
        Patch::Set(value) => validate::optional_text(field, Some(&value), max),
    }
}

/// A field the database requires: null is refused rather than guessed.
pub(crate) fn not_null<T>(field: &str, patch: Patch<T>) -> Result<Option<T>, AppError> {
    match patch {
        Patch::Unchanged => Ok(None),
        Patch::Clear => Err(AppError::bad_input(field, "cannot be null")),
        Patch::Set(value) => Ok(Some(value)),
    }
}

/// Tags after a patch; null clears them.
pub(crate) fn patched_tags(
    field: &str,
    current: Vec<String>,
    patch: Patch<Vec<String>>,
) -> Result<Vec<String>, AppError> {
    match patch {
        Patch::Unchanged => Ok(current),
        Patch::Clear => Ok(Vec::new()),
        Patch::Set(tags) => validate::tags(field, &tags),
    }
}

/// Custom fields after a patch; null clears them to `{}`.
pub(crate) fn patched_custom_fields(
    field: &str,
    current: Value,
    patch: Patch<Value>,
) -> Result<Value, AppError> {
    match patch {
        Patch::Unchanged => Ok(current),
        Patch::Clear => Ok(Value::Object(Default::default())),
        Patch::Set(value) => validate::custom_fields(field, &value),
    }
}

/// Rows store tags as `text[]`, whose elements are nullable in SQL.
pub(crate) fn tag_list(tags: &[Option<String>]) -> Vec<String> {
    tags.iter().flatten().cloned().collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn field_of<T: std::fmt::Debug>(result: Result<T, AppError>) -> Option<String> {
        result.err().and_then(|e| e.field().map(str::to_owned))
    }

    #[test]
    fn display_names_join_first_and_last() {
        assert_eq!(
            display_name(Some(" Ada "), Some("Lovelace")).as_deref(),
            Some("Ada Lovelace")
        );
        assert_eq!(
            display_name(None, Some("Lovelace")).as_deref(),
            Some("Lovelace")
        );
        assert_eq!(display_name(Some(" "), None), None);
    }

    #[test]
    fn lead_scores_are_bounded() {
        assert_eq!(lead_score("s", Some(0)).ok(), Some(Some(0)));
        assert_eq!(lead_score("s", Some(1000)).ok(), Some(Some(1000)));
        assert!(lead_score("s", Some(1001)).is_err());
        assert!(lead_score("s", Some(-1)).is_err());
    }

    #[test]
    fn search_terms_escape_like_metacharacters() {
        assert_eq!(like_pattern("ada"), "%ada%");
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(
            search_term("filter.search", Some(" ada "))
                .ok()
                .flatten()
                .as_deref(),
            Some("ada")
        );
        assert_eq!(search_term("filter.search", Some("")).ok(), Some(None));
        assert_eq!(
            field_of(search_term("filter.search", Some(&"x".repeat(201)))).as_deref(),
            Some("filter.search")
        );
    }

    #[test]
    fn lifecycle_stages_round_trip() {
        for stage in LifecycleStage::ALL {
            assert_eq!(LifecycleStage::parse(stage.as_str()), Some(stage));
        }
        assert_eq!(LifecycleStage::parse("LEAD"), None);
    }

    #[test]
    fn patches_keep_clear_or_set() {
        let current = Some("old".to_owned());
        assert_eq!(
            patched_text("f", current.clone(), Patch::Unchanged, 10).ok(),
            Some(current.clone())
        );
        assert_eq!(
            patched_text("f", current.clone(), Patch::Clear, 10).ok(),
            Some(None)
        );
        assert_eq!(
            patched_text("f", current, Patch::Set("new".into()), 10).ok(),
            Some(Some("new".into()))
        );
        assert!(not_null::<bool>("f", Patch::Clear).is_err());
        assert_eq!(
            patched_custom_fields("f", json!({"a": 1}), Patch::Clear).ok(),
            Some(json!({}))
        );
        assert!(patched_custom_fields("f", json!({}), Patch::Set(json!([1]))).is_err());
    }
}
