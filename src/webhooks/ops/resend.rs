//! Sending again on demand: one delivery (`redeliverWebhook`) or an endpoint's events since a
//! time (`replayWebhooks`). Both make new deliveries carrying the original event id, so a
//! receiver de-duplicating on `webhook-id` sees the same message again. They take the place
//! of the original event in the endpoint's order (an old event goes before newer pending ones).

use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::AppError;
use crate::webhooks::fanout::{body_of, matches};
use crate::webhooks::model::delivery::replayable_events;
use crate::webhooks::model::{NewWebhookDelivery, WebhookDelivery, WebhookEndpoint};
use crate::write::{self, WriteOptions, WriteRequest, WriteResult, Written};

/// The most events one replay sends.
pub const MAX_REPLAY: i64 = 10_000;

/// `redeliverWebhook`: the delivery's event again, as a new delivery.
pub async fn redeliver(
    pool: &DbPool,
    actor: &Actor,
    delivery_id: Uuid,
    options: WriteOptions,
) -> Result<WriteResult<WebhookDelivery>, AppError> {
    let request = WriteRequest::new(
        "webhook_delivery.redeliver",
        "webhook_delivery",
        Scope::Admin,
        json!({ "deliveryId": delivery_id }),
        options,
    )
    .on(delivery_id);
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let original = WebhookDelivery::find(conn, workspace_id, delivery_id)
                .await?
                .ok_or_else(|| {
                    AppError::not_found_at("input.deliveryId", "webhook delivery", delivery_id)
                })?;
            let copy = NewWebhookDelivery {
                workspace_id,
                id: Uuid::now_v7(),
                endpoint_id: original.endpoint_id,
                event_id: original.event_id,
                event_type: original.event_type.clone(),
                position: original.position,
                body: original.body.clone(),
            };
            let mut made = WebhookDelivery::insert_all(conn, &[copy]).await?;
            let delivery = made
                .pop()
                .ok_or_else(|| AppError::internal("redelivery not inserted"))?;
            Written::created(delivery.id, delivery, vec![])
        }
        .boxed()
    })
    .await
}

/// `replayWebhooks`: every event since `since` the endpoint wants (and the outbox still
/// keeps), as new deliveries; returns how many.
pub async fn replay(
    pool: &DbPool,
    actor: &Actor,
    endpoint_id: Uuid,
    since: DateTime<Utc>,
    options: WriteOptions,
) -> Result<WriteResult<i64>, AppError> {
    let request = WriteRequest::new(
        "webhook_endpoint.replay",
        "webhook_endpoint",
        Scope::Admin,
        json!({ "endpointId": endpoint_id, "since": since }),
        options,
    )
    .on(endpoint_id);
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let endpoint = WebhookEndpoint::find(conn, workspace_id, endpoint_id)
                .await?
                .ok_or_else(|| {
                    AppError::not_found_at("input.endpointId", "webhook endpoint", endpoint_id)
                })?;
            // Events past the fan-out cursor get their deliveries from the fan-out itself.
            let events = replayable_events(conn, workspace_id, since, MAX_REPLAY + 1).await?;
            if events.len() as i64 > MAX_REPLAY {
                return Err(AppError::bad_input(
                    "input.since",
                    format!("more than {MAX_REPLAY} events since then; choose a later time"),
                ));
            }
            let mut rows = Vec::new();
            for event in events.iter().filter(|e| matches(&endpoint, e)) {
                rows.push(NewWebhookDelivery {
                    workspace_id,
                    id: Uuid::now_v7(),
                    endpoint_id,
                    event_id: event.id,
                    event_type: event.event_type.clone(),
                    position: event.position,
                    body: body_of(event)?,
                });
            }
            for chunk in rows.chunks(5000) {
                WebhookDelivery::insert_all(conn, chunk).await?;
            }
            let count = rows.len() as i64;
            Ok(Written {
                entity_id: endpoint_id,
                before: None,
                after: Some(json!({ "replayed": count, "since": since })),
                events: vec![],
                value: count,
            })
        }
        .boxed()
    })
    .await
}
