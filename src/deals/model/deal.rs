//! The deal row, its insert and its two kinds of update (an edit, a move), and their SQL.

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::db::lazy_json::LazyJson;

use crate::db::schema::{deals, stage_deal_counts};

#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName, Serialize, Deserialize,
)]
#[diesel(table_name = deals, check_for_backend(diesel::pg::Pg))]
pub struct Deal {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub amount: BigDecimal,
    pub currency: String,
    /// `None`: the deal follows its stage's probability.
    pub close_probability: Option<BigDecimal>,
    pub expected_close_date: Option<NaiveDate>,
    pub won_at: Option<DateTime<Utc>>,
    pub lost_at: Option<DateTime<Utc>>,
    pub lost_reason: Option<String>,
    pub value_period: String,
    pub owner_id: Option<String>,
    pub company_id: Option<Uuid>,
    pub custom_fields: LazyJson,
    pub entered_stage_at: DateTime<Utc>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Moved forward by every activity logged on the deal (never by its own edits).
    pub last_activity_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = deals)]
pub struct NewDeal {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub amount: BigDecimal,
    pub currency: String,
    pub close_probability: Option<BigDecimal>,
    pub expected_close_date: Option<NaiveDate>,
    pub won_at: Option<DateTime<Utc>>,
    pub lost_at: Option<DateTime<Utc>>,
    pub lost_reason: Option<String>,
    pub value_period: String,
    pub owner_id: Option<String>,
    pub company_id: Option<Uuid>,
    pub custom_fields: Value,
}

/// The editable columns, written back whole after the rules have run.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = deals, treat_none_as_null = true)]
pub struct DealChanges<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub amount: &'a BigDecimal,
    pub currency: &'a str,
    pub close_probability: Option<&'a BigDecimal>,
    pub expected_close_date: Option<NaiveDate>,
    pub value_period: &'a str,
    pub owner_id: Option<&'a str>,
    pub company_id: Option<Uuid>,
    pub custom_fields: &'a Value,
}

impl<'a> DealChanges<'a> {
    pub fn of(deal: &'a Deal) -> Self {
        DealChanges {
            title: &deal.title,
            description: deal.description.as_deref(),
            amount: &deal.amount,
            currency: &deal.currency,
            close_probability: deal.close_probability.as_ref(),
            expected_close_date: deal.expected_close_date,
            value_period: &deal.value_period,
            owner_id: deal.owner_id.as_deref(),
            company_id: deal.company_id,
            custom_fields: &deal.custom_fields,
        }
    }
}

/// What a move changes: where the deal is, and the outcome stamps of entering there.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = deals, treat_none_as_null = true)]
pub struct MoveChanges<'a> {
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub won_at: Option<DateTime<Utc>>,
    pub lost_at: Option<DateTime<Utc>>,
    pub lost_reason: Option<&'a str>,
    pub entered_stage_at: DateTime<Utc>,
}

// `find_for_update` locks the deal: moves and edits of one deal serialise, which keeps its
// history a chain.
crate::db::record_sql::tenant_find_sql!(Deal, deals);

impl Deal {
    pub async fn insert(conn: &mut AsyncPgConnection, new: &NewDeal) -> QueryResult<Deal> {
        diesel::insert_into(deals::table)
            .values(new)
            .returning(Deal::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn in_stage_for_update(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        stage_id: Uuid,
    ) -> QueryResult<Vec<Deal>> {
        deals::table
            .filter(
                deals::workspace_id
                    .eq(workspace_id)
                    .and(deals::stage_id.eq(stage_id)),
            )
            .select(Deal::as_select())
            .order(deals::id)
            .for_update()
            .load(conn)
            .await
    }

    /// Writes back the editable columns of `deal`, bumping its version.
    pub async fn save_changes(conn: &mut AsyncPgConnection, deal: &Deal) -> QueryResult<Deal> {
        diesel::update(deals::table.filter(deals::id.eq(deal.id)))
            .set((
                DealChanges::of(deal),
                deals::version.eq(deals::version + 1),
                deals::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Deal::as_returning())
            .get_result(conn)
            .await
    }

    /// Puts the deal where a move takes it, bumping its version.
    pub async fn place(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        changes: &MoveChanges<'_>,
    ) -> QueryResult<Deal> {
        diesel::update(deals::table.filter(deals::id.eq(id)))
            .set((
                changes,
                deals::version.eq(deals::version + 1),
                deals::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Deal::as_returning())
            .get_result(conn)
            .await
    }

    /// Deal counts of several stages, one query.
    pub async fn counts_by_stage(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        stage_ids: &[Uuid],
    ) -> QueryResult<Vec<(Uuid, i64)>> {
        // Kept by triggers on `deals` (migration `stage_deal_counts`): counting the rows
        // here scanned most of the table on every board render.
        stage_deal_counts::table
            .filter(
                stage_deal_counts::workspace_id
                    .eq(workspace_id)
                    .and(stage_deal_counts::stage_id.eq_any(stage_ids)),
            )
            .select((stage_deal_counts::stage_id, stage_deal_counts::deals))
            .load(conn)
            .await
    }
}
