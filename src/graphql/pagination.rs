//! Relay connections with keyset cursors, one codec for every list. A cursor names the list and
//! order it was made for, so a cursor from another list or another order is refused
//! (`BAD_USER_INPUT` naming the argument) instead of paging from a meaningless place; and it is
//! sealed for the workspace it was made in (see `cursor_key`), so clients can read, forge or
//! carry over none. Page sizes are capped at [`MAX_PAGE_SIZE`].

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, OutputType, SimpleObject};
use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

use crate::db::page::{KeyKind, ListOrder, Listed, Listing, Position, SortKey, Window};
use crate::error::AppError;
use crate::graphql::cursor_key::Cursors;

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

/// `c1:<list>:<order>:<id>:<key>`, sealed. The key goes last, since a name may contain
/// anything.
pub fn encode_cursor(cursors: Cursors, list: &str, order: &str, position: &Position) -> String {
    let key = match &position.key {
        // Microseconds: PostgreSQL's precision, so the cursor compares equal to the row.
        SortKey::Time(at) => at.to_rfc3339_opts(SecondsFormat::Micros, true),
        SortKey::Text(text) => text.clone(),
        SortKey::Decimal(amount) => amount.to_string(),
        SortKey::Date(date) => date.to_string(),
        SortKey::Int(n) => n.to_string(),
        SortKey::Id => String::new(),
    };
    cursors.seal(&format!("{VERSION}:{list}:{order}:{}:{key}", position.id))
}

/// The position in `cursor`, which must have been made for `list` in `order` in this
/// workspace, and not changed since.
pub fn decode_cursor(
    cursors: Cursors,
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
    let text = cursors.open(cursor).ok_or_else(bad)?;
    parse_cursor(&text, list, order, kind).ok_or_else(bad)
}

