//! Lists hung off a record — a contact's activities, a deal's tasks: one page per parent and
//! each parent's total, two statements for any number of parents (what a loader batch needs).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::sql_types::{Array, BigInt, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::page::Listing;

/// Where the child rows live and how each parent's page is ordered: by `(sort, id)`, the way
/// the table's per-parent index runs. Our own names (constants, never input).
#[derive(Clone, Copy)]
pub struct ChildList {
    pub table: &'static str,
    /// A timestamptz column.
    pub sort: &'static str,
    pub newest_first: bool,
}

#[derive(QueryableByName)]
struct ParentCount {
    #[diesel(sql_type = SqlUuid)]
    parent_id: Uuid,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The first `limit` rows of `list` whose `column` is each of `parent_ids`, after `(sort, id)`
/// when given, and each parent's total; `parent_of` says which parent a row belongs to. Every
/// parent asked for has a listing, empty when it has no rows.
#[allow(clippy::too_many_arguments)]
pub async fn pages<T>(
    conn: &mut AsyncPgConnection,
    list: ChildList,
    column: &'static str,
    workspace_id: Uuid,
    parent_ids: &[Uuid],
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
    parent_of: impl Fn(&T) -> Option<Uuid>,
) -> diesel::QueryResult<HashMap<Uuid, Listing<T>>>
where
    T: QueryableByName<Pg> + Send + 'static,
{
    let ChildList {
        table,
        sort,
        newest_first,
    } = list;
    let (past, direction) = if newest_first {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let rows: Vec<T> = diesel::sql_query(format!(
        "SELECT c.* FROM unnest($1::uuid[]) AS p(id)
         CROSS JOIN LATERAL (
             SELECT * FROM {table}
             WHERE workspace_id = $2 AND {column} = p.id
               AND ($3::timestamptz IS NULL OR ({sort}, id) {past} ($3, $4))
             ORDER BY {sort} {direction}, id {direction} LIMIT $5
         ) c"
    ))
    .bind::<Array<SqlUuid>, _>(parent_ids)
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<Nullable<Timestamptz>, _>(after.map(|(at, _)| at))
    .bind::<Nullable<SqlUuid>, _>(after.map(|(_, id)| id))
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?;
    let totals: Vec<ParentCount> = diesel::sql_query(format!(
        "SELECT {column} AS parent_id, count(*) AS n FROM {table}
         WHERE workspace_id = $1 AND {column} = ANY($2) GROUP BY {column}"
    ))
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<Array<SqlUuid>, _>(parent_ids)
    .load(conn)
    .await?;
    let mut pages: HashMap<Uuid, Listing<T>> = parent_ids
        .iter()
        .map(|id| {
            let listing = Listing {
                rows: Vec::new(),
                total: 0,
            };
            (*id, listing)
        })
        .collect();
    for count in totals {
        if let Some(page) = pages.get_mut(&count.parent_id) {
            page.total = count.n;
        }
    }
    for row in rows {
        if let Some(page) = parent_of(&row).and_then(|parent| pages.get_mut(&parent)) {
            page.rows.push(row);
        }
    }
    Ok(pages)
}
