//! Which table holds an id. Row ids are UUIDv7s made by the application, unique across every
//! table, so `node(id:)` asks once where an id lives and then loads it through that kind's
//! own loader: two statements however many kinds of node there are, instead of one lookup
//! per kind.

use diesel::sql_types::{Integer, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::AppError;

#[derive(diesel::QueryableByName)]
struct Held {
    #[diesel(sql_type = Integer)]
    table: i32,
}

/// The index in `tables` of the table holding the row `id` of `workspace_id`, if any.
/// `tables` are our own table names (constants, never input), each with `workspace_id` and
/// a primary key `id`; every branch is a primary-key probe.
pub async fn table_holding(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    id: Uuid,
    tables: &[&'static str],
) -> Result<Option<usize>, AppError> {
    let branches: Vec<String> = tables
        .iter()
        .enumerate()
        .map(|(i, table)| {
            format!("SELECT {i} AS table FROM {table} WHERE id = $2 AND workspace_id = $1")
        })
        .collect();
    let sql = format!("{} LIMIT 1", branches.join(" UNION ALL "));
    let held: Option<Held> = diesel::sql_query(sql)
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .map(Some)
        .or_else(|err| match err {
            diesel::result::Error::NotFound => Ok(None),
            err => Err(err),
        })?;
    Ok(held.and_then(|h| usize::try_from(h.table).ok()))
}
