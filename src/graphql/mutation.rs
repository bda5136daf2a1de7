//! What every mutation shares, declared once: the write options embedded in each input
//! (`idempotencyKey`, `dryRun`) and the outcome embedded in each payload (`replayed`,
//! `dryRun`). Inputs and payloads take them with `#[graphql(flatten)]`, so the schema shows
//! the fields in place and never these wrapper types.
//!
//! Two documented twins exist only because a few inputs and payloads carried descriptions on
//! these fields before they were shared, and the published schema must not change.

use std::future::Future;

use async_graphql::{Context, InputObject, SimpleObject, ID};
use async_trait::async_trait;
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::DbPool;
use crate::error::AppError;
use crate::write::record::{self, Record};
use crate::write::{WriteOptions, WriteResult};

/// `idempotencyKey` and `dryRun`, undocumented in the schema.
#[derive(InputObject, Debug, Clone, Default)]
pub struct MutationOptions {
    pub idempotency_key: Option<String>,
    #[graphql(default)]
    pub dry_run: bool,
}

/// `idempotencyKey` and `dryRun` with their descriptions.
#[derive(InputObject, Debug, Clone, Default)]
pub struct DescribedMutationOptions {
    /// Retrying with the same key and input returns the first response and writes nothing.
    pub idempotency_key: Option<String>,
    /// Validate and return the would-be result without writing anything.
    #[graphql(default)]
    pub dry_run: bool,
}

impl From<MutationOptions> for WriteOptions {
    fn from(options: MutationOptions) -> Self {
        WriteOptions {
            idempotency_key: options.idempotency_key,
            dry_run: options.dry_run,
        }
    }
}

impl From<DescribedMutationOptions> for WriteOptions {
    fn from(options: DescribedMutationOptions) -> Self {
        WriteOptions {
            idempotency_key: options.idempotency_key,
            dry_run: options.dry_run,
        }
    }
}

/// `replayed` and `dryRun`, undocumented in the schema.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct WriteOutcome {
    pub replayed: bool,
    pub dry_run: bool,
}

/// `replayed` (documented) and `dryRun`.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct DescribedWriteOutcome {
    /// True when this response was replayed for a known idempotency key.
    pub replayed: bool,
    pub dry_run: bool,
}

impl<T> From<&WriteResult<T>> for WriteOutcome {
    fn from(result: &WriteResult<T>) -> Self {
        WriteOutcome {
            replayed: result.replayed,
            dry_run: result.dry_run,
        }
    }
}

impl<T> From<&WriteResult<T>> for DescribedWriteOutcome {
    fn from(result: &WriteResult<T>) -> Self {
        DescribedWriteOutcome {
            replayed: result.replayed,
            dry_run: result.dry_run,
        }
    }
}

/// An update as its input gives it: the record, the version the caller saw, the patch and
/// the write options — what `record::update` and the domains' own update operations take.
pub struct Update<P> {
    pub id: Uuid,
    pub expected_version: Option<i32>,
    pub patch: P,
    pub options: WriteOptions,
}

impl<P> Update<P> {
    /// The update of record `id` (named `input.id` when it does not parse) with a patch the
    /// input already made.
    pub fn of(
        id: &ID,
        expected_version: Option<i32>,
        patch: P,
        options: impl Into<WriteOptions>,
    ) -> Result<Update<P>, AppError> {
        Ok(Update {
            id: super::parse_id(id, "input.id")?,
            expected_version,
            patch,
            options: options.into(),
        })
    }

    /// The update handed to `op` (`record::update::<R>` or a domain's own `ops::update`),
    /// for [`mutate`].
    pub fn through<'c, T, Fut>(
        self,
        op: impl FnOnce(&'c DbPool, &'c Actor, Uuid, Option<i32>, P, WriteOptions) -> Fut,
    ) -> impl FnOnce(&'c DbPool, &'c Actor) -> Fut
    where
        Fut: Future<Output = Result<WriteResult<T>, AppError>>,
    {
        move |pool, actor| {
            op(
                pool,
                actor,
                self.id,
                self.expected_version,
                self.patch,
                self.options,
            )
        }
    }

    pub async fn apply<R: Record<Patch = P>>(
        self,
        pool: &DbPool,
        actor: &Actor,
    ) -> Result<WriteResult<R>, AppError> {
        self.through(record::update::<R>)(pool, actor).await
    }
}

