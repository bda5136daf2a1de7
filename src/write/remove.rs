//! Deleting one row on its own through the write path: lock it, check the version the caller
//! saw and whether it may go, delete it, publish its `*.deleted` event. Every plain
//! [`Record`] deletes this way; so does a row whose other writes are its own operations (a
//! deal, a pipeline), by implementing [`Removable`] alone.

use async_trait::async_trait;
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use super::locked::{locked, Lockable};
use super::record::{request_input, Record};
use super::{write, WriteOptions, WriteRequest, WriteResult, Written};
use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::{still_referenced, AppError};
use crate::events::NewEvent;

/// A row the write path deletes on its own.
#[async_trait]
pub trait Removable: Lockable + Serialize + DeserializeOwned + Sync + 'static {
    /// `deal.delete`: the audit action.
    const DELETE: &'static str;
    /// The scope the delete needs.
    const SCOPE: Scope = Scope::CrmWrite;

    /// Whether the row may be deleted as it is (say, not the default pipeline).
    fn may_delete(&self) -> Result<(), AppError> {
        Ok(())
    }
    /// Deletes the locked row; a row other rows still need is a `CONFLICT`.
    async fn delete_locked(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> Result<(), AppError>;
    /// The `*.deleted` event, carrying the row as it was.
    fn deleted_event(&self) -> Result<NewEvent, serde_json::Error>;
}

#[async_trait]
impl<R: Record> Removable for R {
    const DELETE: &'static str = R::NAMES.delete;
    const SCOPE: Scope = <R as Record>::SCOPE;

    fn may_delete(&self) -> Result<(), AppError> {
        self.check_delete()
    }

    async fn delete_locked(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> Result<(), AppError> {
        R::remove(conn, workspace_id, id)
            .await
            .map_err(|e| still_referenced(e, R::NAMES.entity))
    }

    fn deleted_event(&self) -> Result<NewEvent, serde_json::Error> {
        self.deleted()
    }
}

/// Deletes row `id` of type `R`, returning it as it was; `expected_version`, when given, must
/// be its version.
pub async fn delete<R: Removable>(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<R>, AppError> {
    let input = request_input(Some(id), expected_version, &serde_json::json!({}))?;
    let request = WriteRequest::new(R::DELETE, R::ENTITY, R::SCOPE, input, options).on(id);
    write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let before = locked::<R>(conn, workspace_id, id, expected_version).await?;
            before.may_delete()?;
            R::delete_locked(conn, workspace_id, id).await?;
            let events = vec![before.deleted_event()?];
            Written::deleted(id, before, events)
        }
        .boxed()
    })
    .await
}
