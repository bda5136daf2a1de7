//! Event cursors: an event's feed position and id, sealed like every cursor, and the cursors
//! of earlier versions still accepted until they expire.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::cursor_key::Cursors;
use super::pagination;
use crate::db::page::{KeyKind, Position, SortKey};
use crate::error::AppError;
use crate::events::hub::EventHub;
use crate::events::model::OutboxEvent;
use async_graphql::Context;

/// The name event cursors carry (one codec for every list: `graphql::pagination`).
const EVENTS_LIST: &str = "events";
const BY_POSITION: &str = "position";

/// Cursor: the event's feed position and its id. The id is a UUIDv7 made at append, so it
/// also says when the event happened: an expired cursor is recognised without a lookup.
pub(crate) fn encode_cursor(
    ctx: &Context<'_>,
    event: &OutboxEvent,
) -> async_graphql::Result<String> {
    seal(ctx, event.position, event.id)
}

/// Cursor: the end of the feed at `position`, made now. It names no event, so its id is a
/// fresh UUIDv7: like an event's, it says when the cursor was made, and it expires a
/// retention period later.
pub(crate) fn encode_feed_end(ctx: &Context<'_>, position: i64) -> async_graphql::Result<String> {
    seal(ctx, position, Uuid::now_v7())
}

fn seal(ctx: &Context<'_>, position: i64, id: Uuid) -> async_graphql::Result<String> {
    let position = Position {
        key: SortKey::Int(position),
        id,
    };
    Ok(pagination::encode_cursor(
        Cursors::of(ctx)?,
        EVENTS_LIST,
        BY_POSITION,
        &position,
    ))
}

/// The feed position in `cursor`, unless the cursor is older than the events kept.
pub(crate) fn decode_cursor(
    cursors: Cursors,
    cursor: &str,
    hub: &EventHub,
) -> Result<i64, AppError> {
    let decoded = pagination::decode_cursor(
        cursors,
        cursor,
        EVENTS_LIST,
        BY_POSITION,
        KeyKind::Int,
        "after",
    );
    let (position, at) = match decoded {
        Ok(Position {
            key: SortKey::Int(position),
            id,
        }) => (position, appended_at(id)),
        decoded => match legacy_cursor(cursor) {
            Some(legacy) => legacy,
            None => return decoded.map(|_| 0),
        },
    };
    let expired = match (at, chrono::Duration::from_std(hub.settings.retention)) {
        (Some(at), Ok(retention)) => at < Utc::now() - retention,
        _ => true,
    };
    if expired {
        let days = hub.settings.retention.as_secs() / 86_400;
        return Err(AppError::bad_input(
            "after",
            format!("this cursor is older than the {days}-day event retention: re-sync by querying the current state, then subscribe without `after`"),
        ));
    }
    Ok(position)
}

/// When an event was appended, from its UUIDv7 id.
fn appended_at(id: Uuid) -> Option<DateTime<Utc>> {
    let (seconds, nanos) = id.get_timestamp()?.to_unix();
    DateTime::from_timestamp(i64::try_from(seconds).ok()?, nanos)
}

/// Cursors handed out before cursors were sealed (`c1:events:position:…` in clear) and before
/// the one codec (`ev1|position|millis`), still accepted until they expire so a subscriber can
/// resume across an upgrade. They reveal nothing a client did not already hold.
fn legacy_cursor(cursor: &str) -> Option<(i64, Option<DateTime<Utc>>)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    if let Some(Position {
        key: SortKey::Int(position),
        id,
    }) = pagination::parse_cursor(&text, EVENTS_LIST, BY_POSITION, KeyKind::Int)
    {
        return Some((position, appended_at(id)));
    }
    let mut parts = text.split('|');
    let (Some("ev1"), Some(position), Some(millis), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let at = DateTime::from_timestamp_millis(millis.parse().ok()?);
    Some((position.parse().ok()?, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_events_cursor_knows_when_its_event_was_appended() {
        let before = Utc::now() - chrono::Duration::milliseconds(1);
        let at = appended_at(Uuid::now_v7()).unwrap();
        assert!(at >= before && at <= Utc::now() + chrono::Duration::milliseconds(1));
    }

    #[test]
    fn cursors_from_before_the_one_codec_still_resume() {
        let legacy = URL_SAFE_NO_PAD.encode("ev1|42|1764547200000");
        let (position, at) = legacy_cursor(&legacy).unwrap();
        assert_eq!(position, 42);
        assert_eq!(at.map(|t| t.timestamp()), Some(1_764_547_200));
        assert!(legacy_cursor(&URL_SAFE_NO_PAD.encode("ev1|x|1")).is_none());
        let id = Uuid::now_v7();
        let unsealed = URL_SAFE_NO_PAD.encode(format!("c1:events:position:{id}:7"));
        assert_eq!(legacy_cursor(&unsealed).map(|(p, _)| p), Some(7));
        assert!(legacy_cursor("garbage").is_none());
    }
}
