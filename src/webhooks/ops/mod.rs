//! Webhook operations: managing endpoints (`manage`), sending again on demand (`resend`),
//! and the reads (`read`). Every one needs `admin`; writes go through the write path.

pub mod manage;
pub mod read;
pub mod resend;

use uuid::Uuid;

use super::model::WebhookEndpoint;
use crate::error::AppError;
use diesel_async::AsyncPgConnection;

const ENTITY: &str = "webhook_endpoint";

async fn locked_endpoint(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<WebhookEndpoint, AppError> {
    let endpoint = WebhookEndpoint::find_for_update(conn, workspace_id, id)
        .await?
        .ok_or_else(|| AppError::not_found(ENTITY, id))?;
    crate::validate::expected_version(expected_version, endpoint.version, ENTITY, id)?;
    Ok(endpoint)
}
