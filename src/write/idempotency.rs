//! Idempotency keys: a write retried with the same key and input replays its first response;
//! the same key with another input is refused. A key is claimed inside the write's
//! transaction with a transaction-scoped advisory lock, and its response stored in that same
//! transaction: "in progress" means a live transaction holds the key, so a request that died
//! with its server (PostgreSQL releases the lock when the connection goes) leaves nothing
//! that blocks a retry, and the stored response exists if and only if the write committed.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Bytea, Jsonb, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::AppError;

/// How long a completed idempotency key is remembered.
pub const IDEMPOTENCY_RETENTION_HOURS: i32 = 24;
const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

pub(super) enum Claim {
    Claimed,
    Replay(Value),
}

/// SHA-256 over the action, the canonical JSON of the input (object keys sorted) and, for a
/// dry run, that it is one: a key used for a real write and then for a dry run (or the other
/// way round while the first is in flight) is a reuse, not a replay. A real write's hash is
/// the same as before dry runs were told apart, so keys stored earlier still replay.
pub(super) fn fingerprint(action: &str, input: &Value, dry_run: bool) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(action.as_bytes());
    hasher.update([0]);
    hasher.update(canonical_json(input).as_bytes());
    if dry_run {
        hasher.update([0]);
        hasher.update(b"dryRun");
    }
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
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

#[derive(QueryableByName)]
struct CompletedKey {
    #[diesel(sql_type = Bytea)]
    request_hash: Vec<u8>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    response: Option<Value>,
}

/// The advisory lock standing for `key` of `workspace_id`: 64 bits of a SHA-256, so two keys
/// share a lock (and one waits on the other) practically never.
fn lock_id(workspace_id: Uuid, key: &str) -> i64 {
    let mut hasher = Sha256::new();
    hasher.update(b"idempotency");
    hasher.update(workspace_id.as_bytes());
    hasher.update(key.as_bytes());
    let digest = hasher.finalize();
    let mut first = [0; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// Claims `key` for this request, or says why it cannot: a replay, a reuse or a request that
/// still holds it. Runs as the first statement of the write's transaction, which then holds
/// the claim until it commits or rolls back.
pub(super) async fn claim(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    key: &str,
    fingerprint: &[u8],
) -> Result<Claim, AppError> {
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY_LEN {
        return Err(AppError::bad_input(
            "input.idempotencyKey",
            format!("must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} characters"),
        ));
    }
    // Try, never wait: a duplicate sent while the first is running is told so at once
    // rather than queued behind it.
    let claimed: Locked = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
        .bind::<BigInt, _>(lock_id(actor.workspace_id, key))
        .get_result(conn)
        .await?;
    if !claimed.locked {
        return Err(AppError::conflict(
            Some("input.idempotencyKey"),
            "a request with this idempotency key is still in progress; retry after it completes",
        ));
    }
    // Read after taking the lock: a write that held it has committed or rolled back by now,
    // and this statement sees what it left. Rows still 'in_flight' were claims of an older
    // version of dealgraph, whose requests are gone; they count as absent.
    let completed: Option<CompletedKey> = diesel::sql_query(
        "SELECT request_hash, response FROM idempotency_keys
          WHERE workspace_id = $1 AND key = $2 AND status = 'completed' AND expires_at > now()",
    )
    .bind::<SqlUuid, _>(actor.workspace_id)
    .bind::<Text, _>(key)
    .get_result(conn)
    .await
    .optional()?;
    match completed {
        None => Ok(Claim::Claimed),
        Some(known) if known.request_hash != fingerprint => {
            Err(AppError::IdempotencyKeyReused(key.to_owned()))
        }
        Some(known) => known
            .response
            .map(Claim::Replay)
            .ok_or_else(|| AppError::internal("a completed idempotency key without its response")),
    }
}

/// Stores the response of a claimed key, in the write's transaction. Replaces an expired
/// entry or an abandoned claim of an older version under the same key.
pub(super) async fn complete(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    key: &str,
    action: &str,
    fingerprint: &[u8],
    response: &Value,
) -> QueryResult<()> {
    diesel::sql_query(format!(
        "INSERT INTO idempotency_keys (workspace_id, key, action, request_hash, status, response, expires_at)
         VALUES ($1, $2, $3, $4, 'completed', $5, now() + interval '{IDEMPOTENCY_RETENTION_HOURS} hours')
         ON CONFLICT (workspace_id, key) DO UPDATE
            SET action = EXCLUDED.action, request_hash = EXCLUDED.request_hash,
                status = 'completed', response = EXCLUDED.response, created_at = now(),
                expires_at = EXCLUDED.expires_at"
    ))
    .bind::<SqlUuid, _>(actor.workspace_id)
    .bind::<Text, _>(key)
    .bind::<Text, _>(action)
    .bind::<Bytea, _>(fingerprint)
    .bind::<Jsonb, _>(response)
    .execute(conn)
    .await
    .map(drop)
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
            fingerprint("api_key.create", &a, false),
            fingerprint("api_key.create", &b, false)
        );
    }

    #[test]
    fn fingerprint_differs_by_input_and_action() {
        let a = json!({"name": "ci"});
        let b = json!({"name": "cd"});
        assert_ne!(
            fingerprint("api_key.create", &a, false),
            fingerprint("api_key.create", &b, false)
        );
        assert_ne!(
            fingerprint("api_key.create", &a, false),
            fingerprint("api_key.revoke", &a, false)
        );
    }

    #[test]
    fn a_dry_run_fingerprints_apart_from_the_real_write() {
        let a = json!({"name": "ci"});
        assert_ne!(
            fingerprint("api_key.create", &a, false),
            fingerprint("api_key.create", &a, true)
        );
    }

    #[test]
    fn each_key_of_each_workspace_has_its_own_lock() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(lock_id(a, "req-1"), lock_id(a, "req-1"));
        assert_ne!(lock_id(a, "req-1"), lock_id(a, "req-2"));
        assert_ne!(lock_id(a, "req-1"), lock_id(b, "req-1"));
    }

    #[test]
    fn array_order_matters() {
        assert_ne!(
            canonical_json(&json!([1, 2])),
            canonical_json(&json!([2, 1]))
        );
    }
}
