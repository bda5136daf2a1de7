//! Subscriptions over the outbox: `dealStageChanged` and the general `events`. Each yields
//! committed events of the caller's workspace, in commit order, resumable from a cursor.

use std::sync::Arc;

use std::borrow::Cow;
use std::sync::LazyLock;

use async_graphql::parser::types::Field;
use async_graphql::registry::{Deprecation, MetaEnumValue, MetaType, MetaTypeId, Registry};
use async_graphql::resolver_utils::{enum_value, parse_enum, EnumItem, EnumType};
use async_graphql::{
    Context, ContextSelectionSet, InputType, InputValueResult, Json, Object, OutputType,
    Positioned, ServerResult, Subscription, Value, ID,
};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use uuid::Uuid;

use super::cursor_key::Cursors;
use super::deals::DealLoader;
use super::deals::{DealGql, StageChangeGql};
use super::event_cursor::{decode_cursor, encode_cursor, encode_feed_end};
use super::event_loaders::{CurrentEvent, EventLoaderCache};
use super::loaders;
use super::pipelines::{PipelineGql, PipelineLoader};
use super::{actor, parse_id, pool};
use crate::auth::model::ApiKey;
use crate::auth::Scope;
use crate::deals::events as deal_events;
use crate::deals::events::StageChangeFields;
use crate::error::AppError;
use crate::events::feed::{feed, EndsAt, EventFilter};
use crate::events::hub::EventHub;
use crate::events::model::OutboxEvent;
use crate::events::EventKind;
use crate::{api_keys, contacts};

/// Every event kind of every domain, as the domains declare them (each in its
/// `events.rs`). A new domain adds its list here; `EventType` follows.
const DOMAIN_EVENTS: &[&[EventKind]] = &[
    deal_events::KINDS,
    contacts::events::KINDS,
    api_keys::events::KINDS,
    crate::leads::events::KINDS,
    crate::routing::events::KINDS,
    crate::scoring::events::KINDS,
    crate::ledger::events::KINDS,
    crate::activities::events::KINDS,
    crate::tasks::events::KINDS,
    crate::pipelines::events::KINDS,
    crate::billing::events::KINDS,
    crate::webhooks::events::KINDS,
];

/// The kinds of events. New domains add theirs here.
///
/// A GraphQL enum whose values come from the domains' declarations rather than a Rust enum:
/// `DEAL_STAGE_CHANGED` for `deal.stage_changed`, described as the stored name.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub struct EventType(pub EventKind);

/// The enum's values, made once. Their GraphQL names are leaked on purpose: the enum's
/// machinery wants `&'static str`, and there is one small set of names per process.
static EVENT_TYPES: LazyLock<Vec<EnumItem<EventType>>> = LazyLock::new(|| {
    DOMAIN_EVENTS
        .iter()
        .flat_map(|kinds| kinds.iter())
        .map(|kind| EnumItem {
            name: Box::leak(kind.name.replace('.', "_").to_uppercase().into_boxed_str()),
            value: EventType(*kind),
        })
        .collect()
});

impl EnumType for EventType {
    fn items() -> &'static [EnumItem<EventType>] {
        &EVENT_TYPES
    }
}

impl EventType {
    pub fn name(self) -> &'static str {
        self.0.name
    }

    fn from_name(name: &str) -> Option<EventType> {
        EVENT_TYPES
            .iter()
            .find(|item| item.value.0.name == name)
            .map(|item| item.value)
    }

    fn type_info(registry: &mut Registry) -> String {
        registry.create_input_type::<Self, _>(MetaTypeId::Enum, |_| MetaType::Enum {
            name: "EventType".to_owned(),
            description: Some("The kinds of events. New domains add theirs here.".to_owned()),
            enum_values: EVENT_TYPES
                .iter()
                .map(|item| {
                    let value = MetaEnumValue {
                        name: item.name.to_owned(),
                        description: Some(format!("`{}`", item.value.0.name)),
                        deprecation: Deprecation::NoDeprecated,
                        visible: None,
                        inaccessible: false,
                        tags: Vec::new(),
                        directive_invocations: Vec::new(),
                    };
                    (item.name.to_owned(), value)
                })
                .collect(),
            visible: None,
            inaccessible: false,
            tags: Vec::new(),
            rust_typename: Some(std::any::type_name::<Self>()),
            directive_invocations: Vec::new(),
            requires_scopes: Vec::new(),
        })
    }
}

