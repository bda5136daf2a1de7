//! The write path. Every mutation goes through [`write`], so every write gets the same
//! guarantees: a scope check, idempotency keys, one transaction holding the change, its audit
//! event and its outbox events, dry runs that roll back, and failures that are audited too.

use diesel::prelude::*;
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, TransactionManager};
use futures_util::future::BoxFuture;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

pub mod draft;
mod idempotency;
pub mod locked;
mod patch;
pub mod record;
pub mod remove;
pub use idempotency::IDEMPOTENCY_RETENTION_HOURS;
use idempotency::{claim, complete, fingerprint, Claim};
pub use patch::Patch;

use crate::audit::{AuditEvent, NewAuditEvent, Outcome};
use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::{self, NewEvent};

/// The options every mutation input carries.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    pub idempotency_key: Option<String>,
    pub dry_run: bool,
}

/// What is being written, for the scope check, idempotency and the audit trail.
pub struct WriteRequest {
    /// `entity.verb`, e.g. `api_key.create`; also the audit action.
    pub action: &'static str,
    pub entity_type: &'static str,
    /// The record the write targets, when known up front (updates, deletes).
    pub entity_id: Option<Uuid>,
    pub scope: Scope,
    /// The caller's input, canonicalised: same input ⇔ same idempotency fingerprint.
    pub input: Value,
    pub options: WriteOptions,
}

impl WriteRequest {
    /// A write of `action` (`entity.verb`) on an `entity_type`, needing `scope`, with the
    /// caller's canonical `input`.
    pub fn new(
        action: &'static str,
        entity_type: &'static str,
        scope: Scope,
        input: Value,
        options: WriteOptions,
    ) -> WriteRequest {
        WriteRequest {
            action,
            entity_type,
            entity_id: None,
            scope,
            input,
            options,
        }
    }

    /// A write of the CRM (`crm:write`) whose entity type is the action's first part
    /// (`deal.move` → `deal`), targeting `entity_id` when it is known up front.
    pub fn crm(
        action: &'static str,
        entity_id: Option<Uuid>,
        input: Value,
        options: WriteOptions,
    ) -> WriteRequest {
        let entity_type = action.split_once('.').map_or(action, |(entity, _)| entity);
        WriteRequest {
            entity_id,
            ..WriteRequest::new(action, entity_type, Scope::CrmWrite, input, options)
        }
    }

    /// The record the write targets, known up front (updates, deletes, moves).
    pub fn on(mut self, entity_id: Uuid) -> WriteRequest {
        self.entity_id = Some(entity_id);
        self
    }
}

/// What a domain change produced.
pub struct Written<T> {
    pub value: T,
    pub entity_id: Uuid,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub events: Vec<NewEvent>,
}

impl<T: Serialize> Written<T> {
    /// A new `entity_id`: `value` is audited as the after image and returned to the caller.
    pub fn created(entity_id: Uuid, value: T, events: Vec<NewEvent>) -> Result<Self, AppError> {
        Ok(Written {
            entity_id,
            before: None,
            after: Some(snapshot(&value)?),
            events,
            value,
        })
    }

    /// A change of `entity_id` from `before` to `value`, audited as both images; `value` is
    /// returned to the caller.
    pub fn changed(
        entity_id: Uuid,
        before: &impl Serialize,
        value: T,
        events: Vec<NewEvent>,
    ) -> Result<Self, AppError> {
        Ok(Written {
            entity_id,
            before: Some(snapshot(before)?),
            after: Some(snapshot(&value)?),
            events,
            value,
        })
    }

    /// A deletion of `entity_id`: `value` is what was deleted, audited as the before image
    /// with no after image, and returned to the caller.
    pub fn deleted(entity_id: Uuid, value: T, events: Vec<NewEvent>) -> Result<Self, AppError> {
        Ok(Written {
            entity_id,
            before: Some(snapshot(&value)?),
            after: None,
            events,
            value,
        })
    }
}

/// The result of a write as the API reports it.
#[derive(Debug)]
pub struct WriteResult<T> {
    pub value: T,
    /// True when the response was replayed for a known idempotency key.
    pub replayed: bool,
    /// True when nothing was committed (`dryRun`).
    pub dry_run: bool,
    /// True when the write committed the deletion of its record (audited with a `before` and
    /// no `after`), so caches forget the record rather than keep it.
    pub deleted: bool,
}

