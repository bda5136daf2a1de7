//! Deal tags (the workspace's own labels for deals, separate from contact tags) and which
//! deal carries which.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::schema::{deal_taggings, deal_tags};

/// The unique index behind "one tag per name per workspace, whatever the case".
pub const NAME_UNIQUE: &str = "deal_tags_name_unique";

/// A tag row; tags are never edited, so the row is its own insert.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = deal_tags, check_for_backend(diesel::pg::Pg))]
pub struct DealTag {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub name: String,
    pub color: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A deal carrying a tag.
#[derive(Debug, Clone, PartialEq, Queryable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = deal_taggings)]
pub struct DealTagging {
    pub workspace_id: Uuid,
    pub deal_id: Uuid,
    pub tag_id: Uuid,
}

impl DealTag {
    pub async fn insert(conn: &mut AsyncPgConnection, tag: &DealTag) -> QueryResult<DealTag> {
        diesel::insert_into(deal_tags::table)
            .values(tag)
            .returning(DealTag::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn list(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
    ) -> QueryResult<Vec<DealTag>> {
        deal_tags::table
            .filter(deal_tags::workspace_id.eq(workspace_id))
            .order(deal_tags::name)
            .select(DealTag::as_select())
            .load(conn)
            .await
    }

    pub async fn find(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<Option<DealTag>> {
        deal_tags::table
            .filter(
                deal_tags::workspace_id
                    .eq(workspace_id)
                    .and(deal_tags::id.eq(id)),
            )
            .select(DealTag::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// Tags of several deals, one query: `(deal id, tag)` pairs.
    pub async fn of_deals(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        deal_ids: &[Uuid],
    ) -> QueryResult<Vec<(Uuid, DealTag)>> {
        deal_taggings::table
            .inner_join(deal_tags::table.on(deal_tags::id.eq(deal_taggings::tag_id)))
            .filter(
                deal_taggings::workspace_id
                    .eq(workspace_id)
                    .and(deal_taggings::deal_id.eq_any(deal_ids)),
            )
            .order((deal_taggings::deal_id, deal_tags::name))
            .select((deal_taggings::deal_id, DealTag::as_select()))
            .load(conn)
            .await
    }
}

impl DealTagging {
    /// Tags the deal; tagging it twice changes nothing. Returns the rows inserted (0 or 1).
    pub async fn insert(conn: &mut AsyncPgConnection, tagging: &DealTagging) -> QueryResult<usize> {
        diesel::insert_into(deal_taggings::table)
            .values(tagging)
            .on_conflict_do_nothing()
            .execute(conn)
            .await
    }

    /// Untags the deal. Returns the rows deleted (0 or 1).
    pub async fn delete(
        conn: &mut AsyncPgConnection,
        deal_id: Uuid,
        tag_id: Uuid,
    ) -> QueryResult<usize> {
        diesel::delete(
            deal_taggings::table.filter(
                deal_taggings::deal_id
                    .eq(deal_id)
                    .and(deal_taggings::tag_id.eq(tag_id)),
            ),
        )
        .execute(conn)
        .await
    }
}
