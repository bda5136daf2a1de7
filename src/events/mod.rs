//! Domain events: rows of the outbox table, written in the transaction of the change they
//! describe, with a `pg_notify` wake-up that PostgreSQL delivers only at commit. `hub` reads
//! them back in order and fans them out to this process's subscribers.

pub mod feed;
pub mod hub;
pub mod model;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::db::schema::outbox_events;

/// The PostgreSQL channel listeners wait on; the payload is only a wake-up.
pub const CHANNEL: &str = "dealgraph_events";

/// Advisory lock key that orders outbox writers (see [`append`]).
const OUTBOX_ORDER_LOCK: i64 = 0x6465_616c_6f62; // "dealob"

/// A kind of event, declared once by the domain that emits it (in its `events.rs`): its
/// name (`deal.stage_changed`) and the type of entity it is about. The API's `EventType`
/// enum is built from these declarations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventKind {
    pub name: &'static str,
    pub entity_type: &'static str,
}

impl EventKind {
    /// `EventKind::new("deal.created", "deal")`.
    pub const fn new(name: &'static str, entity_type: &'static str) -> EventKind {
        EventKind { name, entity_type }
    }
}

/// A typed event payload: what a domain publishes when a write commits.
pub trait Event: Serialize {
    const KIND: EventKind;
    /// The entity the event is about.
    fn entity_id(&self) -> Uuid;
}

/// An event a write wants published.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_type: &'static str,
    pub entity_type: &'static str,
    pub entity_id: Uuid,
    pub payload: Value,
}

impl NewEvent {
    /// The outbox row of a typed event.
    pub fn of<E: Event>(event: &E) -> Result<NewEvent, serde_json::Error> {
        NewEvent::new(E::KIND, event.entity_id(), event)
    }

    /// The outbox row of an event of `kind` whose payload type serves several kinds.
    pub fn new(
        kind: EventKind,
        entity_id: Uuid,
        payload: &impl Serialize,
    ) -> Result<NewEvent, serde_json::Error> {
        Ok(NewEvent {
            event_type: kind.name,
            entity_type: kind.entity_type,
            entity_id,
            payload: serde_json::to_value(payload)?,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = outbox_events)]
struct OutboxRow<'a> {
    id: Uuid,
    workspace_id: Uuid,
    event_type: &'a str,
    entity_type: &'a str,
    entity_id: Uuid,
    payload: &'a Value,
}

/// Appends `events` to the outbox inside the caller's transaction and schedules the wake-up.
///
/// Positions come from an identity column, which hands them out at insert time, not at
/// commit: two writers could commit out of order and a reader past position N would miss the
/// late one forever. Taking a transaction-scoped advisory lock first makes positions follow
/// commit order: the next writer gets its position only after this transaction has ended. The
/// lock is taken as the write's last step, so it is held only for the commit.
pub async fn append(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    events: &[NewEvent],
) -> QueryResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
        .bind::<diesel::sql_types::BigInt, _>(OUTBOX_ORDER_LOCK)
        .execute(conn)
        .await?;
    let rows: Vec<OutboxRow<'_>> = events
        .iter()
        .map(|e| OutboxRow {
            id: Uuid::now_v7(),
            workspace_id,
            event_type: e.event_type,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            payload: &e.payload,
        })
        .collect();
    diesel::insert_into(outbox_events::table)
        .values(&rows)
        .execute(conn)
        .await?;
    diesel::sql_query("SELECT pg_notify($1, '')")
        .bind::<diesel::sql_types::Text, _>(CHANNEL)
        .execute(conn)
        .await?;
    Ok(())
}
