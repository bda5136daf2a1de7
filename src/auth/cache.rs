//! Verified API keys kept in memory for a short time, so a request authenticates without a
//! statement. A key leaves the cache at once when it is revoked: on the revoking server
//! before `revokeApiKey` returns, on every other server when the revocation's outbox event
//! reaches its listener (one NOTIFY round trip). The time-to-live bounds what no event
//! announces (a key deleted with its workspace). `last_used_at` is written in batches, one
//! statement per interval for all the keys a server saw.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::keys;
use super::model::ApiKey;
use super::{Actor, Scope};
use crate::db::DbPool;
use crate::error::AppError;

/// How long verified keys are trusted and how often their use is recorded.
#[derive(Debug, Clone, Copy)]
pub struct KeyCacheSettings {
    /// A key found valid is trusted this long without asking the database, unless an event
    /// says otherwise first.
    pub ttl: Duration,
    /// How often the keys used since the last time get their `last_used_at` written.
    pub touch_interval: Duration,
    /// At most this many keys are kept; beyond, the cache starts over.
    pub capacity: usize,
}

impl Default for KeyCacheSettings {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(30),
            touch_interval: Duration::from_secs(10),
            capacity: 10_000,
        }
    }
}

/// `last_used_at` moves at most once a minute, as it always has: reads don't become writes.
const TOUCH_GRANULARITY: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// The process's verified keys, shared by HTTP, WebSockets and `revokeApiKey`.
#[derive(Clone)]
pub struct VerifiedKeys(Arc<Inner>);

struct Inner {
    settings: KeyCacheSettings,
    /// By the SHA-256 of the secret: the secret itself is never kept.
    keys: Mutex<HashMap<Vec<u8>, Verified>>,
    /// Bumped (under the `keys` lock) by every invalidation: a lookup that started before
    /// one must not put back what it read, which may be the revoked key.
    generation: AtomicU64,
    used: Mutex<HashSet<Uuid>>,
}

struct Verified {
    workspace_id: Uuid,
    key_id: Uuid,
    scopes: Vec<Scope>,
    until: Instant,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Default for VerifiedKeys {
    fn default() -> Self {
        Self::new(KeyCacheSettings::default())
    }
}

impl VerifiedKeys {
    pub fn new(settings: KeyCacheSettings) -> Self {
        VerifiedKeys(Arc::new(Inner {
            settings,
            keys: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
            used: Mutex::new(HashSet::new()),
        }))
    }

    /// Resolves an `Authorization` header to the acting key, or `UNAUTHENTICATED`; from
    /// memory when the key was verified within the time-to-live.
    pub async fn authenticate(
        &self,
        pool: &DbPool,
        authorization: Option<&str>,
        request_id: Option<String>,
    ) -> Result<Actor, AppError> {
        let header = authorization.ok_or_else(|| {
            AppError::Unauthenticated("missing API key: send `Authorization: Bearer <key>`".into())
        })?;
        let secret = keys::from_authorization(header).ok_or_else(|| {
            AppError::Unauthenticated(
                "malformed Authorization header: expected `Bearer <key>`".into(),
            )
        })?;
        let hash = keys::hash(secret);
        if let Some(actor) = self.cached(&hash, &request_id) {
            return Ok(actor);
        }
        let generation = self.0.generation.load(Ordering::Acquire);
        let mut conn = crate::db::conn(pool).await?;
        let identity = ApiKey::authenticate(&mut conn, &hash)
            .await?
            .ok_or_else(|| AppError::Unauthenticated("invalid or revoked API key".into()))?;
        drop(conn);
        let verified = Verified {
            workspace_id: identity.workspace_id,
            key_id: identity.id,
            scopes: identity
                .scopes
                .iter()
                .flatten()
                .filter_map(|s| s.parse().ok())
                .collect(),
            until: Instant::now() + self.0.settings.ttl,
        };
        let actor = verified.actor(request_id);
        self.remember(hash, verified, generation);
        lock(&self.0.used).insert(actor.key_id);
        Ok(actor)
    }

    fn cached(&self, hash: &[u8], request_id: &Option<String>) -> Option<Actor> {
        let keys = lock(&self.0.keys);
        let verified = keys.get(hash).filter(|v| v.until > Instant::now())?;
        let actor = verified.actor(request_id.clone());
        drop(keys);
        lock(&self.0.used).insert(actor.key_id);
        Some(actor)
    }

