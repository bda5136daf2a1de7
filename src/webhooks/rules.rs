//! Pure rules of webhooks: which events an endpoint wants, what a valid endpoint URL is, and
//! when a failed delivery is tried again.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Url;
use serde_json::Value;
use uuid::Uuid;

use crate::error::AppError;

/// The most event-type patterns an endpoint may have.
const MAX_PATTERNS: usize = 50;
/// The longest wait a receiver's `Retry-After` may ask for.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Checks the event-type patterns of an endpoint: `*` (every event), `deal.*` (every event of
/// an entity) or an exact name (`deal.stage_changed`). An empty list means every event.
pub fn event_patterns(patterns: Vec<String>, field: &str) -> Result<Vec<String>, AppError> {
    if patterns.len() > MAX_PATTERNS {
        return Err(AppError::bad_input(
            field,
            format!("at most {MAX_PATTERNS} event types"),
        ));
    }
    if patterns.is_empty() {
        return Ok(vec!["*".into()]);
    }
    let word = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    for pattern in &patterns {
        let valid = pattern == "*"
            || match pattern.split_once('.') {
                Some((entity, name)) => word(entity) && (name == "*" || word(name)),
                None => false,
            };
        if !valid {
            return Err(AppError::bad_input(
                field,
                format!("{pattern:?} is not an event type pattern (`*`, `deal.*` or `deal.stage_changed`)"),
            ));
        }
    }
    Ok(patterns)
}

/// True when `event_type` matches one of `patterns`.
pub fn wants(patterns: &[Option<String>], event_type: &str) -> bool {
    patterns.iter().flatten().any(|pattern| {
        pattern == "*"
            || pattern == event_type
            || pattern
                .strip_suffix(".*")
                .is_some_and(|entity| event_type.split_once('.').map(|(e, _)| e) == Some(entity))
    })
}

/// True when an event's payload refers to `pipeline_id` under one of `keys` (the endpoint's
/// pipeline filter; events about no pipeline do not pass it).
pub fn refers_to_pipeline(payload: &Value, keys: &[&str], pipeline_id: Uuid) -> bool {
    let id = pipeline_id.to_string();
    keys.iter()
        .any(|key| payload.get(key).and_then(Value::as_str) == Some(id.as_str()))
}

/// Parses an endpoint URL: http(s) with a host, https only when `require_https`.
pub fn endpoint_url(url: &str, require_https: bool, field: &str) -> Result<Url, AppError> {
    let parsed = Url::parse(url.trim())
        .map_err(|e| AppError::bad_input(field, format!("{url:?} is not a URL: {e}")))?;
    match parsed.scheme() {
        "https" => {}
        "http" if !require_https => {}
        "http" => return Err(AppError::bad_input(field, "the URL must use https")),
        other => {
            return Err(AppError::bad_input(
                field,
                format!("the URL must use http or https, not {other}"),
            ))
        }
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(AppError::bad_input(field, "the URL has no host"));
    }
    if url.len() > 2000 {
        return Err(AppError::bad_input(field, "at most 2000 characters"));
    }
    Ok(parsed)
}

/// The wait before retry number `retry` (0 = the first retry), or `None` when the schedule is
/// exhausted. `random` in [0, 1) picks the jitter; a receiver's `Retry-After` wins when longer.
pub fn retry_delay(
    schedule: &[Duration],
    retry: usize,
    jitter: f64,
    random: f64,
    retry_after: Option<Duration>,
) -> Option<Duration> {
    let scheduled = *schedule.get(retry)?;
    let jittered = scheduled.mul_f64(1.0 + jitter.clamp(0.0, 1.0) * random.clamp(0.0, 1.0));
    Some(match retry_after {
        Some(asked) => jittered.max(asked.min(MAX_RETRY_AFTER)),
        None => jittered,
    })
}

/// A `Retry-After` header: delay-seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    (at - now).to_std().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn some(p: &[&str]) -> Vec<Option<String>> {
        p.iter().map(|s| Some((*s).to_owned())).collect()
    }

    #[test]
    fn patterns_match_all_an_entity_or_one_type() {
        assert!(wants(&some(&["*"]), "deal.created"));
        assert!(wants(&some(&["deal.*"]), "deal.stage_changed"));
        assert!(!wants(&some(&["deal.*"]), "dealer.created"));
        assert!(wants(&some(&["contact.created"]), "contact.created"));
        assert!(!wants(&some(&["contact.created"]), "contact.updated"));
    }

    #[test]
    fn bad_patterns_name_the_field() {
        let err = event_patterns(vec!["deal".into()], "input.eventTypes").unwrap_err();
        assert_eq!(err.field(), Some("input.eventTypes"));
        assert!(event_patterns(vec!["Deal.*".into()], "f").is_err());
        assert_eq!(event_patterns(vec![], "f").unwrap(), vec!["*".to_owned()]);
    }

    #[test]
    fn production_urls_must_be_https() {
        assert!(endpoint_url("http://example.com/h", true, "url").is_err());
        assert!(endpoint_url("https://example.com/h", true, "url").is_ok());
        assert!(endpoint_url("http://example.com/h", false, "url").is_ok());
        assert!(endpoint_url("ftp://example.com/h", false, "url").is_err());
        assert!(endpoint_url("not a url", false, "url").is_err());
    }

    #[test]
    fn retries_follow_the_schedule_with_jitter_and_retry_after() {
        let schedule = [Duration::from_secs(5), Duration::from_secs(300)];
        assert_eq!(
            retry_delay(&schedule, 0, 0.1, 0.0, None),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            retry_delay(&schedule, 1, 0.1, 0.5, None),
            Some(Duration::from_secs(315))
        );
        assert_eq!(retry_delay(&schedule, 2, 0.1, 0.0, None), None);
        let asked = Some(Duration::from_secs(60));
        assert_eq!(
            retry_delay(&schedule, 0, 0.0, 0.0, asked),
            Some(Duration::from_secs(60))
        );
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Tue, 01 Dec 2026 10:01:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn pipeline_filter_reads_the_payload_keys() {
        let id = Uuid::now_v7();
        let payload = json!({"to_pipeline_id": id.to_string()});
        assert!(refers_to_pipeline(
            &payload,
            &["pipeline_id", "to_pipeline_id"],
            id
        ));
        assert!(!refers_to_pipeline(&json!({}), &["pipeline_id"], id));
    }
}
