//! The first step of most writes to an existing row: lock it in the write's transaction and
//! check that it is at the version the caller saw.

use async_trait::async_trait;
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::record::Record;
use crate::db::record_sql::TenantRow;
use crate::error::AppError;

/// A row a write locks before changing it.
#[async_trait]
pub trait Lockable: Sized + Send {
    /// `deal`: the audit entity type and the name in "not found" and version errors.
    const ENTITY: &'static str;

    /// The row, locked until the write's transaction ends; `None` when the workspace has no
    /// row with this id.
    async fn lock_for_write(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<Option<Self>>;
    /// What `expectedVersion` is compared with.
    fn version_seen(&self) -> i32;
}

#[async_trait]
impl<R: Record> Lockable for R {
    const ENTITY: &'static str = R::NAMES.entity;

    async fn lock_for_write(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<Option<Self>> {
        <R as TenantRow>::lock(conn, workspace_id, id).await
    }

    fn version_seen(&self) -> i32 {
        self.version()
    }
}

/// Row `id` of type `R`, locked: `NOT_FOUND` when the workspace has no such row, `CONFLICT`
/// when `expected_version` is given and the row has moved past it.
pub async fn locked<R: Lockable>(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<R, AppError> {
    let row = R::lock_for_write(conn, workspace_id, id)
        .await?
        .ok_or_else(|| AppError::not_found(R::ENTITY, id))?;
    crate::validate::expected_version(expected_version, row.version_seen(), R::ENTITY, id)?;
    Ok(row)
}

/// `lockable!(Row, "entity")` implements [`Lockable`] for a row whose writes are its own
/// operations (a deal, a pipeline), with the `find_for_update` of `tenant_find_sql!` and its
/// `version` column. Plain records are lockable through [`Record`] already.
macro_rules! lockable {
    ($row:ty, $entity:expr) => {
        #[async_trait::async_trait]
        impl $crate::write::locked::Lockable for $row {
            const ENTITY: &'static str = $entity;

            async fn lock_for_write(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                id: uuid::Uuid,
            ) -> diesel::QueryResult<Option<$row>> {
                <$row>::find_for_update(conn, workspace_id, id).await
            }

            fn version_seen(&self) -> i32 {
                self.version
            }
        }
    };
}
pub(crate) use lockable;
