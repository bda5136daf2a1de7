//! Operations on leads, used by GraphQL (and later the CLI, webhooks and agent tools): reads
//! check the `crm:read` scope; plain writes are the write path's generic record operations,
//! which leads join by implementing `Record` (in `lead.rs`); the lifecycle and the conversion
//! are operations of their own on the write path.

mod conversion;
mod lead;
mod lifecycle;
mod workspace_rules;

use uuid::Uuid;

pub use self::conversion::{convert, Converted};
pub use self::lifecycle::{assign, change_status, StatusChanged};
use super::model::{
    ConversionsWindow, Lead, LeadConversion, LeadConversionFilter, LeadFilter, LeadStatusCounts,
};
pub use super::rules::{LeadInput, LeadPatch, Transition};
use super::{LeadsWindow, Listing};
use crate::auth::{Actor, Scope};
use crate::contacts::rules::search_term;
use crate::db::DbPool;
use crate::error::AppError;

/// `lead(id)`: the lead, or none when the workspace has no such lead.
pub async fn lead(pool: &DbPool, actor: &Actor, id: Uuid) -> Result<Option<Lead>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    Ok(Lead::find(&mut conn, actor.workspace_id, id).await?)
}

/// The open lead (not converted or disqualified) holding `email` (in any case), or none.
pub async fn open_lead_by_email(
    pool: &DbPool,
    actor: &Actor,
    email: &str,
) -> Result<Option<Lead>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    match Lead::open_id_by_email(&mut conn, actor.workspace_id, email.trim()).await? {
        Some(id) => Ok(Lead::find(&mut conn, actor.workspace_id, id).await?),
        None => Ok(None),
    }
}

/// `leads(filter, …)`: one page and the total number of matches.
pub async fn leads(
    pool: &DbPool,
    actor: &Actor,
    mut filter: LeadFilter,
    window: &LeadsWindow,
) -> Result<Listing<Lead>, AppError> {
    actor.require(Scope::CrmRead)?;
    filter.search = search_term("filter.search", filter.search.as_deref())?;
    for (field, bound) in [
        ("filter.scoreMin", filter.score_min),
        ("filter.scoreMax", filter.score_max),
    ] {
        if let Some(bound) = bound {
            super::rules::score(field, bound)?;
        }
    }
    if filter.unowned && filter.owner_id.is_some() {
        return Err(AppError::bad_input(
            "filter.unowned",
            "cannot be combined with filter.ownerId",
        ));
    }
    let mut conn = crate::db::conn(pool).await?;
    let rows = Lead::page(&mut conn, actor.workspace_id, &filter, window).await?;
    // Kept per status by the database: unfiltered or by status, the total costs one row
    // per status, not one per lead.
    let total = if filter.by_status_only() {
        LeadStatusCounts::total(&mut conn, actor.workspace_id, filter.status).await?
    } else {
        Lead::count(&mut conn, actor.workspace_id, &filter).await?
    };
    Ok(Listing { rows, total })
}

/// `leadConversions(filter, …)`: one page, newest first, and the total number of matches.
pub async fn conversions(
    pool: &DbPool,
    actor: &Actor,
    mut filter: LeadConversionFilter,
    window: &ConversionsWindow,
) -> Result<Listing<LeadConversion>, AppError> {
    actor.require(Scope::CrmRead)?;
    if let (Some(from), Some(to)) = (filter.converted_from, filter.converted_to) {
        if to < from {
            return Err(AppError::bad_input(
                "filter.convertedTo",
                "must not be before filter.convertedFrom",
            ));
        }
    }
    filter.owner_id = crate::validate::optional_text(
        "filter.ownerId",
        filter.owner_id.as_deref(),
        super::rules::OWNER_ID_MAX,
    )?;
    let mut conn = crate::db::conn(pool).await?;
    let rows = LeadConversion::page(&mut conn, actor.workspace_id, &filter, window).await?;
    let total = LeadConversion::count(&mut conn, actor.workspace_id, &filter).await?;
    Ok(Listing { rows, total })
}
