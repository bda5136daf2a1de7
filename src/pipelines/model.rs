//! Pipeline and stage rows and their SQL.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::rules::{StageKind, ValidStage};
use crate::db::schema::{pipelines, stages};

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

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = stages, check_for_backend(diesel::pg::Pg))]
pub struct Stage {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub pipeline_id: Uuid,
    pub name: String,
    pub key: Option<String>,
    pub position: i32,
    pub probability: BigDecimal,
    pub kind: String,
    pub color: Option<String>,
    pub rotting_days: Option<i32>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Stage {
    pub fn kind(&self) -> StageKind {
        StageKind::parse(&self.kind)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = stages)]
pub struct NewStage<'a> {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub pipeline_id: Uuid,
    pub name: &'a str,
    pub key: Option<&'a str>,
    pub position: i32,
    pub probability: &'a BigDecimal,
    pub kind: &'a str,
    pub color: Option<&'a str>,
    pub rotting_days: Option<i32>,
}

impl<'a> NewStage<'a> {
    pub fn from_valid(
        workspace_id: Uuid,
        pipeline_id: Uuid,
        position: i32,
        stage: &'a ValidStage,
    ) -> Self {
        NewStage {
            workspace_id,
            id: Uuid::now_v7(),
            pipeline_id,
            name: &stage.name,
            key: stage.key.as_deref(),
            position,
            probability: &stage.probability,
            kind: stage.kind.as_str(),
            color: stage.color.as_deref(),
            rotting_days: stage.rotting_days,
        }
    }
}

/// Changes to a stage; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = stages)]
pub struct StageChanges {
    pub name: Option<String>,
    pub key: Option<Option<String>>,
    pub probability: Option<BigDecimal>,
    pub kind: Option<String>,
    pub color: Option<Option<String>>,
    pub rotting_days: Option<Option<i32>>,
}

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

    pub async fn find(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<Option<Pipeline>> {
        pipelines::table
            .filter(
                pipelines::workspace_id
                    .eq(workspace_id)
                    .and(pipelines::id.eq(id)),
            )
            .select(Pipeline::as_select())
            .first(conn)
            .await
            .optional()
    }

    pub async fn find_for_update(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<Option<Pipeline>> {
        pipelines::table
            .filter(
                pipelines::workspace_id
                    .eq(workspace_id)
                    .and(pipelines::id.eq(id)),
            )
            .select(Pipeline::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    pub async fn find_many(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        ids: &[Uuid],
    ) -> QueryResult<Vec<Pipeline>> {
        pipelines::table
            .filter(
                pipelines::workspace_id
                    .eq(workspace_id)
                    .and(pipelines::id.eq_any(ids)),
            )
            .select(Pipeline::as_select())
            .load(conn)
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
                pipelines::name.eq(&pipeline.name),
                pipelines::archived_at.eq(pipeline.archived_at),
                pipelines::version.eq(pipelines::version + 1),
                pipelines::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Pipeline::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn delete(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<usize> {
        diesel::delete(
            pipelines::table.filter(
                pipelines::workspace_id
                    .eq(workspace_id)
                    .and(pipelines::id.eq(id)),
            ),
        )
        .execute(conn)
        .await
    }
}

impl Stage {
    pub async fn insert_many(
        conn: &mut AsyncPgConnection,
        new: &[NewStage<'_>],
    ) -> QueryResult<Vec<Stage>> {
        diesel::insert_into(stages::table)
            .values(new)
            .returning(Stage::as_returning())
            .get_results(conn)
            .await
    }

    pub async fn find(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<Option<Stage>> {
        stages::table
            .filter(stages::workspace_id.eq(workspace_id).and(stages::id.eq(id)))
            .select(Stage::as_select())
            .first(conn)
            .await
            .optional()
    }

    pub async fn find_many(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        ids: &[Uuid],
    ) -> QueryResult<Vec<Stage>> {
        stages::table
            .filter(
                stages::workspace_id
                    .eq(workspace_id)
                    .and(stages::id.eq_any(ids)),
            )
            .select(Stage::as_select())
            .load(conn)
            .await
    }

    /// Stages of several pipelines, in pipeline then position order (one query per batch).
    pub async fn of_pipelines(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        pipeline_ids: &[Uuid],
    ) -> QueryResult<Vec<Stage>> {
        stages::table
            .filter(
                stages::workspace_id
                    .eq(workspace_id)
                    .and(stages::pipeline_id.eq_any(pipeline_ids)),
            )
            .select(Stage::as_select())
            .order((stages::pipeline_id, stages::position))
            .load(conn)
            .await
    }

    /// A pipeline's stages in order, locked: stage edits of one pipeline serialise.
    pub async fn of_pipeline_for_update(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        pipeline_id: Uuid,
    ) -> QueryResult<Vec<Stage>> {
        stages::table
            .filter(
                stages::workspace_id
                    .eq(workspace_id)
                    .and(stages::pipeline_id.eq(pipeline_id)),
            )
            .select(Stage::as_select())
            .order(stages::position)
            .for_update()
            .load(conn)
            .await
    }

    pub async fn update(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
        changes: &StageChanges,
    ) -> QueryResult<Stage> {
        diesel::update(
            stages::table.filter(stages::workspace_id.eq(workspace_id).and(stages::id.eq(id))),
        )
        .set((
            changes,
            stages::version.eq(stages::version + 1),
            stages::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Stage::as_returning())
        .get_result(conn)
        .await
    }

    pub async fn set_position(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        position: i32,
    ) -> QueryResult<()> {
        diesel::update(stages::table.filter(stages::id.eq(id)))
            .set((
                stages::position.eq(position),
                stages::updated_at.eq(diesel::dsl::now),
                stages::version.eq(stages::version + 1),
            ))
            .execute(conn)
            .await
            .map(drop)
    }

    pub async fn delete(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<usize> {
        diesel::delete(
            stages::table.filter(stages::workspace_id.eq(workspace_id).and(stages::id.eq(id))),
        )
        .execute(conn)
        .await
    }
}
