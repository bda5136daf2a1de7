//! Deal and stage-change rows and their SQL.

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::db::schema::{deals, stage_changes, stage_deal_counts};

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
    pub custom_fields: Value,
    pub entered_stage_at: DateTime<Utc>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
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
pub struct DealFields<'a> {
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

impl<'a> DealFields<'a> {
    pub fn of(deal: &'a Deal) -> Self {
        DealFields {
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

/// Where a move puts a deal.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = deals, treat_none_as_null = true)]
pub struct Placement<'a> {
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub won_at: Option<DateTime<Utc>>,
    pub lost_at: Option<DateTime<Utc>>,
    pub lost_reason: Option<&'a str>,
    pub entered_stage_at: DateTime<Utc>,
}

#[derive(
    Debug,
    Clone,
    PartialEq,
    Queryable,
    QueryableByName,
    Selectable,
    Insertable,
    Serialize,
    Deserialize,
)]
#[diesel(table_name = stage_changes, check_for_backend(diesel::pg::Pg))]
pub struct StageChange {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub deal_id: Uuid,
    /// Position in the deal's history: 1 for the stage it was created in.
    pub sequence: i32,
    pub from_stage_id: Option<Uuid>,
    pub to_stage_id: Uuid,
    pub from_pipeline_id: Option<Uuid>,
    pub to_pipeline_id: Uuid,
    pub from_stage_name: Option<String>,
    pub to_stage_name: String,
    pub to_stage_kind: String,
    pub amount: BigDecimal,
    pub currency: String,
    pub actor_key_id: Option<Uuid>,
    pub changed_at: DateTime<Utc>,
}

impl Deal {
    pub async fn insert(conn: &mut AsyncPgConnection, new: &NewDeal) -> QueryResult<Deal> {
        diesel::insert_into(deals::table)
            .values(new)
            .returning(Deal::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn find(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<Option<Deal>> {
        deals::table
            .filter(deals::workspace_id.eq(workspace_id).and(deals::id.eq(id)))
            .select(Deal::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// Locks the deal: moves and edits of one deal serialise, which keeps its history a chain.
    pub async fn find_for_update(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<Option<Deal>> {
        deals::table
            .filter(deals::workspace_id.eq(workspace_id).and(deals::id.eq(id)))
            .select(Deal::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    pub async fn find_many(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        ids: &[Uuid],
    ) -> QueryResult<Vec<Deal>> {
        deals::table
            .filter(
                deals::workspace_id
                    .eq(workspace_id)
                    .and(deals::id.eq_any(ids)),
            )
            .select(Deal::as_select())
            .load(conn)
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

    pub async fn save_fields(conn: &mut AsyncPgConnection, deal: &Deal) -> QueryResult<Deal> {
        diesel::update(deals::table.filter(deals::id.eq(deal.id)))
            .set((
                DealFields::of(deal),
                deals::version.eq(deals::version + 1),
                deals::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Deal::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn place(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        placement: &Placement<'_>,
    ) -> QueryResult<Deal> {
        diesel::update(deals::table.filter(deals::id.eq(id)))
            .set((
                placement,
                deals::version.eq(deals::version + 1),
                deals::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Deal::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn delete(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<usize> {
        diesel::delete(
            deals::table.filter(deals::workspace_id.eq(workspace_id).and(deals::id.eq(id))),
        )
        .execute(conn)
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

impl StageChange {
    pub async fn insert(conn: &mut AsyncPgConnection, change: &StageChange) -> QueryResult<()> {
        diesel::insert_into(stage_changes::table)
            .values(change)
            .execute(conn)
            .await
            .map(drop)
    }

    /// A deal's newest change, the `from` of its next one.
    pub async fn latest(
        conn: &mut AsyncPgConnection,
        deal_id: Uuid,
    ) -> QueryResult<Option<StageChange>> {
        stage_changes::table
            .filter(stage_changes::deal_id.eq(deal_id))
            .order(stage_changes::sequence.desc())
            .select(StageChange::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// The newest `limit` changes of each deal, below sequence `below` if given: one query
    /// for any number of deals.
    pub async fn newest_of_deals(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        deal_ids: &[Uuid],
        below: Option<i32>,
        limit: i64,
    ) -> QueryResult<Vec<StageChange>> {
        diesel::sql_query(
            "SELECT c.* FROM unnest($1::uuid[]) AS d(id)
             CROSS JOIN LATERAL (
                 SELECT * FROM stage_changes
                 WHERE deal_id = d.id AND workspace_id = $2 AND ($3::int IS NULL OR sequence < $3)
                 ORDER BY sequence DESC LIMIT $4
             ) c",
        )
        .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(deal_ids)
        .bind::<diesel::sql_types::Uuid, _>(workspace_id)
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::Integer>, _>(below)
        .bind::<diesel::sql_types::BigInt, _>(limit)
        .load(conn)
        .await
    }

    /// The whole history of a deal, oldest first.
    pub async fn of_deal(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        deal_id: Uuid,
    ) -> QueryResult<Vec<StageChange>> {
        stage_changes::table
            .filter(
                stage_changes::workspace_id
                    .eq(workspace_id)
                    .and(stage_changes::deal_id.eq(deal_id)),
            )
            .order(stage_changes::sequence)
            .select(StageChange::as_select())
            .load(conn)
            .await
    }

    pub async fn count_of_deals(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        deal_ids: &[Uuid],
    ) -> QueryResult<Vec<(Uuid, i64)>> {
        stage_changes::table
            .filter(
                stage_changes::workspace_id
                    .eq(workspace_id)
                    .and(stage_changes::deal_id.eq_any(deal_ids)),
            )
            .group_by(stage_changes::deal_id)
            .select((stage_changes::deal_id, diesel::dsl::count_star()))
            .load(conn)
            .await
    }
}