impl<T> WriteResult<T> {
    /// True when this write really committed something, so caches may need refreshing.
    pub fn committed(&self) -> bool {
        !self.replayed && !self.dry_run
    }
}

enum Abort<T> {
    Failed(AppError),
    DryRun(T),
    /// The idempotency key is known: its stored response, and nothing written.
    Replay(Value),
}

impl<T> From<diesel::result::Error> for Abort<T> {
    fn from(err: diesel::result::Error) -> Self {
        Abort::Failed(err.into())
    }
}

/// Runs `change` through the write path, in the transaction it opens and in the actor's
/// workspace (`change` is given both). `T` is serialised to store the idempotent response;
/// fields that must not be stored (a new key's secret) are `#[serde(skip)]`ped by `T`.
pub async fn write<T, F>(
    pool: &DbPool,
    actor: &Actor,
    request: WriteRequest,
    change: F,
) -> Result<WriteResult<T>, AppError>
where
    T: Serialize + DeserializeOwned + Send + 'static,
    F: for<'r> FnOnce(
            &'r mut AsyncPgConnection,
            Uuid,
        ) -> BoxFuture<'r, Result<Written<T>, AppError>>
        + Send
        + 'static,
{
    let mut conn = crate::db::conn(pool).await?;
    if let Err(err) = actor.require(request.scope) {
        record_failure(&mut conn, actor, &request, &err).await;
        return Err(err);
    }

    // Begin/commit by hand rather than with a closure, so a dry run can roll back and still
    // hand its value out. A dropped future mid-transaction leaves the connection marked as
    // in a transaction, and the pool discards it instead of reusing it.
    let result = match AnsiTransactionManager::begin_transaction(&mut *conn).await {
        Ok(()) => {
            let outcome = apply(&mut conn, actor, &request, change).await;
            let ended = match &outcome {
                Ok(_) => AnsiTransactionManager::commit_transaction(&mut *conn).await,
                Err(_) => AnsiTransactionManager::rollback_transaction(&mut *conn).await,
            };
            match (outcome, ended) {
                (outcome, Ok(())) => outcome,
                (Err(Abort::Failed(err)), Err(_)) => Err(Abort::Failed(err)),
                (_, Err(err)) => Err(Abort::Failed(err.into())),
            }
        }
        Err(err) => Err(Abort::Failed(err.into())),
    };

    match result {
        Ok((value, deleted)) => Ok(WriteResult {
            value,
            replayed: false,
            dry_run: false,
            deleted,
        }),
        Err(Abort::DryRun(value)) => Ok(WriteResult {
            value,
            replayed: false,
            dry_run: true,
            deleted: false,
        }),
        Err(Abort::Replay(response)) => Ok(WriteResult {
            value: serde_json::from_value(response)?,
            replayed: true,
            dry_run: false,
            deleted: false,
        }),
        Err(Abort::Failed(err)) => {
            record_failure(&mut conn, actor, &request, &err).await;
            Err(err)
        }
    }
}

/// The transaction's body: the idempotency claim, the change, its audit event, its outbox
/// events and the stored idempotent response. A known key ends in `Abort::Replay` and a dry
/// run in `Abort::DryRun`; both roll everything back.
async fn apply<T, F>(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    request: &WriteRequest,
    change: F,
) -> Result<(T, bool), Abort<T>>
where
    T: Serialize,
    F: for<'r> FnOnce(
        &'r mut AsyncPgConnection,
        Uuid,
    ) -> BoxFuture<'r, Result<Written<T>, AppError>>,
{
    // First, so the claim is held for the whole transaction (and only for it).
    let claimed = match request.options.idempotency_key.as_deref() {
        Some(key) => {
            let fingerprint = fingerprint(request.action, &request.input, request.options.dry_run);
            match claim(conn, actor, key, &fingerprint).await {
                Ok(Claim::Claimed) => Some((key, fingerprint)),
                Ok(Claim::Replay(response)) => return Err(Abort::Replay(response)),
                Err(err) => return Err(Abort::Failed(err)),
            }
        }
        None => None,
    };
    let written = change(conn, actor.workspace_id)
        .await
        .map_err(Abort::Failed)?;
    // A write that changed nothing (a move to the deal's own stage, a revoke of a revoked key)
    // records nothing; its response is still stored for idempotent replay.
    let unchanged =
        written.before.is_some() && written.before == written.after && written.events.is_empty();
    if !unchanged {
        audit_success(conn, actor, request, &written).await?;
    }
    if request.options.dry_run {
        return Err(Abort::DryRun(written.value));
    }
    if let Some((key, fingerprint)) = claimed {
        let response = serde_json::to_value(&written.value).map_err(|e| Abort::Failed(e.into()))?;
        complete(conn, actor, key, request.action, &fingerprint, &response).await?;
    }
    // Last, because it takes the outbox ordering lock, held until commit.
    events::append(conn, actor.workspace_id, &written.events).await?;
    let deleted = written.before.is_some() && written.after.is_none();
    Ok((written.value, deleted))
}

