//! `leadStatusChanged`: the workspace's lead status changes as they commit, resumable from a
//! cursor like every event subscription.

use std::sync::Arc;

use async_graphql::{Context, Object, Subscription, ID};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use uuid::Uuid;

use super::types::{LeadGql, LeadStatusGql};
use crate::events::feed::EventFilter;
use crate::events::model::OutboxEvent;
use crate::graphql::event_cursor::encode_cursor;
use crate::graphql::events::domain_feed;
use crate::graphql::{actor, parse_id, pool};
use crate::leads::events::LEAD_STATUS_CHANGED;
use crate::leads::ops;
use crate::leads::rules::LeadStatus;

#[derive(Default)]
pub struct LeadsSubscription;

#[Subscription]
impl LeadsSubscription {
    /// Every committed status change of this workspace's leads (of one lead with `leadId`),
    /// in commit order. With `after`, first replays every change after that cursor, then goes
    /// live.
    async fn lead_status_changed(
        &self,
        ctx: &Context<'_>,
        lead_id: Option<ID>,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<LeadStatusChangedEvent>>>
    {
        let lead_id = lead_id.map(|id| parse_id(&id, "leadId")).transpose()?;
        let filter = EventFilter {
            types: Some(vec![LEAD_STATUS_CHANGED.name.to_owned()]),
            entity: lead_id.map(|id| (LEAD_STATUS_CHANGED.entity_type, id)),
            refers_to: None,
        };
        let events = domain_feed(ctx, filter, after).await?;
        Ok(events.map(|item| {
            item.map(LeadStatusChangedEvent)
                .map_err(async_graphql::Error::from)
        }))
    }
}

/// A committed change of a lead's status.
pub struct LeadStatusChangedEvent(Arc<OutboxEvent>);

impl LeadStatusChangedEvent {
    fn text(&self, key: &str) -> Option<&str> {
        self.0.payload.get(key).and_then(|v| v.as_str())
    }

    fn status(&self, key: &str) -> LeadStatusGql {
        self.text(key)
            .and_then(LeadStatus::parse)
            .unwrap_or_default()
            .into()
    }
}

#[Object]
impl LeadStatusChangedEvent {
    /// Resume after this change with `after:`.
    async fn cursor(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        encode_cursor(ctx, &self.0)
    }
    /// The event's unique id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// When the change was committed.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    async fn lead_id(&self) -> ID {
        ID(self.0.entity_id.to_string())
    }
    /// The change's place in the lead's history (`Lead.statusChanges`).
    async fn sequence(&self) -> i32 {
        self.0
            .payload
            .get("sequence")
            .and_then(|v| v.as_i64())
            .and_then(|n| i32::try_from(n).ok())
            .unwrap_or_default()
    }
    async fn from_status(&self) -> LeadStatusGql {
        self.status("from")
    }
    async fn to_status(&self) -> LeadStatusGql {
        self.status("to")
    }
    async fn reason(&self) -> Option<String> {
        self.text("reason").map(str::to_owned)
    }
    /// The lead as it is now; null if it has been deleted since.
    async fn lead(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<LeadGql>> {
        let id: Uuid = self.0.entity_id;
        Ok(ops::lead(pool(ctx)?, actor(ctx)?, id)
            .await?
            .map(LeadGql::from))
    }
}
