//! Authentication, and the operator's path to workspaces and keys (the CLI and the demo
//! bootstrap, which have no acting key and so cannot use the write path; they audit
//! themselves). The API's key management goes through the write path in `crate::api_keys`,
//! which builds on this module: the write layer uses `auth`, never the reverse.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::keys;
use super::model::{ApiKey, NewApiKey, Workspace};
use super::Scope;
use crate::audit::AuditEvent;
use crate::error::AppError;

pub const MAX_NAME_LEN: usize = 200;

/// A key just created: the secret is in the response once and is never stored, not even for
/// an idempotent replay (a replay returns the key without its secret).
#[derive(Debug, Serialize, Deserialize)]
pub struct CreatedApiKey {
    pub key: ApiKey,
    #[serde(skip)]
    pub secret: Option<String>,
}

pub struct NewKeyInput {
    pub name: String,
    pub scopes: Vec<Scope>,
}

/// Checks a key's name and scopes; the rules behind `createApiKey` and the CLI.
pub fn validate_new_key(input: &NewKeyInput) -> Result<(), AppError> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(AppError::bad_input(
            "input.name",
            format!("must be 1 to {MAX_NAME_LEN} characters"),
        ));
    }
    if input.scopes.is_empty() {
        return Err(AppError::bad_input(
            "input.scopes",
            "at least one scope is required",
        ));
    }
    Ok(())
}

pub(crate) fn sorted_scope_names(scopes: &[Scope]) -> Vec<String> {
    let mut scopes = scopes.to_vec();
    scopes.sort();
    scopes.dedup();
    scopes.iter().map(|s| s.as_str().to_owned()).collect()
}

/// Issues a new key: a fresh secret, stored only as its hash. Shared by the operator path
/// below and the API's `createApiKey` (`crate::api_keys`).
pub(crate) async fn insert_key(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    input: &NewKeyInput,
    created_by: Option<Uuid>,
) -> Result<CreatedApiKey, AppError> {
    let secret = keys::generate();
    let key = ApiKey::insert(
        conn,
        &NewApiKey {
            workspace_id,
            id: Uuid::now_v7(),
            name: input.name.trim(),
            prefix: &secret.prefix,
            secret_hash: &secret.hash,
            scopes: sorted_scope_names(&input.scopes),
            created_by_key_id: created_by,
        },
    )
    .await?;
    Ok(CreatedApiKey {
        key,
        secret: Some(secret.plaintext),
    })
}

/// Creates a workspace and its first admin key: the CLI's `workspace create` and the demo
/// bootstrap. There is no acting key yet, so the audit rows carry no actor.
pub async fn create_workspace(
    conn: &mut AsyncPgConnection,
    name: &str,
    key_name: &str,
) -> Result<(Workspace, CreatedApiKey), AppError> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(AppError::bad_input(
            "name",
            format!("must be 1 to {MAX_NAME_LEN} characters"),
        ));
    }
    let key_name = key_name.to_owned();
    conn.transaction::<_, AppError, _>(async move |conn| {
        let workspace = Workspace {
            id: Uuid::now_v7(),
            name,
            default_currency: "USD".into(),
            created_at: chrono::Utc::now(),
        };
        Workspace::insert(conn, &workspace).await?;
        // Every workspace keeps its books from the start (the one domain step here).
        crate::ledger::chart::create_default_chart(conn, workspace.id).await?;
        let input = NewKeyInput {
            name: key_name,
            scopes: vec![Scope::Admin],
        };
        let created = insert_key(conn, workspace.id, &input, None).await?;
        let after = serde_json::to_value(&workspace)?;
        AuditEvent::insert_operator_change(
            conn,
            workspace.id,
            ("workspace.create", "workspace"),
            workspace.id,
            None,
            &after,
        )
        .await?;
        let key_after = serde_json::to_value(&created.key)?;
        AuditEvent::insert_operator_change(
            conn,
            workspace.id,
            ("api_key.create", "api_key"),
            created.key.id,
            None,
            &key_after,
        )
        .await?;
        Ok((workspace, created))
    })
    .await
}

/// `dealgraph api-key create`: an operator's key, created without an acting key.
pub async fn create_api_key_as_operator(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    input: NewKeyInput,
) -> Result<CreatedApiKey, AppError> {
    validate_new_key(&input)?;
    conn.transaction::<_, AppError, _>(async move |conn| {
        Workspace::find(conn, workspace_id)
            .await
            .map_err(|e| match e {
                diesel::result::Error::NotFound => AppError::not_found("workspace", workspace_id),
                other => other.into(),
            })?;
        let created = insert_key(conn, workspace_id, &input, None).await?;
        let after = serde_json::to_value(&created.key)?;
        AuditEvent::insert_operator_change(
            conn,
            workspace_id,
            ("api_key.create", "api_key"),
            created.key.id,
            None,
            &after,
        )
        .await?;
        Ok(created)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_and_scopes_are_validated() {
        let ok = NewKeyInput {
            name: "ci".into(),
            scopes: vec![Scope::CrmRead],
        };
        assert!(validate_new_key(&ok).is_ok());
        let blank = NewKeyInput {
            name: "  ".into(),
            scopes: vec![Scope::CrmRead],
        };
        assert_eq!(
            validate_new_key(&blank).unwrap_err().field(),
            Some("input.name")
        );
        let long = NewKeyInput {
            name: "x".repeat(201),
            scopes: vec![Scope::CrmRead],
        };
        assert_eq!(
            validate_new_key(&long).unwrap_err().field(),
            Some("input.name")
        );
        let none = NewKeyInput {
            name: "ci".into(),
            scopes: vec![],
        };
        assert_eq!(
            validate_new_key(&none).unwrap_err().field(),
            Some("input.scopes")
        );
    }

    #[test]
    fn scopes_are_stored_sorted_and_unique() {
        let names = sorted_scope_names(&[Scope::Admin, Scope::CrmRead, Scope::Admin]);
        assert_eq!(names, vec!["crm:read", "admin"]);
    }
}
