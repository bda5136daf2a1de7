//! `billingSettings` and `updateBillingSettings`: whether billing posts to the ledger by
//! itself, and the account it posts each thing to. A chosen account must be one of the
//! workspace's, open, and of the type its purpose needs (receivable, cash and bank are
//! assets; sales tax and customer credit liabilities; revenue revenue) — otherwise
//! BAD_USER_INPUT naming the field, and nothing is written.

use std::collections::HashMap;

use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::posting::accounts_used;
use crate::auth::{Actor, Scope};
use crate::billing::model::BillingSettings;
use crate::billing::rules::{PostingPurpose, SettingsPatch};
use crate::db::DbPool;
use crate::error::AppError;
use crate::ledger::model::AccountingAccount;
use crate::write::{self, snapshot, Patch, WriteOptions, WriteRequest, WriteResult, Written};
use diesel_async::AsyncPgConnection;

/// The settings and the account each purpose posts to now (chosen, or the default chart's).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SettingsView {
    pub settings: BillingSettings,
    pub accounts: Vec<(PostingPurpose, AccountingAccount)>,
}

impl SettingsView {
    pub fn account(&self, purpose: PostingPurpose) -> Option<&AccountingAccount> {
        self.accounts
            .iter()
            .find(|(p, _)| *p == purpose)
            .map(|(_, account)| account)
    }
}

async fn view(
    conn: &mut AsyncPgConnection,
    settings: BillingSettings,
) -> Result<SettingsView, AppError> {
    let used = accounts_used(conn, &settings).await?;
    let ids: Vec<Uuid> = used.values().copied().collect();
    let rows: HashMap<Uuid, AccountingAccount> =
        AccountingAccount::find_many(conn, settings.workspace_id, &ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
    let accounts = PostingPurpose::ALL
        .iter()
        .filter_map(|p| Some((*p, rows.get(used.get(p)?)?.clone())))
        .collect();
    Ok(SettingsView { settings, accounts })
}

/// `billingSettings`. Needs `crm:read`.
pub async fn settings(pool: &DbPool, actor: &Actor) -> Result<SettingsView, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    let settings = BillingSettings::find(&mut conn, actor.workspace_id)
        .await?
        .unwrap_or_else(|| BillingSettings::defaults(actor.workspace_id));
    view(&mut conn, settings).await
}

/// `updateBillingSettings`: a write of the CRM like the ledger's account mutations
/// (`crm:write`), audited on the workspace.
pub async fn update_settings(
    pool: &DbPool,
    actor: &Actor,
    patch: SettingsPatch,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<SettingsView>, AppError> {
    let workspace_id = actor.workspace_id;
    let mut input = patch.to_json();
    input["expectedVersion"] = json!(expected_version);
    let request = WriteRequest::crm(
        "billing_settings.update",
        Some(workspace_id),
        input,
        options,
    );
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let before = BillingSettings::lock(conn, workspace_id)
                .await?
                .unwrap_or_else(|| BillingSettings::defaults(workspace_id));
            crate::validate::expected_version(
                expected_version,
                before.version,
                "billing settings",
                workspace_id,
            )?;
            let mut values = before.values.clone();
            if let Some(auto_post) = patch.auto_post {
                values.auto_post = auto_post;
            }
            for (purpose, change) in patch.accounts {
                *values.account_mut(purpose) = match change {
                    Patch::Unchanged => continue,
                    Patch::Clear => None,
                    Patch::Set(id) => Some(suitable(conn, workspace_id, purpose, id).await?),
                };
            }
            let saved = BillingSettings::save(conn, workspace_id, &values).await?;
            let after = view(conn, saved).await?;
            Ok(Written {
                entity_id: workspace_id,
                before: Some(snapshot(&before)?),
                after: Some(snapshot(&after.settings)?),
                events: Vec::new(),
                value: after,
            })
        }
        .boxed()
    })
    .await
}

/// `id` when it is an open account of the workspace of the type `purpose` needs.
async fn suitable(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    purpose: PostingPurpose,
    id: Uuid,
) -> Result<Uuid, AppError> {
    let field = format!("input.{}", purpose.field());
    let Some(account) = AccountingAccount::find(conn, workspace_id, id).await? else {
        return Err(AppError::bad_input(
            field,
            format!("this workspace has no accounting account {id}"),
        ));
    };
    let label = format!("account {} ({})", account.code, account.name);
    if account.is_archived() {
        return Err(AppError::bad_input(
            field,
            format!("{label} is archived; billing cannot post to it"),
        ));
    }
    let needed = purpose.account_type();
    if account.account_type() != needed {
        return Err(AppError::bad_input(
            field,
            format!(
                "{label} is {}; this needs {} account",
                article(account.account_type().as_str()),
                article(needed.as_str())
            ),
        ));
    }
    Ok(id)
}

/// "an ASSET", "a REVENUE".
fn article(account_type: &str) -> String {
    let upper = account_type.to_uppercase();
    if upper.starts_with(['A', 'E']) {
        format!("an {upper}")
    } else {
        format!("a {upper}")
    }
}
