//! Accounts as plain records: the write path creates, updates and deletes them
//! (`crate::write::record`); this says what is special about an account. Archiving is its own
//! operation. Deleting an account with postings is refused by the database (the account
//! guard trigger), which the write layer reports as `CONFLICT`.

use async_trait::async_trait;
use chrono::Utc;
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::record_sql::TenantRow;
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::{EventKind, NewEvent};
use crate::ledger::events::{self, AccountIdentity};
use crate::ledger::model::{AccountingAccount, AccountingAccountChanges, CODE_UNIQUE};
use crate::ledger::rules::{self, AccountInput, AccountPatch};
use crate::write::record::{self, record_names, Record, RecordNames, RecordUpdated, UniqueValue};
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

#[async_trait]
impl Record for AccountingAccount {
    const NAMES: RecordNames = record_names!("accounting_account");
    const UNIQUE: &'static [UniqueValue] = &[UniqueValue {
        constraint: CODE_UNIQUE,
        field: "input.code",
    }];
    const UPDATED: EventKind = events::ACCOUNT_UPDATED;

    type Input = AccountInput;
    type Patch = AccountPatch;

    fn new_changes(input: &AccountInput) -> Result<AccountingAccountChanges, AppError> {
        rules::new_values(input)
    }

    fn patched_changes(
        current: &AccountingAccount,
        patch: AccountPatch,
    ) -> Result<AccountingAccountChanges, AppError> {
        rules::patched_values(current, patch)
    }

    /// The parent exists in the workspace and groups only one level: it has no parent
    /// itself, and an account that groups others cannot be grouped.
    async fn check_references(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        changes: &AccountingAccountChanges,
        current: Option<&AccountingAccount>,
    ) -> Result<(), AppError> {
        let Some(parent_id) = changes.parent_id else {
            return Ok(());
        };
        if current.and_then(|c| c.parent_id) == Some(parent_id) {
            return Ok(());
        }
        let parent = AccountingAccount::find(conn, workspace_id, parent_id)
            .await?
            .ok_or_else(|| AppError::not_found("accounting account", parent_id))?;
        if parent.parent_id.is_some() {
            return Err(AppError::bad_input(
                "input.parentId",
                format!(
                    "account {} is itself grouped under another account; accounts group one level deep",
                    parent.code
                ),
            ));
        }
        if let Some(current) = current {
            if AccountingAccount::has_children(conn, workspace_id, current.id).await? {
                return Err(AppError::bad_input(
                    "input.parentId",
                    format!(
                        "account {} groups other accounts, so it cannot be grouped itself",
                        current.code
                    ),
                ));
            }
        }
        Ok(())
    }

    async fn unique_holder(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        _unique: &UniqueValue,
        changes: &AccountingAccountChanges,
    ) -> QueryResult<Option<(Option<Uuid>, String)>> {
        let holder = AccountingAccount::id_by_code(conn, workspace_id, &changes.code).await?;
        Ok(Some((
            holder,
            format!("an account with the code {:?} already exists", changes.code),
        )))
    }

    fn created(&self) -> Result<NewEvent, serde_json::Error> {
        NewEvent::new(
            events::ACCOUNT_CREATED,
            self.id,
            &AccountIdentity::from(self),
        )
    }

    fn deleted(&self) -> Result<NewEvent, serde_json::Error> {
        NewEvent::new(
            events::ACCOUNT_DELETED,
            self.id,
            &AccountIdentity::from(self),
        )
    }
}

/// `archiveAccountingAccount`: closes an account to new postings (its history and balance
/// stay), or with `archived: false` opens it again.
pub async fn archive(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    archived: bool,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<AccountingAccount>, AppError> {
    let input = json!({ "id": id, "archived": archived, "expectedVersion": expected_version });
    let request = WriteRequest::crm("accounting_account.archive", Some(id), input, options);
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let before = AccountingAccount::lock(conn, workspace_id, id)
                .await?
                .ok_or_else(|| AppError::not_found("accounting account", id))?;
            crate::validate::expected_version(
                expected_version,
                before.version,
                "accounting account",
                id,
            )?;
            if before.is_archived() == archived {
                // Already so: nothing to write, nothing to publish.
                let same = snapshot(&before)?;
                return Ok(Written {
                    entity_id: id,
                    before: Some(same.clone()),
                    after: Some(same),
                    events: Vec::new(),
                    value: before,
                });
            }
            let mut changes = rules::current_values(&before);
            changes.archived_at = archived.then(Utc::now);
            let account =
                record::change::<AccountingAccount>(conn, workspace_id, id, &changes).await?;
            let event = NewEvent::new(
                events::ACCOUNT_UPDATED,
                id,
                &RecordUpdated {
                    id,
                    version: account.version,
                    changed: vec!["archived_at".into()],
                },
            )?;
            Written::changed(id, &before, account, vec![event])
        }
        .boxed()
    })
    .await
}
