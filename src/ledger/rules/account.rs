//! An account's input, checked and turned into the values its row stores.

use serde::Serialize;
use uuid::Uuid;

use super::AccountType;
use crate::error::AppError;
use crate::ledger::model::{AccountingAccount, AccountingAccountChanges};
use crate::validate::{optional_text, required_text};
use crate::write::Patch;

pub const CODE_MAX: usize = 20;
pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2000;

/// A new account as the caller gave it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInput {
    pub code: String,
    pub name: String,
    pub account_type: AccountType,
    pub description: Option<String>,
    pub parent_id: Option<Uuid>,
}

/// A partial update: only the fields that are not `Unchanged` change. Archiving has its own
/// operation.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountPatch {
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub code: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub account_type: Patch<AccountType>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub description: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub parent_id: Patch<Uuid>,
}

/// An account code: 1 to 20 characters, no spaces inside ("1100", "4000-EU").
fn code(field: &str, value: &str) -> Result<String, AppError> {
    let code = required_text(field, value, CODE_MAX)?;
    if code.chars().any(char::is_whitespace) {
        return Err(AppError::bad_input(field, "must not contain spaces"));
    }
    Ok(code)
}

pub fn new_values(input: &AccountInput) -> Result<AccountingAccountChanges, AppError> {
    Ok(AccountingAccountChanges {
        code: code("input.code", &input.code)?,
        name: required_text("input.name", &input.name, NAME_MAX)?,
        account_type: input.account_type.as_str(),
        description: optional_text(
            "input.description",
            input.description.as_deref(),
            DESCRIPTION_MAX,
        )?,
        parent_id: input.parent_id,
        role: None,
        archived_at: None,
    })
}

/// The row's current values, as the starting point of a change.
pub fn current_values(account: &AccountingAccount) -> AccountingAccountChanges {
    AccountingAccountChanges {
        code: account.code.clone(),
        name: account.name.clone(),
        account_type: account.account_type().as_str(),
        description: account.description.clone(),
        parent_id: account.parent_id,
        role: account.role.clone(),
        archived_at: account.archived_at,
    }
}

pub fn patched_values(
    current: &AccountingAccount,
    patch: AccountPatch,
) -> Result<AccountingAccountChanges, AppError> {
    let mut values = current_values(current);
    match patch.code {
        Patch::Unchanged => {}
        Patch::Clear => return Err(AppError::bad_input("input.code", "must not be null")),
        Patch::Set(value) => values.code = code("input.code", &value)?,
    }
    match patch.name {
        Patch::Unchanged => {}
        Patch::Clear => return Err(AppError::bad_input("input.name", "must not be null")),
        Patch::Set(value) => values.name = required_text("input.name", &value, NAME_MAX)?,
    }
    match patch.account_type {
        Patch::Unchanged => {}
        Patch::Clear => return Err(AppError::bad_input("input.type", "must not be null")),
        Patch::Set(value) => values.account_type = value.as_str(),
    }
    if !patch.description.is_unchanged() {
        let text = patch.description.apply(None);
        values.description = optional_text("input.description", text.as_deref(), DESCRIPTION_MAX)?;
    }
    values.parent_id = patch.parent_id.apply(values.parent_id);
    if values.parent_id == Some(current.id) {
        return Err(AppError::bad_input(
            "input.parentId",
            "an account cannot be its own parent",
        ));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AccountInput {
        AccountInput {
            code: " 1300 ".into(),
            name: "Prepaid".into(),
            account_type: AccountType::Asset,
            description: Some("  ".into()),
            parent_id: None,
        }
    }

    #[test]
    fn new_values_trim_and_check() {
        let values = new_values(&input()).unwrap();
        assert_eq!(values.code, "1300");
        assert_eq!(values.description, None);
        let spaced = AccountInput {
            code: "13 00".into(),
            ..input()
        };
        assert_eq!(new_values(&spaced).unwrap_err().field(), Some("input.code"));
        let long = AccountInput {
            code: "1".repeat(21),
            ..input()
        };
        assert_eq!(new_values(&long).unwrap_err().field(), Some("input.code"));
        let unnamed = AccountInput {
            name: " ".into(),
            ..input()
        };
        assert_eq!(
            new_values(&unnamed).unwrap_err().field(),
            Some("input.name")
        );
    }
}
