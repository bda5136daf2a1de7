//! What every mutation shares, declared once: the write options embedded in each input
//! (`idempotencyKey`, `dryRun`) and the outcome embedded in each payload (`replayed`,
//! `dryRun`). Inputs and payloads take them with `#[graphql(flatten)]`, so the schema shows
//! the fields in place and never these wrapper types.
//!
//! Two documented twins exist only because a few inputs and payloads carried descriptions on
//! these fields before they were shared, and the published schema must not change.

use async_graphql::{InputObject, SimpleObject};

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
