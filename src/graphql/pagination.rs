//! Relay connections with keyset cursors. A cursor is an opaque, versioned encoding of the
//! last row's sort key; page sizes are capped at [`MAX_PAGE_SIZE`].

use async_graphql::connection::{Connection, Edge};
use async_graphql::{OutputType, SimpleObject};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use uuid::Uuid;

use crate::db::page::IdWindow;
use crate::error::AppError;

pub const MAX_PAGE_SIZE: i32 = 100;
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// Extra connection fields.
#[derive(SimpleObject)]
pub struct ConnectionFields {
    /// How many items match, across all pages.
    pub total_count: i64,
}

pub type IdConnection<T> = Connection<String, T, ConnectionFields>;

pub fn encode_id_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("id:{id}"))
}

pub fn decode_id_cursor(cursor: &str, field: &str) -> Result<Uuid, AppError> {
    let bad = || AppError::bad_input(field, "is not a valid cursor (use a cursor from this list)");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let id = text.strip_prefix("id:").ok_or_else(bad)?;
    Uuid::parse_str(id).map_err(|_| bad())
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

/// Relay arguments checked and turned into a keyset window over UUIDv7 ids (newest first).
pub fn id_window(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<IdWindow, AppError> {
    if first.is_some() && last.is_some() {
        return Err(AppError::bad_input(
            "last",
            "pass either `first` or `last`, not both",
        ));
    }
    let after = after.map(|c| decode_id_cursor(&c, "after")).transpose()?;
    let before = before.map(|c| decode_id_cursor(&c, "before")).transpose()?;
    let (limit, from_end) = match (first, last) {
        (_, Some(last)) => (page_size_of(Some(last), "last")?, true),
        (first, None) => (page_size(first)?, false),
    };
    Ok(IdWindow {
        after,
        before,
        limit,
        from_end,
    })
}

/// Builds the connection from a window's rows (fetched with one extra row to detect more).
pub fn id_connection<T: OutputType, R>(
    window: &IdWindow,
    mut rows: Vec<R>,
    total_count: i64,
    id_of: impl Fn(&R) -> Uuid,
    node: impl Fn(R) -> T,
) -> IdConnection<T> {
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
        ConnectionFields { total_count },
    );
    connection.edges.extend(
        rows.into_iter()
            .map(|row| Edge::new(encode_id_cursor(id_of(&row)), node(row))),
    );
    connection
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let id = Uuid::now_v7();
        assert_eq!(
            decode_id_cursor(&encode_id_cursor(id), "after").ok(),
            Some(id)
        );
        let err = decode_id_cursor("not-a-cursor", "after").unwrap_err();
        assert_eq!(err.field(), Some("after"));
    }

    #[test]
    fn page_sizes_are_capped() {
        assert!(id_window(Some(101), None, None, None).is_err());
        assert!(id_window(Some(-1), None, None, None).is_err());
        assert_eq!(
            id_window(None, None, None, None).map(|w| w.limit).ok(),
            Some(20)
        );
        assert!(id_window(Some(1), None, Some(1), None).is_err());
        assert!(id_window(None, None, Some(5), None)
            .map(|w| w.from_end)
            .unwrap_or(false));
    }
}
