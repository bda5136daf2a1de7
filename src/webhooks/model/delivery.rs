//! The `webhook_deliveries` row and its SQL: the queue the workers lease from, and the log.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::record_sql::newest_first_sql;
use crate::db::schema::webhook_deliveries;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryStatus {
    Pending,
    Succeeded,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Succeeded => "succeeded",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> DeliveryStatus {
        match value {
            "succeeded" => DeliveryStatus::Succeeded,
            "failed" => DeliveryStatus::Failed,
            _ => DeliveryStatus::Pending,
        }
    }
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Serialize, Deserialize)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
pub struct WebhookDelivery {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub position: i64,
    #[serde(skip)]
    pub body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    #[serde(skip)]
    pub lease_token: Option<Uuid>,
    #[serde(skip)]
    pub lease_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct NewWebhookDelivery {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub position: i64,
    pub body: String,
}

/// Which deliveries a page of the log shows: one endpoint's, optionally of one status.
pub struct DeliveryFilter {
    pub endpoint_id: Uuid,
    pub status: Option<DeliveryStatus>,
}

newest_first_sql!(WebhookDelivery, webhook_deliveries, DeliveryFilter);

/// How an attempt ended, for the delivery row.
pub enum Settled {
    Done(DeliveryStatus),
    RetryIn(Duration),
}

/// The lease of the due deliveries (`$1` token, `$2` lease seconds, `$3` how many).
///
/// Only an endpoint's oldest pending delivery is due (per-endpoint event order: a later event
/// waits while an earlier one is retried), only on enabled endpoints, and only when no live
/// lease holds it: so each endpoint has at most one attempt in flight across all instances.
///
/// The heads are found endpoint by endpoint, each by one probe of the partial index of pending
/// rows (`webhook_deliveries_pending`), so a round costs the same with ten pending deliveries
/// or a backlog of a million: a burst must not slow delivery down exactly when it has to catch
/// up. The heads are locked afterwards with `SKIP LOCKED`, never inside the per-endpoint probe,
/// which would skip a locked head and lease the endpoint's second delivery out of order.
/// Instances claim side by side without waiting for each other; a head another instance
/// leased or settled meanwhile is re-checked against its new row and skipped.
pub const CLAIM_SQL: &str = "
    UPDATE webhook_deliveries d
       SET lease_token = $1,
           lease_until = now() + make_interval(secs => $2),
           attempts = d.attempts + 1
     WHERE d.id IN (
           SELECT c.id FROM webhook_deliveries c
            WHERE c.id IN (
                  SELECT head.id FROM webhook_endpoints e
                  CROSS JOIN LATERAL (
                        SELECT p.id FROM webhook_deliveries p
                         WHERE p.endpoint_id = e.id AND p.status = 'pending'
                         ORDER BY p.position, p.id
                         LIMIT 1) head
                   WHERE e.enabled)
              AND c.status = 'pending'
              AND c.next_attempt_at <= now()
              AND (c.lease_until IS NULL OR c.lease_until < now())
            ORDER BY c.next_attempt_at
            LIMIT $3
            FOR UPDATE OF c SKIP LOCKED)
     RETURNING d.*";

impl WebhookDelivery {
    fn filtered(
        workspace_id: Uuid,
        filter: &DeliveryFilter,
    ) -> webhook_deliveries::BoxedQuery<'static, diesel::pg::Pg> {
        let mut query = webhook_deliveries::table
            .filter(webhook_deliveries::workspace_id.eq(workspace_id))
            .filter(webhook_deliveries::endpoint_id.eq(filter.endpoint_id))
            .into_boxed();
        if let Some(status) = filter.status {
            query = query.filter(webhook_deliveries::status.eq(status.as_str()));
        }
        query
    }

    pub fn status(&self) -> DeliveryStatus {
        DeliveryStatus::parse(&self.status)
    }

    pub async fn insert_all(
        conn: &mut AsyncPgConnection,
        rows: &[NewWebhookDelivery],
    ) -> QueryResult<Vec<WebhookDelivery>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        diesel::insert_into(webhook_deliveries::table)
            .values(rows)
            .returning(WebhookDelivery::as_returning())
            .get_results(conn)
            .await
    }

    pub async fn find(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<Option<WebhookDelivery>> {
        webhook_deliveries::table
            .filter(webhook_deliveries::workspace_id.eq(workspace_id))
            .find(id)
            .select(WebhookDelivery::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// Leases up to `limit` due deliveries for `lease`, as `token` (see [`CLAIM_SQL`]). Counts
    /// the attempt now, so an attempt whose instance died still counts.
    pub async fn claim(
        conn: &mut AsyncPgConnection,
        token: Uuid,
        lease: Duration,
        limit: i64,
    ) -> QueryResult<Vec<WebhookDelivery>> {
        diesel::sql_query(CLAIM_SQL)
            .bind::<SqlUuid, _>(token)
            .bind::<Double, _>(lease.as_secs_f64())
            .bind::<BigInt, _>(limit)
            .load(conn)
            .await
    }

    /// Records how the attempt under `token` ended; `None` when the lease was lost (the
    /// attempt outlived it and another instance took the delivery over).
    pub async fn settle(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        token: Uuid,
        outcome: Settled,
    ) -> QueryResult<Option<WebhookDelivery>> {
        let target = webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::lease_token.eq(token));
        let released = (
            webhook_deliveries::lease_token.eq(None::<Uuid>),
            webhook_deliveries::lease_until.eq(None::<DateTime<Utc>>),
        );
        let query = match outcome {
            Settled::Done(status) => diesel::update(target)
                .set((
                    released,
                    webhook_deliveries::status.eq(status.as_str()),
                    webhook_deliveries::completed_at.eq(Some(Utc::now())),
                ))
                .returning(WebhookDelivery::as_returning())
                .get_result(conn),
            Settled::RetryIn(wait) => {
                let at = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                diesel::update(target)
                    .set((released, webhook_deliveries::next_attempt_at.eq(at)))
                    .returning(WebhookDelivery::as_returning())
                    .get_result(conn)
            }
        };
        query.await.optional()
    }
}

/// A workspace's events since `since` that the fan-out has already passed, in order: what a
/// replay may send again.
pub async fn replayable_events(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    since: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<crate::events::model::OutboxEvent>> {
    use crate::db::schema::{outbox_events, webhook_fanout};
    let cursor: i64 = webhook_fanout::table
        .select(webhook_fanout::position)
        .first(conn)
        .await?;
    outbox_events::table
        .filter(outbox_events::workspace_id.eq(workspace_id))
        .filter(outbox_events::occurred_at.ge(since))
        .filter(outbox_events::position.le(cursor))
        .order(outbox_events::position)
        .limit(limit)
        .select(crate::events::model::OutboxEvent::as_select())
        .load(conn)
        .await
}
