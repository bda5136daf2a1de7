//! Deal SQL for batch routing: the open unowned deals, and owners written for many deals in
//! one statement.

use diesel::prelude::*;
use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::Deal;
use crate::db::schema::deals;

impl Deal {
    /// The workspace's open (neither won nor lost) deals nobody owns, of `pipeline_id` when
    /// given, oldest first, locked for this transaction.
    pub async fn unowned_open(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        pipeline_id: Option<Uuid>,
    ) -> QueryResult<Vec<Deal>> {
        let open = deals::table
            .filter(deals::workspace_id.eq(workspace_id))
            .filter(deals::owner_id.is_null())
            .filter(deals::won_at.is_null())
            .filter(deals::lost_at.is_null())
            .order((deals::created_at, deals::id))
            .select(Deal::as_select())
            .for_update();
        match pipeline_id {
            Some(id) => open.filter(deals::pipeline_id.eq(id)).load(conn).await,
            None => open.load(conn).await,
        }
    }

    /// Gives each deal of `assignments` its owner (an edit: the version moves on).
    pub async fn assign_many(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        assignments: &[(Uuid, String)],
    ) -> QueryResult<Vec<Deal>> {
        let (ids, owners): (Vec<Uuid>, Vec<String>) = assignments.iter().cloned().unzip();
        diesel::sql_query(
            "UPDATE deals SET owner_id = a.owner_id, version = deals.version + 1, updated_at = now() \
             FROM unnest($2::uuid[], $3::text[]) AS a (id, owner_id) \
             WHERE deals.workspace_id = $1 AND deals.id = a.id \
             RETURNING deals.*",
        )
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Array<Text>, _>(owners)
        .load(conn)
        .await
    }
}