async fn audit_success<T>(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    request: &WriteRequest,
    written: &Written<T>,
) -> QueryResult<()> {
    let event = NewAuditEvent {
        before: written.before.as_ref(),
        after: written.after.as_ref(),
        dry_run: request.options.dry_run,
        ..audit_row(
            actor,
            request.action,
            request.entity_type,
            Some(written.entity_id),
        )
    };
    AuditEvent::insert(conn, &event).await
}

/// The audit row of a write `actor` made: a success with no snapshots yet, on the actor's
/// request and channel. Callers fill in what their write adds (`before`, `after`, a failure).
pub fn audit_row<'a>(
    actor: &'a Actor,
    action: &'a str,
    entity_type: &'a str,
    entity_id: Option<Uuid>,
) -> NewAuditEvent<'a> {
    NewAuditEvent {
        workspace_id: actor.workspace_id,
        id: Uuid::now_v7(),
        actor_key_id: Some(actor.key_id),
        action,
        entity_type,
        entity_id,
        outcome: Outcome::Succeeded.as_str(),
        error_code: None,
        error_message: None,
        before: None,
        after: None,
        request_id: actor.request_id.as_deref(),
        dry_run: false,
        channel: actor.channel.as_str(),
    }
}

/// A record as its audit event's `before`/`after` JSON.
pub fn snapshot<T: Serialize>(value: &T) -> Result<Value, AppError> {
    Ok(serde_json::to_value(value)?)
}

/// Audits a failed write outside its (rolled back) transaction. Best effort: a failure to
/// audit is logged, and the caller still gets the original error.
async fn record_failure(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    request: &WriteRequest,
    err: &AppError,
) {
    let message = err.client_message();
    let event = NewAuditEvent {
        outcome: Outcome::Failed.as_str(),
        error_code: Some(err.code().as_str()),
        error_message: Some(&message),
        after: Some(&request.input),
        dry_run: request.options.dry_run,
        ..audit_row(
            actor,
            request.action,
            request.entity_type,
            request.entity_id,
        )
    };
    if let Err(audit_err) = AuditEvent::insert(conn, &event).await {
        tracing::error!(error = %audit_err, action = request.action, "could not audit a failed write");
    }
}

/// The audit action of a mutation refused before any domain code ran: by the input boundary
/// (`BAD_USER_INPUT`) or the scope table (`FORBIDDEN`). One action for both, so "what was
/// refused at the door" is one query; `after.mutation` names the root field.
pub const REFUSED_ACTION: &str = "request.refused";

/// A mutation refused before it ran, as [`record_refusal`] audits it.
pub struct Refusal<'a> {
    /// The mutation's root field (`createDeal`).
    pub field: &'a str,
    /// Its arguments as the client sent them, when the refusal has them.
    pub arguments: Option<&'a Value>,
    pub code: crate::error::ErrorCode,
    pub message: &'a str,
}

/// Audits a write refused before it ran. Best effort, like every failure audit: the client
/// gets its refusal either way.
pub async fn record_refusal(pool: &DbPool, actor: &Actor, refusal: &Refusal<'_>) {
    let Ok(mut conn) = crate::db::conn(pool).await else {
        tracing::error!(
            field = refusal.field,
            "could not audit a refused write: no connection"
        );
        return;
    };
    let after = match refusal.arguments {
        Some(arguments) => json!({ "mutation": refusal.field, "arguments": arguments }),
        None => json!({ "mutation": refusal.field }),
    };
    let event = NewAuditEvent {
        outcome: Outcome::Failed.as_str(),
        error_code: Some(refusal.code.as_str()),
        error_message: Some(refusal.message),
        after: Some(&after),
        ..audit_row(actor, REFUSED_ACTION, "request", None)
    };
    if let Err(audit_err) = AuditEvent::insert(&mut conn, &event).await {
        tracing::error!(error = %audit_err, field = refusal.field, "could not audit a refused write");
    }
}
