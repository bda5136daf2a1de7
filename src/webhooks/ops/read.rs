//! The reads: endpoints with their statistics, and an endpoint's delivery log. `admin` only:
//! endpoints say where the workspace's data goes.

use std::collections::HashMap;

use chrono::Utc;
use uuid::Uuid;

use crate::auth::{Actor, Scope};
use crate::db::page::{IdWindow, Listing};
use crate::db::DbPool;
use crate::error::AppError;
use crate::webhooks::model::{
    DeliveryFilter, DeliveryStatus, EndpointStats, WebhookAttempt, WebhookDelivery, WebhookEndpoint,
};

/// The window endpoint statistics cover.
pub const STATS_DAYS: i64 = 7;

/// A page of endpoints and their statistics (three statements: the page, the count and the
/// statistics, whatever the page size).
pub async fn endpoints(
    pool: &DbPool,
    actor: &Actor,
    window: &IdWindow,
) -> Result<(Listing<WebhookEndpoint>, HashMap<Uuid, EndpointStats>), AppError> {
    actor.require(Scope::Admin)?;
    let mut conn = crate::db::conn(pool).await?;
    let listing = WebhookEndpoint::listing(&mut conn, actor.workspace_id, window).await?;
    let ids: Vec<Uuid> = listing.rows.iter().map(|e| e.id).collect();
    let stats = stats_of(&mut conn, &ids).await?;
    Ok((listing, stats))
}

/// Statistics of these endpoints over the last [`STATS_DAYS`].
pub async fn stats_of(
    conn: &mut diesel_async::AsyncPgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, EndpointStats>, AppError> {
    let since = Utc::now() - chrono::Duration::days(STATS_DAYS);
    Ok(WebhookAttempt::stats(conn, ids, since)
        .await?
        .into_iter()
        .map(|s| (s.endpoint_id, s))
        .collect())
}

/// A page of an endpoint's deliveries with their attempts (oldest first).
pub async fn deliveries(
    pool: &DbPool,
    actor: &Actor,
    endpoint_id: Uuid,
    status: Option<DeliveryStatus>,
    window: &IdWindow,
) -> Result<(Listing<WebhookDelivery>, HashMap<Uuid, Vec<WebhookAttempt>>), AppError> {
    actor.require(Scope::Admin)?;
    let ws = actor.workspace_id;
    let mut conn = crate::db::conn(pool).await?;
    if WebhookEndpoint::find(&mut conn, ws, endpoint_id)
        .await?
        .is_none()
    {
        return Err(AppError::not_found_at(
            "endpointId",
            "webhook endpoint",
            endpoint_id,
        ));
    }
    let filter = DeliveryFilter {
        endpoint_id,
        status,
    };
    let listing = WebhookDelivery::listing(&mut conn, ws, &filter, window).await?;
    let ids: Vec<Uuid> = listing.rows.iter().map(|d| d.id).collect();
    let mut attempts: HashMap<Uuid, Vec<WebhookAttempt>> = HashMap::new();
    for attempt in WebhookAttempt::of_deliveries(&mut conn, ws, &ids).await? {
        attempts
            .entry(attempt.delivery_id)
            .or_default()
            .push(attempt);
    }
    Ok((listing, attempts))
}
