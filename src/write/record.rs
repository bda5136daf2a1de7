//! Plain entities through the write path. A contact, a company (later a lead, a task, an
//! account) implements [`Record`] once — its names, its rules, its SQL, its events — and gets
//! `create`, `update` and `delete` with every guarantee of the write path: scope check,
//! idempotency, one transaction with audit and outbox events, dry runs, optimistic versions
//! and unique-constraint violations reported as `CONFLICT` naming the record that holds the
//! value. Entities with behaviour of their own (a deal move, a conversion, a posting) write
//! their own operation on [`super::write`] instead.

use async_trait::async_trait;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::QueryResult;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::FutureExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::locked::locked;
pub use super::remove::delete;
use super::{write, WriteOptions, WriteRequest, WriteResult, Written};
use crate::auth::{Actor, Scope};
use crate::db::record_sql::TenantRow;
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::{EventKind, NewEvent};

/// The names a record goes by: in the audit trail, in errors, in idempotency fingerprints.
#[derive(Debug, Clone, Copy)]
pub struct RecordNames {
    /// `contact`: the audit entity type and the name in "not found" errors.
    pub entity: &'static str,
    /// `contact.create`, `contact.update`, `contact.delete`: the audit actions.
    pub create: &'static str,
    pub update: &'static str,
    pub delete: &'static str,
}

/// `record_names!("contact")`: the names of a record whose audit actions are `contact.create`,
/// `contact.update` and `contact.delete`; `record_names!("activity", "log")` for one whose
/// creation is called otherwise (`activity.log`).
macro_rules! record_names {
    ($entity:literal) => {
        $crate::write::record::record_names!($entity, "create")
    };
    ($entity:literal, $create:literal) => {
        $crate::write::record::RecordNames {
            entity: $entity,
            create: concat!($entity, ".", $create),
            update: concat!($entity, ".update"),
            delete: concat!($entity, ".delete"),
        }
    };
}
pub(crate) use record_names;

/// A value users rely on being unique (a contact's e-mail), guarded by a unique index.
#[derive(Debug, Clone, Copy)]
pub struct UniqueValue {
    /// The index's name, as PostgreSQL reports it in the violation.
    pub constraint: &'static str,
    /// The input field named in the `CONFLICT` error.
    pub field: &'static str,
}

/// A plain entity the write path creates, updates and deletes on its own.
#[async_trait]
pub trait Record: TenantRow + Serialize + DeserializeOwned + Send + Sync + 'static {
    const NAMES: RecordNames;
    /// The scope writes need.
    const SCOPE: Scope = Scope::CrmWrite;
    /// Values that must be unique, each with the input field that carries it.
    const UNIQUE: &'static [UniqueValue] = &[];

    /// A new record as the caller gave it (`Changes`, what is stored, comes with the row's
    /// SQL: [`TenantRow`]).
    type Input: Serialize + Send + Sync + 'static;
    /// A partial update as the caller gave it (absent leaves a field, null clears it).
    type Patch: Serialize + Send + Sync + 'static;

    /// The rules: the stored values of a new record.
    fn new_changes(input: &Self::Input) -> Result<Self::Changes, AppError>;
    /// The rules: the stored values of `current` after `patch`.
    fn patched_changes(current: &Self, patch: Self::Patch) -> Result<Self::Changes, AppError>;

    /// Checks that the records `changes` points at exist in the workspace (another
    /// workspace's record is as unknown as a missing one). `current` is the record before an
    /// update: references it already has need no check.
    async fn check_references(
        _conn: &mut AsyncPgConnection,
        _workspace_id: Uuid,
        _changes: &Self::Changes,
        _current: Option<&Self>,
    ) -> Result<(), AppError> {
        Ok(())
    }

    /// Completes `changes` from the workspace's own rules just before they are written (a
    /// lead's owner from routing rules, its score from scoring rules), in the write's
    /// transaction; returns any events of its own to publish with the write. `id` is the
    /// record's id; `current` is the record before an update.
    async fn complete(
        _conn: &mut AsyncPgConnection,
        _workspace_id: Uuid,
        _id: Uuid,
        _changes: &mut Self::Changes,
        _current: Option<&Self>,
    ) -> Result<Vec<NewEvent>, AppError> {
        Ok(Vec::new())
    }

    /// What follows the record's write in the same transaction, on `create` and `update`
    /// (an activity moves its linked records' `last_activity_at` forward; a task that became
    /// DONE logs its completion); returns the events to publish after the write's own.
    /// `before` is the record before an update; `actor_key_id` is the acting key.
    async fn written(
        _conn: &mut AsyncPgConnection,
        _workspace_id: Uuid,
        _actor_key_id: Uuid,
        _before: Option<&Self>,
        _after: &Self,
    ) -> Result<Vec<NewEvent>, AppError> {
        Ok(Vec::new())
    }

    /// The record that holds the value `unique` guards in `changes`, and the message saying
    /// so; `None` when `changes` has no such value.
    async fn unique_holder(
        _conn: &mut AsyncPgConnection,
        _workspace_id: Uuid,
        _unique: &UniqueValue,
        _changes: &Self::Changes,
    ) -> QueryResult<Option<(Option<Uuid>, String)>> {
        Ok(None)
    }

    /// The error for a foreign-key violation `changes` caused (a reference that vanished
    /// between the check and the write); `None` reports it as internal.
    fn broken_reference(_changes: &Self::Changes) -> Option<AppError> {
        None
    }

    /// Whether the record may be deleted as it is (say, not a converted lead).
    fn check_delete(&self) -> Result<(), AppError> {
        Ok(())
    }

    /// The events of a create and a delete; an update publishes [`RecordUpdated`] as
    /// [`Record::UPDATED`].
    fn created(&self) -> Result<NewEvent, serde_json::Error>;
    fn deleted(&self) -> Result<NewEvent, serde_json::Error>;
    const UPDATED: EventKind;
}

