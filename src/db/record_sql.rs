//! The SQL every tenant table's row needs, written once: find, lock, batch-find, insert,
//! update (bumping `version` and `updated_at`) and delete, each scoped to the workspace.
//! A domain's `model/<entity>.rs` invokes [`tenant_row_sql!`] and writes by hand only the SQL
//! that is its own (filters, lookups by a unique value, per-parent pages). The row then
//! implements [`TenantRow`], which the write layer's generic record operations build on.
//!
//! A macro rather than generic functions: diesel's query builder types for "this table's
//! `workspace_id` column" are different types per table, and spelling the trait bounds that
//! would make one generic function serve all tables costs more than it saves.

use async_trait::async_trait;
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

/// The row operations of a tenant table that generic code needs.
#[async_trait]
pub trait TenantRow: Sized + Send {
    /// Everything a caller may set: what an insert stores and an update writes.
    type Changes: Send + Sync + 'static;

    fn id(&self) -> Uuid;
    /// Increases with every write: what `expectedVersion` is compared with.
    fn version(&self) -> i32;

    /// Locks the row for an update or delete in the caller's transaction.
    async fn lock(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<Option<Self>>;
    async fn create(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
        changes: &Self::Changes,
    ) -> QueryResult<Self>;
    async fn change(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
        changes: &Self::Changes,
    ) -> QueryResult<Self>;
    async fn remove(conn: &mut AsyncPgConnection, workspace_id: Uuid, id: Uuid) -> QueryResult<()>;
}

/// `tenant_find_sql!(Row, table_module)` adds to `Row` the inherent `find`,
/// `find_for_update`, `find_many` and `delete`, each scoped to the workspace. For rows whose writes
/// are their own (a deal, a pipeline, a stage); plain records get it from
/// [`tenant_row_sql!`].
macro_rules! tenant_find_sql {
    (@one $conn:ident, $row:ty, $table:ident, $workspace_id:ident, $id:ident $(, $lock:ident)?) => {{
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        $table::table
            .filter($table::workspace_id.eq($workspace_id))
            .filter($table::id.eq($id))
            .select(<$row>::as_select())
            $(.$lock())?
            .first($conn)
            .await
            .optional()
    }};
    ($row:ty, $table:ident) => {
        impl $row {
            pub async fn find(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                id: uuid::Uuid,
            ) -> diesel::QueryResult<Option<$row>> {
                $crate::db::record_sql::tenant_find_sql!(@one conn, $row, $table, workspace_id, id)
            }

            /// Locks the row for an update or delete in the caller's transaction.
            pub async fn find_for_update(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                id: uuid::Uuid,
            ) -> diesel::QueryResult<Option<$row>> {
                $crate::db::record_sql::tenant_find_sql!(
                    @one conn, $row, $table, workspace_id, id, for_update
                )
            }

            /// The workspace's rows among `ids`, in one statement; unknown ids are left out.
            pub async fn find_many(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                ids: &[uuid::Uuid],
            ) -> diesel::QueryResult<Vec<$row>> {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                $table::table
                    .filter($table::workspace_id.eq(workspace_id))
                    .filter($table::id.eq_any(ids))
                    .select(<$row>::as_select())
                    .load(conn)
                    .await
            }

            /// Deletes the row; what references it follows its foreign keys' rules.
            pub async fn delete(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                id: uuid::Uuid,
            ) -> diesel::QueryResult<usize> {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                diesel::delete($table::table)
                    .filter($table::workspace_id.eq(workspace_id))
                    .filter($table::id.eq(id))
                    .execute(conn)
                    .await
            }
        }
    };
}

/// `tenant_row_sql!(Row, table_module, NewRow, RowChanges)` declares the insertable
/// `NewRow { workspace_id, id, changes: RowChanges }`, adds to `Row` the inherent `find`,
/// `find_for_update`, `find_many`, `delete` (from [`tenant_find_sql!`]), `insert(&NewRow)`
/// and `update(&RowChanges)`, and implements [`TenantRow`] with them. The table must have
/// `workspace_id`, `id`, `version` and `updated_at` columns.
macro_rules! tenant_row_sql {
    ($row:ty, $table:ident, $new:ident, $changes:ty) => {
        /// A new row: its keys and what the caller set.
        #[derive(Debug, diesel::Insertable)]
        #[diesel(table_name = $table)]
        pub struct $new {
            pub workspace_id: uuid::Uuid,
            pub id: uuid::Uuid,
            #[diesel(embed)]
            pub changes: $changes,
        }

        #[async_trait::async_trait]
        impl $crate::db::record_sql::TenantRow for $row {
            type Changes = $changes;

            fn id(&self) -> uuid::Uuid {
                self.id
            }

            fn version(&self) -> i32 {
                self.version
            }

            async fn lock(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                id: uuid::Uuid,
            ) -> diesel::QueryResult<Option<Self>> {
                <$row>::find_for_update(conn, workspace_id, id).await
            }

            async fn create(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                id: uuid::Uuid,
                changes: &$changes,
            ) -> diesel::QueryResult<Self> {
                let new = $new {
                    workspace_id,
                    id,
                    changes: changes.clone(),
                };
                <$row>::insert(conn, &new).await
            }

            async fn change(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                id: uuid::Uuid,
                changes: &$changes,
            ) -> diesel::QueryResult<Self> {
                <$row>::update(conn, workspace_id, id, changes).await
            }

            async fn remove(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                id: uuid::Uuid,
            ) -> diesel::QueryResult<()> {
                <$row>::delete(conn, workspace_id, id).await.map(drop)
            }
        }

        $crate::db::record_sql::tenant_find_sql!($row, $table);

        impl $row {
            pub async fn insert(
                conn: &mut diesel_async::AsyncPgConnection,
                new: &$new,
            ) -> diesel::QueryResult<$row> {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                diesel::insert_into($table::table)
                    .values(new)
                    .returning(<$row>::as_returning())
                    .get_result(conn)
                    .await
            }

            /// Writes all of `changes`, bumping the version and the update time.
            pub async fn update(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                id: uuid::Uuid,
                changes: &$changes,
            ) -> diesel::QueryResult<$row> {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                diesel::update($table::table)
                    .filter($table::workspace_id.eq(workspace_id))
                    .filter($table::id.eq(id))
                    .set((
                        changes,
                        $table::version.eq($table::version + 1),
                        $table::updated_at.eq(diesel::dsl::now),
                    ))
                    .returning(<$row>::as_returning())
                    .get_result(conn)
                    .await
            }
        }
    };
}

/// `tenant_list_sql!(Row, table_module, RowFilter, RowOrder)` adds to `Row` a keyset `page`
/// and a `count` of the workspace's rows matching a filter. `Row` must have
/// `fn filtered(workspace_id, &RowFilter) -> table::BoxedQuery<'static, Pg>`, and the
/// order's names must be the table's column names (see `db::page::order_by_sql`).
macro_rules! tenant_list_sql {
    ($row:ty, $table:ident, $filter:ty, $order:ty) => {
        impl $row {
            /// One page of the workspace's rows matching `filter`.
            pub async fn page(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                filter: &$filter,
                window: &$crate::db::page::Window<$order>,
            ) -> diesel::QueryResult<Vec<$row>> {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                let table = stringify!($table);
                let mut query = <$row>::filtered(workspace_id, filter)
                    .select(<$row>::as_select())
                    .order_by($crate::db::page::order_by_sql(table, window.order))
                    .limit(window.fetch_limit());
                if let Some(after) = &window.after {
                    query = query.filter($crate::db::page::seek_column(table, window.order, after));
                }
                query.load(conn).await
            }

            $crate::db::record_sql::filtered_count!($row, $filter);
        }
    };
}

/// `locked_many_sql!(Row, table_module)`, inside `impl Row`: the workspace's rows among `ids`
/// (all of them for `None`), oldest first, locked for the caller's transaction; for the
/// workspace-wide runs that recompute a derived value (lead scores) or assign owners. The
/// table must have a `created_at` column.
macro_rules! locked_many_sql {
    ($row:ty, $table:ident) => {
        pub async fn locked_many(
            conn: &mut diesel_async::AsyncPgConnection,
            workspace_id: uuid::Uuid,
            ids: Option<&[uuid::Uuid]>,
        ) -> diesel::QueryResult<Vec<$row>> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            let all = $table::table
                .filter($table::workspace_id.eq(workspace_id))
                .order(($table::created_at, $table::id))
                .select(<$row>::as_select())
                .for_update();
            match ids {
                Some(ids) => all.filter($table::id.eq_any(ids)).load(conn).await,
                None => all.load(conn).await,
            }
        }
    };
}

