//! Writes of companies: create, update, delete, each through the write path.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::FutureExt;
use serde_json::json;
use uuid::Uuid;

use super::request_input;
use crate::auth::{Actor, Scope};
use crate::contacts::model::company::DOMAIN_UNIQUE;
use crate::contacts::model::{Company, CompanyValues, NewCompany};
use crate::contacts::rules::changed_fields;
use crate::contacts::rules::company::{new_values, patched_values, CompanyInput, CompanyPatch};
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::NewEvent;
use crate::validate;
use crate::write::{self, WriteOptions, WriteRequest, WriteResult, Written};

/// `createCompany`.
pub async fn create_company(
    pool: &DbPool,
    actor: &Actor,
    input: CompanyInput,
    options: WriteOptions,
) -> Result<WriteResult<Company>, AppError> {
    let request = WriteRequest {
        action: "company.create",
        entity_type: "company",
        entity_id: None,
        scope: Scope::CrmWrite,
        input: request_input(None, None, &input)?,
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let new = NewCompany {
                workspace_id,
                id: Uuid::now_v7(),
                values: new_values(&input)?,
            };
            // In a savepoint, so a duplicate domain can still be looked up afterwards.
            let inserted = conn
                .transaction::<_, DieselError, _>(async |conn| Company::insert(conn, &new).await)
                .await;
            let company = match inserted {
                Ok(company) => company,
                Err(err) => return Err(explain(conn, workspace_id, err, &new.values).await),
            };
            Ok(Written {
                entity_id: company.id,
                before: None,
                after: Some(serde_json::to_value(&company)?),
                events: vec![NewEvent {
                    event_type: "company.created",
                    entity_type: "company",
                    entity_id: company.id,
                    payload: json!({
                        "id": company.id,
                        "name": company.name,
                        "domain": company.domain,
                    }),
                }],
                value: company,
            })
        }
        .boxed()
    })
    .await
}

/// `updateCompany`: a partial update; `expected_version`, when given, must be current.
pub async fn update_company(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    patch: CompanyPatch,
    options: WriteOptions,
) -> Result<WriteResult<Company>, AppError> {
    let request = WriteRequest {
        action: "company.update",
        entity_type: "company",
        entity_id: Some(id),
        scope: Scope::CrmWrite,
        input: request_input(Some(id), expected_version, &patch)?,
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let before = Company::find_for_update(conn, workspace_id, id)
                .await?
                .ok_or_else(|| AppError::not_found("company", id))?;
            validate::expected_version(expected_version, before.version, "company", id)?;
            let values = patched_values(&before, patch)?;
            let updated = conn
                .transaction::<_, DieselError, _>(async |conn| {
                    Company::update(conn, workspace_id, id, &values).await
                })
                .await;
            let after = match updated {
                Ok(company) => company,
                Err(err) => return Err(explain(conn, workspace_id, err, &values).await),
            };
            let before_json = serde_json::to_value(&before)?;
            let after_json = serde_json::to_value(&after)?;
            let changed = changed_fields(&before_json, &after_json);
            Ok(Written {
                entity_id: id,
                events: vec![NewEvent {
                    event_type: "company.updated",
                    entity_type: "company",
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

/// `deleteCompany`: its contacts and deals stay, without a company. Returns the company as
/// it was.
pub async fn delete_company(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<Company>, AppError> {
    let request = WriteRequest {
        action: "company.delete",
        entity_type: "company",
        entity_id: Some(id),
        scope: Scope::CrmWrite,
        input: request_input(Some(id), expected_version, &json!({}))?,
        options,
    };
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let before = Company::find_for_update(conn, workspace_id, id)
                .await?
                .ok_or_else(|| AppError::not_found("company", id))?;
            validate::expected_version(expected_version, before.version, "company", id)?;
            Company::delete(conn, workspace_id, id).await?;
            Ok(Written {
                entity_id: id,
                before: Some(serde_json::to_value(&before)?),
                after: None,
                events: vec![NewEvent {
                    event_type: "company.deleted",
                    entity_type: "company",
                    entity_id: id,
                    payload: json!({ "id": id, "name": before.name, "domain": before.domain }),
                }],
                value: before,
            })
        }
        .boxed()
    })
    .await
}

/// Turns a failed insert or update (rolled back to its savepoint) into the error the caller
/// should see: a duplicate domain names the company that has it.
async fn explain(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    err: DieselError,
    values: &CompanyValues,
) -> AppError {
    match (&err, values.domain.as_deref()) {
        (DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info), Some(domain))
            if info.constraint_name() == Some(DOMAIN_UNIQUE) =>
        {
            let existing_id = match Company::id_by_domain(conn, workspace_id, domain).await {
                Ok(found) => found,
                Err(lookup) => return lookup.into(),
            };
            AppError::Conflict {
                field: Some("input.domain".into()),
                message: format!("a company with the domain {domain:?} already exists"),
                existing_id,
            }
        }
        _ => err.into(),
    }
}
