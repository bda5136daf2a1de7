//! The write path. Every mutation goes through [`write`], so every write gets the same
//! guarantees: a scope check, idempotency keys, one transaction holding the change, its audit
//! event and its outbox events, dry runs that roll back, and failures that are audited too.

use diesel::prelude::*;
use diesel::sql_types::{Bytea, Jsonb, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, RunQueryDsl, TransactionManager};
use futures_util::future::BoxFuture;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

mod patch;
pub mod record;
pub use patch::Patch;

use crate::audit::{AuditEvent, NewAuditEvent, Outcome};
use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::{self, NewEvent};

/// How long a completed idempotency key is remembered.
pub const IDEMPOTENCY_RETENTION_HOURS: i32 = 24;
/// A claim older than this belongs to a request that died; a retry may take it over.
const ABANDONED_CLAIM_MINUTES: i32 = 5;
const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

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

/// The result of a write as the API reports it.
#[derive(Debug)]
pub struct WriteResult<T> {
    pub value: T,
    /// True when the response was replayed for a known idempotency key.
    pub replayed: bool,
    /// True when nothing was committed (`dryRun`).
    pub dry_run: bool,
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
}

impl<T> From<diesel::result::Error> for Abort<T> {
    fn from(err: diesel::result::Error) -> Self {
        Abort::Failed(err.into())
    }
}

enum Claim {
    Claimed,
    Replay(Value),
}

/// Runs `change` through the write path. `T` is serialised to store the idempotent response;
/// fields that must not be stored (a new key's secret) are `#[serde(skip)]`ped by `T`.
pub async fn write<T, F>(
    pool: &DbPool,
    actor: &Actor,
    request: WriteRequest,
    change: F,
) -> Result<WriteResult<T>, AppError>
where
    T: Serialize + DeserializeOwned + Send + 'static,
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> BoxFuture<'r, Result<Written<T>, AppError>>
        + Send
        + 'static,
{
    let mut conn = crate::db::conn(pool).await?;
    if let Err(err) = actor.require(request.scope) {
        record_failure(&mut conn, actor, &request, &err).await;
        return Err(err);
    }

    let idempotency = match &request.options.idempotency_key {
        Some(key) => {
            let fingerprint = fingerprint(request.action, &request.input);
            match claim(&mut conn, actor, key, request.action, &fingerprint).await {
                Ok(Claim::Claimed) => Some(key.clone()),
                Ok(Claim::Replay(response)) => {
                    let value = serde_json::from_value(response)?;
                    return Ok(WriteResult {
                        value,
                        replayed: true,
                        dry_run: false,
                    });
                }
                Err(err) => {
                    record_failure(&mut conn, actor, &request, &err).await;
                    return Err(err);
                }
            }
        }
        None => None,
    };

    // Begin/commit by hand rather than with a closure, so a dry run can roll back and still
    // hand its value out. A dropped future mid-transaction leaves the connection marked as
    // in a transaction, and the pool discards it instead of reusing it.
    let result = match AnsiTransactionManager::begin_transaction(&mut *conn).await {
        Ok(()) => {
            let outcome = apply(&mut conn, actor, &request, idempotency.as_deref(), change).await;
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
        Ok(value) => Ok(WriteResult {
            value,
            replayed: false,
            dry_run: false,
        }),
        Err(Abort::DryRun(value)) => {
            if let Some(key) = &idempotency {
                release(&mut conn, actor.workspace_id, key).await;
            }
            Ok(WriteResult {
                value,
                replayed: false,
                dry_run: true,
            })
        }
        Err(Abort::Failed(err)) => {
            if let Some(key) = &idempotency {
                release(&mut conn, actor.workspace_id, key).await;
            }
            record_failure(&mut conn, actor, &request, &err).await;
            Err(err)
        }
    }
}

/// The transaction's body: the change, its audit event, its outbox events and the stored
/// idempotent response. A dry run ends in `Abort::DryRun`, which rolls everything back.
async fn apply<T, F>(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    request: &WriteRequest,
    idempotency_key: Option<&str>,
    change: F,
) -> Result<T, Abort<T>>
where
    T: Serialize,
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> BoxFuture<'r, Result<Written<T>, AppError>>,
{
    let written = change(conn).await.map_err(Abort::Failed)?;
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
    if let Some(key) = idempotency_key {
        let response = serde_json::to_value(&written.value).map_err(|e| Abort::Failed(e.into()))?;
        complete(conn, actor.workspace_id, key, &response).await?;
    }
    // Last, because it takes the outbox ordering lock, held until commit.
    events::append(conn, actor.workspace_id, &written.events).await?;
    Ok(written.value)
}

async fn audit_success<T>(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    request: &WriteRequest,
    written: &Written<T>,
) -> QueryResult<()> {
    AuditEvent::insert(
        conn,
        &NewAuditEvent {
            workspace_id: actor.workspace_id,
            id: Uuid::now_v7(),
            actor_key_id: Some(actor.key_id),
            action: request.action,
            entity_type: request.entity_type,
            entity_id: Some(written.entity_id),
            outcome: Outcome::Succeeded.as_str(),
            error_code: None,
            error_message: None,
            before: written.before.as_ref(),
            after: written.after.as_ref(),
            request_id: actor.request_id.as_deref(),
            dry_run: request.options.dry_run,
        },
    )
    .await
}

/// A record as its audit event's `before`/`after` JSON.
pub fn snapshot<T: Serialize>(value: &T) -> Result<Value, AppError> {
    Ok(serde_json::to_value(value)?)
}

/// SHA-256 over the action and the canonical JSON of the input (object keys sorted).
fn fingerprint(action: &str, input: &Value) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(action.as_bytes());
    hasher.update([0]);
    hasher.update(canonical_json(input).as_bytes());
    hasher.finalize().to_vec()
}

