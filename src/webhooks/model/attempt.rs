//! The `webhook_attempts` row (the delivery log) and endpoint statistics from it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::webhook_attempts;

/// One attempt to send a delivery. The log is written once and never updated, so the row is
/// its own insert.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts, check_for_backend(diesel::pg::Pg))]
pub struct WebhookAttempt {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub delivery_id: Uuid,
    pub endpoint_id: Uuid,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub response_body: Option<String>,
    pub error: Option<String>,
    pub succeeded: bool,
}

/// An endpoint's attempts over the statistics window.
#[derive(Debug, Clone, Default, QueryableByName)]
pub struct EndpointStats {
    #[diesel(sql_type = SqlUuid)]
    pub endpoint_id: Uuid,
    #[diesel(sql_type = BigInt)]
    pub attempts: i64,
    #[diesel(sql_type = BigInt)]
    pub succeeded: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_success_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_failure_at: Option<DateTime<Utc>>,
}

impl WebhookAttempt {
    pub async fn insert(conn: &mut AsyncPgConnection, new: &WebhookAttempt) -> QueryResult<()> {
        diesel::insert_into(webhook_attempts::table)
            .values(new)
            .execute(conn)
            .await
            .map(drop)
    }

    /// The attempts of these deliveries, oldest first: one statement for a page of deliveries.
    pub async fn of_deliveries(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        delivery_ids: &[Uuid],
    ) -> QueryResult<Vec<WebhookAttempt>> {
        webhook_attempts::table
            .filter(webhook_attempts::workspace_id.eq(workspace_id))
            .filter(webhook_attempts::delivery_id.eq_any(delivery_ids))
            .order((webhook_attempts::delivery_id, webhook_attempts::id))
            .select(WebhookAttempt::as_select())
            .load(conn)
            .await
    }

    /// Attempt counts and last success/failure of these endpoints since `since`: one statement
    /// for a page of endpoints.
    pub async fn stats(
        conn: &mut AsyncPgConnection,
        endpoint_ids: &[Uuid],
        since: DateTime<Utc>,
    ) -> QueryResult<Vec<EndpointStats>> {
        diesel::sql_query(
            "SELECT endpoint_id,
                    count(*) AS attempts,
                    count(*) FILTER (WHERE succeeded) AS succeeded,
                    max(attempted_at) FILTER (WHERE succeeded) AS last_success_at,
                    max(attempted_at) FILTER (WHERE NOT succeeded) AS last_failure_at
               FROM webhook_attempts
              WHERE endpoint_id = ANY($1) AND attempted_at >= $2
              GROUP BY endpoint_id",
        )
        .bind::<Array<SqlUuid>, _>(endpoint_ids)
        .bind::<Timestamptz, _>(since)
        .load(conn)
        .await
    }
}
