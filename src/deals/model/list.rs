//! Listing deals: filters, orders and keyset pages, and the board's "first N deals of each
//! stage" in one query.

use bigdecimal::BigDecimal;
use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Date, Numeric, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::deal::Deal;
use super::prepared::{Limited, Prepared};
use crate::db::page::{seek, KeyKind, ListOrder, Listed, Position, SortKey, Window};
use crate::db::schema::{deal_contacts, deal_taggings, deals};
use crate::deals::rules::DealStatus;

/// Which deals to list. Every filter is optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct DealFilter {
    pub pipeline_id: Option<Uuid>,
    pub stage_id: Option<Uuid>,
    pub status: Option<DealStatus>,
    pub owner_id: Option<String>,
    pub company_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub tag_id: Option<Uuid>,
    pub amount_min: Option<BigDecimal>,
    pub amount_max: Option<BigDecimal>,
    pub currency: Option<String>,
    pub expected_close_from: Option<NaiveDate>,
    pub expected_close_to: Option<NaiveDate>,
    /// `customFields` must contain this key with this value.
    pub custom_field: Option<(String, Value)>,
    /// Case-insensitive substring of the title.
    pub search: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DealSort {
    #[default]
    UpdatedAt,
    CreatedAt,
    Amount,
    ExpectedCloseDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DealOrder {
    pub sort: DealSort,
    pub descending: bool,
}

impl Default for DealOrder {
    fn default() -> Self {
        DealOrder {
            sort: DealSort::UpdatedAt,
            descending: true,
        }
    }
}

/// Deals without a close date sort as if closing on this day (last, ascending).
pub const NO_CLOSE_DATE: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

impl DealOrder {
    fn column(&self) -> &'static str {
        match self.sort {
            DealSort::UpdatedAt => "deals.updated_at",
            DealSort::CreatedAt => "deals.created_at",
            DealSort::Amount => "deals.amount",
            DealSort::ExpectedCloseDate => {
                "coalesce(deals.expected_close_date, '9999-12-31'::date)"
            }
        }
    }
}

/// A keyset page of deals.
pub type DealWindow = Window<DealOrder>;

impl ListOrder for DealOrder {
    fn name(self) -> &'static str {
        match (self.sort, self.descending) {
            (DealSort::UpdatedAt, true) => "updated_at.desc",
            (DealSort::UpdatedAt, false) => "updated_at.asc",
            (DealSort::CreatedAt, true) => "created_at.desc",
            (DealSort::CreatedAt, false) => "created_at.asc",
            (DealSort::Amount, true) => "amount.desc",
            (DealSort::Amount, false) => "amount.asc",
            (DealSort::ExpectedCloseDate, true) => "expected_close_date.desc",
            (DealSort::ExpectedCloseDate, false) => "expected_close_date.asc",
        }
    }

    fn key_kind(self) -> KeyKind {
        match self.sort {
            DealSort::UpdatedAt | DealSort::CreatedAt => KeyKind::Time,
            DealSort::Amount => KeyKind::Decimal,
            DealSort::ExpectedCloseDate => KeyKind::Date,
        }
    }

    fn descending(self) -> bool {
        self.descending
    }
}

impl Listed<DealOrder> for Deal {
    fn position(&self, order: DealOrder) -> Position {
        let key = match order.sort {
            DealSort::UpdatedAt => SortKey::Time(self.updated_at),
            DealSort::CreatedAt => SortKey::Time(self.created_at),
            DealSort::Amount => SortKey::Decimal(self.amount.clone()),
            DealSort::ExpectedCloseDate => {
                SortKey::Date(self.expected_close_date.unwrap_or(NO_CLOSE_DATE))
            }
        };
        Position { key, id: self.id }
    }
}

type BoxedDeals<'a> = deals::BoxedQuery<'a, Pg>;

