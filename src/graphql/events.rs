//! Subscriptions over the outbox: `dealStageChanged` and the general `events`. Each yields
//! committed events of the caller's workspace, in commit order, resumable from a cursor.

use std::sync::Arc;

use async_graphql::{Context, Enum, Json, Object, Subscription, ID};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, TimeZone, Utc};
use futures_util::{Stream, StreamExt};
use uuid::Uuid;

use super::deals::DealLoader;
use super::deals::{DealGql, StageChangeGql};
use super::event_loaders::{CurrentEvent, EventLoaderCache};
use super::loaders;
use super::pipelines::{PipelineGql, PipelineLoader};
use super::{actor, parse_id, pool};
use crate::auth::Scope;
use crate::deals::events::StageChangeFields;
use crate::error::AppError;
use crate::events::feed::{feed, EventFilter};
use crate::events::hub::EventHub;
use crate::events::model::OutboxEvent;

/// The kinds of events. New domains add theirs here.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum EventType {
    /// `deal.created`
    DealCreated,
    /// `deal.updated`
    DealUpdated,
    /// `deal.stage_changed`
    DealStageChanged,
    /// `deal.won`
    DealWon,
    /// `deal.lost`
    DealLost,
    /// `deal.deleted`
    DealDeleted,
    /// `deal.contact_linked`
    DealContactLinked,
    /// `deal.contact_unlinked`
    DealContactUnlinked,
    /// `contact.created`
    ContactCreated,
    /// `contact.updated`
    ContactUpdated,
    /// `contact.deleted`
    ContactDeleted,
    /// `company.created`
    CompanyCreated,
    /// `company.updated`
    CompanyUpdated,
    /// `company.deleted`
    CompanyDeleted,
    /// `api_key.created`
    ApiKeyCreated,
    /// `api_key.revoked`
    ApiKeyRevoked,
}

const EVENT_NAMES: &[(EventType, &str)] = &[
    (EventType::DealCreated, "deal.created"),
    (EventType::DealUpdated, "deal.updated"),
    (EventType::DealStageChanged, "deal.stage_changed"),
    (EventType::DealWon, "deal.won"),
    (EventType::DealLost, "deal.lost"),
    (EventType::DealDeleted, "deal.deleted"),
    (EventType::DealContactLinked, "deal.contact_linked"),
    (EventType::DealContactUnlinked, "deal.contact_unlinked"),
    (EventType::ContactCreated, "contact.created"),
    (EventType::ContactUpdated, "contact.updated"),
    (EventType::ContactDeleted, "contact.deleted"),
    (EventType::CompanyCreated, "company.created"),
    (EventType::CompanyUpdated, "company.updated"),
    (EventType::CompanyDeleted, "company.deleted"),
    (EventType::ApiKeyCreated, "api_key.created"),
    (EventType::ApiKeyRevoked, "api_key.revoked"),
];

impl EventType {
    pub fn name(self) -> &'static str {
        EVENT_NAMES
            .iter()
            .find(|(t, _)| *t == self)
            .map_or("unknown", |(_, n)| n)
    }

    fn from_name(name: &str) -> Option<EventType> {
        EVENT_NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(t, _)| *t)
    }
}

/// Cursor: the event's position and time (the time lets an expired cursor be recognised
/// without a lookup).
fn encode_cursor(event: &OutboxEvent) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "ev1|{}|{}",
        event.position,
        event.occurred_at.timestamp_millis()
    ))
}

fn decode_cursor(cursor: &str, hub: &EventHub) -> Result<i64, AppError> {
    let bad = || {
        AppError::bad_input(
            "after",
            "is not a valid event cursor (use `cursor` from an event)",
        )
    };
    let text =
        String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?).map_err(|_| bad())?;
    let mut parts = text.split('|');
    let (Some("ev1"), Some(position), Some(millis), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let position: i64 = position.parse().map_err(|_| bad())?;
    let at: DateTime<Utc> = millis
        .parse::<i64>()
        .ok()
        .and_then(|m| Utc.timestamp_millis_opt(m).single())
        .ok_or_else(bad)?;
    let retention = chrono::Duration::from_std(hub.settings.retention).map_err(|_| bad())?;
    if at < Utc::now() - retention {
        let days = hub.settings.retention.as_secs() / 86_400;
        return Err(AppError::bad_input(
            "after",
            format!("this cursor is older than the {days}-day event retention: re-sync by querying the current state, then subscribe without `after`"),
        ));
    }
    Ok(position)
}

/// Any committed domain event.
pub struct EventGql(Arc<OutboxEvent>);

#[Object(name = "Event")]
impl EventGql {
    /// Resume after this event with `after:`.
    async fn cursor(&self) -> String {
        encode_cursor(&self.0)
    }
    /// Unique; a subscriber never sees the same id twice.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    #[graphql(name = "type")]
    async fn event_type(&self) -> Option<EventType> {
        EventType::from_name(&self.0.event_type)
    }
    /// The type as stored, e.g. `deal.stage_changed` (also for types newer than this schema).
    async fn type_name(&self) -> &str {
        &self.0.event_type
    }
    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }
    async fn entity_id(&self) -> ID {
        ID(self.0.entity_id.to_string())
    }
    /// When the change was committed, to within the commit itself (see
    /// `StageChangeEvent.occurredAt`).
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    async fn payload(&self) -> Json<serde_json::Value> {
        Json(self.0.payload.clone())
    }
}

