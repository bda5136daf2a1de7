//! The account row and its SQL.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::page::{Listed, Position, SortKey};
use crate::db::schema::{accounting_accounts, journal_lines};
use crate::ledger::rules::AccountType;
use crate::ledger::AccountsOrder;

/// The unique index behind "one account per code per workspace".
pub const CODE_UNIQUE: &str = "accounting_accounts_code_unique";

/// An account row; also its audit before/after JSON and its stored idempotent response.
#[derive(
    Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable, Serialize, Deserialize,
)]
#[diesel(table_name = accounting_accounts, check_for_backend(diesel::pg::Pg))]
pub struct AccountingAccount {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub account_type: String,
    pub description: Option<String>,
    pub parent_id: Option<Uuid>,
    /// What the default chart made this account for (`accounts_receivable` …), so other
    /// domains find it whatever it is renamed or renumbered to.
    pub role: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everything an account's writes set.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = accounting_accounts, treat_none_as_null = true)]
pub struct AccountingAccountChanges {
    pub code: String,
    pub name: String,
    pub account_type: &'static str,
    pub description: Option<String>,
    pub parent_id: Option<Uuid>,
    pub role: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
}

/// Which accounts to list; every part narrows the list.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub account_type: Option<AccountType>,
    /// `Some(false)`: open accounts only; `Some(true)`: archived ones only.
    pub archived: Option<bool>,
    /// Found in the code or the name, case-insensitively.
    pub search: Option<String>,
}

crate::db::record_sql::tenant_row_sql!(
    AccountingAccount,
    accounting_accounts,
    NewAccountingAccount,
    AccountingAccountChanges
);
crate::db::record_sql::tenant_list_sql!(
    AccountingAccount,
    accounting_accounts,
    AccountFilter,
    AccountsOrder
);

impl AccountingAccount {
    pub fn account_type(&self) -> AccountType {
        AccountType::parse(&self.account_type).unwrap_or(AccountType::Asset)
    }

    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }

    /// The account holding `code`, if any.
    pub async fn id_by_code(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        code: &str,
    ) -> QueryResult<Option<Uuid>> {
        accounting_accounts::table
            .filter(accounting_accounts::workspace_id.eq(workspace_id))
            .filter(accounting_accounts::code.eq(code))
            .select(accounting_accounts::id)
            .first(conn)
            .await
            .optional()
    }

    /// The account the default chart made for `role` (`accounts_receivable` …), if kept.
    pub async fn by_role(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        role: &str,
    ) -> QueryResult<Option<AccountingAccount>> {
        accounting_accounts::table
            .filter(accounting_accounts::workspace_id.eq(workspace_id))
            .filter(accounting_accounts::role.eq(role))
            .select(AccountingAccount::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// Every account the default chart made (those with a role), in one statement.
    pub async fn with_roles(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
    ) -> QueryResult<Vec<AccountingAccount>> {
        accounting_accounts::table
            .filter(accounting_accounts::workspace_id.eq(workspace_id))
            .filter(accounting_accounts::role.is_not_null())
            .select(AccountingAccount::as_select())
            .load(conn)
            .await
    }

    /// Whether any account is grouped under `id`.
    pub async fn has_children(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            accounting_accounts::table
                .filter(accounting_accounts::workspace_id.eq(workspace_id))
                .filter(accounting_accounts::parent_id.eq(id)),
        ))
        .get_result(conn)
        .await
    }

    /// Whether any line (of a draft or a posted entry) is on account `id`.
    pub async fn has_lines(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            journal_lines::table
                .filter(journal_lines::workspace_id.eq(workspace_id))
                .filter(journal_lines::account_id.eq(id)),
        ))
        .get_result(conn)
        .await
    }

    pub async fn insert_many(
        conn: &mut AsyncPgConnection,
        accounts: &[NewAccountingAccount],
    ) -> QueryResult<()> {
        diesel::insert_into(accounting_accounts::table)
            .values(accounts)
            .execute(conn)
            .await
            .map(drop)
    }

    fn filtered(
        workspace_id: Uuid,
        filter: &AccountFilter,
    ) -> accounting_accounts::BoxedQuery<'static, Pg> {
        let mut query = accounting_accounts::table
            .filter(accounting_accounts::workspace_id.eq(workspace_id))
            .into_boxed();
        if let Some(account_type) = filter.account_type {
            query = query.filter(accounting_accounts::account_type.eq(account_type.as_str()));
        }
        match filter.archived {
            Some(true) => query = query.filter(accounting_accounts::archived_at.is_not_null()),
            Some(false) => query = query.filter(accounting_accounts::archived_at.is_null()),
            None => {}
        }
        if let Some(term) = &filter.search {
            let pattern = like_pattern(term);
            query = query.filter(
                accounting_accounts::code
                    .ilike(pattern.clone())
                    .or(accounting_accounts::name.ilike(pattern)),
            );
        }
        query
    }
}

/// The `ILIKE` pattern finding `term` anywhere, LIKE's metacharacters taken literally.
fn like_pattern(term: &str) -> String {
    let mut pattern = String::from("%");
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

impl Listed<AccountsOrder> for AccountingAccount {
    fn position(&self, _order: AccountsOrder) -> Position {
        Position {
            key: SortKey::Text(self.code.clone()),
            id: self.id,
        }
    }
}