/// The payload of every plain record's `*.updated` event.
#[derive(Debug, Serialize)]
pub struct RecordUpdated {
    pub id: Uuid,
    pub version: i32,
    /// The row fields (snake_case column names) the update changed.
    pub changed: Vec<String>,
}

/// Creates a record of type `R` through the write path.
pub async fn create<R: Record>(
    pool: &DbPool,
    actor: &Actor,
    input: R::Input,
    options: WriteOptions,
) -> Result<WriteResult<R>, AppError> {
    let input_json = request_input(None, None, &input)?;
    let request = WriteRequest::new(
        R::NAMES.create,
        R::NAMES.entity,
        R::SCOPE,
        input_json,
        options,
    );
    let actor_key_id = actor.key_id;
    write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let changes = R::new_changes(&input)?;
            let (record, mut events) = insert::<R>(conn, workspace_id, changes).await?;
            events.extend(R::written(conn, workspace_id, actor_key_id, None, &record).await?);
            Ok(Written {
                entity_id: record.id(),
                before: None,
                after: Some(serde_json::to_value(&record)?),
                events,
                value: record,
            })
        }
        .boxed()
    })
    .await
}

/// Applies a partial update to a record of type `R`; `expected_version`, when given, must be
/// its current version.
pub async fn update<R: Record>(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    patch: R::Patch,
    options: WriteOptions,
) -> Result<WriteResult<R>, AppError> {
    let input = request_input(Some(id), expected_version, &patch)?;
    let request =
        WriteRequest::new(R::NAMES.update, R::NAMES.entity, R::SCOPE, input, options).on(id);
    let actor_key_id = actor.key_id;
    write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let before = locked::<R>(conn, workspace_id, id, expected_version).await?;
            let mut changes = R::patched_changes(&before, patch)?;
            R::check_references(conn, workspace_id, &changes, Some(&before)).await?;
            let completed =
                R::complete(conn, workspace_id, id, &mut changes, Some(&before)).await?;
            let after = change::<R>(conn, workspace_id, id, &changes).await?;
            let followed =
                R::written(conn, workspace_id, actor_key_id, Some(&before), &after).await?;
            let before_json = serde_json::to_value(&before)?;
            let after_json = serde_json::to_value(&after)?;
            let changed = changed_fields(&before_json, &after_json);
            Ok(Written {
                entity_id: id,
                events: std::iter::once(NewEvent::new(
                    R::UPDATED,
                    id,
                    &RecordUpdated {
                        id,
                        version: after.version(),
                        changed,
                    },
                )?)
                .chain(completed)
                .chain(followed)
                .collect(),
                before: Some(before_json),
                after: Some(after_json),
                value: after,
            })
        }
        .boxed()
    })
    .await
}

