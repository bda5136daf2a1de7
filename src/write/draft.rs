//! Documents with lines — an invoice, a journal entry — that are changed or deleted only
//! while they are drafts. Each implements [`Draft`] once (its audit actions, how it is locked
//! as a draft, how a patch rewrites it) and gets `update` and `delete` with every guarantee of
//! the write path. Unlike a plain [`Record`](super::record::Record), a draft's updates and
//! deletes publish no events: what other systems follow is its issue or posting, which are
//! operations of their own.

use async_trait::async_trait;
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::{write, WriteOptions, WriteRequest, WriteResult, Written};
use crate::auth::Actor;
use crate::db::DbPool;
use crate::error::AppError;

/// What was asked of a draft, for the `CONFLICT` that refuses it on an issued document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doing {
    Change,
    Delete,
}

/// A document (with its lines) that may be changed or deleted only as a draft.
#[async_trait]
pub trait Draft: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// `invoice.update`, `invoice.delete`: the audit actions (the entity is before the dot).
    const UPDATE: &'static str;
    const DELETE: &'static str;

    /// A partial update as the caller gave it.
    type Patch: Serialize + Send + Sync + 'static;

    /// The document and its lines, locked, at the version the caller expects; `CONFLICT`
    /// (naming `input.id`) unless it is a draft.
    async fn locked_draft(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
        expected_version: Option<i32>,
        doing: Doing,
    ) -> Result<Self, AppError>;

    /// The locked draft `current` rewritten with `patch`, checked as a whole like a new one.
    async fn rewrite(
        conn: &mut AsyncPgConnection,
        current: &Self,
        patch: Self::Patch,
    ) -> Result<Self, AppError>;

    /// Deletes the locked draft `current` with its lines.
    async fn remove(conn: &mut AsyncPgConnection, current: &Self) -> Result<(), AppError>;
}

/// Changes draft `id` of type `D`; `expected_version`, when given, must be its version.
pub async fn update<D: Draft>(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    patch: D::Patch,
    options: WriteOptions,
) -> Result<WriteResult<D>, AppError> {
    let mut input = serde_json::to_value(&patch)?;
    input["id"] = json!(id);
    input["expectedVersion"] = json!(expected_version);
    let request = WriteRequest::crm(D::UPDATE, Some(id), input, options);
    write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let before =
                D::locked_draft(conn, workspace_id, id, expected_version, Doing::Change).await?;
            let after = D::rewrite(conn, &before, patch).await?;
            Written::changed(id, &before, after, Vec::new())
        }
        .boxed()
    })
    .await
}

/// Deletes draft `id` of type `D` with its lines, returning it as it was.
pub async fn delete<D: Draft>(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<D>, AppError> {
    let input = json!({ "id": id, "expectedVersion": expected_version });
    let request = WriteRequest::crm(D::DELETE, Some(id), input, options);
    write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let draft =
                D::locked_draft(conn, workspace_id, id, expected_version, Doing::Delete).await?;
            D::remove(conn, &draft).await?;
            Written::deleted(id, draft, Vec::new())
        }
        .boxed()
    })
    .await
}
