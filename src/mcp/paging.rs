//! Pages for list tools: the same keyset windows and sealed cursors as GraphQL connections,
//! answered as `{items, total_count, next_cursor}` — the shape an agent pages with.

use serde_json::{json, Value};

use super::tool::Call;
use crate::db::page::{ListOrder, Listed, Listing, Window};
use crate::error::AppError;
use crate::graphql::pagination::{encode_cursor, window, PageArgs};

/// How many rows a list tool returns when the agent does not say.
const DEFAULT_LIMIT: i32 = 20;

/// The window of `limit` rows after `after` in list `list`, read in `order`. Every list
/// tool takes these two arguments (spelled out in each input: serde's `flatten` cannot be
/// combined with `deny_unknown_fields`).
pub fn window_of<O: ListOrder>(
    call: &Call,
    list: &str,
    order: O,
    limit: Option<i32>,
    after: Option<String>,
) -> Result<Window<O>, AppError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if limit < 1 {
        return Err(AppError::bad_input("limit", "must be between 1 and 100"));
    }
    window(
        call.cursors(),
        list,
        order,
        PageArgs::forward(Some(limit), after),
    )
    .map_err(rename_paging_field)
}

/// GraphQL's paging fields are `first`/`after`; a tool's are `limit`/`after`.
fn rename_paging_field(err: AppError) -> AppError {
    match err {
        AppError::BadInput { field, message } if field == "first" => AppError::BadInput {
            field: "limit".into(),
            message,
        },
        other => other,
    }
}

/// The page's rows as JSON, its total and the cursor of the next page (null on the last).
pub fn page_json<O: ListOrder, R: Listed<O>>(
    call: &Call,
    list: &str,
    window: &Window<O>,
    listing: Listing<R>,
    item: impl Fn(&R) -> Result<Value, AppError>,
) -> Result<Value, AppError> {
    let Listing { mut rows, total } = listing;
    let limit = usize::try_from(window.limit).unwrap_or(0);
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = match rows.last() {
        Some(last) if has_more => Some(encode_cursor(
            call.cursors(),
            list,
            window.order.name(),
            &last.position(window.order),
        )),
        _ => None,
    };
    let items = rows.iter().map(item).collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "items": items, "total_count": total, "next_cursor": next_cursor }))
}

/// A row as JSON, as the write path stores it.
pub fn row<T: serde::Serialize>(value: &T) -> Result<Value, AppError> {
    Ok(serde_json::to_value(value)?)
}