/// Inserts a new record of type `R` holding `changes` in the caller's transaction: checks
/// its references, completes it from the workspace's rules (`Record::complete`), and inserts
/// it in a savepoint so that a duplicate unique value is explained by the record's own rules.
/// Returns the record and the events to publish: its `created` event, then completion's.
/// `create` is this through the write path; a domain operation that creates a record as one
/// step of its own change (a lead's conversion creates a contact and a company) calls it
/// directly and publishes the events with its own.
pub async fn insert<R: Record>(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    mut changes: R::Changes,
) -> Result<(R, Vec<NewEvent>), AppError> {
    R::check_references(conn, workspace_id, &changes, None).await?;
    let id = Uuid::now_v7();
    let completed = R::complete(conn, workspace_id, id, &mut changes, None).await?;
    // In a savepoint, so that after a unique violation the holder can still be looked up; a
    // record with no unique values has nothing to look up (a vanished reference is explained
    // from `changes` alone), so it spares the savepoint's two statements.
    let inserted = if R::UNIQUE.is_empty() {
        R::create(conn, workspace_id, id, &changes).await
    } else {
        conn.transaction::<_, DieselError, _>(async |conn| {
            R::create(conn, workspace_id, id, &changes).await
        })
        .await
    };
    match inserted {
        Ok(record) => {
            let events = std::iter::once(record.created()?)
                .chain(completed)
                .collect();
            Ok((record, events))
        }
        Err(err) => Err(explain::<R>(conn, workspace_id, err, &changes).await),
    }
}

/// Writes `changes` to record `id` (locked by the caller) in a savepoint, so that a duplicate
/// unique value or a vanished reference is explained by the record's own rules. Also for the
/// domain operations that change a record outside a plain update (a lead's lifecycle).
pub async fn change<R: Record>(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    id: Uuid,
    changes: &R::Changes,
) -> Result<R, AppError> {
    let updated = conn
        .transaction::<_, DieselError, _>(async |conn| {
            R::change(conn, workspace_id, id, changes).await
        })
        .await;
    match updated {
        Ok(record) => Ok(record),
        Err(err) => Err(explain::<R>(conn, workspace_id, err, changes).await),
    }
}

/// Turns a failed insert or update (rolled back to its savepoint) into the error the caller
/// should see: a duplicate unique value names the record that holds it.
async fn explain<R: Record>(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    err: DieselError,
    changes: &R::Changes,
) -> AppError {
    match &err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            let Some(unique) = R::UNIQUE
                .iter()
                .find(|u| info.constraint_name() == Some(u.constraint))
            else {
                return err.into();
            };
            match R::unique_holder(conn, workspace_id, unique, changes).await {
                Ok(Some((existing_id, message))) => AppError::Conflict {
                    field: Some(unique.field.into()),
                    message,
                    existing_id,
                },
                Ok(None) => err.into(),
                Err(lookup) => lookup.into(),
            }
        }
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            R::broken_reference(changes).unwrap_or_else(|| err.into())
        }
        _ => err.into(),
    }
}

/// The canonical input of a write, for its idempotency fingerprint and failure audit: the
/// caller's fields plus the target and the version it expects.
pub fn request_input(
    id: Option<Uuid>,
    expected_version: Option<i32>,
    fields: &impl Serialize,
) -> Result<Value, AppError> {
    let mut input = serde_json::to_value(fields)?;
    if let Value::Object(map) = &mut input {
        if let Some(id) = id {
            map.insert("id".into(), Value::String(id.to_string()));
        }
        if let Some(version) = expected_version {
            map.insert("expectedVersion".into(), Value::from(version));
        }
    }
    Ok(input)
}

/// The row fields an update changed, for the `*.updated` event: the keys whose values
/// differ, leaving out the bookkeeping every update touches.
pub fn changed_fields(before: &Value, after: &Value) -> Vec<String> {
    let (Value::Object(before), Value::Object(after)) = (before, after) else {
        return Vec::new();
    };
    after
        .iter()
        .filter(|(key, _)| !matches!(key.as_str(), "version" | "updated_at"))
        .filter(|(key, value)| before.get(key.as_str()) != Some(value))
        .map(|(key, _)| key.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changed_fields_leave_out_bookkeeping() {
        let before = json!({"name": "A", "title": null, "version": 1, "updated_at": "x"});
        let after = json!({"name": "B", "title": null, "version": 2, "updated_at": "y"});
        assert_eq!(changed_fields(&before, &after), vec!["name".to_owned()]);
    }

    #[test]
    fn request_input_names_target_and_version() {
        let input = request_input(Some(Uuid::nil()), Some(3), &json!({"name": "A"})).unwrap();
        assert_eq!(input["id"], json!(Uuid::nil().to_string()));
        assert_eq!(input["expectedVersion"], json!(3));
        assert_eq!(input["name"], json!("A"));
    }
}
