//! One subscriber's feed: a replay from the outbox table after its cursor, then the live
//! fan-out, with no gap and no duplicate at the seam. The subscriber joins the broadcast
//! *before* reading the table, so every event is in one or the other; positions de-duplicate.
//! A subscriber that falls behind the in-process channel catches up from the table. A feed
//! can end at an event (a subscriber's own key's revocation): since positions follow commit
//! order, nothing committed after that event is delivered.

use std::collections::VecDeque;
use std::sync::Arc;

use futures_util::Stream;
use tokio::sync::broadcast::{self, error::RecvError};
use uuid::Uuid;

use super::hub::EventHub;
use super::model::OutboxEvent;
use crate::db::DbPool;
use crate::error::AppError;

const CATCH_UP_BATCH: i64 = 500;

/// Which events a subscriber wants (always within its own workspace). The feed knows no
/// domain: a domain that lets subscribers narrow its events says which payload keys hold
/// the id to match (deals: the pipeline ids of a move).
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub types: Option<Vec<String>>,
    /// Only events about this entity: its type and id.
    pub entity: Option<(&'static str, Uuid)>,
    /// Only events whose payload holds this id under one of these keys.
    pub refers_to: Option<(&'static [&'static str], Uuid)>,
}

impl EventFilter {
    fn matches(&self, workspace_id: Uuid, event: &OutboxEvent) -> bool {
        if event.workspace_id != workspace_id {
            return false;
        }
        if let Some(types) = &self.types {
            if !types.contains(&event.event_type) {
                return false;
            }
        }
        if let Some((entity_type, entity_id)) = self.entity {
            if event.entity_type != entity_type || event.entity_id != entity_id {
                return false;
            }
        }
        if let Some((keys, id)) = self.refers_to {
            let id = id.to_string();
            let payload = &event.payload;
            let refers = keys
                .iter()
                .any(|key| payload.get(key).and_then(|v| v.as_str()) == Some(id.as_str()));
            if !refers {
                return false;
            }
        }
        true
    }
}

/// The event at which a feed stops delivering: for a subscriber, its key's revocation.
#[derive(Debug, Clone, Copy)]
pub struct EndsAt {
    pub event_type: &'static str,
    pub entity_id: Uuid,
}

impl EndsAt {
    fn is(&self, workspace_id: Uuid, event: &OutboxEvent) -> bool {
        event.workspace_id == workspace_id
            && event.event_type == self.event_type
            && event.entity_id == self.entity_id
    }
}

/// What the feed has next.
enum Next {
    Event(Arc<OutboxEvent>),
    /// The hub is gone (the process is stopping).
    Closed,
    /// The feed reached its `EndsAt` event.
    Ended,
}

struct Feed {
    hub_rx: broadcast::Receiver<Arc<OutboxEvent>>,
    pool: DbPool,
    workspace_id: Uuid,
    filter: EventFilter,
    ends_at: Option<EndsAt>,
    /// Every position up to here has been delivered or skipped.
    seen: i64,
    catching_up: bool,
    backlog: VecDeque<Arc<OutboxEvent>>,
    /// The `EndsAt` event has been read: once the backlog before it is out, nothing more.
    ended: bool,
}

/// The feed of `workspace_id`'s events matching `filter`: after `after` (a position) when
/// given, else from now on. It joins the fan-out at once, before it is first polled: an
/// event committed after this call returns reaches it.
///
/// At its `ends_at` event the feed stops delivering and waits without end, rather than
/// ending as if the subscription were complete: whoever ends the subscriber's connection
/// (a revoked key's, with 4403) ends it.
pub fn feed(
    hub: &EventHub,
    pool: DbPool,
    workspace_id: Uuid,
    filter: EventFilter,
    after: Option<i64>,
    ends_at: Option<EndsAt>,
) -> impl Stream<Item = Result<Arc<OutboxEvent>, AppError>> + Send + 'static {
    let state = Feed {
        hub_rx: hub.subscribe(),
        pool,
        workspace_id,
        filter,
        ends_at,
        seen: after.unwrap_or(0),
        catching_up: after.is_some(),
        backlog: VecDeque::new(),
        ended: false,
    };
    futures_util::stream::unfold(Some(state), |state| async move {
        let mut state = state?;
        match state.next().await {
            Ok(Next::Event(event)) => Some((Ok(event), Some(state))),
            Ok(Next::Closed) => None,
            Ok(Next::Ended) => {
                // Let go of the fan-out; nothing is read any more.
                drop(state);
                std::future::pending().await
            }
            // Report the error, then end the stream.
            Err(err) => Some((Err(err), None)),
        }
    })
}

impl Feed {
    async fn next(&mut self) -> Result<Next, AppError> {
        loop {
            if let Some(event) = self.backlog.pop_front() {
                return Ok(Next::Event(event));
            }
            if self.ended {
                return Ok(Next::Ended);
            }
            if self.catching_up {
                self.read_table().await?;
                continue;
            }
            match self.hub_rx.recv().await {
                Ok(event) => {
                    if event.position <= self.seen {
                        continue; // already delivered from the table
                    }
                    self.seen = event.position;
                    if self.is_end(&event) {
                        return Ok(Next::Ended);
                    }
                    if self.filter.matches(self.workspace_id, &event) {
                        return Ok(Next::Event(event));
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(
                        missed,
                        "subscriber fell behind; catching up from the outbox"
                    );
                    metrics::counter!("dealgraph_subscriber_catch_ups_total").increment(1);
                    self.catching_up = true;
                }
                Err(RecvError::Closed) => return Ok(Next::Closed),
            }
        }
    }

    fn is_end(&self, event: &OutboxEvent) -> bool {
        self.ends_at
            .is_some_and(|end| end.is(self.workspace_id, event))
    }

    /// Reads the next batch of this workspace's events from the table into the backlog.
    async fn read_table(&mut self) -> Result<(), AppError> {
        let mut conn = crate::db::conn(&self.pool).await?;
        // The end event is read whatever types the subscriber asked for.
        let types = self.filter.types.as_ref().map(|types| {
            let mut types = types.clone();
            types.extend(self.ends_at.map(|end| end.event_type.to_owned()));
            types
        });
        let rows = OutboxEvent::after_in_workspace(
            &mut conn,
            self.workspace_id,
            self.seen,
            types.as_deref(),
            CATCH_UP_BATCH,
        )
        .await?;
        if (rows.len() as i64) < CATCH_UP_BATCH {
            self.catching_up = false;
        }
        for row in rows {
            self.seen = self.seen.max(row.position);
            if self.is_end(&row) {
                self.ended = true;
                self.catching_up = false;
                break;
            }
            if self.filter.matches(self.workspace_id, &row) {
                self.backlog.push_back(Arc::new(row));
            }
        }
        Ok(())
    }
}
