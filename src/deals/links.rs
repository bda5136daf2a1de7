//! Who is involved in a deal: links to contacts with a role. Deals reference contacts and
//! never copy them, so a contact's change shows everywhere.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::model::Deal;
use super::ops::deal_not_found;
use super::rules::MAX_ROLE_LEN;
use crate::auth::{Actor, Scope};
use crate::db::schema::deal_contacts;
use crate::db::DbPool;
use crate::error::AppError;
use crate::validate;
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = deal_contacts, check_for_backend(diesel::pg::Pg))]
pub struct DealContact {
    pub workspace_id: Uuid,
    pub deal_id: Uuid,
    pub contact_id: Uuid,
    pub role: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl DealContact {
    /// Links of several deals, one query.
    pub async fn of_deals(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        deal_ids: &[Uuid],
    ) -> QueryResult<Vec<DealContact>> {
        deal_contacts::table
            .filter(
                deal_contacts::workspace_id
                    .eq(workspace_id)
                    .and(deal_contacts::deal_id.eq_any(deal_ids)),
            )
            .order((
                deal_contacts::deal_id,
                deal_contacts::created_at,
                deal_contacts::contact_id,
            ))
            .select(DealContact::as_select())
            .load(conn)
            .await
    }

    /// Links of several contacts, one query.
    pub async fn of_contacts(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        contact_ids: &[Uuid],
    ) -> QueryResult<Vec<DealContact>> {
        deal_contacts::table
            .filter(
                deal_contacts::workspace_id
                    .eq(workspace_id)
                    .and(deal_contacts::contact_id.eq_any(contact_ids)),
            )
            .order((
                deal_contacts::contact_id,
                deal_contacts::created_at,
                deal_contacts::deal_id,
            ))
            .select(DealContact::as_select())
            .load(conn)
            .await
    }

    /// Inserts the link or changes its role.
    async fn upsert(conn: &mut AsyncPgConnection, link: &DealContact) -> QueryResult<DealContact> {
        diesel::insert_into(deal_contacts::table)
            .values(link)
            .on_conflict((deal_contacts::deal_id, deal_contacts::contact_id))
            .do_update()
            .set(deal_contacts::role.eq(&link.role))
            .returning(DealContact::as_returning())
            .get_result(conn)
            .await
    }

    async fn find(
        conn: &mut AsyncPgConnection,
        deal_id: Uuid,
        contact_id: Uuid,
    ) -> QueryResult<Option<DealContact>> {
        deal_contacts::table
            .filter(
                deal_contacts::deal_id
                    .eq(deal_id)
                    .and(deal_contacts::contact_id.eq(contact_id)),
            )
            .select(DealContact::as_select())
            .first(conn)
            .await
            .optional()
    }

    async fn delete(
        conn: &mut AsyncPgConnection,
        deal_id: Uuid,
        contact_id: Uuid,
    ) -> QueryResult<usize> {
        diesel::delete(
            deal_contacts::table.filter(
                deal_contacts::deal_id
                    .eq(deal_id)
                    .and(deal_contacts::contact_id.eq(contact_id)),
            ),
        )
        .execute(conn)
        .await
    }
}

/// `linkDealContact`: one link per (deal, contact); linking again changes the role.
pub async fn link_contact(
    pool: &DbPool,
    actor: &Actor,
    deal_id: Uuid,
    contact_id: Uuid,
    role: Option<String>,
    options: WriteOptions,
) -> Result<WriteResult<DealContact>, AppError> {
    let request = WriteRequest {
        action: "deal.link_contact",
        entity_type: "deal",
        entity_id: Some(deal_id),
        scope: Scope::CrmWrite,
        input: json!({ "dealId": deal_id, "contactId": contact_id, "role": role }),
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let role = validate::optional_text("input.role", role.as_deref(), MAX_ROLE_LEN)?;
            Deal::find_for_update(conn, workspace_id, deal_id).await?.ok_or_else(|| deal_not_found(deal_id))?;
            let before = DealContact::find(conn, deal_id, contact_id).await?;
            let link = DealContact { workspace_id, deal_id, contact_id, role, created_at: Utc::now() };
            // The composite foreign key refuses a contact of another workspace.
            let after = DealContact::upsert(conn, &link).await.map_err(|e| match e {
                diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::ForeignKeyViolation, _) => {
                    AppError::not_found("contact", contact_id)
                }
                other => other.into(),
            })?;
            let before_json = before.as_ref().map(snapshot).transpose()?;
            let after_json = snapshot(&after)?;
            let events = if before_json.as_ref() == Some(&after_json) {
                vec![]
            } else {
                vec![crate::events::NewEvent {
                    event_type: "deal.contact_linked",
                    entity_type: "deal",
                    entity_id: deal_id,
                    payload: json!({ "dealId": deal_id, "contactId": contact_id, "role": after.role }),
                }]
            };
            Ok(Written { entity_id: deal_id, before: before_json.or(Some(json!(null))), after: Some(after_json), events, value: after })
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
    let request = WriteRequest {
        action: "deal.unlink_contact",
        entity_type: "deal",
        entity_id: Some(deal_id),
        scope: Scope::CrmWrite,
        input: json!({ "dealId": deal_id, "contactId": contact_id }),
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            Deal::find_for_update(conn, workspace_id, deal_id)
                .await?
                .ok_or_else(|| deal_not_found(deal_id))?;
            let link = DealContact::find(conn, deal_id, contact_id)
                .await?
                .filter(|l| l.workspace_id == workspace_id)
                .ok_or_else(|| AppError::not_found("deal contact link", contact_id))?;
            DealContact::delete(conn, deal_id, contact_id).await?;
            let event = crate::events::NewEvent {
                event_type: "deal.contact_unlinked",
                entity_type: "deal",
                entity_id: deal_id,
                payload: json!({ "dealId": deal_id, "contactId": contact_id }),
            };
            Ok(Written {
                entity_id: deal_id,
                before: Some(snapshot(&link)?),
                after: None,
                events: vec![event],
                value: link,
            })
        }
        .boxed()
    })
    .await
}
