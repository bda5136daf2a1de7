//! The deal list's and the stage history's cursors, through the one cursor codec; and deal
//! orders as hashable loader keys.

use crate::db::page::{KeyKind, ListOrder, Listed, Position, SortKey};
use crate::deals::model::{Deal, DealOrder, DealSort, DealWindow, StageChange};
use crate::error::AppError;
use crate::graphql::cursor_key::Cursors;
use crate::graphql::pagination::{decode_cursor, encode_cursor, window, PageArgs};

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

/// The names cursors carry for these lists (`graphql::pagination`'s one codec).
const DEALS_LIST: &str = "deals";
const STAGE_CHANGES_LIST: &str = "stage_changes";
const BY_SEQUENCE: &str = "sequence";

pub(crate) fn encode_deal_cursor(cursors: Cursors, order: &DealOrder, deal: &Deal) -> String {
    encode_cursor(cursors, DEALS_LIST, order.name(), &deal.position(*order))
}

pub(crate) fn decode_deal_cursor(
    cursors: Cursors,
    cursor: &str,
    order: &DealOrder,
    field: &str,
) -> Result<Position, AppError> {
    decode_cursor(
        cursors,
        cursor,
        DEALS_LIST,
        order.name(),
        order.key_kind(),
        field,
    )
}

pub(crate) fn encode_change_cursor(cursors: Cursors, change: &StageChange) -> String {
    let position = Position {
        key: SortKey::Int(i64::from(change.sequence)),
        id: change.id,
    };
    encode_cursor(cursors, STAGE_CHANGES_LIST, BY_SEQUENCE, &position)
}

/// The sequence number a stage-change cursor points after.
pub(crate) fn decode_change_cursor(cursors: Cursors, cursor: &str) -> Result<i32, AppError> {
    let position = decode_cursor(
        cursors,
        cursor,
        STAGE_CHANGES_LIST,
        BY_SEQUENCE,
        KeyKind::Int,
        "after",
    )?;
    match position.key {
        SortKey::Int(sequence) => i32::try_from(sequence)
            .map_err(|_| AppError::bad_input("after", "is not a valid stage-change cursor")),
        _ => Err(AppError::bad_input(
            "after",
            "is not a valid stage-change cursor",
        )),
    }
}

/// The keyset window of a `deals(first, after, last, before)` page.
pub(crate) fn deal_window(
    cursors: Cursors,
    order: &DealOrder,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<DealWindow, AppError> {
    let args = PageArgs {
        first,
        after,
        last,
        before,
    };
    window(cursors, DEALS_LIST, *order, args)
}
