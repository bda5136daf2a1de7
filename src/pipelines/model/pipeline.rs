//! The pipeline row, its insert and its update, and their SQL.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::schema::pipelines;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = pipelines, check_for_backend(diesel::pg::Pg))]
pub struct Pipeline {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub name: String,
    pub is_default: bool,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = pipelines)]
pub struct NewPipeline<'a> {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub name: &'a str,
    pub is_default: bool,
}

/// The editable columns, written back whole after the rules have run.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = pipelines, treat_none_as_null = true)]
pub struct PipelineChanges<'a> {
    pub name: &'a str,
    pub archived_at: Option<DateTime<Utc>>,
}

impl<'a> PipelineChanges<'a> {
    pub fn of(pipeline: &'a Pipeline) -> Self {
        PipelineChanges {
            name: &pipeline.name,
            archived_at: pipeline.archived_at,
        }
    }
}

crate::db::record_sql::tenant_find_sql!(Pipeline, pipelines);

impl Pipeline {
    pub async fn insert(
        conn: &mut AsyncPgConnection,
        new: &NewPipeline<'_>,
    ) -> QueryResult<Pipeline> {
        diesel::insert_into(pipelines::table)
            .values(new)
            .returning(Pipeline::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn find_default(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
    ) -> QueryResult<Option<Pipeline>> {
        pipelines::table
            .filter(
                pipelines::workspace_id
                    .eq(workspace_id)
                    .and(pipelines::is_default),
            )
            .select(Pipeline::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// The workspace's pipelines, default first, then by creation.
    pub async fn list(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        include_archived: bool,
    ) -> QueryResult<Vec<Pipeline>> {
        let mut query = pipelines::table
            .filter(pipelines::workspace_id.eq(workspace_id))
            .select(Pipeline::as_select())
            .order((
                pipelines::is_default.desc(),
                pipelines::created_at,
                pipelines::id,
            ))
            .into_boxed();
        if !include_archived {
            query = query.filter(pipelines::archived_at.is_null());
        }
        query.load(conn).await
    }

    pub async fn count(conn: &mut AsyncPgConnection, workspace_id: Uuid) -> QueryResult<i64> {
        pipelines::table
            .filter(pipelines::workspace_id.eq(workspace_id))
            .count()
            .get_result(conn)
            .await
    }

    /// Makes `id` the default; the old default is cleared first (the partial unique index
    /// is checked row by row).
    pub async fn make_default(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<()> {
        diesel::update(pipelines::table)
            .filter(
                pipelines::workspace_id
                    .eq(workspace_id)
                    .and(pipelines::is_default)
                    .and(pipelines::id.ne(id)),
            )
            .set((
                pipelines::is_default.eq(false),
                pipelines::updated_at.eq(diesel::dsl::now),
                pipelines::version.eq(pipelines::version + 1),
            ))
            .execute(conn)
            .await?;
        diesel::update(pipelines::table)
            .filter(
                pipelines::workspace_id
                    .eq(workspace_id)
                    .and(pipelines::id.eq(id)),
            )
            .set(pipelines::is_default.eq(true))
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Saves name and archive state, bumping the version.
    pub async fn save(conn: &mut AsyncPgConnection, pipeline: &Pipeline) -> QueryResult<Pipeline> {
        diesel::update(pipelines::table)
            .filter(
                pipelines::workspace_id
                    .eq(pipeline.workspace_id)
                    .and(pipelines::id.eq(pipeline.id)),
            )
            .set((
                PipelineChanges::of(pipeline),
                pipelines::version.eq(pipelines::version + 1),
                pipelines::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Pipeline::as_returning())
            .get_result(conn)
            .await
    }
}
