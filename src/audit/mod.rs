//! The audit trail: who did what to which record, with the record before and after, and the
//! failures too. Written by the write path only.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::db::page::{IdWindow, Listed, NewestFirst, Position, SortKey};
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
}

#[derive(Debug, Insertable)]
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
}

/// Which audit events to list.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub entity_id: Option<Uuid>,
    pub action: Option<String>,
}

impl AuditEvent {
    pub async fn insert(
        conn: &mut AsyncPgConnection,
        event: &NewAuditEvent<'_>,
    ) -> QueryResult<()> {
        diesel::insert_into(audit_events::table)
            .values(event)
            .execute(conn)
            .await
            .map(drop)
    }

    /// Newest first, within a keyset window (ids are time-ordered UUIDv7).
    pub async fn page(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        filter: &AuditFilter,
        window: &IdWindow,
    ) -> QueryResult<Vec<AuditEvent>> {
        let mut query = Self::filtered(workspace_id, filter)
            .select(AuditEvent::as_select())
            .limit(window.fetch_limit());
        if let Some(after) = window.after_id() {
            query = query.filter(audit_events::id.lt(after));
        }
        if let Some(before) = window.before_id() {
            query = query.filter(audit_events::id.gt(before));
        }
        query = if window.from_end {
            query.order(audit_events::id.asc())
        } else {
            query.order(audit_events::id.desc())
        };
        query.load(conn).await
    }

    pub async fn count(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        filter: &AuditFilter,
    ) -> QueryResult<i64> {
        Self::filtered(workspace_id, filter)
            .count()
            .get_result(conn)
            .await
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

impl Listed<NewestFirst> for AuditEvent {
    fn position(&self, _: NewestFirst) -> Position {
        Position {
            key: SortKey::Id,
            id: self.id,
        }
    }
}
