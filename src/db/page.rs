//! Keyset paging, one way for every list: a list is read in an order ([`ListOrder`]) from a
//! [`Position`] (the sort key and id of the last row seen), never with OFFSET, so a page costs
//! the same at row 10 and at row 100,000 and rows inserted meanwhile neither repeat nor vanish.
//! Model functions take a [`Window`]; `graphql::pagination` turns positions into cursors.

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::expression::{BoxableExpression, SqlLiteral};
use diesel::pg::Pg;
use diesel::sql_types::{BigInt, Bool, Date, Numeric, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

/// The value a row is ordered by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SortKey {
    Time(DateTime<Utc>),
    Text(String),
    Decimal(BigDecimal),
    Date(NaiveDate),
    Int(i64),
    /// The list is ordered by the id alone (UUIDv7 ids are in creation order).
    Id,
}

/// Which kind of [`SortKey`] an order sorts by, to read one back from a cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Time,
    Text,
    Decimal,
    Date,
    Int,
    Id,
}

/// A keyset position: the sort key and id of a row; the id breaks ties.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Position {
    pub key: SortKey,
    pub id: Uuid,
}

/// An order a list can be read in.
pub trait ListOrder: Copy + Send + Sync + 'static {
    /// The order's name as cursors record it, so a cursor only fits lists in this order.
    fn name(self) -> &'static str;
    fn key_kind(self) -> KeyKind;
    /// Whether the list runs from the largest key down.
    fn descending(self) -> bool;
}

/// A row that can be listed in order `O`.
pub trait Listed<O: ListOrder> {
    fn position(&self, order: O) -> Position;
}

/// Lists ordered by their UUIDv7 ids alone, newest first (keys, audit events).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct NewestFirst;

impl ListOrder for NewestFirst {
    fn name(self) -> &'static str {
        "id"
    }

    fn key_kind(self) -> KeyKind {
        KeyKind::Id
    }

    fn descending(self) -> bool {
        true
    }
}

/// One page of a list: the rows after `after` (or, reading from the end, before `before`)
/// in `order`, at most `limit` of them.
#[derive(Debug, Clone, Default)]
pub struct Window<O> {
    pub order: O,
    pub after: Option<Position>,
    pub before: Option<Position>,
    pub limit: i64,
    /// Take the rows nearest `before` (Relay `last`) instead of nearest `after`.
    pub from_end: bool,
}

impl<O> Window<O> {
    /// One row more than wanted, to learn whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// For lists ordered by id alone: the id to read past.
    pub fn after_id(&self) -> Option<Uuid> {
        self.after.as_ref().map(|p| p.id)
    }

    /// For lists ordered by id alone: the id to stop before.
    pub fn before_id(&self) -> Option<Uuid> {
        self.before.as_ref().map(|p| p.id)
    }

    /// For lists ordered by a time, then id: the `(time, id)` to read past.
    pub fn after_time(&self) -> Option<(DateTime<Utc>, Uuid)> {
        self.after.as_ref().and_then(|p| match p.key {
            SortKey::Time(at) => Some((at, p.id)),
            _ => None,
        })
    }
}

/// A window over a list ordered by id alone, newest first.
pub type IdWindow = Window<NewestFirst>;

/// A page of rows and how many rows match across all pages.
#[derive(Debug, Clone)]
pub struct Listing<T> {
    pub rows: Vec<T>,
    pub total: i64,
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Listing {
            rows: Vec::new(),
            total: 0,
        }
    }
}

/// A boxed SQL condition on table `QS`.
pub type Condition<QS> = Box<dyn BoxableExpression<QS, Pg, SqlType = Bool>>;

/// "Comes after `position`" in a list ordered by `sort_sql` then `id_sql`, descending or
/// ascending: a row comparison, so PostgreSQL seeks in a `(sort key, id)` index instead of
/// filtering. `sort_sql` must be exactly the indexed expression.
pub fn seek<QS>(
    sort_sql: &str,
    id_sql: &str,
    descending: bool,
    position: &Position,
) -> Condition<QS> {
    let op = if descending { "<" } else { ">" };
    let head = format!("({sort_sql}, {id_sql}) {op} (");
    macro_rules! seek_by {
        ($sql_type:ty, $value:expr) => {
            Box::new(
                diesel::dsl::sql::<Bool>(&head)
                    .bind::<$sql_type, _>($value)
                    .sql(", ")
                    .bind::<SqlUuid, _>(position.id)
                    .sql(")"),
            )
        };
    }
    match &position.key {
        SortKey::Time(at) => seek_by!(Timestamptz, *at),
        SortKey::Text(text) => seek_by!(Text, text.clone()),
        SortKey::Decimal(amount) => seek_by!(Numeric, amount.clone()),
        SortKey::Date(date) => seek_by!(Date, *date),
        SortKey::Int(n) => seek_by!(BigInt, *n),
        SortKey::Id => Box::new(
            diesel::dsl::sql::<Bool>(&format!("{id_sql} {op} ")).bind::<SqlUuid, _>(position.id),
        ),
    }
}

/// `ORDER BY` for `table` in `order`, for lists whose order names are column names: the
/// sort column, then the id, both in the order's direction (matching a `(column, id)` index).
pub fn order_by_sql(table: &str, order: impl ListOrder) -> SqlLiteral<Text> {
    let direction = if order.descending() { "DESC" } else { "ASC" };
    diesel::dsl::sql::<Text>(&format!(
        "{table}.{column} {direction}, {table}.id {direction}",
        column = order.name()
    ))
}

/// [`seek`] for lists whose order names are column names.
pub fn seek_column<QS>(table: &str, order: impl ListOrder, position: &Position) -> Condition<QS> {
    let column = format!("{table}.{}", order.name());
    seek(
        &column,
        &format!("{table}.id"),
        order.descending(),
        position,
    )
}
