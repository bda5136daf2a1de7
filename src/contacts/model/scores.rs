//! Contact SQL for batch scoring: many contacts locked in one statement, their lead scores
//! written in one statement.

use diesel::prelude::*;
use diesel::sql_types::{Array, Int4, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::Contact;
use crate::db::schema::contacts;

impl Contact {
    crate::db::record_sql::locked_many_sql!(Contact, contacts);

    /// Stores lead scores computed from the workspace's rules (derived values: the version
    /// stays).
    pub async fn save_lead_scores(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        scores: &[(Uuid, i32)],
    ) -> QueryResult<usize> {
        let (ids, values): (Vec<Uuid>, Vec<i32>) = scores.iter().copied().unzip();
        diesel::sql_query(
            "UPDATE contacts SET lead_score = s.score \
             FROM unnest($2::uuid[], $3::int4[]) AS s (id, score) \
             WHERE contacts.workspace_id = $1 AND contacts.id = s.id",
        )
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Array<Int4>, _>(values)
        .execute(conn)
        .await
    }
}
