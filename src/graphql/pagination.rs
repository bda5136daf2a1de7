//! Relay connections with keyset cursors, one codec for every list. A cursor is opaque to
//! clients and names the list and order it was made for, so a cursor from another list or
//! another order is refused (`BAD_USER_INPUT` naming the argument) instead of paging from a
//! meaningless place. Page sizes are capped at [`MAX_PAGE_SIZE`].

use async_graphql::connection::{Connection, Edge};
use async_graphql::{OutputType, SimpleObject};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

use crate::db::page::{KeyKind, ListOrder, Listed, Listing, Position, SortKey, Window};
use crate::error::AppError;

pub const MAX_PAGE_SIZE: i32 = 100;
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// The cursor format's version, first in every cursor.
const VERSION: &str = "c1";

/// Extra connection fields.
#[derive(SimpleObject)]
pub struct ConnectionFields {
    /// How many items match, across all pages.
    pub total_count: i64,
}

/// A Relay connection of `T` with keyset cursors and `totalCount`.
pub type ListConnection<T> = Connection<String, T, ConnectionFields>;

/// `c1:<list>:<order>:<id>:<key>`: the key goes last, since a name may contain anything.
pub fn encode_cursor(list: &str, order: &str, position: &Position) -> String {
    let key = match &position.key {
        // Microseconds: PostgreSQL's precision, so the cursor compares equal to the row.
        SortKey::Time(at) => at.to_rfc3339_opts(SecondsFormat::Micros, true),
        SortKey::Text(text) => text.clone(),
        SortKey::Decimal(amount) => amount.to_string(),
        SortKey::Date(date) => date.to_string(),
        SortKey::Int(n) => n.to_string(),
        SortKey::Id => String::new(),
    };
    URL_SAFE_NO_PAD.encode(format!("{VERSION}:{list}:{order}:{}:{key}", position.id))
}