fn canonical_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let body: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), canonical_json(v)))
                .collect();
            format!("{{{}}}", body.join(","))
        }
        Value::Array(items) => {
            format!(
                "[{}]",
                items
                    .iter()
                    .map(canonical_json)
                    .collect::<Vec<_>>()
                    .join(",")
            )
        }
        other => other.to_string(),
    }
}

#[derive(QueryableByName)]
struct ExistingKey {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Bytea)]
    request_hash: Vec<u8>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    response: Option<Value>,
}

/// Claims `key` for this request, or says why it cannot: a replay, a reuse or a request that
/// still holds it. Runs outside the write's transaction so a concurrent request sees the claim.
async fn claim(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    key: &str,
    action: &str,
    fingerprint: &[u8],
) -> Result<Claim, AppError> {
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY_LEN {
        return Err(AppError::bad_input(
            "input.idempotencyKey",
            format!("must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} characters"),
        ));
    }
    let claimed = diesel::sql_query(format!(
        "INSERT INTO idempotency_keys (workspace_id, key, action, request_hash, status, expires_at)
         VALUES ($1, $2, $3, $4, 'in_flight', now() + interval '{IDEMPOTENCY_RETENTION_HOURS} hours')
         ON CONFLICT (workspace_id, key) DO UPDATE
            SET action = EXCLUDED.action, request_hash = EXCLUDED.request_hash,
                status = 'in_flight', response = NULL, created_at = now(),
                expires_at = EXCLUDED.expires_at
          WHERE idempotency_keys.expires_at < now()
             OR (idempotency_keys.status = 'in_flight'
                 AND idempotency_keys.created_at < now() - interval '{ABANDONED_CLAIM_MINUTES} minutes')"
    ))
    .bind::<SqlUuid, _>(actor.workspace_id)
    .bind::<Text, _>(key)
    .bind::<Text, _>(action)
    .bind::<Bytea, _>(fingerprint)
    .execute(conn)
    .await?;
    if claimed == 1 {
        return Ok(Claim::Claimed);
    }
    let existing: Option<ExistingKey> = diesel::sql_query(
        "SELECT status, request_hash, response FROM idempotency_keys WHERE workspace_id = $1 AND key = $2",
    )
    .bind::<SqlUuid, _>(actor.workspace_id)
    .bind::<Text, _>(key)
    .get_result(conn)
    .await
    .optional()?;
    match existing {
        // Released between our insert and select: the caller may simply retry.
        None => Err(AppError::conflict(Some("input.idempotencyKey"), "a request with this idempotency key just finished; retry")),
        Some(existing) if existing.request_hash != fingerprint => Err(AppError::IdempotencyKeyReused(key.to_owned())),
        Some(existing) => match (existing.status.as_str(), existing.response) {
            ("completed", Some(response)) => Ok(Claim::Replay(response)),
            _ => Err(AppError::conflict(
                Some("input.idempotencyKey"),
                "a request with this idempotency key is still in progress; retry after it completes",
            )),
        },
    }
}

async fn complete(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    key: &str,
    response: &Value,
) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE idempotency_keys SET status = 'completed', response = $3 WHERE workspace_id = $1 AND key = $2",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<Text, _>(key)
    .bind::<Jsonb, _>(response)
    .execute(conn)
    .await
    .map(drop)
}

/// Frees a claim whose write failed or was a dry run, so the key can be used again.
async fn release(conn: &mut AsyncPgConnection, workspace_id: Uuid, key: &str) {
    let released = diesel::sql_query(
        "DELETE FROM idempotency_keys WHERE workspace_id = $1 AND key = $2 AND status = 'in_flight'",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<Text, _>(key)
    .execute(conn)
    .await;
    if let Err(err) = released {
        tracing::error!(error = %err, "could not release an idempotency key");
    }
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
        workspace_id: actor.workspace_id,
        id: Uuid::now_v7(),
        actor_key_id: Some(actor.key_id),
        action: request.action,
        entity_type: request.entity_type,
        entity_id: request.entity_id,
        outcome: Outcome::Failed.as_str(),
        error_code: Some(err.code().as_str()),
        error_message: Some(&message),
        before: None,
        after: Some(&request.input),
        request_id: actor.request_id.as_deref(),
        dry_run: request.options.dry_run,
    };
    if let Err(audit_err) = AuditEvent::insert(conn, &event).await {
        tracing::error!(error = %audit_err, action = request.action, "could not audit a failed write");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fingerprint_ignores_key_order() {
        let a = json!({"name": "ci", "scopes": ["crm:read"], "nested": {"b": 1, "a": 2}});
        let b = json!({"nested": {"a": 2, "b": 1}, "scopes": ["crm:read"], "name": "ci"});
        assert_eq!(
            fingerprint("api_key.create", &a),
            fingerprint("api_key.create", &b)
        );
    }

    #[test]
    fn fingerprint_differs_by_input_and_action() {
        let a = json!({"name": "ci"});
        let b = json!({"name": "cd"});
        assert_ne!(
            fingerprint("api_key.create", &a),
            fingerprint("api_key.create", &b)
        );
        assert_ne!(
            fingerprint("api_key.create", &a),
            fingerprint("api_key.revoke", &a)
        );
    }

    #[test]
    fn array_order_matters() {
        assert_ne!(
            canonical_json(&json!([1, 2])),
            canonical_json(&json!([2, 1]))
        );
    }
}
