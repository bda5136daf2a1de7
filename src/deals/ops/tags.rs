//! Deal tags: creating the workspace's tags, and tagging and untagging deals.

use chrono::Utc;
use futures_util::FutureExt;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::DbPool;
use crate::deals::model::tag::NAME_UNIQUE;
use crate::deals::model::{Deal, DealTag, DealTagging};
use crate::deals::rules::MAX_TAG_NAME_LEN;
use crate::error::{unique_conflict, AppError};
use crate::validate;
use crate::write::locked::locked;
use crate::write::{self, WriteOptions, WriteRequest, WriteResult, Written};

/// `createDealTag`: names are unique per workspace, case-insensitively.
pub async fn create_tag(
    pool: &DbPool,
    actor: &Actor,
    name: String,
    color: Option<String>,
    options: WriteOptions,
) -> Result<WriteResult<DealTag>, AppError> {
    let request = WriteRequest::crm(
        "deal_tag.create",
        None,
        json!({ "name": name, "color": color }),
        options,
    );
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let tag = DealTag {
                workspace_id,
                id: Uuid::now_v7(),
                name: validate::required_text("input.name", &name, MAX_TAG_NAME_LEN)?,
                color: validate::color("input.color", color.as_deref())?,
                created_at: Utc::now(),
            };
            let tag = DealTag::insert(conn, &tag).await.map_err(|e| {
                unique_conflict(
                    e,
                    &[(
                        NAME_UNIQUE,
                        "input.name",
                        "a deal tag with this name already exists",
                    )],
                )
            })?;
            Written::created(tag.id, tag, vec![])
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
    let request = WriteRequest::crm(
        if tagged { "deal.tag" } else { "deal.untag" },
        Some(deal_id),
        json!({ "dealId": deal_id, "tagId": tag_id }),
        options,
    );
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let deal = locked::<Deal>(conn, workspace_id, deal_id, None).await?;
            let tag = DealTag::find(conn, workspace_id, tag_id)
                .await?
                .ok_or_else(|| AppError::not_found("deal tag", tag_id))?;
            let changed = if tagged {
                let tagging = DealTagging {
                    workspace_id,
                    deal_id,
                    tag_id,
                };
                DealTagging::insert(conn, &tagging).await?
            } else {
                DealTagging::delete(conn, deal_id, tag_id).await?
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