/// The position in `cursor`, which must have been made for `list` in `order`.
pub fn decode_cursor(
    cursor: &str,
    list: &str,
    order: &str,
    kind: KeyKind,
    field: &str,
) -> Result<Position, AppError> {
    let bad = || {
        AppError::bad_input(
            field,
            "is not a valid cursor for this list and order (use a cursor from this list)",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.splitn(5, ':');
    let (Some(VERSION), Some(made_for), Some(made_in), Some(id), Some(key)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(bad());
    };
    if made_for != list || made_in != order {
        return Err(bad());
    }
    let id = Uuid::parse_str(id).map_err(|_| bad())?;
    let key = match kind {
        KeyKind::Time => SortKey::Time(
            DateTime::parse_from_rfc3339(key)
                .map_err(|_| bad())?
                .with_timezone(&Utc),
        ),
        KeyKind::Text => SortKey::Text(key.to_owned()),
        KeyKind::Decimal => SortKey::Decimal(key.parse().map_err(|_| bad())?),
        KeyKind::Date => SortKey::Date(key.parse().map_err(|_| bad())?),
        KeyKind::Int => SortKey::Int(key.parse().map_err(|_| bad())?),
        KeyKind::Id if key.is_empty() => SortKey::Id,
        KeyKind::Id => return Err(bad()),
    };
    Ok(Position { key, id })
}

/// A requested page size (`first` or `last`, named by `field`): 0 to 100, default 20.
pub fn page_size_of(n: Option<i32>, field: &str) -> Result<i64, AppError> {
    match n {
        None => Ok(i64::from(DEFAULT_PAGE_SIZE)),
        Some(n) if (0..=MAX_PAGE_SIZE).contains(&n) => Ok(i64::from(n)),
        Some(_) => Err(AppError::bad_input(
            field,
            format!("must be between 0 and {MAX_PAGE_SIZE}"),
        )),
    }
}

/// `first`, checked.
pub fn page_size(first: Option<i32>) -> Result<i64, AppError> {
    page_size_of(first, "first")
}

/// Relay's arguments; lists that page only forwards pass `None` for `last` and `before`.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageArgs {
    pub fn forward(first: Option<i32>, after: Option<String>) -> PageArgs {
        PageArgs {
            first,
            after,
            ..PageArgs::default()
        }
    }
}

/// Relay arguments checked and turned into a keyset window of `list` in `order`.
pub fn window<O: ListOrder>(list: &str, order: O, args: PageArgs) -> Result<Window<O>, AppError> {
    if args.first.is_some() && args.last.is_some() {
        return Err(AppError::bad_input(
            "last",
            "pass either `first` or `last`, not both",
        ));
    }
    let decode =
        |cursor: String, field| decode_cursor(&cursor, list, order.name(), order.key_kind(), field);
    let after = args.after.map(|c| decode(c, "after")).transpose()?;
    let before = args.before.map(|c| decode(c, "before")).transpose()?;
    let (limit, from_end) = match (args.first, args.last) {
        (_, Some(last)) => (page_size_of(Some(last), "last")?, true),
        (first, None) => (page_size(first)?, false),
    };
    Ok(Window {
        order,
        after,
        before,
        limit,
        from_end,
    })
}

/// The connection for a window's rows (fetched with one extra row to detect more).
pub fn connection<O: ListOrder, R: Listed<O>, T: OutputType>(
    list: &str,
    window: &Window<O>,
    listing: Listing<R>,
    node: impl Fn(R) -> T,
) -> ListConnection<T> {
    let Listing { mut rows, total } = listing;
    let limit = usize::try_from(window.limit).unwrap_or(0);
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    if window.from_end {
        rows.reverse();
    }
    let (has_previous, has_next) = if window.from_end {
        (has_more, window.before.is_some())
    } else {
        (window.after.is_some(), has_more)
    };
    let mut connection = Connection::with_additional_fields(
        has_previous,
        has_next,
        ConnectionFields { total_count: total },
    );
    let order = window.order;
    connection.edges.extend(rows.into_iter().map(|row| {
        let cursor = encode_cursor(list, order.name(), &row.position(order));
        Edge::new(cursor, node(row))
    }));
    connection
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::page::NewestFirst;

    #[derive(Debug, Clone, Copy)]
    struct ByName;

    impl ListOrder for ByName {
        fn name(self) -> &'static str {
            "name"
        }
        fn key_kind(self) -> KeyKind {
            KeyKind::Text
        }
        fn descending(self) -> bool {
            false
        }
    }

    #[test]
    fn cursors_round_trip_in_their_list_and_order_only() {
        let at = DateTime::parse_from_rfc3339("2026-11-22T10:11:12.123456Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap();
        let time = Position {
            key: SortKey::Time(at),
            id: Uuid::now_v7(),
        };
        let cursor = encode_cursor("contacts", "updated_at", &time);
        let decoded = decode_cursor(&cursor, "contacts", "updated_at", KeyKind::Time, "after");
        assert_eq!(decoded.ok(), Some(time));
        assert!(decode_cursor(&cursor, "contacts", "created_at", KeyKind::Time, "after").is_err());
        assert!(decode_cursor(&cursor, "companies", "updated_at", KeyKind::Time, "after").is_err());

        let name = Position {
            key: SortKey::Text("Ada: the first: programmer".into()),
            id: Uuid::now_v7(),
        };
        let cursor = encode_cursor("contacts", "name", &name);
        let decoded = decode_cursor(&cursor, "contacts", "name", KeyKind::Text, "after");
        assert_eq!(decoded.ok(), Some(name));

        for key in [
            SortKey::Decimal("12.50".parse().unwrap()),
            SortKey::Date("2027-03-31".parse().unwrap()),
            SortKey::Int(-7),
            SortKey::Id,
        ] {
            let kind = match key {
                SortKey::Decimal(_) => KeyKind::Decimal,
                SortKey::Date(_) => KeyKind::Date,
                SortKey::Int(_) => KeyKind::Int,
                _ => KeyKind::Id,
            };
            let position = Position {
                key,
                id: Uuid::now_v7(),
            };
            let cursor = encode_cursor("deals", "x", &position);
            assert_eq!(
                decode_cursor(&cursor, "deals", "x", kind, "after").ok(),
                Some(position)
            );
        }
    }

    #[test]
    fn bad_cursors_and_sizes_name_their_argument() {
        let err = decode_cursor("garbage", "contacts", "name", KeyKind::Text, "after").unwrap_err();
        assert_eq!(err.field(), Some("after"));
        let forged = URL_SAFE_NO_PAD.encode("c1:contacts:updated_at:not-a-uuid:x");
        assert!(decode_cursor(&forged, "contacts", "updated_at", KeyKind::Time, "after").is_err());
        let err = window("contacts", ByName, PageArgs::forward(Some(101), None)).unwrap_err();
        assert_eq!(err.field(), Some("first"));
        assert!(window("contacts", ByName, PageArgs::forward(Some(-1), None)).is_err());
        let default = window("contacts", ByName, PageArgs::default()).unwrap();
        assert_eq!(default.limit, 20);
        let both = PageArgs {
            first: Some(1),
            last: Some(1),
            ..PageArgs::default()
        };
        assert!(window("keys", NewestFirst, both).is_err());
        let from_end = PageArgs {
            last: Some(5),
            ..PageArgs::default()
        };
        assert!(window("keys", NewestFirst, from_end).unwrap().from_end);
    }
}
