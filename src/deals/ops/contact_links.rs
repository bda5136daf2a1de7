//! Linking contacts to deals, with a role: one link per (deal, contact).

use chrono::Utc;
use futures_util::FutureExt;
use serde_json::json;
use uuid::Uuid;

use super::event;
use crate::auth::Actor;
use crate::db::DbPool;
use crate::deals::events;
use crate::deals::model::{Deal, DealContact};
use crate::deals::rules::MAX_ROLE_LEN;
use crate::error::AppError;
use crate::validate;
use crate::write::locked::locked;
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

/// `linkDealContact`: linking again changes the role.
pub async fn link_contact(
    pool: &DbPool,
    actor: &Actor,
    deal_id: Uuid,
    contact_id: Uuid,
    role: Option<String>,
    options: WriteOptions,
) -> Result<WriteResult<DealContact>, AppError> {
    let request = WriteRequest::crm(
        "deal.link_contact",
        Some(deal_id),
        json!({ "dealId": deal_id, "contactId": contact_id, "role": role }),
        options,
    );
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let role = validate::optional_text("input.role", role.as_deref(), MAX_ROLE_LEN)?;
            locked::<Deal>(conn, workspace_id, deal_id, None).await?;
            let before = DealContact::find(conn, deal_id, contact_id).await?;
            let link = DealContact {
                workspace_id,
                deal_id,
                contact_id,
                role,
                created_at: Utc::now(),
            };
            // The composite foreign key refuses a contact of another workspace.
            let after = DealContact::upsert(conn, &link)
                .await
                .map_err(|e| match e {
                    diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                        _,
                    ) => AppError::not_found("contact", contact_id),
                    other => other.into(),
                })?;
            let before_json = before.as_ref().map(snapshot).transpose()?;
            let after_json = snapshot(&after)?;
            let events = if before_json.as_ref() == Some(&after_json) {
                vec![]
            } else {
                vec![event(&events::ContactLinked::from(&after))?]
            };
            Ok(Written {
                entity_id: deal_id,
                before: before_json.or(Some(json!(null))),
                after: Some(after_json),
                events,
                value: after,
            })
        }
        .boxed()
    })
    .await
}

/// `unlinkDealContact`. Unlinking a contact that is not linked is NOT_FOUND.
pub async fn unlink_contact(
    pool: &DbPool,
    actor: &Actor,
    deal_id: Uuid,
    contact_id: Uuid,
    options: WriteOptions,
) -> Result<WriteResult<DealContact>, AppError> {
    let request = WriteRequest::crm(
        "deal.unlink_contact",
        Some(deal_id),
        json!({ "dealId": deal_id, "contactId": contact_id }),
        options,
    );
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            locked::<Deal>(conn, workspace_id, deal_id, None).await?;
            let link = DealContact::find(conn, deal_id, contact_id)
                .await?
                .filter(|l| l.workspace_id == workspace_id)
                .ok_or_else(|| AppError::not_found("deal contact link", contact_id))?;
            DealContact::delete(conn, deal_id, contact_id).await?;
            let event = event(&events::ContactUnlinked {
                deal_id,
                contact_id,
            })?;
            Written::deleted(deal_id, link, vec![event])
        }
        .boxed()
    })
    .await
}
