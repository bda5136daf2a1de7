//! The accounts billing posts to — one per purpose, chosen in a workspace's billing settings
//! or else the default chart's account of that role — and the type each purpose needs.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::ledger::chart::Role;
use crate::ledger::rules::AccountType;
use crate::write::Patch;

/// What billing posts to an account for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PostingPurpose {
    Receivable,
    ServicesRevenue,
    ProductRevenue,
    SalesTax,
    CustomerCredit,
    Cash,
    Bank,
    UndepositedFunds,
}

impl PostingPurpose {
    pub const ALL: [PostingPurpose; 8] = [
        PostingPurpose::Receivable,
        PostingPurpose::ServicesRevenue,
        PostingPurpose::ProductRevenue,
        PostingPurpose::SalesTax,
        PostingPurpose::CustomerCredit,
        PostingPurpose::Cash,
        PostingPurpose::Bank,
        PostingPurpose::UndepositedFunds,
    ];

    /// The default chart's account for it, used while the settings choose none.
    pub fn role(self) -> Role {
        match self {
            PostingPurpose::Receivable => Role::AccountsReceivable,
            PostingPurpose::ServicesRevenue => Role::ServicesRevenue,
            PostingPurpose::ProductRevenue => Role::ProductRevenue,
            PostingPurpose::SalesTax => Role::SalesTaxPayable,
            PostingPurpose::CustomerCredit => Role::CustomerCredit,
            PostingPurpose::Cash => Role::Cash,
            PostingPurpose::Bank => Role::Bank,
            PostingPurpose::UndepositedFunds => Role::UndepositedFunds,
        }
    }

    /// The only type of account that can do the job: money owed to or held by the company
    /// is an asset, tax and prepaid credit are owed by it, sales are revenue.
    pub fn account_type(self) -> AccountType {
        match self {
            PostingPurpose::ServicesRevenue | PostingPurpose::ProductRevenue => {
                AccountType::Revenue
            }
            PostingPurpose::SalesTax | PostingPurpose::CustomerCredit => AccountType::Liability,
            PostingPurpose::Receivable
            | PostingPurpose::Cash
            | PostingPurpose::Bank
            | PostingPurpose::UndepositedFunds => AccountType::Asset,
        }
    }

    /// Its input field (`receivableAccountId` …).
    pub fn field(self) -> &'static str {
        match self {
            PostingPurpose::Receivable => "receivableAccountId",
            PostingPurpose::ServicesRevenue => "servicesRevenueAccountId",
            PostingPurpose::ProductRevenue => "productRevenueAccountId",
            PostingPurpose::SalesTax => "salesTaxAccountId",
            PostingPurpose::CustomerCredit => "customerCreditAccountId",
            PostingPurpose::Cash => "cashAccountId",
            PostingPurpose::Bank => "bankAccountId",
            PostingPurpose::UndepositedFunds => "undepositedFundsAccountId",
        }
    }
}

/// A change of the settings: `auto_post` when given; each purpose listed gets an account, or
/// (cleared) goes back to the default chart's.
#[derive(Debug, Clone, Default)]
pub struct SettingsPatch {
    pub auto_post: Option<bool>,
    pub accounts: Vec<(PostingPurpose, Patch<Uuid>)>,
}

impl SettingsPatch {
    /// As the caller gave it, for the idempotency fingerprint and the audit trail.
    pub fn to_json(&self) -> Value {
        let mut input = Map::new();
        if let Some(auto_post) = self.auto_post {
            input.insert("autoPost".into(), Value::Bool(auto_post));
        }
        for (purpose, change) in &self.accounts {
            let value = match change {
                Patch::Unchanged => continue,
                Patch::Clear => Value::Null,
                Patch::Set(id) => Value::String(id.to_string()),
            };
            input.insert(purpose.field().into(), value);
        }
        Value::Object(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_purpose_has_its_own_field_and_the_type_of_its_default_account() {
        let mut fields: Vec<_> = PostingPurpose::ALL.iter().map(|p| p.field()).collect();
        fields.sort_unstable();
        fields.dedup();
        assert_eq!(fields.len(), PostingPurpose::ALL.len());
        for purpose in PostingPurpose::ALL {
            let default = crate::ledger::chart::DEFAULT_CHART
                .iter()
                .find(|a| a.role == purpose.role())
                .expect("a default account");
            assert_eq!(default.account_type, purpose.account_type(), "{purpose:?}");
        }
    }

    #[test]
    fn the_input_lists_what_was_given() {
        let id = Uuid::nil();
        let patch = SettingsPatch {
            auto_post: Some(false),
            accounts: vec![
                (PostingPurpose::Cash, Patch::Set(id)),
                (PostingPurpose::Bank, Patch::Clear),
                (PostingPurpose::SalesTax, Patch::Unchanged),
            ],
        };
        assert_eq!(
            patch.to_json(),
            serde_json::json!({"autoPost": false, "cashAccountId": id, "bankAccountId": null})
        );
    }
}
