//! The process's event hub. One listener per process holds a dedicated connection (outside
//! the pool) that LISTENs on the outbox channel. A notification is only a wake-up: the
//! listener reads the outbox rows after the last position it has seen, in order, and fans
//! them out through a bounded broadcast channel. It also polls on a timer and right after
//! (re)connecting, so a missed notification or a dropped connection loses nothing.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::model::OutboxEvent;
use super::CHANNEL;
use crate::db::DbPool;

/// Events per read from the outbox.
const READ_BATCH: i64 = 500;

#[derive(Debug, Clone, Copy)]
pub struct HubSettings {
    /// Poll interval: the safety net under NOTIFY.
    pub poll_interval: Duration,
    /// In-process channel size; a subscriber further behind catches up from the table.
    pub channel_capacity: usize,
    /// How long events are kept for resuming subscribers.
    pub retention: Duration,
    /// How often the retention pruner runs.
    pub prune_interval: Duration,
}

impl Default for HubSettings {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(1),
            channel_capacity: 1024,
            retention: Duration::from_secs(7 * 24 * 3600),
            prune_interval: Duration::from_secs(600),
        }
    }
}

/// Shared by every subscription of the process.
#[derive(Clone)]
pub struct EventHub {
    sender: broadcast::Sender<Arc<OutboxEvent>>,
    /// The newest position fanned out so far.
    delivered: Arc<AtomicI64>,
    pub settings: HubSettings,
}

impl EventHub {
    /// Starts the listener (and the retention pruner) for `database_url`; both stop when
    /// `shutdown` is cancelled.
    pub fn start(
        database_url: String,
        pool: DbPool,
        settings: HubSettings,
        shutdown: CancellationToken,
    ) -> EventHub {
        let (sender, _) = broadcast::channel(settings.channel_capacity);
        let hub = EventHub {
            sender,
            delivered: Arc::new(AtomicI64::new(-1)),
            settings,
        };
        tokio::spawn(
            hub.clone()
                .listen(database_url, pool.clone(), shutdown.clone()),
        );
        tokio::spawn(prune_forever(pool, settings, shutdown));
        hub
    }

    /// A receiver of every event fanned out from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<OutboxEvent>> {
        self.sender.subscribe()
    }

    pub fn subscriber_count(&self) -> usize {
        self.sender.receiver_count()
    }

    async fn listen(self, database_url: String, pool: DbPool, shutdown: CancellationToken) {
        let mut backoff = Duration::from_millis(100);
        loop {
            let session = self.listen_once(&database_url, &pool, &shutdown);
            match session.await {
                Ok(()) => return,
                Err(err) => {
                    tracing::warn!(error = %err, retry_in_ms = backoff.as_millis() as u64, "event listener lost its connection");
                    metrics::counter!("dealgraph_event_listener_reconnects_total").increment(1);
                }
            }
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                () = shutdown.cancelled() => return,
            }
            backoff = (backoff * 2).min(Duration::from_secs(10));
        }
    }

    /// One connection's life: LISTEN, catch up, then wake on notifications or the timer.
    async fn listen_once(
        &self,
        database_url: &str,
        pool: &DbPool,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<()> {
        let mut listener = AsyncPgConnection::establish(database_url).await?;
        diesel::sql_query(format!("LISTEN {CHANNEL}"))
            .execute(&mut listener)
            .await?;
        if AtomicI64::load(&self.delivered, Ordering::Acquire) < 0 {
            // First start: live from here on; subscribers with a cursor replay from the table.
            let mut conn = pool.get().await?;
            let last = OutboxEvent::last_position(&mut conn).await?;
            self.delivered.store(last, Ordering::Release);
        }
        let mut notifications = Box::pin(listener.notifications_stream());
        let mut timer = tokio::time::interval(self.settings.poll_interval);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // Read first: this also covers whatever happened while we were disconnected.
            self.fan_out(pool).await?;
            tokio::select! {
                notification = notifications.next() => match notification {
                    Some(Ok(_)) => {}
                    Some(Err(err)) => return Err(err.into()),
                    None => anyhow::bail!("notification stream ended"),
                },
                _ = timer.tick() => {}
                () = shutdown.cancelled() => return Ok(()),
            }
        }
    }

    /// Sends every committed event after the last delivered position, in order.
    async fn fan_out(&self, pool: &DbPool) -> anyhow::Result<()> {
        let mut conn = pool.get().await?;
        loop {
            let from = AtomicI64::load(&self.delivered, Ordering::Acquire);
            let events = OutboxEvent::after(&mut conn, from, READ_BATCH).await?;
            let count = events.len();
            for event in events {
                let position = event.position;
                // No receivers is fine: nobody is subscribed right now.
                let _ = self.sender.send(Arc::new(event));
                self.delivered.store(position, Ordering::Release);
                metrics::counter!("dealgraph_events_fanned_out_total").increment(1);
            }
            if count < READ_BATCH as usize {
                return Ok(());
            }
        }
    }
}

/// Deletes events past the retention window, in batches, every `prune_interval`.
async fn prune_forever(pool: DbPool, settings: HubSettings, shutdown: CancellationToken) {
    let mut timer = tokio::time::interval(settings.prune_interval);
    loop {
        tokio::select! {
            _ = timer.tick() => {}
            () = shutdown.cancelled() => return,
        }
        let Ok(retention) = chrono::Duration::from_std(settings.retention) else {
            continue;
        };
        let before = chrono::Utc::now() - retention;
        let Ok(mut conn) = pool.get().await else {
            continue;
        };
        loop {
            match OutboxEvent::prune(&mut conn, before, 10_000).await {
                Ok(0) => break,
                Ok(n) => tracing::debug!(pruned = n, "pruned old events"),
                Err(err) => {
                    tracing::warn!(error = %err, "could not prune old events");
                    break;
                }
            }
        }
    }
}
