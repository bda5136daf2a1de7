//! Reading a timeline: for an id of any kind of record (`timeline(entityId:)`), or for a
//! record whose kind the caller knows (`Deal.timeline`).

use uuid::Uuid;

use super::{model, ItemKind, Listing, TimelineItem, TimelineWindow};
use crate::activities::rules::LinkKind;
use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::AppError;

/// `timeline(entityId)`: the id must name a contact, company, deal or lead of the workspace.
pub async fn timeline(
    pool: &DbPool,
    actor: &Actor,
    entity_id: Uuid,
    kinds: &[ItemKind],
    window: &TimelineWindow,
) -> Result<Listing<TimelineItem>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    let kind = model::record_kind(&mut conn, actor.workspace_id, entity_id)
        .await?
        .ok_or_else(|| AppError::not_found_at("entityId", "record", entity_id))?;
    let (rows, total) = model::page(
        &mut conn,
        actor.workspace_id,
        kind,
        entity_id,
        kinds,
        window,
    )
    .await?;
    Ok(Listing { rows, total })
}

/// The timeline of a record the caller has already found.
pub async fn timeline_of(
    pool: &DbPool,
    actor: &Actor,
    kind: LinkKind,
    record: Uuid,
    kinds: &[ItemKind],
    window: &TimelineWindow,
) -> Result<Listing<TimelineItem>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    let (rows, total) =
        model::page(&mut conn, actor.workspace_id, kind, record, kinds, window).await?;
    Ok(Listing { rows, total })
}
