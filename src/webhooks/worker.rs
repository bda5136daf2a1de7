//! The delivery worker each instance runs: fan out new events, lease due deliveries, attempt
//! them (at most one per endpoint, `concurrency` at a time), record every attempt and decide
//! what happens next. New events wake it through the process's event hub; retries that come
//! due are found by polling. Stopping the process drops attempts in flight unrecorded: their
//! leases expire and another instance (or this one, restarted) attempts them again.

use std::sync::Arc;

use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::events::{EndpointIdentity, DISABLED};
use super::model::delivery::Settled;
use super::model::{DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint};
use super::sender::{self, Answer, Signed};
use super::signing::{signature_header, SecretBox, SigningSecret};
use super::{fanout, rules, WebhookSettings};
use crate::audit::AuditEvent;
use crate::db::DbPool;
use crate::events::hub::EventHub;
use crate::events::NewEvent;

/// What the worker shares with its attempts.
struct Worker {
    pool: DbPool,
    settings: WebhookSettings,
    client: reqwest::Client,
    secrets: SecretBox,
    slots: Arc<Semaphore>,
    /// Signalled when an attempt ends, so its endpoint's next delivery goes at once.
    finished: tokio::sync::Notify,
}

/// Starts the worker; it stops when `shutdown` is cancelled (in-flight attempts are dropped).
pub async fn start(
    pool: DbPool,
    hub: &EventHub,
    settings: WebhookSettings,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let secrets = {
        let mut conn = pool.get().await?;
        SecretBox::load(&mut conn)
            .await
            .map_err(|e| anyhow::anyhow!(e.client_message()))?
    };
    let worker = Arc::new(Worker {
        client: sender::client(settings.timeout, settings.allow_private)?,
        slots: Arc::new(Semaphore::new(settings.concurrency.max(1))),
        finished: tokio::sync::Notify::new(),
        pool,
        settings,
        secrets,
    });
    let events = hub.subscribe();
    tokio::spawn(run(worker, events, shutdown));
    Ok(())
}

async fn run(
    worker: Arc<Worker>,
    mut events: tokio::sync::broadcast::Receiver<Arc<crate::events::model::OutboxEvent>>,
    shutdown: CancellationToken,
) {
    let mut timer = tokio::time::interval(worker.settings.poll_interval);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut hub_open = true;
    loop {
        if let Err(err) = worker.round(&shutdown).await {
            tracing::warn!(error = %err, "webhook worker round failed");
        }
        tokio::select! {
            // Any event (or a lag notice) means the outbox moved: fan out now.
            received = events.recv(), if hub_open => {
                hub_open = !matches!(received, Err(tokio::sync::broadcast::error::RecvError::Closed));
            }
            () = worker.finished.notified() => {}
            _ = timer.tick() => {}
            () = shutdown.cancelled() => return,
        }
    }
}

impl Worker {
    /// Fans out, then leases as many due deliveries as there are free slots.
    async fn round(self: &Arc<Self>, shutdown: &CancellationToken) -> anyhow::Result<()> {
        let mut conn = self.pool.get().await?;
        fanout::fan_out(&mut conn).await?;
        let free = self.slots.available_permits();
        if free == 0 {
            return Ok(());
        }
        let token = Uuid::now_v7();
        let claimed =
            WebhookDelivery::claim(&mut conn, token, self.settings.lease, free as i64).await?;
        drop(conn);
        for delivery in claimed {
            let permit = self.slots.clone().acquire_owned().await?;
            let worker = self.clone();
            let shutdown = shutdown.clone();
            tokio::spawn(async move {
                tokio::select! {
                    result = worker.attempt(&delivery, token) => {
                        if let Err(err) = result {
                            tracing::warn!(error = %err, delivery = %delivery.id, "webhook attempt not recorded");
                        }
                    }
                    // Dropped mid-attempt: the lease expires and the delivery is retried.
                    () = shutdown.cancelled() => {}
                }
                drop(permit);
                worker.finished.notify_one();
            });
        }
        Ok(())
    }

    /// Sends one leased delivery and records the attempt.
    async fn attempt(&self, delivery: &WebhookDelivery, token: Uuid) -> anyhow::Result<()> {
        let endpoint = {
            let mut conn = self.pool.get().await?;
            WebhookEndpoint::find(&mut conn, delivery.workspace_id, delivery.endpoint_id).await?
        };
        let Some(endpoint) = endpoint else {
            return Ok(()); // deleted meanwhile: its deliveries went with it
        };
        let secrets = self.active_secrets(&endpoint)?;
        let timestamp = Utc::now().timestamp();
        let message_id = delivery.event_id.to_string();
        let signature = signature_header(&secrets, &message_id, timestamp, &delivery.body)
            .map_err(|e| anyhow::anyhow!(e.client_message()))?;
        let attempted_at = Utc::now();
        let answer = sender::post(
            &self.client,
            &endpoint.url,
            delivery.body.clone(),
            Signed {
                message_id: &message_id,
                timestamp,
                signature: &signature,
            },
            self.settings.allow_private,
        )
        .await;
        metrics::counter!("dealgraph_webhook_attempts_total", "succeeded" => answer.succeeded().to_string())
            .increment(1);
        let mut conn = self.pool.get().await?;
        conn.transaction::<_, anyhow::Error, _>(async |conn| {
            self.record(conn, delivery, &endpoint, token, attempted_at, &answer)
                .await
        })
        .await
    }

