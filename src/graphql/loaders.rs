//! The dataloader registry: every loader of one resolution, by type, and the helpers domains
//! build theirs from. Each batch is one SQL statement, so a query's statement count depends on
//! its shape, never on how many rows it returns. Loaders are made per request (or per event,
//! see `event_loaders`), scoped to one workspace, and cache rows, never GraphQL types: the
//! resolvers map rows to their types, so any domain's types can reuse any domain's loaders.
//!
//! Domains register their own loaders (`<domain>::register_loaders`, listed once in
//! `graphql/mod.rs`); nothing here names a domain.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::db::DbPool;
use crate::error::AppError;

/// Every loader of a request, with a per-request cache. The cache lets a list resolver fetch
/// the relations of all its rows up front (`load_many`), so the per-row fields that follow are
/// answered from memory: the statement count then depends on the query's shape only, never on
/// how fast the rows' resolvers happen to run against the loaders' batching window. Its keys
/// are ids, looked up several times per row of a board: hashed with foldhash, not SipHash.
pub type Cached<L> = DataLoader<L, HashMapCache<foldhash::fast::RandomState>>;

/// A loader for one request. Long-lived operations (subscriptions) must not cache, or later
/// events would show earlier states; their events resolve through per-event cached sets
/// instead (`event_loaders`).
pub fn new_loader<L: Loader<K>, K: Send + Sync + Hash + Eq + Clone + 'static>(
    loader: L,
    cached: bool,
) -> Cached<L> {
    let loader = DataLoader::with_cache(loader, tokio::spawn, HashMapCache::new());
    loader.enable_all_cache(cached);
    loader
}

/// What every loader needs: a pool, the workspace it may read, and the process-wide caches
/// it may answer from.
#[derive(Clone)]
pub struct Scope {
    pub pool: DbPool,
    pub workspace_id: Uuid,
    caches: SharedCaches,
    /// False for requests that must see their own writes (mutations): they read the tables.
    use_caches: bool,
}

impl Scope {
    pub async fn conn(&self) -> Result<crate::db::DbConn, AppError> {
        crate::db::conn(&self.pool).await
    }

    /// The process-wide cache of type `T`, when there is one and this request may read it.
    pub fn cache<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.caches.get().filter(|_| self.use_caches)
    }
}

/// The process's long-lived caches (a domain's kept reference rows, …), by type: handed to
/// every request's loaders without this layer knowing what they hold.
#[derive(Clone, Default)]
pub struct SharedCaches(Arc<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl SharedCaches {
    /// These caches and `cache`, replacing one of the same type.
    pub fn with<T: Any + Send + Sync>(self, cache: T) -> SharedCaches {
        let mut caches = Arc::unwrap_or_clone(self.0);
        caches.insert(TypeId::of::<T>(), Arc::new(cache));
        SharedCaches(Arc::new(caches))
    }

    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.0
            .get(&TypeId::of::<T>())
            .and_then(|cache| cache.downcast_ref())
    }
}

/// How a domain adds its loaders to a set.
pub type Register = fn(&mut Loaders);

/// Every dataloader one resolution may use, by type: the per-request set of queries and
/// mutations, or (for subscriptions) the set shared by every subscriber of one event.
pub struct Loaders {
    scope: Scope,
    cached: bool,
    by_type: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
}

impl Loaders {
    /// All loaders of every domain, reading `workspace_id` only.
    pub fn for_workspace(pool: &DbPool, workspace_id: Uuid, cached: bool) -> Loaders {
        Self::with_caches(pool, workspace_id, cached, SharedCaches::default())
    }

    /// As [`Loaders::for_workspace`], answering from `caches` where a loader can when the set
    /// caches (a read); a set that does not only hands them out to be invalidated.
    pub fn with_caches(
        pool: &DbPool,
        workspace_id: Uuid,
        cached: bool,
        caches: SharedCaches,
    ) -> Loaders {
        let mut loaders = Loaders {
            scope: Scope {
                pool: pool.clone(),
                workspace_id,
                caches,
                use_caches: cached,
            },
            cached,
            by_type: HashMap::new(),
        };
        for register in super::LOADERS {
            register(&mut loaders);
        }
        loaders
    }