    fn remember(&self, hash: Vec<u8>, verified: Verified, generation: u64) {
        let mut keys = lock(&self.0.keys);
        if self.0.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if keys.len() >= self.0.settings.capacity {
            let now = Instant::now();
            keys.retain(|_, v| v.until > now);
            if keys.len() >= self.0.settings.capacity {
                keys.clear();
            }
        }
        keys.insert(hash, verified);
    }

    /// Forgets `key_id` (revoked): its next request asks the database.
    pub fn forget_key(&self, key_id: Uuid) {
        let mut keys = lock(&self.0.keys);
        self.0.generation.fetch_add(1, Ordering::AcqRel);
        keys.retain(|_, v| v.key_id != key_id);
    }

    /// Forgets every key: for when revocations may have been missed.
    pub fn forget_all(&self) {
        let mut keys = lock(&self.0.keys);
        self.0.generation.fetch_add(1, Ordering::AcqRel);
        keys.clear();
    }

    /// Writes `last_used_at` of the keys used since the last round every `touch_interval`,
    /// and once more at shutdown.
    pub fn record_use(&self, pool: DbPool, shutdown: CancellationToken) {
        let keys = self.clone();
        tokio::spawn(async move {
            let mut timer = tokio::time::interval(keys.0.settings.touch_interval);
            timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            timer.tick().await;
            loop {
                let last = tokio::select! {
                    _ = timer.tick() => false,
                    () = shutdown.cancelled() => true,
                };
                if let Err(err) = keys.touch(&pool).await {
                    tracing::warn!(error = %err, "could not record when API keys were last used");
                }
                if last {
                    return;
                }
            }
        });
    }

    async fn touch(&self, pool: &DbPool) -> Result<(), AppError> {
        let ids: Vec<Uuid> = lock(&self.0.used).drain().collect();
        if ids.is_empty() {
            return Ok(());
        }
        let mut conn = crate::db::conn(pool).await?;
        let unless_since = chrono::Utc::now() - TOUCH_GRANULARITY;
        ApiKey::touch(&mut conn, &ids, unless_since).await?;
        Ok(())
    }
}

impl Verified {
    fn actor(&self, request_id: Option<String>) -> Actor {
        Actor {
            workspace_id: self.workspace_id,
            key_id: self.key_id,
            scopes: self.scopes.clone(),
            request_id,
            channel: crate::audit::Channel::Graphql,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verified(key_id: Uuid, ttl: Duration) -> Verified {
        Verified {
            workspace_id: Uuid::nil(),
            key_id,
            scopes: vec![Scope::CrmRead],
            until: Instant::now() + ttl,
        }
    }

    #[test]
    fn a_forgotten_key_is_gone_and_a_lookup_from_before_cannot_put_it_back() {
        let cache = VerifiedKeys::default();
        let key = Uuid::now_v7();
        let before = cache.0.generation.load(Ordering::Acquire);
        cache.remember(
            b"a".to_vec(),
            verified(key, Duration::from_secs(30)),
            before,
        );
        assert!(cache.cached(b"a", &None).is_some());

        let started = cache.0.generation.load(Ordering::Acquire);
        cache.forget_key(key);
        assert!(cache.cached(b"a", &None).is_none());
        // A lookup that read the key before the revocation finishes after it.
        cache.remember(
            b"a".to_vec(),
            verified(key, Duration::from_secs(30)),
            started,
        );
        assert!(cache.cached(b"a", &None).is_none());
    }

    #[test]
    fn expired_keys_are_not_served_and_capacity_is_bounded() {
        let cache = VerifiedKeys::new(KeyCacheSettings {
            capacity: 2,
            ..KeyCacheSettings::default()
        });
        cache.remember(b"old".to_vec(), verified(Uuid::now_v7(), Duration::ZERO), 0);
        assert!(cache.cached(b"old", &None).is_none());
        cache.remember(
            b"b".to_vec(),
            verified(Uuid::now_v7(), Duration::from_secs(30)),
            0,
        );
        cache.remember(
            b"c".to_vec(),
            verified(Uuid::now_v7(), Duration::from_secs(30)),
            0,
        );
        assert!(lock(&cache.0.keys).len() <= 2);
        assert!(cache.cached(b"c", &None).is_some());
    }
}
