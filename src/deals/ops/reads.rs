//! Reads the API makes outside its loaders: a page of the deal list, its total, the tag list.
//! The caller has checked `crm:read`; each read holds a connection only for its statement.

use uuid::Uuid;

use crate::db::DbPool;
use crate::deals::model::{Deal, DealFilter, DealTag, DealWindow};
use crate::error::AppError;

/// One keyset page of the filtered, ordered deals, with one row more than the window's limit
/// when another page follows.
pub async fn deal_page(
    pool: &DbPool,
    workspace_id: Uuid,
    filter: &DealFilter,
    window: &DealWindow,
) -> Result<Vec<Deal>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    Ok(Deal::page(&mut conn, workspace_id, filter, window).await?)
}

/// How many deals match `filter`, across pages.
pub async fn count_deals(
    pool: &DbPool,
    workspace_id: Uuid,
    filter: &DealFilter,
) -> Result<i64, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    Ok(Deal::count_filtered(&mut conn, workspace_id, filter).await?)
}

/// The workspace's deal tags, by name.
pub async fn deal_tags(pool: &DbPool, workspace_id: Uuid) -> Result<Vec<DealTag>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    Ok(DealTag::list(&mut conn, workspace_id).await?)
}