    /// The process-wide cache of type `T`, for a write to invalidate what it changed.
    pub fn shared_cache<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.scope.caches.get()
    }

    /// The pool and workspace this set's loaders read.
    pub fn scope(&self) -> Scope {
        self.scope.clone()
    }

    /// Adds `loader`, caching as the set does.
    pub fn add<K, L>(&mut self, loader: L)
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        L: Loader<K>,
    {
        let loader = new_loader(loader, self.cached);
        self.by_type
            .insert(TypeId::of::<Cached<L>>(), Box::new(loader));
    }

    pub fn get<L: Send + Sync + 'static>(&self) -> Option<&Cached<L>> {
        self.by_type
            .get(&TypeId::of::<Cached<L>>())
            .and_then(|loader| loader.downcast_ref())
    }
}

/// A request's loader of type `L`.
pub fn get<'a, L: Send + Sync + 'static>(
    ctx: &'a async_graphql::Context<'_>,
) -> Result<&'a Cached<L>, AppError> {
    // An event's shared set (execution data) comes before the request's own.
    ctx.data_opt::<Arc<Loaders>>()
        .and_then(|loaders| loaders.get::<L>())
        .ok_or_else(|| {
            AppError::internal(format!("no {} in the request", std::any::type_name::<L>()))
        })
}

/// A row found by its id: the workspace's rows among some ids, in one statement.
pub trait FindById: Clone + Send + Sync + 'static {
    fn id(&self) -> Uuid;

    fn find_many<'a>(
        conn: &'a mut AsyncPgConnection,
        workspace_id: Uuid,
        ids: &'a [Uuid],
    ) -> impl Future<Output = QueryResult<Vec<Self>>> + Send + 'a;
}

/// Implements [`FindById`] for rows with an `id` field and an inherent
/// `find_many(conn, workspace_id, ids)` (what `tenant_row_sql!` generates).
macro_rules! find_by_id {
    ($($row:ty),+ $(,)?) => {$(
        impl $crate::graphql::loaders::FindById for $row {
            fn id(&self) -> uuid::Uuid {
                self.id
            }

            fn find_many<'a>(
                conn: &'a mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                ids: &'a [uuid::Uuid],
            ) -> impl std::future::Future<Output = diesel::QueryResult<Vec<Self>>> + Send + 'a {
                <$row>::find_many(conn, workspace_id, ids)
            }
        }
    )+};
}
pub(crate) use find_by_id;