/// `filtered_count!(Row, RowFilter)`, inside `impl Row`: how many of the workspace's rows
/// match a filter, through `Row::filtered` (for [`tenant_list_sql!`] and [`newest_first_sql!`]).
macro_rules! filtered_count {
    ($row:ty, $filter:ty) => {
        /// How many of the workspace's rows match `filter`.
        pub async fn count(
            conn: &mut diesel_async::AsyncPgConnection,
            workspace_id: uuid::Uuid,
            filter: &$filter,
        ) -> diesel::QueryResult<i64> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            <$row>::filtered(workspace_id, filter)
                .count()
                .get_result(conn)
                .await
        }
    };
}

/// `newest_first_sql!(Row, table_module)` adds to `Row` a keyset `page` of the workspace's
/// rows, newest first (ids are time-ordered UUIDv7, so the id alone orders them), a `count`,
/// both as a `listing`, and `Listed<NewestFirst>` for the cursor codec. With a third argument,
/// `newest_first_sql!(Row, table_module, RowFilter)`, both take a `&RowFilter` and `Row`
/// must have `fn filtered(workspace_id, &RowFilter) -> table::BoxedQuery<'static, Pg>`.
/// For the lists that only ever show the newest first: API keys, the audit log, webhook
/// endpoints and deliveries.
macro_rules! newest_first_sql {
    ($row:ty, $table:ident) => {
        impl $row {
            /// One page of the workspace's rows, newest first.
            pub async fn page(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                window: &$crate::db::page::IdWindow,
            ) -> diesel::QueryResult<Vec<$row>> {
                let rows = {
                    use diesel::prelude::*;
                    $table::table
                        .filter($table::workspace_id.eq(workspace_id))
                        .into_boxed()
                };
                $crate::db::record_sql::newest_first_sql!(@load conn, $row, $table, rows, window)
            }

            /// How many rows the workspace has.
            pub async fn count(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
            ) -> diesel::QueryResult<i64> {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                $table::table
                    .filter($table::workspace_id.eq(workspace_id))
                    .count()
                    .get_result(conn)
                    .await
            }

            /// A page and how many rows there are in all.
            pub async fn listing(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                window: &$crate::db::page::IdWindow,
            ) -> diesel::QueryResult<$crate::db::page::Listing<$row>> {
                Ok($crate::db::page::Listing {
                    rows: <$row>::page(conn, workspace_id, window).await?,
                    total: <$row>::count(conn, workspace_id).await?,
                })
            }
        }
        $crate::db::record_sql::newest_first_sql!(@listed $row);
    };
    ($row:ty, $table:ident, $filter:ty) => {
        impl $row {
            /// One page of the workspace's rows matching `filter`, newest first.
            pub async fn page(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                filter: &$filter,
                window: &$crate::db::page::IdWindow,
            ) -> diesel::QueryResult<Vec<$row>> {
                let rows = <$row>::filtered(workspace_id, filter);
                $crate::db::record_sql::newest_first_sql!(@load conn, $row, $table, rows, window)
            }

            $crate::db::record_sql::filtered_count!($row, $filter);

            /// A page of the rows matching `filter` and how many match in all.
            pub async fn listing(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                filter: &$filter,
                window: &$crate::db::page::IdWindow,
            ) -> diesel::QueryResult<$crate::db::page::Listing<$row>> {
                Ok($crate::db::page::Listing {
                    rows: <$row>::page(conn, workspace_id, filter, window).await?,
                    total: <$row>::count(conn, workspace_id, filter).await?,
                })
            }
        }
        $crate::db::record_sql::newest_first_sql!(@listed $row);
    };
    (@load $conn:ident, $row:ty, $table:ident, $rows:ident, $window:ident) => {{
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        let mut query = $rows
            .select(<$row>::as_select())
            .limit($window.fetch_limit());
        if let Some(after) = $window.after_id() {
            query = query.filter($table::id.lt(after));
        }
        if let Some(before) = $window.before_id() {
            query = query.filter($table::id.gt(before));
        }
        // Read backwards from the end for `last`; the page is put in order afterwards.
        query = if $window.from_end {
            query.order($table::id.asc())
        } else {
            query.order($table::id.desc())
        };
        query.load($conn).await
    }};
    (@listed $row:ty) => {
        impl $crate::db::page::Listed<$crate::db::page::NewestFirst> for $row {
            fn position(&self, _: $crate::db::page::NewestFirst) -> $crate::db::page::Position {
                $crate::db::page::Position {
                    key: $crate::db::page::SortKey::Id,
                    id: self.id,
                }
            }
        }
    };
}

pub(crate) use {
    filtered_count, locked_many_sql, newest_first_sql, tenant_find_sql, tenant_list_sql,
    tenant_row_sql,
};
