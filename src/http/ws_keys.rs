//! The API keys behind open WebSocket connections: the per-key connection cap, and ending a
//! revoked key's connections. A revocation is an outbox event: each server closes the key's
//! connections when the event reaches it (the revoking server before `revokeApiKey` even
//! returns). As a safety net, one task checks every key with open connections in a single
//! statement per interval, for what no event announces (a key deleted with its workspace, or
//! events missed by a fan-out that fell behind); connections polling the database themselves
//! would cost a statement per connection per interval, in bursts.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::api_keys::events::REVOKED;
use crate::auth::cache::VerifiedKeys;
use crate::auth::model::ApiKey;
use crate::db::DbPool;
use crate::events::hub::EventHub;

/// Keys with open connections.
#[derive(Clone, Default)]
pub struct ConnectedKeys(Arc<Mutex<HashMap<Uuid, Connected>>>);

struct Connected {
    /// How many connections are open; [`ConnectedKeys::end`] waits for none.
    open: watch::Sender<usize>,
    /// Cancelled when the key is found revoked or deleted.
    revoked: CancellationToken,
}

/// A connection's place under its key's cap, given back on drop.
pub struct KeySlot {
    keys: ConnectedKeys,
    key_id: Uuid,
    /// Cancelled when the key is revoked: the connection closes with 4403.
    pub revoked: CancellationToken,
}

impl ConnectedKeys {
    fn lock(&self) -> MutexGuard<'_, HashMap<Uuid, Connected>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A place for one more connection of `key_id`, unless it already has `max`.
    pub fn join(&self, key_id: Uuid, max: usize) -> Option<KeySlot> {
        let mut keys = self.lock();
        let entry = keys.entry(key_id).or_insert_with(|| Connected {
            open: watch::Sender::new(0),
            revoked: CancellationToken::new(),
        });
        if *entry.open.borrow() >= max {
            return None;
        }
        entry.open.send_modify(|open| *open += 1);
        Some(KeySlot {
            keys: self.clone(),
            key_id,
            revoked: entry.revoked.clone(),
        })
    }

    /// Tells the connections of `key_id` to close (4403).
    pub fn revoke(&self, key_id: Uuid) {
        if let Some(key) = self.lock().get(&key_id) {
            key.revoked.cancel();
        }
    }

    /// Closes the connections of a key just revoked, and waits (at most `within`) until each
    /// has stopped its operations and sent its close frame. A connection busy writing to a
    /// client that does not read finishes later, by its write timeout.
    pub async fn end(&self, key_id: Uuid, within: Duration) {
        let mut open = {
            let keys = self.lock();
            let Some(key) = keys.get(&key_id) else {
                return;
            };
            key.revoked.cancel();
            key.open.subscribe()
        };
        // An error means the last connection left and the key's entry is gone: done too.
        let closed = open.wait_for(|open| *open == 0);
        if tokio::time::timeout(within, closed).await.is_err() {
            tracing::warn!(%key_id, "connections of a revoked key are still closing");
        }
    }

    /// Follows `hub` for revocations and checks the connected keys every `interval`, until
    /// `shutdown`.
    pub fn watch(
        &self,
        pool: DbPool,
        hub: &EventHub,
        verified: VerifiedKeys,
        interval: Duration,
        shutdown: CancellationToken,
    ) {
        let keys = self.clone();
        let mut events = hub.subscribe();
        tokio::spawn(async move {
            let mut timer = tokio::time::interval(interval);
            timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let check = tokio::select! {
                    event = events.recv() => match event {
                        Ok(event) => {
                            if event.event_type == REVOKED.name {
                                // First the cache, so a connection closed here cannot
                                // come straight back with the key.
                                verified.forget_key(event.entity_id);
                                keys.revoke(event.entity_id);
                            }
                            false
                        }
                        // The events missed may have held a revocation.
                        Err(RecvError::Lagged(_)) => {
                            verified.forget_all();
                            true
                        }
                        Err(RecvError::Closed) => return,
                    },
                    _ = timer.tick() => true,
                    () = shutdown.cancelled() => return,
                };
                // A database hiccup is not a reason to drop healthy connections: try again
                // at the next tick.
                if check {
                    if let Err(err) = keys.check(&pool, &verified).await {
                        tracing::warn!(error = %err, "could not re-check the keys of open WebSockets");
                    }
                }
            }
        });
    }

    /// One statement for all connected keys: which are still valid (marking them used, at
    /// most once a minute, as requests do). Connections of the others are told to close.
    async fn check(
        &self,
        pool: &DbPool,
        verified: &VerifiedKeys,
    ) -> Result<(), crate::error::AppError> {
        let ids: Vec<Uuid> = self.lock().keys().copied().collect();
        if ids.is_empty() {
            return Ok(());
        }
        let mut conn = crate::db::conn(pool).await?;
        let live: HashSet<Uuid> = ApiKey::live_among(&mut conn, &ids)
            .await?
            .into_iter()
            .collect();
        // Only keys that were checked: one that connected meanwhile waits for the next round.
        for id in ids.iter().filter(|id| !live.contains(id)) {
            verified.forget_key(*id);
            self.revoke(*id);
        }
        Ok(())
    }
}

impl Drop for KeySlot {
    fn drop(&mut self) {
        let mut keys = self.keys.lock();
        if let Some(key) = keys.get_mut(&self.key_id) {
            key.open.send_modify(|open| *open = open.saturating_sub(1));
            if *key.open.borrow() == 0 {
                keys.remove(&self.key_id);
            }
        }
    }
}
