//! Outbox rows and their SQL.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use crate::db::schema::outbox_events;

/// A committed domain event. `position` orders events in commit order.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = outbox_events, check_for_backend(diesel::pg::Pg))]
pub struct OutboxEvent {
    pub position: i64,
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub event_type: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub payload: Value,
    pub occurred_at: DateTime<Utc>,
}

impl OutboxEvent {
    /// Events of every workspace after `position`, in order: what the listener fans out.
    pub async fn after(
        conn: &mut AsyncPgConnection,
        position: i64,
        limit: i64,
    ) -> QueryResult<Vec<OutboxEvent>> {
        outbox_events::table
            .filter(outbox_events::position.gt(position))
            .order(outbox_events::position)
            .limit(limit)
            .select(OutboxEvent::as_select())
            .load(conn)
            .await
    }

    /// One workspace's events after `position`, optionally of some types: a subscriber's
    /// replay and catch-up.
    pub async fn after_in_workspace(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        position: i64,
        types: Option<&[String]>,
        limit: i64,
    ) -> QueryResult<Vec<OutboxEvent>> {
        let mut query = outbox_events::table
            .filter(
                outbox_events::workspace_id
                    .eq(workspace_id)
                    .and(outbox_events::position.gt(position)),
            )
            .order(outbox_events::position)
            .limit(limit)
            .select(OutboxEvent::as_select())
            .into_boxed();
        if let Some(types) = types {
            query = query.filter(outbox_events::event_type.eq_any(types.to_vec()));
        }
        query.load(conn).await
    }

    /// The newest position, or 0 for an empty outbox.
    pub async fn last_position(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
        let max: Option<i64> = outbox_events::table
            .select(diesel::dsl::max(outbox_events::position))
            .first(conn)
            .await?;
        Ok(max.unwrap_or(0))
    }

    /// Deletes events older than `before`, at most `batch` at a time; returns how many.
    pub async fn prune(
        conn: &mut AsyncPgConnection,
        before: DateTime<Utc>,
        batch: i64,
    ) -> QueryResult<usize> {
        diesel::sql_query(
            "DELETE FROM outbox_events WHERE position IN (
                 SELECT position FROM outbox_events WHERE occurred_at < $1 ORDER BY position LIMIT $2
             )",
        )
        .bind::<diesel::sql_types::Timestamptz, _>(before)
        .bind::<diesel::sql_types::BigInt, _>(batch)
        .execute(conn)
        .await
    }
}
