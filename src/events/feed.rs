//! One subscriber's feed: a replay from the outbox table after its cursor, then the live
//! fan-out, with no gap and no duplicate at the seam. The subscriber joins the broadcast
//! *before* reading the table, so every event is in one or the other; positions de-duplicate.
//! A subscriber that falls behind the in-process channel catches up from the table.

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

struct Feed {
    hub_rx: broadcast::Receiver<Arc<OutboxEvent>>,
    pool: DbPool,
    workspace_id: Uuid,
    filter: EventFilter,
    /// Every position up to here has been delivered or skipped.
    seen: i64,
    catching_up: bool,
    backlog: VecDeque<Arc<OutboxEvent>>,
}

/// The feed of `workspace_id`'s events matching `filter`: after `after` (a position) when
/// given, else from now on.
pub fn feed(
    hub: &EventHub,
    pool: DbPool,
    workspace_id: Uuid,
    filter: EventFilter,
    after: Option<i64>,
) -> impl Stream<Item = Result<Arc<OutboxEvent>, AppError>> + Send + 'static {
    let state = Feed {
        hub_rx: hub.subscribe(),
        pool,
        workspace_id,
        filter,
        seen: after.unwrap_or(0),
        catching_up: after.is_some(),
        backlog: VecDeque::new(),
    };
    futures_util::stream::unfold(Some(state), |state| async move {
        let mut state = state?;
        match state.next().await {
            Ok(Some(event)) => Some((Ok(event), Some(state))),
            Ok(None) => None,
            // Report the error, then end the stream.
            Err(err) => Some((Err(err), None)),
        }
    })
}

impl Feed {
    async fn next(&mut self) -> Result<Option<Arc<OutboxEvent>>, AppError> {
        loop {
            if let Some(event) = self.backlog.pop_front() {
                return Ok(Some(event));
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
                    if self.filter.matches(self.workspace_id, &event) {
                        return Ok(Some(event));
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
                Err(RecvError::Closed) => return Ok(None),
            }
        }
    }

    /// Reads the next batch of this workspace's events from the table into the backlog.
    async fn read_table(&mut self) -> Result<(), AppError> {
        let mut conn = crate::db::conn(&self.pool).await?;
        let rows = OutboxEvent::after_in_workspace(
            &mut conn,
            self.workspace_id,
            self.seen,
            self.filter.types.as_deref(),
            CATCH_UP_BATCH,
        )
        .await?;
        if (rows.len() as i64) < CATCH_UP_BATCH {
            self.catching_up = false;
        }
        for row in rows {
            self.seen = self.seen.max(row.position);
            if self.filter.matches(self.workspace_id, &row) {
                self.backlog.push_back(Arc::new(row));
            }
        }
        Ok(())
    }
}
