//! A lead's status history: one row per change, chained by `sequence`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::schema::lead_status_changes;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = lead_status_changes, check_for_backend(diesel::pg::Pg))]
pub struct LeadStatusChange {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub lead_id: Uuid,
    pub sequence: i32,
    pub from_status: String,
    pub to_status: String,
    pub reason: Option<String>,
    pub actor_key_id: Uuid,
    pub changed_at: DateTime<Utc>,
}

impl LeadStatusChange {
    /// The number the next change of `lead_id` gets. The caller holds the lead's row lock, so
    /// no other change can take the same number.
    pub async fn next_sequence(conn: &mut AsyncPgConnection, lead_id: Uuid) -> QueryResult<i32> {
        let last: Option<i32> = lead_status_changes::table
            .filter(lead_status_changes::lead_id.eq(lead_id))
            .select(diesel::dsl::max(lead_status_changes::sequence))
            .get_result(conn)
            .await?;
        Ok(last.unwrap_or(0) + 1)
    }

    pub async fn insert(
        conn: &mut AsyncPgConnection,
        change: &LeadStatusChange,
    ) -> QueryResult<()> {
        diesel::insert_into(lead_status_changes::table)
            .values(change)
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// Every change of each of `lead_ids`, oldest first per lead, in one statement.
    pub async fn of_leads(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        lead_ids: &[Uuid],
    ) -> QueryResult<Vec<LeadStatusChange>> {
        lead_status_changes::table
            .filter(lead_status_changes::workspace_id.eq(workspace_id))
            .filter(lead_status_changes::lead_id.eq_any(lead_ids))
            .order_by((lead_status_changes::lead_id, lead_status_changes::sequence))
            .select(LeadStatusChange::as_select())
            .load(conn)
            .await
    }
}
