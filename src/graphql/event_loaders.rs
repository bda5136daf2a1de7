//! Work shared by every subscriber of one event: its dataloaders and its results. A move fans out to every subscriber
//! of the workspace; if each resolved `deal { … }` through its own loaders, one move would
//! cost a statement per subscriber (a thousand for a thousand open boards). Instead the
//! first subscriber to resolve an event creates a cached loader set for it, and the others
//! resolve through the same set: one batch per relation per event, however many subscribers.
//!
//! The first subscriber resolves alone; the others wait for it, then answer from the set's
//! caches, so the statements one event costs do not depend on how many subscribers it has.
//! Subscribers with the same operation, variables and scopes would compute the very same
//! result, so it is computed once per event and copied to the rest ([`SubscriptionShape`]).
//!
//! The set reaches the resolvers as per-execution data: the subscription's stream puts the
//! event's set in the subscription's [`CurrentEvent`] slot as it yields the event, and
//! [`execute`] hands it to the execution of that item, where it takes
//! precedence over the subscription's own loaders (see [`super::loaders::get`]).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_graphql::extensions::ExtensionContext;
use async_graphql::{Data, Response, Value};
use tokio::sync::Semaphore;

use super::loaders::Loaders;
use crate::auth::Actor;
use crate::db::DbPool;
use crate::events::model::OutboxEvent;

/// How long an event's loaders are shared. Subscribers resolve a live event within
/// milliseconds of each other; one that resolves it later (after catching up) gets fresh
/// reads, so relations show the state "as of delivery", never minutes old.
const SHARE_FOR: Duration = Duration::from_secs(2);

/// At most this many events' sets are kept; beyond it sharing simply restarts.
const MAX_EVENTS: usize = 256;

/// An event's loader set, and how this subscriber takes part in resolving it.
pub struct EventShare {
    pub loaders: Arc<Loaders>,
    results: Results,
    /// The first subscriber resolves alone and fills the set's caches; the others wait for
    /// it (briefly), then read what it loaded. Without the wait they would all miss the
    /// still-empty cache at once and each start its own batch.
    pub role: Role,
}

pub enum Role {
    First(FirstResolution),
    Later(Arc<Semaphore>),
}

/// Held while the first subscriber resolves an event; dropping it lets the others go.
pub struct FirstResolution(Arc<Semaphore>);

impl Drop for FirstResolution {
    fn drop(&mut self) {
        self.0.close();
    }
}

impl EventShare {
    /// Waits until the first subscriber has resolved the event (if this is not it). The
    /// wait ends however that resolution ends: the guard closes the semaphore on drop, also
    /// when the first subscriber goes away mid-resolution.
    pub async fn ready(&self) {
        if let Role::Later(done) = &self.role {
            if !done.is_closed() {
                // Never granted: it has no permits, and only closing ends the wait.
                let _ = done.acquire().await;
            }
        }
    }
}

/// An event's results, by subscription shape.
type Results = Arc<Mutex<HashMap<Arc<str>, Value>>>;

struct Shared {
    created: Instant,
    loaders: Arc<Loaders>,
    results: Results,
    done: Arc<Semaphore>,
}

/// The process's recent events' loader sets, by outbox position.
pub struct EventLoaderCache {
    pool: DbPool,
    recent: Mutex<HashMap<i64, Shared>>,
}

impl EventLoaderCache {
    pub fn new(pool: DbPool) -> EventLoaderCache {
        EventLoaderCache {
            pool,
            recent: Mutex::new(HashMap::new()),
        }
    }

    /// The loader set for `event`, shared with every other subscriber resolving it now.
    pub fn for_event(&self, event: &OutboxEvent) -> EventShare {
        let now = Instant::now();
        let mut recent = self
            .recent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(shared) = recent.get(&event.position) {
            if now.duration_since(shared.created) < SHARE_FOR {
                return EventShare {
                    loaders: shared.loaders.clone(),
                    results: shared.results.clone(),
                    role: Role::Later(shared.done.clone()),
                };
            }
        }
        if recent.len() >= MAX_EVENTS {
            recent.retain(|_, shared| now.duration_since(shared.created) < SHARE_FOR);
            if recent.len() >= MAX_EVENTS {
                recent.clear();
            }
        }
        // Cached: the set lives for one event, so a cache cannot show a later event an
        // earlier state.
        let loaders = Arc::new(Loaders::for_workspace(&self.pool, event.workspace_id, true));
        let done = Arc::new(Semaphore::new(0));
        let results = Results::default();
        recent.insert(
            event.position,
            Shared {
                created: now,
                loaders: loaders.clone(),
                results: results.clone(),
                done: done.clone(),
            },
        );
        EventShare {
            loaders,
            results,
            role: Role::First(FirstResolution(done)),
        }
    }
}

/// What makes two subscriptions' results for one event identical: the operation, its
/// variables and the key's scopes (the workspace is the event's). Resolvers under a
/// subscription may depend on nothing else of the caller.
#[derive(Clone)]
pub struct SubscriptionShape(Arc<str>);

impl SubscriptionShape {
    pub fn of(request: &async_graphql::Request, actor: &Actor) -> SubscriptionShape {
        let variables = serde_json::to_string(&request.variables).unwrap_or_default();
        SubscriptionShape(Arc::from(format!(
            "{:?}\u{0}{}\u{0}{}\u{0}{}",
            actor.scopes,
            request.operation_name.as_deref().unwrap_or(""),
            variables,
            request.query,
        )))
    }
}

/// One subscription's slot for the event it is about to resolve.
#[derive(Clone, Default)]
pub struct CurrentEvent(Arc<Mutex<Option<EventShare>>>);

impl CurrentEvent {
    pub fn set(&self, share: EventShare) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(share);
    }

    fn take(&self) -> Option<EventShare> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// Runs one execution: a subscription item's with the loader set of its event (or the
/// result a subscriber of the same shape already computed for it), anything else as it is.
/// `run` executes, with the per-execution data to add; called by [`super::execution`].
pub(super) async fn execute<F, Fut>(ctx: &ExtensionContext<'_>, run: F) -> Response
where
    F: FnOnce(Option<Data>) -> Fut,
    Fut: Future<Output = Response>,
{
    let Some(share) = ctx.data_opt::<CurrentEvent>().and_then(CurrentEvent::take) else {
        return run(None).await;
    };
    let shape = ctx.data_opt::<SubscriptionShape>();
    if let Some(SubscriptionShape(shape)) = shape {
        let results = share.results.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(data) = results.get(shape) {
            return Response::new(data.clone());
        }
    }
    let mut data = Data::default();
    data.insert(share.loaders);
    let response = run(Some(data)).await;
    if let Some(SubscriptionShape(shape)) = shape {
        // Only clean results are shared; an error is this subscriber's to report.
        if response.errors.is_empty() && response.extensions.is_empty() {
            share
                .results
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(shape.clone(), response.data.clone());
        }
    }
    // Only now may the later subscribers go: the caches hold what this one loaded.
    drop(share.role);
    response
}