/// The position in an unsealed cursor text made for `list` in `order`.
pub fn parse_cursor(text: &str, list: &str, order: &str, kind: KeyKind) -> Option<Position> {
    let mut parts = text.splitn(5, ':');
    let (Some(VERSION), Some(made_for), Some(made_in), Some(id), Some(key)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    if made_for != list || made_in != order {
        return None;
    }
    let id = Uuid::parse_str(id).ok()?;
    let key = match kind {
        KeyKind::Time => SortKey::Time(DateTime::parse_from_rfc3339(key).ok()?.with_timezone(&Utc)),
        KeyKind::Text => SortKey::Text(key.to_owned()),
        KeyKind::Decimal => SortKey::Decimal(key.parse().ok()?),
        KeyKind::Date => SortKey::Date(key.parse().ok()?),
        KeyKind::Int => SortKey::Int(key.parse().ok()?),
        KeyKind::Id if key.is_empty() => SortKey::Id,
        KeyKind::Id => return None,
    };
    Some(Position { key, id })
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

/// A list resolver's page: the window its arguments ask for, and the list and request its
/// connection's cursors are bound to. `Page::forward(ctx, LIST, order, first, after)`, then
/// the domain's read with `&page.window`, then `page.connection(listing, Gql::from)`.
pub struct Page<'c, O> {
    cursors: Cursors<'c>,
    list: &'static str,
    pub window: Window<O>,
}

impl<'c, O: ListOrder> Page<'c, O> {
    /// The page `args` ask for of `list` in `order`; a cursor of another list, order or
    /// workspace is BAD_USER_INPUT (see [`window`]).
    pub fn of(
        ctx: &'c Context<'_>,
        list: &'static str,
        order: O,
        args: PageArgs,
    ) -> Result<Self, AppError> {
        Self::with(Cursors::of(ctx)?, list, order, args)
    }

    /// [`Page::of`] with the request's cursors at hand.
    pub fn with(
        cursors: Cursors<'c>,
        list: &'static str,
        order: O,
        args: PageArgs,
    ) -> Result<Self, AppError> {
        let window = window(cursors, list, order, args)?;
        Ok(Page {
            cursors,
            list,
            window,
        })
    }

    /// The page of a list that pages only forwards (`first`, `after`).
    pub fn forward(
        ctx: &'c Context<'_>,
        list: &'static str,
        order: O,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Self, AppError> {
        Self::of(ctx, list, order, PageArgs::forward(first, after))
    }

    /// The connection of the rows read for this page (see [`connection`]).
    pub fn connection<R: Listed<O>, T: OutputType>(
        &self,
        listing: Listing<R>,
        node: impl Fn(R) -> T,
    ) -> ListConnection<T> {
        connection(self.cursors, self.list, &self.window, listing, node)
    }
}

/// Relay arguments checked and turned into a keyset window of `list` in `order`.
pub fn window<O: ListOrder>(
    cursors: Cursors,
    list: &str,
    order: O,
    args: PageArgs,
) -> Result<Window<O>, AppError> {
    if args.first.is_some() && args.last.is_some() {
        return Err(AppError::bad_input(
            "last",
            "pass either `first` or `last`, not both",
        ));
    }
    let decode = |cursor: String, field| {
        decode_cursor(
            cursors,
            &cursor,
            list,
            order.name(),
            order.key_kind(),
            field,
        )
    };
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
    cursors: Cursors,
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
        let cursor = encode_cursor(cursors, list, order.name(), &row.position(order));
        Edge::new(cursor, node(row))
    }));
    connection
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::page::NewestFirst;
    use crate::graphql::cursor_key::CursorKey;

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
        let key = CursorKey::ephemeral();
        let cursors = Cursors::new(&key, Uuid::now_v7());
        let at = DateTime::parse_from_rfc3339("2026-11-22T10:11:12.123456Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap();
        let time = Position {
            key: SortKey::Time(at),
            id: Uuid::now_v7(),
        };
        let cursor = encode_cursor(cursors, "contacts", "updated_at", &time);
        let decoded = decode_cursor(
            cursors,
            &cursor,
            "contacts",
            "updated_at",
            KeyKind::Time,
            "after",
        );
        assert_eq!(decoded.ok(), Some(time));
        assert!(decode_cursor(
            cursors,
            &cursor,
            "contacts",
            "created_at",
            KeyKind::Time,
            "after"
        )
        .is_err());
        assert!(decode_cursor(
            cursors,
            &cursor,
            "companies",
            "updated_at",
            KeyKind::Time,
            "after"
        )
        .is_err());

        let name = Position {
            key: SortKey::Text("Ada: the first: programmer".into()),
            id: Uuid::now_v7(),
        };
        let cursor = encode_cursor(cursors, "contacts", "name", &name);
        let decoded = decode_cursor(cursors, &cursor, "contacts", "name", KeyKind::Text, "after");
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
            let cursor = encode_cursor(cursors, "deals", "x", &position);
            assert_eq!(
                decode_cursor(cursors, &cursor, "deals", "x", kind, "after").ok(),
                Some(position)
            );
        }
    }

    #[test]
    fn bad_cursors_and_sizes_name_their_argument() {
        let key = CursorKey::ephemeral();
        let cursors = Cursors::new(&key, Uuid::now_v7());
        let err = decode_cursor(
            cursors,
            "garbage",
            "contacts",
            "name",
            KeyKind::Text,
            "after",
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("after"));
        let forged = cursors.seal("c1:contacts:updated_at:not-a-uuid:x");
        assert!(decode_cursor(
            cursors,
            &forged,
            "contacts",
            "updated_at",
            KeyKind::Time,
            "after"
        )
        .is_err());
        let err = window(
            cursors,
            "contacts",
            ByName,
            PageArgs::forward(Some(101), None),
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("first"));
        assert!(window(
            cursors,
            "contacts",
            ByName,
            PageArgs::forward(Some(-1), None)
        )
        .is_err());
        let default = window(cursors, "contacts", ByName, PageArgs::default()).unwrap();
        assert_eq!(default.limit, 20);
        let both = PageArgs {
            first: Some(1),
            last: Some(1),
            ..PageArgs::default()
        };
        assert!(window(cursors, "keys", NewestFirst, both).is_err());
        let from_end = PageArgs {
            last: Some(5),
            ..PageArgs::default()
        };
        assert!(
            window(cursors, "keys", NewestFirst, from_end)
                .unwrap()
                .from_end
        );
    }
}
