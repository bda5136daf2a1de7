//! Keyset cursors over "(sort key, id)": opaque to clients, tied to the order they were made
//! for, and turned into the domain's [`ListWindow`]. Same conventions as `pagination`.

use async_graphql::connection::{Connection, Edge};
use async_graphql::OutputType;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

use crate::contacts::{ListOrder, ListWindow, Listed, Listing, Position, SortKey};
use crate::error::AppError;
use crate::graphql::pagination::{ConnectionFields, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

const VERSION: &str = "k1";

/// `k1:<order>:<id>:<key>`: the key goes last, since a name may contain anything.
pub fn encode(order: ListOrder, position: &Position) -> String {
    let key = match &position.key {
        // Microseconds: PostgreSQL's precision, so the cursor compares equal to the row.
        SortKey::Time(at) => at.to_rfc3339_opts(SecondsFormat::Micros, true),
        SortKey::Text(text) => text.clone(),
    };
    URL_SAFE_NO_PAD.encode(format!(
        "{VERSION}:{}:{}:{key}",
        order.as_str(),
        position.id
    ))
}

/// The position in `cursor`, which must have been made for `order`.
pub fn decode(cursor: &str, order: ListOrder, field: &str) -> Result<Position, AppError> {
    let bad = || {
        AppError::bad_input(
            field,
            "is not a valid cursor for this list and order (use a cursor from this list)",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.splitn(4, ':');
    let (Some(VERSION), Some(made_for), Some(id), Some(key)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if made_for != order.as_str() {
        return Err(bad());
    }
    let id = Uuid::parse_str(id).map_err(|_| bad())?;
    let key = match order {
        ListOrder::UpdatedAt | ListOrder::CreatedAt => SortKey::Time(
            DateTime::parse_from_rfc3339(key)
                .map_err(|_| bad())?
                .with_timezone(&Utc),
        ),
        ListOrder::Name => SortKey::Text(key.to_owned()),
    };
    Ok(Position { key, id })
}

/// Relay's forward arguments, checked, as a window in `order`.
pub fn window(
    order: ListOrder,
    first: Option<i32>,
    after: Option<String>,
) -> Result<ListWindow, AppError> {
    let limit = match first {
        None => DEFAULT_PAGE_SIZE,
        Some(n) if (0..=MAX_PAGE_SIZE).contains(&n) => n,
        Some(_) => {
            return Err(AppError::bad_input(
                "first",
                format!("must be between 0 and {MAX_PAGE_SIZE}"),
            ))
        }
    };
    let after = after
        .map(|cursor| decode(&cursor, order, "after"))
        .transpose()?;
    Ok(ListWindow {
        order,
        after,
        limit: i64::from(limit),
    })
}

/// The connection for a window's rows (fetched with one extra row to detect a next page).
pub fn connection<R: Listed, T: OutputType>(
    window: &ListWindow,
    listing: Listing<R>,
    node: impl Fn(R) -> T,
) -> Connection<String, T, ConnectionFields> {
    let Listing { mut rows, total } = listing;
    let limit = usize::try_from(window.limit).unwrap_or(0);
    let has_next = rows.len() > limit;
    rows.truncate(limit);
    let mut connection = Connection::with_additional_fields(
        window.after.is_some(),
        has_next,
        ConnectionFields { total_count: total },
    );
    connection.edges.extend(rows.into_iter().map(|row| {
        let cursor = encode(window.order, &row.position(window.order));
        Edge::new(cursor, node(row))
    }));
    connection
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_in_their_order_only() {
        let at = DateTime::parse_from_rfc3339("2026-11-22T10:11:12.123456Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap();
        let time = Position {
            key: SortKey::Time(at),
            id: Uuid::now_v7(),
        };
        let cursor = encode(ListOrder::UpdatedAt, &time);
        assert_eq!(
            decode(&cursor, ListOrder::UpdatedAt, "after").ok(),
            Some(time)
        );
        assert!(decode(&cursor, ListOrder::CreatedAt, "after").is_err());

        let name = Position {
            key: SortKey::Text("Ada: the first: programmer".into()),
            id: Uuid::now_v7(),
        };
        let cursor = encode(ListOrder::Name, &name);
        assert_eq!(decode(&cursor, ListOrder::Name, "after").ok(), Some(name));
    }

    #[test]
    fn bad_cursors_and_sizes_name_their_argument() {
        let err = decode("garbage", ListOrder::Name, "after").unwrap_err();
        assert_eq!(err.field(), Some("after"));
        let forged = URL_SAFE_NO_PAD.encode("k1:updated_at:not-a-uuid:x");
        assert!(decode(&forged, ListOrder::UpdatedAt, "after").is_err());
        let err = window(ListOrder::Name, Some(101), None).unwrap_err();
        assert_eq!(err.field(), Some("first"));
        assert!(window(ListOrder::Name, Some(-1), None).is_err());
        assert_eq!(window(ListOrder::Name, None, None).unwrap().limit, 20);
    }
}
