//! The audit trail: who did what to which record, with the record before and after, and the
//! failures too. Written by the write path (and, for mutations refused before they reach it,
//! by the input boundary, `graphql::boundary`).

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::db::record_sql::newest_first_sql;
use crate::db::schema::audit_events;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Succeeded,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
pub struct AuditEvent {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_key_id: Option<Uuid>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    pub outcome: String,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub request_id: Option<String>,
    pub dry_run: bool,
    pub channel: String,
}

#[derive(Debug, Clone, Copy, Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent<'a> {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub actor_key_id: Option<Uuid>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<Uuid>,
    pub outcome: &'a str,
    pub error_code: Option<&'a str>,
    pub error_message: Option<&'a str>,
    pub before: Option<&'a Value>,
    pub after: Option<&'a Value>,
    pub request_id: Option<&'a str>,
    pub dry_run: bool,
    /// [`Channel::as_str`] of the door the write came through.
    pub channel: &'a str,
}

/// Which door a write came through, so the trail tells an agent's writes from a person's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Channel {
    /// The GraphQL API (HTTP or WebSocket).
    #[default]
    Graphql,
    /// A tool call of an AI agent over MCP (`/mcp`).
    Mcp,
    /// The operator's CLI and the demo bootstrap, which act without a key.
    Operator,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Graphql => "graphql",
            Channel::Mcp => "mcp",
            Channel::Operator => "operator",
        }
    }
}

/// Which audit events to list.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub entity_id: Option<Uuid>,
    pub action: Option<String>,
}

newest_first_sql!(AuditEvent, audit_events, AuditFilter);

impl AuditEvent {
    /// Appends `event`, whatever text it holds: a failed write's input is the caller's, and
    /// its audit row must not fail on what made the write fail (see [`storable_text`]).
    pub async fn insert(
        conn: &mut AsyncPgConnection,
        event: &NewAuditEvent<'_>,
    ) -> QueryResult<()> {
        let action = storable_text(event.action);
        let entity_type = storable_text(event.entity_type);
        let error_code = event.error_code.map(storable_text);
        let error_message = event.error_message.map(storable_text);
        let before = event.before.map(storable_json);
        let after = event.after.map(storable_json);
        let request_id = event.request_id.map(storable_text);
        let storable = NewAuditEvent {
            action: &action,
            entity_type: &entity_type,
            error_code: error_code.as_deref(),
            error_message: error_message.as_deref(),
            before: before.as_deref(),
            after: after.as_deref(),
            request_id: request_id.as_deref(),
            ..*event
        };
        diesel::insert_into(audit_events::table)
            .values(&storable)
            .execute(conn)
            .await
            .map(drop)
    }

    /// Appends what was done without a key, by an operator at the command line or by the
    /// server itself (a webhook endpoint it disabled): a success, on the operator's channel.
    pub async fn insert_operator_change(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        (action, entity_type): (&str, &str),
        entity_id: Uuid,
        before: Option<&Value>,
        after: &Value,
    ) -> QueryResult<()> {
        let event = NewAuditEvent {
            workspace_id,
            id: Uuid::now_v7(),
            actor_key_id: None,
            action,
            entity_type,
            entity_id: Some(entity_id),
            outcome: Outcome::Succeeded.as_str(),
            error_code: None,
            error_message: None,
            before,
            after: Some(after),
            request_id: None,
            dry_run: false,
            channel: Channel::Operator.as_str(),
        };
        AuditEvent::insert(conn, &event).await
    }

    /// Appends `events` in one statement: the per-record trail of a batch write (a routing
    /// run, a rescoring). Their text is the app's own, so it needs no cleaning.
    pub async fn insert_many(
        conn: &mut AsyncPgConnection,
        events: &[NewAuditEvent<'_>],
    ) -> QueryResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        diesel::insert_into(audit_events::table)
            .values(events)
            .execute(conn)
            .await
            .map(drop)
    }

    fn filtered(
        workspace_id: Uuid,
        filter: &AuditFilter,
    ) -> audit_events::BoxedQuery<'static, diesel::pg::Pg> {
        let mut query = audit_events::table
            .filter(audit_events::workspace_id.eq(workspace_id))
            .into_boxed();
        if let Some(entity_id) = filter.entity_id {
            query = query.filter(audit_events::entity_id.eq(entity_id));
        }
        if let Some(action) = &filter.action {
            query = query.filter(audit_events::action.eq(action.clone()));
        }
        query
    }
}

/// PostgreSQL's `text` and `jsonb` cannot hold U+0000, the one character a UTF-8 database
/// refuses. The audit trail keeps such text readable and unambiguous enough for a person: each
/// NUL becomes the six characters `\u0000`.
pub fn storable_text(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\\u0000"))
    } else {
        Cow::Borrowed(text)
    }
}

/// [`storable_text`] for every string and key of a JSON value.
pub fn storable_json(value: &Value) -> Cow<'_, Value> {
    fn holds_nul(value: &Value) -> bool {
        match value {
            Value::String(text) => text.contains('\0'),
            Value::Array(items) => items.iter().any(holds_nul),
            Value::Object(fields) => fields
                .iter()
                .any(|(key, value)| key.contains('\0') || holds_nul(value)),
            _ => false,
        }
    }
    fn escaped(value: &Value) -> Value {
        match value {
            Value::String(text) => Value::String(storable_text(text).into_owned()),
            Value::Array(items) => Value::Array(items.iter().map(escaped).collect()),
            Value::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(key, value)| (storable_text(key).into_owned(), escaped(value)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    if holds_nul(value) {
        Cow::Owned(escaped(value))
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nul_is_stored_escaped_and_other_text_untouched() {
        assert!(matches!(storable_text("Acme ✓ \u{200f}"), Cow::Borrowed(_)));
        assert_eq!(storable_text("a\0b"), "a\\u0000b");
        let input = json!({ "name": "a\u{0}", "custom\u{0}": [1, "\u{0}"], "ok": true });
        assert_eq!(
            storable_json(&input).into_owned(),
            json!({ "name": "a\\u0000", "custom\\u0000": [1, "\\u0000"], "ok": true })
        );
        let clean = json!({ "name": "Acme" });
        assert!(matches!(storable_json(&clean), Cow::Borrowed(_)));
    }
}
