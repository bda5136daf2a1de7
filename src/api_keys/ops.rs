//! Creating and revoking keys through the write path, and the operator's revocation.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::FutureExt;
use serde_json::json;
use uuid::Uuid;

use super::events::{self, KeyIdentity};
use crate::audit::AuditEvent;
use crate::auth::model::ApiKey;
use crate::auth::ops::{
    insert_key, sorted_scope_names, validate_new_key, CreatedApiKey, NewKeyInput,
};
use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::NewEvent;
use crate::write::{self, WriteOptions, WriteRequest, WriteResult, Written};

/// The audit names of key management.
const ENTITY: &str = "api_key";
const ENTITY_CREATE: &str = "api_key.create";
const ENTITY_REVOKE: &str = "api_key.revoke";

/// `createApiKey`: a new key in the caller's workspace (admin only).
pub async fn create_api_key(
    pool: &DbPool,
    actor: &Actor,
    input: NewKeyInput,
    options: WriteOptions,
) -> Result<WriteResult<CreatedApiKey>, AppError> {
    let canonical = json!({ "name": input.name, "scopes": sorted_scope_names(&input.scopes) });
    let request = WriteRequest::new(ENTITY_CREATE, ENTITY, Scope::Admin, canonical, options);
    let creator = actor.key_id;
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            validate_new_key(&input)?;
            let created = insert_key(conn, workspace_id, &input, Some(creator)).await?;
            Ok(Written {
                entity_id: created.key.id,
                before: None,
                after: Some(serde_json::to_value(&created.key)?),
                events: vec![NewEvent::new(
                    events::CREATED,
                    created.key.id,
                    &KeyIdentity::from(&created.key),
                )?],
                value: created,
            })
        }
        .boxed()
    })
    .await
}

/// `revokeApiKey`: the key stops working at once. Revoking a revoked key changes nothing.
pub async fn revoke_api_key(
    pool: &DbPool,
    actor: &Actor,
    key_id: Uuid,
    options: WriteOptions,
) -> Result<WriteResult<ApiKey>, AppError> {
    let canonical = json!({ "id": key_id });
    let request =
        WriteRequest::new(ENTITY_REVOKE, ENTITY, Scope::Admin, canonical, options).on(key_id);
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let (before, after, events) = revoke(conn, workspace_id, key_id).await?;
            Written::changed(key_id, &before, after, events)
        }
        .boxed()
    })
    .await
}

/// `dealgraph api-key revoke`: the operator's revocation, with no acting key (the way out
/// when the last admin key has leaked). Audited and announced like `revokeApiKey`, so running
/// servers close the key's WebSockets as soon as its event reaches them.
pub async fn revoke_api_key_as_operator(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    key_id: Uuid,
) -> Result<ApiKey, AppError> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let (before, after, events) = revoke(conn, workspace_id, key_id).await?;
        if events.is_empty() {
            return Ok(after);
        }
        let (before_json, after_json) = (
            serde_json::to_value(&before)?,
            serde_json::to_value(&after)?,
        );
        AuditEvent::insert_operator_change(
            conn,
            workspace_id,
            (ENTITY_REVOKE, ENTITY),
            key_id,
            Some(&before_json),
            &after_json,
        )
        .await?;
        crate::events::append(conn, workspace_id, &events).await?;
        Ok(after)
    })
    .await
}

/// Revokes `key_id` in the caller's transaction: the key before and after, and the event
/// announcing it (none when it was revoked already: that changes nothing).
async fn revoke(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    key_id: Uuid,
) -> Result<(ApiKey, ApiKey, Vec<NewEvent>), AppError> {
    let before = ApiKey::find_for_update(conn, workspace_id, key_id)
        .await?
        .ok_or_else(|| AppError::not_found("API key", key_id))?;
    if before.revoked_at.is_some() {
        return Ok((before.clone(), before, vec![]));
    }
    let after = ApiKey::revoke(conn, workspace_id, key_id).await?;
    let event = NewEvent::new(events::REVOKED, after.id, &KeyIdentity::from(&after))?;
    Ok((before, after, vec![event]))
}