    /// The current secret, and the previous one while it still signs.
    fn active_secrets(&self, endpoint: &WebhookEndpoint) -> anyhow::Result<Vec<SigningSecret>> {
        let open = |sealed: &[u8]| {
            self.secrets
                .open(endpoint.id, sealed)
                .map_err(|e| anyhow::anyhow!(e.client_message()))
        };
        let mut secrets = vec![open(&endpoint.secret)?];
        if let (Some(previous), Some(until)) = (
            &endpoint.previous_secret,
            endpoint.previous_secret_expires_at,
        ) {
            if until > Utc::now() {
                secrets.push(open(previous)?);
            }
        }
        Ok(secrets)
    }

    /// The attempt's log row, the delivery's next state and the endpoint's health.
    async fn record(
        &self,
        conn: &mut AsyncPgConnection,
        delivery: &WebhookDelivery,
        endpoint: &WebhookEndpoint,
        token: Uuid,
        attempted_at: chrono::DateTime<Utc>,
        answer: &Answer,
    ) -> anyhow::Result<()> {
        // The endpoint's row first, as every write of an endpoint (an update, a delete) takes
        // it before anything of its deliveries. Taken last, after the attempt's insert had
        // key-share-locked it, a delete waiting in between deadlocked with this transaction.
        let Some(endpoint) =
            WebhookEndpoint::find_for_update(conn, endpoint.workspace_id, endpoint.id).await?
        else {
            return Ok(()); // deleted meanwhile, with its deliveries
        };
        let endpoint = &endpoint;
        let succeeded = answer.succeeded();
        WebhookAttempt::insert(
            conn,
            &WebhookAttempt {
                workspace_id: delivery.workspace_id,
                id: Uuid::now_v7(),
                delivery_id: delivery.id,
                endpoint_id: delivery.endpoint_id,
                attempted_at,
                status_code: answer.status.map(i32::from),
                latency_ms: i32::try_from(answer.latency.as_millis()).unwrap_or(i32::MAX),
                response_body: answer.body.clone(),
                error: answer.error.clone(),
                succeeded,
            },
        )
        .await?;
        let settled = if succeeded {
            Settled::Done(DeliveryStatus::Succeeded)
        } else {
            // `attempts` counts this one; retry n follows attempt n.
            let retry = usize::try_from(delivery.attempts - 1).unwrap_or(0);
            let wait = rules::retry_delay(
                &self.settings.retry_schedule,
                retry,
                self.settings.jitter,
                rand::random(),
                answer.retry_after,
            );
            match wait {
                Some(wait) if !answer.gone() => Settled::RetryIn(wait),
                _ => Settled::Done(DeliveryStatus::Failed),
            }
        };
        if WebhookDelivery::settle(conn, delivery.id, token, settled)
            .await?
            .is_none()
        {
            // The lease ran out before the answer came; whoever holds it now decides.
            return Ok(());
        }
        let failing_since = WebhookEndpoint::note_outcome(conn, endpoint.id, succeeded).await?;
        let too_long = failing_since.is_some_and(|since| {
            chrono::Duration::from_std(self.settings.disable_after)
                .is_ok_and(|limit| Utc::now() - since >= limit)
        });
        if answer.gone() {
            disable(conn, endpoint, "the receiver answered 410 Gone").await?;
        } else if too_long {
            disable(conn, endpoint, "every delivery failed for too long").await?;
        }
        Ok(())
    }
}

/// Disables `endpoint` (unless it is already), audited and announced with a
/// `webhook_endpoint.disabled` event, in the caller's transaction, which holds the endpoint's
/// row ([`Worker::record`] locks it first).
async fn disable(
    conn: &mut AsyncPgConnection,
    endpoint: &WebhookEndpoint,
    reason: &str,
) -> anyhow::Result<()> {
    // Read again: the outcome just recorded changed the row (its failing streak).
    let Some(current) = WebhookEndpoint::find(conn, endpoint.workspace_id, endpoint.id).await?
    else {
        return Ok(());
    };
    if !current.enabled {
        return Ok(());
    }
    let after = WebhookEndpoint::disable(conn, endpoint.id, reason).await?;
    let (before_json, after_json) = (
        serde_json::to_value(&current)?,
        serde_json::to_value(&after)?,
    );
    // The server itself acts, with no key: the operator's channel.
    AuditEvent::insert_operator_change(
        conn,
        after.workspace_id,
        ("webhook_endpoint.disable", "webhook_endpoint"),
        after.id,
        Some(&before_json),
        &after_json,
    )
    .await?;
    let event = NewEvent::new(
        DISABLED,
        after.id,
        &EndpointIdentity {
            id: after.id,
            url: &after.url,
            enabled: false,
            reason: Some(reason),
        },
    )?;
    crate::events::append(conn, after.workspace_id, &[event]).await?;
    tracing::info!(endpoint = %after.id, reason, "webhook endpoint disabled");
    Ok(())
}
