//! Lead SQL for batch operations: the unowned leads routing may assign, owners and scores
//! written for many leads in one statement each.

use diesel::prelude::*;
use diesel::sql_types::{Array, Int4, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::Lead;
use crate::db::schema::leads;

/// A lead after a batch assignment: what its `lead.assigned` event says.
#[derive(Debug, Clone, QueryableByName)]
pub struct Assigned {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub owner_id: String,
    #[diesel(sql_type = Int4)]
    pub version: i32,
}

impl Lead {
    /// The workspace's open leads nobody owns, oldest first, locked for this transaction.
    pub async fn unowned_open(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
    ) -> QueryResult<Vec<Lead>> {
        leads::table
            .filter(leads::workspace_id.eq(workspace_id))
            .filter(leads::owner_id.is_null())
            .filter(leads::status.ne_all(["converted", "disqualified"]))
            .order((leads::created_at, leads::id))
            .select(Lead::as_select())
            .for_update()
            .load(conn)
            .await
    }

    crate::db::record_sql::locked_many_sql!(Lead, leads);

    /// Gives each lead of `assignments` its owner (an edit: the version moves on).
    pub async fn assign_many(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        assignments: &[(Uuid, String)],
    ) -> QueryResult<Vec<Assigned>> {
        let (ids, owners): (Vec<Uuid>, Vec<String>) = assignments.iter().cloned().unzip();
        diesel::sql_query(
            "UPDATE leads SET owner_id = a.owner_id, version = leads.version + 1, updated_at = now() \
             FROM unnest($2::uuid[], $3::text[]) AS a (id, owner_id) \
             WHERE leads.workspace_id = $1 AND leads.id = a.id \
             RETURNING leads.id, leads.owner_id, leads.version",
        )
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Array<Text>, _>(owners)
        .load(conn)
        .await
    }

    /// Stores scores computed from the workspace's rules. A score is derived, not an edit:
    /// the version stays, so a caller's `expectedVersion` is not made stale by a rescoring.
    pub async fn save_scores(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        scores: &[(Uuid, i32)],
    ) -> QueryResult<usize> {
        let (ids, values): (Vec<Uuid>, Vec<i32>) = scores.iter().copied().unzip();
        diesel::sql_query(
            "UPDATE leads SET score = s.score \
             FROM unnest($2::uuid[], $3::int4[]) AS s (id, score) \
             WHERE leads.workspace_id = $1 AND leads.id = s.id",
        )
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Array<Int4>, _>(values)
        .execute(conn)
        .await
    }
}
