//! The API keys behind open WebSocket connections: the per-key connection cap, and ending a
//! revoked key's connections. One task checks every key with open connections in a single
//! statement per interval; connections polling the database themselves would cost a
//! statement per connection per interval (333 a second for 1,000 connections every 3 s),
//! and arrive in bursts, since connections opened together tick together.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::auth::model::ApiKey;
use crate::db::DbPool;

/// Keys with open connections.
#[derive(Clone, Default)]
pub struct ConnectedKeys(Arc<Mutex<HashMap<Uuid, Connected>>>);

struct Connected {
    connections: usize,
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
            connections: 0,
            revoked: CancellationToken::new(),
        });
        if entry.connections >= max {
            return None;
        }
        entry.connections += 1;
        Some(KeySlot {
            keys: self.clone(),
            key_id,
            revoked: entry.revoked.clone(),
        })
    }

    /// Checks the connected keys every `interval` until `shutdown`.
    pub fn watch(&self, pool: DbPool, interval: Duration, shutdown: CancellationToken) {
        let keys = self.clone();
        tokio::spawn(async move {
            let mut timer = tokio::time::interval(interval);
            timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = timer.tick() => {}
                    () = shutdown.cancelled() => return,
                }
                // A database hiccup is not a reason to drop healthy connections: try again
                // at the next tick.
                if let Err(err) = keys.check(&pool).await {
                    tracing::warn!(error = %err, "could not re-check the keys of open WebSockets");
                }
            }
        });
    }

    /// One statement for all connected keys: which are still valid (marking them used, at
    /// most once a minute, as requests do). Connections of the others are told to close.
    async fn check(&self, pool: &DbPool) -> Result<(), crate::error::AppError> {
        let ids: Vec<Uuid> = self.lock().keys().copied().collect();
        if ids.is_empty() {
            return Ok(());
        }
        let mut conn = crate::db::conn(pool).await?;
        let live: HashSet<Uuid> = ApiKey::live_among(&mut conn, &ids)
            .await?
            .into_iter()
            .collect();
        let keys = self.lock();
        // Only keys that were checked: one that connected meanwhile waits for the next round.
        for id in ids.iter().filter(|id| !live.contains(id)) {
            if let Some(key) = keys.get(id) {
                key.revoked.cancel();
            }
        }
        Ok(())
    }
}

impl Drop for KeySlot {
    fn drop(&mut self) {
        let mut keys = self.keys.lock();
        if let Some(key) = keys.get_mut(&self.key_id) {
            key.connections = key.connections.saturating_sub(1);
            if key.connections == 0 {
                keys.remove(&self.key_id);
            }
        }
    }
}