impl InputType for EventType {
    type RawValueType = Self;

    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed("EventType")
    }

    fn create_type_info(registry: &mut Registry) -> String {
        Self::type_info(registry)
    }

    fn parse(value: Option<Value>) -> InputValueResult<Self> {
        parse_enum(value.unwrap_or_default())
    }

    fn to_value(&self) -> Value {
        enum_value(*self)
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }
}

impl OutputType for EventType {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed("EventType")
    }

    fn create_type_info(registry: &mut Registry) -> String {
        Self::type_info(registry)
    }

    async fn resolve(
        &self,
        _: &ContextSelectionSet<'_>,
        _: &Positioned<Field>,
    ) -> ServerResult<Value> {
        Ok(enum_value(*self))
    }
}

/// Any committed domain event.
pub struct EventGql(Arc<OutboxEvent>);

#[Object(name = "Event")]
impl EventGql {
    /// Resume after this event with `after:`.
    async fn cursor(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        encode_cursor(ctx, &self.0)
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
    async fn cursor(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        encode_cursor(ctx, &self.event)
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
            .map(DealGql::from))
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

/// The caller's feed, ending at its key's revocation. The key is checked after the feed
/// has joined the fan-out: a revocation committed before the check refuses the
/// subscription, and one committed after it comes later in commit order than every event
/// the feed could have read so far, so the feed meets it and stops there. Either way no
/// event committed after a key's revocation reaches that key.
async fn subscriber_feed(
    ctx: &Context<'_>,
    hub: &EventHub,
    filter: EventFilter,
    after: Option<i64>,
) -> Result<impl Stream<Item = Result<Arc<OutboxEvent>, AppError>>, AppError> {
    let actor = actor(ctx)?;
    let pool = pool(ctx)?;
    let ends_at = EndsAt {
        event_type: api_keys::events::REVOKED.name,
        entity_id: actor.key_id,
    };
    let events = feed(
        hub,
        pool.clone(),
        actor.workspace_id,
        filter,
        after,
        Some(ends_at),
    );
    let mut conn = crate::db::conn(pool).await?;
    if ApiKey::live_among(&mut conn, &[actor.key_id])
        .await?
        .is_empty()
    {
        return Err(AppError::Unauthenticated(
            "invalid or revoked API key".into(),
        ));
    }
    Ok(events)
}

/// The feed every event subscription serves (these and the domains' own): the caller's
/// events matching `filter`, resumed after the `after` cursor, ending at the caller's key's
/// revocation.
pub(crate) async fn domain_feed(
    ctx: &Context<'_>,
    filter: EventFilter,
    after: Option<String>,
) -> Result<impl Stream<Item = Result<Arc<OutboxEvent>, AppError>>, AppError> {
    let hub = hub(ctx)?;
    let after = after
        .as_deref()
        .map(|c| decode_cursor(Cursors::of(ctx)?, c, hub))
        .transpose()?;
    subscriber_feed(ctx, hub, filter, after).await
}

#[derive(Default)]
pub struct EventsQuery;

#[Object]
impl EventsQuery {
    /// The current end of this workspace's event feed. Read it before loading data, then
    /// subscribe with `after:` it: every change committed after the read is delivered, so
    /// nothing falls between the load and the subscription. Expires like any event cursor.
    async fn event_cursor(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        actor(ctx)?.require(Scope::CrmRead)?;
        let mut conn = crate::db::conn(pool(ctx)?).await?;
        let position = OutboxEvent::last_position(&mut conn)
            .await
            .map_err(AppError::from)?;
        encode_feed_end(ctx, position)
    }
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
        let deal_id = deal_id.map(|id| parse_id(&id, "dealId")).transpose()?;
        let pipeline_id = pipeline_id
            .map(|id| parse_id(&id, "pipelineId"))
            .transpose()?;
        let filter = EventFilter {
            types: Some(vec![deal_events::STAGE_CHANGED.name.to_owned()]),
            entity: deal_id.map(|id| (deal_events::STAGE_CHANGED.entity_type, id)),
            refers_to: pipeline_id.map(|id| (deal_events::PIPELINE_KEYS, id)),
        };
        let events = domain_feed(ctx, filter, after).await?;
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
        let filter = EventFilter {
            types: types.map(|types| types.into_iter().map(|t| t.name().to_owned()).collect()),
            entity: None,
            refers_to: None,
        };
        let events = domain_feed(ctx, filter, after).await?;
        Ok(events.map(|item| item.map(EventGql).map_err(async_graphql::Error::from)))
    }
}
