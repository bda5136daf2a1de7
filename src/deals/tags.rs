//! Deal tags: the workspace's own labels for deals (separate from contact tags).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::model::Deal;
use super::ops::deal_not_found;
use crate::auth::{Actor, Scope};
use crate::db::schema::{deal_taggings, deal_tags};
use crate::db::DbPool;
use crate::error::{unique_conflict, AppError};
use crate::validate;
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

pub const MAX_TAG_NAME_LEN: usize = 100;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = deal_tags, check_for_backend(diesel::pg::Pg))]
pub struct DealTag {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub name: String,
    pub color: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = deal_taggings)]
pub struct Tagging {
    pub workspace_id: Uuid,
    pub deal_id: Uuid,
    pub tag_id: Uuid,
}

impl DealTag {
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

/// `createDealTag`: names are unique per workspace, case-insensitively.
pub async fn create_tag(
    pool: &DbPool,
    actor: &Actor,
    name: String,
    color: Option<String>,
    options: WriteOptions,
) -> Result<WriteResult<DealTag>, AppError> {
    let request = WriteRequest {
        action: "deal_tag.create",
        entity_type: "deal_tag",
        entity_id: None,
        scope: Scope::CrmWrite,
        input: json!({ "name": name, "color": color }),
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let tag = DealTag {
                workspace_id,
                id: Uuid::now_v7(),
                name: validate::required_text("input.name", &name, MAX_TAG_NAME_LEN)?,
                color: validate::color("input.color", color.as_deref())?,
                created_at: Utc::now(),
            };
            let tag = diesel::insert_into(deal_tags::table)
                .values(&tag)
                .returning(DealTag::as_returning())
                .get_result(conn)
                .await
                .map_err(|e| {
                    unique_conflict(
                        e,
                        &[(
                            "deal_tags_name_unique",
                            "input.name",
                            "a deal tag with this name already exists",
                        )],
                    )
                })?;
            Ok(Written {
                entity_id: tag.id,
                before: None,
                after: Some(snapshot(&tag)?),
                events: vec![],
                value: tag,
            })
        }
        .boxed()
    })
    .await
}

/// `tagDeal` / `untagDeal`. Tagging twice or untagging an untagged deal changes nothing.
pub async fn set_tagged(
    pool: &DbPool,
    actor: &Actor,
    deal_id: Uuid,
    tag_id: Uuid,
    tagged: bool,
    options: WriteOptions,
) -> Result<WriteResult<Deal>, AppError> {
    let request = WriteRequest {
        action: if tagged { "deal.tag" } else { "deal.untag" },
        entity_type: "deal",
        entity_id: Some(deal_id),
        scope: Scope::CrmWrite,
        input: json!({ "dealId": deal_id, "tagId": tag_id }),
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let deal = Deal::find_for_update(conn, workspace_id, deal_id)
                .await?
                .ok_or_else(|| deal_not_found(deal_id))?;
            let tag = DealTag::find(conn, workspace_id, tag_id)
                .await?
                .ok_or_else(|| AppError::not_found("deal tag", tag_id))?;
            let changed = if tagged {
                diesel::insert_into(deal_taggings::table)
                    .values(&Tagging {
                        workspace_id,
                        deal_id,
                        tag_id,
                    })
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?
            } else {
                diesel::delete(
                    deal_taggings::table.filter(
                        deal_taggings::deal_id
                            .eq(deal_id)
                            .and(deal_taggings::tag_id.eq(tag_id)),
                    ),
                )
                .execute(conn)
                .await?
            };
            let before =
                json!({ "tag": tag.name, "tagged": if changed > 0 { !tagged } else { tagged } });
            let after = json!({ "tag": tag.name, "tagged": tagged });
            Ok(Written {
                entity_id: deal_id,
                before: Some(before),
                after: Some(after),
                events: vec![],
                value: deal,
            })
        }
        .boxed()
    })
    .await
}
