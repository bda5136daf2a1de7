//! A deal's stage history: one row per stage it entered, never changed or deleted, so the
//! history stays lossless however stages are renamed or removed later.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::prepared::Prepared;
use crate::db::schema::stage_changes;

/// A history row is written once and never updated, so it is its own insert.
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
        // Kept prepared, the page size written out (see `prepared`). One deal (the deal page)
        // without `unnest`: PostgreSQL cannot tell how long a bound array is, so a generic plan
        // of the batch form looks costlier than planning each time, and it plans each time.
        let below_sql = if below.is_some() {
            " AND sequence < $3"
        } else {
            ""
        };
        let query = if let [deal_id] = deal_ids {
            Prepared::new(format!(
                "SELECT * FROM stage_changes
                 WHERE deal_id = $1 AND workspace_id = $2{below_sql}
                 ORDER BY sequence DESC LIMIT {limit}"
            ))
            .bind::<diesel::sql_types::Uuid, _>(*deal_id)
        } else {
            Prepared::new(format!(
                "SELECT c.* FROM unnest($1::uuid[]) AS d(id)
                 CROSS JOIN LATERAL (
                     SELECT * FROM stage_changes
                     WHERE deal_id = d.id AND workspace_id = $2{below_sql}
                     ORDER BY sequence DESC LIMIT {limit}
                 ) c"
            ))
            .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(deal_ids)
        };
        let query = query.bind::<diesel::sql_types::Uuid, _>(workspace_id);
        let query = match below {
            Some(below) => query.bind::<diesel::sql_types::Integer, _>(below),
            None => query,
        };
        query.load(conn).await
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
