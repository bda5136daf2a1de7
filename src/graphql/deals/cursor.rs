//! The deal list's and the stage history's cursors: opaque to clients, naming the order they
//! belong to, the sort value and the id.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::deals::model::{Deal, DealOrder, DealSort, DealWindow, SortValue, StageChange};
use crate::error::AppError;
use crate::graphql::pagination::{page_size, page_size_of};

fn sort_code(sort: DealSort) -> u8 {
    match sort {
        DealSort::UpdatedAt => 0,
        DealSort::CreatedAt => 1,
        DealSort::Amount => 2,
        DealSort::ExpectedCloseDate => 3,
    }
}

/// An order as a hashable loader key.
pub(crate) fn order_key(order: &DealOrder) -> (u8, bool) {
    (sort_code(order.sort), order.descending)
}

pub(crate) fn order_from_key((code, descending): (u8, bool)) -> DealOrder {
    let sort = match code {
        1 => DealSort::CreatedAt,
        2 => DealSort::Amount,
        3 => DealSort::ExpectedCloseDate,
        _ => DealSort::UpdatedAt,
    };
    DealOrder { sort, descending }
}

/// Cursor: the order it belongs to, the sort value and the id (opaque to clients).
pub(crate) fn encode_deal_cursor(order: &DealOrder, deal: &Deal) -> String {
    let value = match order.value_of(deal) {
        SortValue::Time(t) => t.to_rfc3339(),
        SortValue::Amount(a) => a.to_string(),
        SortValue::Date(d) => d.to_string(),
    };
    URL_SAFE_NO_PAD.encode(format!(
        "d1|{}|{}|{}",
        sort_code(order.sort),
        deal.id,
        value
    ))
}

pub(crate) fn decode_deal_cursor(
    cursor: &str,
    order: &DealOrder,
    field: &str,
) -> Result<(SortValue, Uuid), AppError> {
    let bad = || AppError::bad_input(field, "is not a valid cursor for this list and order");
    let text =
        String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?).map_err(|_| bad())?;
    let mut parts = text.splitn(4, '|');
    let (Some("d1"), Some(code), Some(id), Some(value)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if code != sort_code(order.sort).to_string() {
        return Err(AppError::bad_input(
            field,
            "belongs to a list with another order",
        ));
    }
    let id = Uuid::parse_str(id).map_err(|_| bad())?;
    let value = match order.sort {
        DealSort::UpdatedAt | DealSort::CreatedAt => SortValue::Time(
            DateTime::parse_from_rfc3339(value)
                .map_err(|_| bad())?
                .with_timezone(&Utc),
        ),
        DealSort::Amount => SortValue::Amount(value.parse().map_err(|_| bad())?),
        DealSort::ExpectedCloseDate => SortValue::Date(value.parse().map_err(|_| bad())?),
    };
    Ok((value, id))
}

pub(crate) fn encode_change_cursor(change: &StageChange) -> String {
    URL_SAFE_NO_PAD.encode(format!("sc1|{}", change.sequence))
}

pub(crate) fn decode_change_cursor(cursor: &str) -> Result<i32, AppError> {
    let bad = || AppError::bad_input("after", "is not a valid stage-change cursor");
    let text =
        String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?).map_err(|_| bad())?;
    text.strip_prefix("sc1|")
        .and_then(|n| n.parse().ok())
        .ok_or_else(bad)
}

/// The keyset window of a `deals(first, after, last, before)` page.
pub(crate) fn deal_window(
    order: &DealOrder,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<DealWindow, AppError> {
    if first.is_some() && last.is_some() {
        return Err(AppError::bad_input(
            "last",
            "pass either `first` or `last`, not both",
        ));
    }
    Ok(DealWindow {
        after: after
            .as_deref()
            .map(|c| decode_deal_cursor(c, order, "after"))
            .transpose()?,
        before: before
            .as_deref()
            .map(|c| decode_deal_cursor(c, order, "before"))
            .transpose()?,
        limit: match last {
            Some(_) => page_size_of(last, "last")?,
            None => page_size(first)?,
        },
        from_end: last.is_some(),
    })
}
