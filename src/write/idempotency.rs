//! Idempotency keys: a write retried with the same key and input replays its first response;
//! the same key with another input is refused. A key is claimed before the write's
//! transaction (so a concurrent retry sees it) and completed inside it (so the stored
//! response exists if and only if the write committed).

use diesel::prelude::*;
use diesel::sql_types::{Bytea, Jsonb, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::AppError;

/// How long a completed idempotency key is remembered.
pub const IDEMPOTENCY_RETENTION_HOURS: i32 = 24;
/// A claim older than this belongs to a request that died; a retry may take it over.
const ABANDONED_CLAIM_MINUTES: i32 = 5;
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
pub(super) async fn claim(
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

pub(super) async fn complete(
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
pub(super) async fn release(conn: &mut AsyncPgConnection, workspace_id: Uuid, key: &str) {
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
    fn array_order_matters() {
        assert_ne!(
            canonical_json(&json!([1, 2])),
            canonical_json(&json!([2, 1]))
        );
    }
}