/// Declares [`Children`] relations and their [`ByParent`] loaders: per relation, the model
/// function loading the rows of many parents in one statement, and the row's column naming
/// its parent (an `Option` column leaves rows without a parent out).
macro_rules! children_by {
    ($($(#[$doc:meta])* $name:ident, $loader:ident: $row:ty = $load:path, by $parent:ident;)+) => {$(
        $(#[$doc])*
        pub struct $name;

        impl $crate::graphql::loaders::Children for $name {
            type Row = $row;

            async fn of_parents(
                conn: &mut diesel_async::AsyncPgConnection,
                workspace_id: uuid::Uuid,
                ids: &[uuid::Uuid],
            ) -> diesel::QueryResult<Vec<(uuid::Uuid, $row)>> {
                let rows = $load(conn, workspace_id, ids).await?;
                Ok(rows
                    .into_iter()
                    .filter_map(|row| Some((Option::<uuid::Uuid>::from(row.$parent)?, row)))
                    .collect())
            }
        }

        pub type $loader = $crate::graphql::loaders::ByParent<$name>;
    )+};
}
pub(crate) use children_by;

/// Rows of type `T` by id (`ById<Deal>` loads deals), shared: a row named by many others (a
/// board's company, on dozens of deals) is handed out by reference count, never copied.
pub struct ById<T>(Scope, PhantomData<fn() -> T>);

impl<T> ById<T> {
    pub fn new(scope: Scope) -> Self {
        ById(scope, PhantomData)
    }
}

impl<T: FindById> Loader<Uuid> for ById<T> {
    type Value = Arc<T>;
    type Error = AppError;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Arc<T>>, AppError> {
        let mut conn = self.0.conn().await?;
        let rows = T::find_many(&mut conn, self.0.workspace_id, ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| (row.id(), Arc::new(row)))
            .collect())
    }
}

/// `From<Arc<Row>>` for GraphQL types that own their row (`from_shared_row!(TaskGql: Task)`,
/// given `From<Task>`): a by-id loader shares its rows, and a type read once per request
/// takes its own copy rather than a reference count on every field.
macro_rules! from_shared_row {
    ($($gql:ty: $row:ty),+ $(,)?) => {$(
        impl From<std::sync::Arc<$row>> for $gql {
            fn from(row: std::sync::Arc<$row>) -> Self {
                Self::from(std::sync::Arc::unwrap_or_clone(row))
            }
        }
    )+};
}
pub(crate) use from_shared_row;

/// `from_row`, `From<Row>` and `From<Arc<Row>>` for GraphQL types that read a row shared with
/// the loaders field by field (`shared_row_gql!(DealGql: Deal)` for `DealGql(Arc<Deal>)`): a
/// row on many parents of one response (a board's stages, a contact on many deals) is never
/// copied.
macro_rules! shared_row_gql {
    ($($gql:ident: $row:ty),+ $(,)?) => {$(
        impl $gql {
            /// From a row owned here or shared with the loaders.
            pub fn from_row(row: impl Into<std::sync::Arc<$row>>) -> Self {
                $gql(row.into())
            }
        }

        impl From<$row> for $gql {
            fn from(row: $row) -> Self {
                Self::from_row(row)
            }
        }

        impl From<std::sync::Arc<$row>> for $gql {
            fn from(row: std::sync::Arc<$row>) -> Self {
                Self::from_row(row)
            }
        }
    )+};
}
pub(crate) use shared_row_gql;

/// The row an optional reference names (a task's deal, a conversion's company), through the
/// request's by-id loader, made into its GraphQL type by `to_gql`; `None` when nothing is
/// named or the row is gone.
pub async fn related<T: FindById, G>(
    ctx: &async_graphql::Context<'_>,
    id: Option<Uuid>,
    to_gql: impl FnOnce(Arc<T>) -> G,
) -> async_graphql::Result<Option<G>> {
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(get::<ById<T>>(ctx)?.load_one(id).await?.map(to_gql))
}

/// A one-to-many relation: every row of some parents (a pipeline's stages, a deal's contact
/// links), in one statement for any number of parents.
pub trait Children: Send + Sync + 'static {
    type Row: Clone + Send + Sync + 'static;

    /// `(parent id, row)` pairs, each parent's rows in the order they are to be listed.
    fn of_parents<'a>(
        conn: &'a mut AsyncPgConnection,
        workspace_id: Uuid,
        parent_ids: &'a [Uuid],
    ) -> impl Future<Output = QueryResult<Vec<(Uuid, Self::Row)>>> + Send + 'a;
}

/// The rows of relation `R` of each parent; a parent without any gets an empty list (so it is
/// cached, not asked again).
pub struct ByParent<R>(Scope, PhantomData<fn() -> R>);

impl<R> ByParent<R> {
    pub fn new(scope: Scope) -> Self {
        ByParent(scope, PhantomData)
    }
}

impl<R: Children> Loader<Uuid> for ByParent<R> {
    type Value = Vec<R::Row>;
    type Error = AppError;

    async fn load(&self, parent_ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<R::Row>>, AppError> {
        let mut conn = self.0.conn().await?;
        let mut grouped: HashMap<Uuid, Vec<R::Row>> =
            parent_ids.iter().map(|id| (*id, Vec::new())).collect();
        for (parent_id, row) in R::of_parents(&mut conn, self.0.workspace_id, parent_ids).await? {
            grouped.entry(parent_id).or_default().push(row);
        }
        Ok(grouped)
    }
}