/// A write that names one record and the version the caller saw, as its input gives it: a
/// delete (for `record::delete` or a domain's own `ops::delete`), a post.
pub struct Target {
    pub id: Uuid,
    pub expected_version: Option<i32>,
    pub options: WriteOptions,
}

impl Target {
    pub fn of(
        id: &ID,
        expected_version: Option<i32>,
        options: impl Into<WriteOptions>,
    ) -> Result<Target, AppError> {
        Ok(Target {
            id: super::parse_id(id, "input.id")?,
            expected_version,
            options: options.into(),
        })
    }

    /// The write handed to `op`, for [`mutate`].
    pub fn through<'c, T, Fut>(
        self,
        op: impl FnOnce(&'c DbPool, &'c Actor, Uuid, Option<i32>, WriteOptions) -> Fut,
    ) -> impl FnOnce(&'c DbPool, &'c Actor) -> Fut
    where
        Fut: Future<Output = Result<WriteResult<T>, AppError>>,
    {
        move |pool, actor| op(pool, actor, self.id, self.expected_version, self.options)
    }

    /// The write handed to `op` with one value of its own between the record and the version
    /// (an issue date, an owner, the archived flag), for [`mutate`].
    pub fn through_with<'c, X, T, Fut>(
        self,
        value: X,
        op: impl FnOnce(&'c DbPool, &'c Actor, Uuid, X, Option<i32>, WriteOptions) -> Fut,
    ) -> impl FnOnce(&'c DbPool, &'c Actor) -> Fut
    where
        Fut: Future<Output = Result<WriteResult<T>, AppError>>,
    {
        move |pool, actor| {
            op(
                pool,
                actor,
                self.id,
                value,
                self.expected_version,
                self.options,
            )
        }
    }

    pub async fn apply<R: Record>(
        self,
        pool: &DbPool,
        actor: &Actor,
    ) -> Result<WriteResult<R>, AppError> {
        self.through(record::delete::<R>)(pool, actor).await
    }
}

/// The delete most resolvers name it for.
pub type Delete = Target;

/// What a committed write of this value changes in the request's loaders, so that the
/// fields and mutations after it in the same request do not show the rows as they were.
/// Each domain's API says it once per value its writes return; [`mutate`] applies it.
#[async_trait]
pub trait Kept: Send + Sync {
    /// After a create or a change.
    async fn keep(&self, ctx: &Context<'_>) -> Result<(), AppError>;

    /// After a delete (`self` is what was deleted); by default as after a change.
    async fn forget(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        self.keep(ctx).await
    }
}

/// A resolver's work once its input is parsed: runs `op` with the request's pool and actor,
/// updates the request's loaders with a committed result ([`Kept::keep`], or [`Kept::forget`]
/// after a delete) and builds the payload.
pub async fn mutate<'c, T, P, Fut>(
    ctx: &'c Context<'_>,
    op: impl FnOnce(&'c DbPool, &'c Actor) -> Fut,
) -> async_graphql::Result<P>
where
    Fut: Future<Output = Result<WriteResult<T>, AppError>>,
    T: Kept,
    P: From<WriteResult<T>>,
{
    let result = op(super::pool(ctx)?, super::actor(ctx)?).await?;
    match (result.committed(), result.deleted) {
        (true, false) => result.value.keep(ctx).await?,
        (true, true) => result.value.forget(ctx).await?,
        (false, _) => {}
    }
    Ok(result.into())
}

/// `impl From<WriteResult<Row>> for Payload` for payloads of one record and the outcome:
/// `record_payload!(CreateContactPayload { contact: Contact })` (the field's type converts
/// from the row).
macro_rules! record_payload {
    ($($payload:ident { $field:ident: $row:ty }),+ $(,)?) => {$(
        impl From<$crate::write::WriteResult<$row>> for $payload {
            fn from(result: $crate::write::WriteResult<$row>) -> Self {
                $payload {
                    outcome: (&result).into(),
                    $field: From::from(result.value),
                }
            }
        }
    )+};
}
pub(crate) use record_payload;
