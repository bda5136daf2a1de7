//! The stage row (a step of a pipeline), its insert and its update, and their SQL.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::schema::stages;
use crate::pipelines::rules::{StageKind, ValidStage};

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

crate::db::record_sql::tenant_find_sql!(Stage, stages);

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

/// The editable columns, written back whole after the rules have run. Named for what it is,
/// not `StageChanges`, which would sit a letter away from a deal's history row `StageChange`.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = stages, treat_none_as_null = true)]
pub struct StageUpdate<'a> {
    pub name: &'a str,
    pub key: Option<&'a str>,
    pub probability: &'a BigDecimal,
    pub kind: &'a str,
    pub color: Option<&'a str>,
    pub rotting_days: Option<i32>,
}

impl<'a> StageUpdate<'a> {
    pub fn of(stage: &'a Stage) -> Self {
        StageUpdate {
            name: &stage.name,
            key: stage.key.as_deref(),
            probability: &stage.probability,
            kind: &stage.kind,
            color: stage.color.as_deref(),
            rotting_days: stage.rotting_days,
        }
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
        update: &StageUpdate<'_>,
    ) -> QueryResult<Stage> {
        diesel::update(
            stages::table.filter(stages::workspace_id.eq(workspace_id).and(stages::id.eq(id))),
        )
        .set((
            update,
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
}
