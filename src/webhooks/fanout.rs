//! Turning committed events into deliveries. One cursor (`webhook_fanout`) says how far the
//! outbox has been read; the instance that locks its row (`SKIP LOCKED`: the others move on)
//! reads the next events in commit order, makes a delivery for every enabled endpoint that
//! wants each one, and advances the cursor in the same transaction. So every committed event
//! becomes each delivery exactly once, whichever instance does it and whenever it crashes.

use chrono::SecondsFormat;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::model::{NewWebhookDelivery, WebhookDelivery, WebhookEndpoint};
use super::rules;
use crate::db::schema::webhook_fanout;
use crate::deals::events::PIPELINE_KEYS;
use crate::events::model::OutboxEvent;

/// Events read per transaction.
const BATCH: i64 = 500;

/// The JSON body of a webhook, in the Standard Webhooks shape.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    event_type: &'a str,
    timestamp: String,
    data: &'a Value,
}

/// The exact body sent (and signed) for `event`.
pub fn body_of(event: &OutboxEvent) -> Result<String, serde_json::Error> {
    serde_json::to_string(&Body {
        event_type: &event.event_type,
        timestamp: event
            .occurred_at
            .to_rfc3339_opts(SecondsFormat::Micros, true),
        data: &event.payload,
    })
}

/// True when `endpoint` wants `event` (new or replayed).
pub fn matches(endpoint: &WebhookEndpoint, event: &OutboxEvent) -> bool {
    endpoint.workspace_id == event.workspace_id
        && rules::wants(&endpoint.event_types, &event.event_type)
        && endpoint
            .pipeline_id
            .is_none_or(|p| rules::refers_to_pipeline(&event.payload, PIPELINE_KEYS, p))
}

/// The deliveries of `events` to `endpoints`, in event order.
pub fn deliveries_for(
    events: &[OutboxEvent],
    endpoints: &[WebhookEndpoint],
) -> Result<Vec<NewWebhookDelivery>, serde_json::Error> {
    let mut rows = Vec::new();
    for event in events {
        let mut body = None;
        // An endpoint receives the events committed after it was made.
        let wanted = endpoints
            .iter()
            .filter(|e| event.position > e.from_position && matches(e, event));
        for endpoint in wanted {
            let body = match &body {
                Some(body) => body,
                None => body.insert(body_of(event)?),
            };
            rows.push(NewWebhookDelivery {
                workspace_id: event.workspace_id,
                id: Uuid::now_v7(),
                endpoint_id: endpoint.id,
                event_id: event.id,
                event_type: event.event_type.clone(),
                position: event.position,
                body: body.clone(),
            });
        }
    }
    Ok(rows)
}

/// Fans out the next batch of events; returns how many events it read (0: caught up, or
/// another instance holds the cursor).
pub async fn fan_out_once(conn: &mut AsyncPgConnection) -> anyhow::Result<usize> {
    conn.transaction::<_, anyhow::Error, _>(async |conn| {
        let cursor: Option<i64> = webhook_fanout::table
            .select(webhook_fanout::position)
            .for_update()
            .skip_locked()
            .first(conn)
            .await
            .optional()?;
        let Some(position) = cursor else {
            return Ok(0);
        };
        let events = OutboxEvent::after(conn, position, BATCH).await?;
        let Some(last) = events.last().map(|e| e.position) else {
            return Ok(0);
        };
        let mut workspaces: Vec<Uuid> = events.iter().map(|e| e.workspace_id).collect();
        workspaces.sort_unstable();
        workspaces.dedup();
        let endpoints = WebhookEndpoint::enabled_in(conn, &workspaces).await?;
        let rows = deliveries_for(&events, &endpoints)?;
        // Well under PostgreSQL's 65 535 bind parameters per statement.
        for chunk in rows.chunks(5000) {
            WebhookDelivery::insert_all(conn, chunk).await?;
        }
        diesel::update(webhook_fanout::table)
            .set(webhook_fanout::position.eq(last))
            .execute(conn)
            .await?;
        metrics::counter!("dealgraph_webhook_deliveries_created_total")
            .increment(rows.len() as u64);
        Ok(events.len())
    })
    .await
}

/// Fans out until caught up.
pub async fn fan_out(conn: &mut AsyncPgConnection) -> anyhow::Result<()> {
    while fan_out_once(conn).await? == BATCH as usize {}
    Ok(())
}
