//! Reads the API makes outside its loaders. The caller has checked `crm:read`.

use uuid::Uuid;

use crate::db::DbPool;
use crate::error::AppError;
use crate::pipelines::model::Pipeline;

/// The workspace's pipelines, the default first, then by creation.
pub async fn pipelines(
    pool: &DbPool,
    workspace_id: Uuid,
    include_archived: bool,
) -> Result<Vec<Pipeline>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    Ok(Pipeline::list(&mut conn, workspace_id, include_archived).await?)
}