fn escape_like(term: &str) -> String {
    term.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn filtered(workspace_id: Uuid, filter: &DealFilter) -> BoxedDeals<'static> {
    let mut query = deals::table
        .filter(deals::workspace_id.eq(workspace_id))
        .into_boxed();
    if let Some(id) = filter.pipeline_id {
        query = query.filter(deals::pipeline_id.eq(id));
    }
    if let Some(id) = filter.stage_id {
        query = query.filter(deals::stage_id.eq(id));
    }
    match filter.status {
        Some(DealStatus::Open) => {
            query = query.filter(deals::won_at.is_null().and(deals::lost_at.is_null()))
        }
        Some(DealStatus::Won) => query = query.filter(deals::won_at.is_not_null()),
        Some(DealStatus::Lost) => query = query.filter(deals::lost_at.is_not_null()),
        None => {}
    }
    if let Some(owner) = &filter.owner_id {
        query = query.filter(deals::owner_id.eq(owner.clone()));
    }
    if let Some(id) = filter.company_id {
        query = query.filter(deals::company_id.eq(id));
    }
    if let Some(id) = filter.contact_id {
        let linked = deal_contacts::table
            .filter(deal_contacts::contact_id.eq(id))
            .select(deal_contacts::deal_id);
        query = query.filter(deals::id.eq_any(linked));
    }
    if let Some(id) = filter.tag_id {
        let tagged = deal_taggings::table
            .filter(deal_taggings::tag_id.eq(id))
            .select(deal_taggings::deal_id);
        query = query.filter(deals::id.eq_any(tagged));
    }
    if let Some(min) = &filter.amount_min {
        query = query.filter(deals::amount.ge(min.clone()));
    }
    if let Some(max) = &filter.amount_max {
        query = query.filter(deals::amount.le(max.clone()));
    }
    if let Some(currency) = &filter.currency {
        query = query.filter(deals::currency.eq(currency.clone()));
    }
    if let Some(from) = filter.expected_close_from {
        query = query.filter(deals::expected_close_date.ge(from));
    }
    if let Some(to) = filter.expected_close_to {
        query = query.filter(deals::expected_close_date.le(to));
    }
    if let Some((key, value)) = &filter.custom_field {
        let mut wanted = serde_json::Map::new();
        wanted.insert(key.clone(), value.clone());
        query = query.filter(deals::custom_fields.contains(Value::Object(wanted)));
    }
    if let Some(term) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let pattern = format!("%{}%", escape_like(term));
        query = query.filter(sql::<Bool>("deals.title ILIKE ").bind::<Text, _>(pattern));
    }
    query
}

