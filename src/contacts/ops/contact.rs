//! Writes of contacts: create, update, delete, each through the write path.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::FutureExt;
use serde_json::json;
use uuid::Uuid;

use super::request_input;
use crate::auth::{Actor, Scope};
use crate::contacts::model::contact::EMAIL_UNIQUE;
use crate::contacts::model::{Company, Contact, ContactValues, NewContact};
use crate::contacts::rules::changed_fields;
use crate::contacts::rules::contact::{new_values, patched_values, ContactInput, ContactPatch};
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::NewEvent;
use crate::validate;
use crate::write::{self, WriteOptions, WriteRequest, WriteResult, Written};

/// `createContact`.
pub async fn create_contact(
    pool: &DbPool,
    actor: &Actor,
    input: ContactInput,
    options: WriteOptions,
) -> Result<WriteResult<Contact>, AppError> {
    let request = WriteRequest {
        action: "contact.create",
        entity_type: "contact",
        entity_id: None,
        scope: Scope::CrmWrite,
        input: request_input(None, None, &input)?,
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let values = new_values(&input)?;
            check_company(conn, workspace_id, values.company_id, None).await?;
            let new = NewContact {
                workspace_id,
                id: Uuid::now_v7(),
                values,
            };
            // In a savepoint, so a duplicate e-mail can still be looked up afterwards.
            let inserted = conn
                .transaction::<_, DieselError, _>(async |conn| Contact::insert(conn, &new).await)
                .await;
            let contact = match inserted {
                Ok(contact) => contact,
                Err(err) => return Err(explain(conn, workspace_id, err, &new.values).await),
            };
            Ok(Written {
                entity_id: contact.id,
                before: None,
                after: Some(serde_json::to_value(&contact)?),
                events: vec![NewEvent {
                    event_type: "contact.created",
                    entity_type: "contact",
                    entity_id: contact.id,
                    payload: json!({
                        "id": contact.id,
                        "name": contact.name,
                        "email": contact.email,
                        "companyId": contact.company_id,
                    }),
                }],
                value: contact,
            })
        }
        .boxed()
    })
    .await
}

/// `updateContact`: a partial update; `expected_version`, when given, must be current.
pub async fn update_contact(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    patch: ContactPatch,
    options: WriteOptions,
) -> Result<WriteResult<Contact>, AppError> {
    let request = WriteRequest {
        action: "contact.update",
        entity_type: "contact",
        entity_id: Some(id),
        scope: Scope::CrmWrite,
        input: request_input(Some(id), expected_version, &patch)?,
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let before = Contact::find_for_update(conn, workspace_id, id)
                .await?
                .ok_or_else(|| AppError::not_found("contact", id))?;
            validate::expected_version(expected_version, before.version, "contact", id)?;
            let values = patched_values(&before, patch)?;
            check_company(conn, workspace_id, values.company_id, before.company_id).await?;
            let updated = conn
                .transaction::<_, DieselError, _>(async |conn| {
                    Contact::update(conn, workspace_id, id, &values).await
                })
                .await;
            let after = match updated {
                Ok(contact) => contact,
                Err(err) => return Err(explain(conn, workspace_id, err, &values).await),
            };
            let before_json = serde_json::to_value(&before)?;
            let after_json = serde_json::to_value(&after)?;
            let changed = changed_fields(&before_json, &after_json);
            Ok(Written {
                entity_id: id,
                events: vec![NewEvent {
                    event_type: "contact.updated",
                    entity_type: "contact",
                    entity_id: id,
                    payload: json!({ "id": id, "version": after.version, "changed": changed }),
                }],
                before: Some(before_json),
                after: Some(after_json),
                value: after,
            })
        }
        .boxed()
    })
    .await
}

/// `deleteContact`: the contact goes, and with it its place on deals (never a dangling
/// link). Returns the contact as it was.
pub async fn delete_contact(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<Contact>, AppError> {
    let request = WriteRequest {
        action: "contact.delete",
        entity_type: "contact",
        entity_id: Some(id),
        scope: Scope::CrmWrite,
        input: request_input(Some(id), expected_version, &json!({}))?,
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let before = Contact::find_for_update(conn, workspace_id, id)
                .await?
                .ok_or_else(|| AppError::not_found("contact", id))?;
            validate::expected_version(expected_version, before.version, "contact", id)?;
            Contact::delete(conn, workspace_id, id).await?;
            Ok(Written {
                entity_id: id,
                before: Some(serde_json::to_value(&before)?),
                after: None,
                events: vec![NewEvent {
                    event_type: "contact.deleted",
                    entity_type: "contact",
                    entity_id: id,
                    payload: json!({ "id": id, "name": before.name, "email": before.email }),
                }],
                value: before,
            })
        }
        .boxed()
    })
    .await
}

/// A contact may only point at a company of its own workspace; another workspace's
/// company is as unknown as a missing one.
async fn check_company(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    company_id: Option<Uuid>,
    current: Option<Uuid>,
) -> Result<(), AppError> {
    match company_id {
        Some(id) if Some(id) != current => {
            if Company::exists(conn, workspace_id, id).await? {
                Ok(())
            } else {
                Err(AppError::not_found("company", id))
            }
        }
        _ => Ok(()),
    }
}

/// Turns a failed insert or update (rolled back to its savepoint) into the error the caller
/// should see: a duplicate e-mail names the contact that has it.
async fn explain(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    err: DieselError,
    values: &ContactValues,
) -> AppError {
    match (&err, values.email.as_deref()) {
        (DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info), Some(email))
            if info.constraint_name() == Some(EMAIL_UNIQUE) =>
        {
            let existing_id = match Contact::id_by_email(conn, workspace_id, email).await {
                Ok(found) => found,
                Err(lookup) => return lookup.into(),
            };
            AppError::Conflict {
                field: Some("input.email".into()),
                message: format!("a contact with the e-mail address {email:?} already exists"),
                existing_id,
            }
        }
        // The only foreign key a contact's own values can break is its company's.
        (DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _), _) => {
            match values.company_id {
                Some(id) => AppError::not_found("company", id),
                None => err.into(),
            }
        }
        _ => err.into(),
    }
}
