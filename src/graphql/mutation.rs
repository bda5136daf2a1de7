//! What every mutation shares, declared once: the write options embedded in each input
//! (`idempotencyKey`, `dryRun`) and the outcome embedded in each payload (`replayed`,
//! `dryRun`). Inputs and payloads take them with `#[graphql(flatten)]`, so the schema shows
//! the fields in place and never these wrapper types.
//!
//! Two documented twins exist only because a few inputs and payloads carried descriptions on
//! these fields before they were shared, and the published schema must not change.

use async_graphql::{InputObject, SimpleObject, ID};
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

/// A plain record's update as its input gives it, ready for `record::update`.
pub struct Update<P> {
    pub id: Uuid,
    pub expected_version: Option<i32>,
    pub patch: P,
    pub options: WriteOptions,
}

impl<P> Update<P> {
    pub async fn apply<R: Record<Patch = P>>(
        self,
        pool: &DbPool,
        actor: &Actor,
    ) -> Result<WriteResult<R>, AppError> {
        record::update::<R>(
            pool,
            actor,
            self.id,
            self.expected_version,
            self.patch,
            self.options,
        )
        .await
    }
}

/// A plain record's delete as its input gives it, ready for `record::delete`.
pub struct Delete {
    pub id: Uuid,
    pub expected_version: Option<i32>,
    pub options: WriteOptions,
}

impl Delete {
    pub fn of(
        id: &ID,
        expected_version: Option<i32>,
        options: impl Into<WriteOptions>,
    ) -> Result<Delete, AppError> {
        Ok(Delete {
            id: super::parse_id(id, "input.id")?,
            expected_version,
            options: options.into(),
        })
    }

    pub async fn apply<R: Record>(
        self,
        pool: &DbPool,
        actor: &Actor,
    ) -> Result<WriteResult<R>, AppError> {
        record::delete::<R>(pool, actor, self.id, self.expected_version, self.options).await
    }
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