fn ordered(query: BoxedDeals<'static>, order: &DealOrder, descending: bool) -> BoxedDeals<'static> {
    match (order.sort, descending) {
        (DealSort::UpdatedAt, true) => query.order((deals::updated_at.desc(), deals::id.desc())),
        (DealSort::UpdatedAt, false) => query.order((deals::updated_at.asc(), deals::id.asc())),
        (DealSort::CreatedAt, true) => query.order((deals::created_at.desc(), deals::id.desc())),
        (DealSort::CreatedAt, false) => query.order((deals::created_at.asc(), deals::id.asc())),
        (DealSort::Amount, true) => query.order((deals::amount.desc(), deals::id.desc())),
        (DealSort::Amount, false) => query.order((deals::amount.asc(), deals::id.asc())),
        (DealSort::ExpectedCloseDate, true) => {
            query.order((sql::<Date>(order.column()).desc(), deals::id.desc()))
        }
        (DealSort::ExpectedCloseDate, false) => {
            query.order((sql::<Date>(order.column()).asc(), deals::id.asc()))
        }
    }
}

/// A deal of a board, with how many deals its stage holds (its column's total).
#[derive(Debug, QueryableByName)]
pub struct BoardDeal {
    #[diesel(embed)]
    pub deal: Deal,
    #[diesel(sql_type = BigInt)]
    pub stage_deals: i64,
}

impl Deal {
    /// One keyset page of a filtered, ordered list (with one extra row to detect more).
    pub async fn page(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        filter: &DealFilter,
        window: &DealWindow,
    ) -> QueryResult<Vec<Deal>> {
        let order = &window.order;
        let mut query = filtered(workspace_id, filter);
        if let Some(after) = &window.after {
            query = query.filter(seek(order.column(), "deals.id", order.descending, after));
        }
        if let Some(before) = &window.before {
            query = query.filter(seek(order.column(), "deals.id", !order.descending, before));
        }
        let descending = order.descending != window.from_end;
        // The page size in the text: planned once per connection, not on every page.
        let query = ordered(query, order, descending).select(Deal::as_select());
        let mut rows: Vec<Deal> = Limited::new(query, window.limit + 1).load(conn).await?;
        if window.from_end {
            rows.truncate(usize::try_from(window.limit + 1).unwrap_or(0));
        }
        Ok(rows)
    }

    pub async fn count_filtered(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        filter: &DealFilter,
    ) -> QueryResult<i64> {
        filtered(workspace_id, filter)
            .count()
            .get_result(conn)
            .await
    }

    /// The board: the first `limit` deals of each stage (after a per-stage cursor value if
    /// given), each with its stage's kept deal count, in one statement whatever the number of
    /// stages. A stage without a row on this page has none to show, and (without a cursor)
    /// no deals at all.
    pub async fn first_of_stages(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        stage_ids: &[Uuid],
        order: &DealOrder,
        after: Option<&Position>,
        limit: i64,
    ) -> QueryResult<Vec<BoardDeal>> {
        let direction = if order.descending { "DESC" } else { "ASC" };
        let op = if order.descending { "<" } else { ">" };
        let column = order.column();
        let cursor_sql = match after {
            None => String::new(),
            Some(position) => {
                let cast = match position.key {
                    SortKey::Time(_) => "timestamptz",
                    SortKey::Decimal(_) => "numeric",
                    _ => "date",
                };
                format!("AND ({column}, deals.id) {op} ($3::{cast}, $4::uuid)")
            }
        };
        // Kept prepared, the page size written out (see `prepared`).
        let statement = format!(
            "SELECT picked.*, coalesce(kept.deals, 0) AS stage_deals FROM unnest($1::uuid[]) AS s(id)
             LEFT JOIN stage_deal_counts AS kept ON kept.stage_id = s.id AND kept.workspace_id = $2
             CROSS JOIN LATERAL (
                 SELECT deals.* FROM deals
                 WHERE deals.stage_id = s.id AND deals.workspace_id = $2 {cursor_sql}
                 ORDER BY {column} {direction}, deals.id {direction}
                 LIMIT {limit}
             ) AS picked"
        );
        let query = Prepared::new(statement)
            .bind::<Array<SqlUuid>, _>(stage_ids)
            .bind::<SqlUuid, _>(workspace_id);
        let query = match after.map(|p| (&p.key, p.id)) {
            None => query,
            Some((SortKey::Time(t), id)) => query.bind::<Timestamptz, _>(*t).bind::<SqlUuid, _>(id),
            Some((SortKey::Decimal(a), id)) => {
                query.bind::<Numeric, _>(a.clone()).bind::<SqlUuid, _>(id)
            }
            Some((SortKey::Date(d), id)) => query.bind::<Date, _>(*d).bind::<SqlUuid, _>(id),
            // A deal order sorts by a time, an amount or a date, and cursors are checked
            // against their order before they get here.
            Some(_) => {
                return Err(diesel::result::Error::QueryBuilderError(
                    "a board cursor of the wrong kind".into(),
                ))
            }
        };
        query.load(conn).await
    }

    /// The newest `limit` deals of each company (by last update), one statement.
    pub async fn newest_of_companies(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        company_ids: &[Uuid],
        limit: i64,
    ) -> QueryResult<Vec<Deal>> {
        Prepared::new(format!(
            "SELECT picked.* FROM unnest($1::uuid[]) AS c(id)
             CROSS JOIN LATERAL (
                 SELECT deals.* FROM deals
                 WHERE deals.company_id = c.id AND deals.workspace_id = $2
                 ORDER BY deals.updated_at DESC, deals.id DESC
                 LIMIT {limit}
             ) AS picked"
        ))
        .bind::<Array<SqlUuid>, _>(company_ids)
        .bind::<SqlUuid, _>(workspace_id)
        .load(conn)
        .await
    }
}