/// A committed move of a deal between stages.
pub struct StageChangeEvent {
    event: Arc<OutboxEvent>,
}

impl StageChangeEvent {
    fn uuid(&self, key: &str) -> Option<Uuid> {
        self.event
            .payload
            .get(key)
            .and_then(|v| v.as_str())
            .and_then(|s| Uuid::parse_str(s).ok())
    }
}

#[Object]
impl StageChangeEvent {
    async fn cursor(&self) -> String {
        encode_cursor(&self.event)
    }
    /// The event's unique id.
    async fn id(&self) -> ID {
        ID(self.event.id.to_string())
    }
    /// When the move was committed, to within the commit itself: events are stamped as the
    /// write's last step, so this never decreases along the feed.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.event.occurred_at
    }
    async fn stage_change(&self) -> async_graphql::Result<StageChangeGql> {
        // The payload is `deals::events::StageChanged`: read back with the type that wrote it.
        let fields: StageChangeFields = serde_json::from_value(self.event.payload.clone())
            .map_err(|_| AppError::internal("a stage-change event without its stage change"))?;
        let change = fields.into_row(self.event.workspace_id, self.event.entity_id);
        Ok(change.into())
    }
    /// The deal as this server read it when delivering the event (one read shared by all its
    /// subscribers, so they agree); null if it has been deleted since.
    async fn deal(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DealGql>> {
        Ok(loaders::get::<DealLoader>(ctx)?
            .load_one(self.event.entity_id)
            .await?
            .map(DealGql))
    }
    /// The pipeline the deal moved into.
    async fn pipeline(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PipelineGql>> {
        let Some(id) = self.uuid("toPipelineId") else {
            return Ok(None);
        };
        Ok(loaders::get::<PipelineLoader>(ctx)?
            .load_one(id)
            .await?
            .map(PipelineGql::from))
    }
}

/// Where a subscription's events get their loaders: the process's per-event sets, handed to
/// each item's execution through the subscription's slot.
struct SharedLoaders(Option<(Arc<EventLoaderCache>, CurrentEvent)>);

impl SharedLoaders {
    fn of(ctx: &Context<'_>) -> SharedLoaders {
        let cache = ctx.data_opt::<Arc<EventLoaderCache>>().cloned();
        let slot = ctx.data_opt::<CurrentEvent>().cloned();
        SharedLoaders(cache.zip(slot))
    }

    /// Called as the event is yielded, just before it is resolved: waits for the event's
    /// first resolution elsewhere in the process, then hands this one the shared set.
    async fn use_for(&self, event: &OutboxEvent) {
        if let Some((cache, slot)) = &self.0 {
            let share = cache.for_event(event);
            share.ready().await;
            slot.set(share);
        }
    }
}

fn hub<'a>(ctx: &'a Context<'_>) -> Result<&'a EventHub, AppError> {
    ctx.data_opt::<EventHub>()
        .ok_or_else(|| AppError::internal("no event hub in the schema"))
}

#[derive(Default)]
pub struct EventsSubscription;

#[Subscription]
impl EventsSubscription {
    /// Every committed deal move of this workspace matching the filters, in commit order.
    /// With `after`, first replays every matching move after that cursor, then goes live.
    async fn deal_stage_changed(
        &self,
        ctx: &Context<'_>,
        pipeline_id: Option<ID>,
        deal_id: Option<ID>,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<StageChangeEvent>>> {
        let actor = actor(ctx)?;
        actor.require(Scope::CrmRead)?;
        let hub = hub(ctx)?;
        let filter = EventFilter {
            types: Some(vec!["deal.stage_changed".to_owned()]),
            deal_id: deal_id.map(|id| parse_id(&id, "dealId")).transpose()?,
            pipeline_id: pipeline_id
                .map(|id| parse_id(&id, "pipelineId"))
                .transpose()?,
        };
        let after = after
            .as_deref()
            .map(|c| decode_cursor(c, hub))
            .transpose()?;
        let events = feed(hub, pool(ctx)?.clone(), actor.workspace_id, filter, after);
        let shared = Arc::new(SharedLoaders::of(ctx));
        Ok(events.then(move |item| {
            let shared = shared.clone();
            async move {
                let event = item?;
                shared.use_for(&event).await;
                Ok(StageChangeEvent { event })
            }
        }))
    }

    /// Every committed event of this workspace of the given types (all when omitted), in
    /// commit order; resumable with `after`.
    async fn events(
        &self,
        ctx: &Context<'_>,
        types: Option<Vec<EventType>>,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<EventGql>>> {
        let actor = actor(ctx)?;
        actor.require(Scope::CrmRead)?;
        let hub = hub(ctx)?;
        let filter = EventFilter {
            types: types.map(|types| types.into_iter().map(|t| t.name().to_owned()).collect()),
            deal_id: None,
            pipeline_id: None,
        };
        let after = after
            .as_deref()
            .map(|c| decode_cursor(c, hub))
            .transpose()?;
        let events = feed(hub, pool(ctx)?.clone(), actor.workspace_id, filter, after);
        Ok(events.map(|item| item.map(EventGql).map_err(async_graphql::Error::from)))
    }
}
