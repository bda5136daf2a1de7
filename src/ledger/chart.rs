//! The default chart of accounts every workspace starts with: what a small business selling
//! services and products needs to invoice, take payments and collect sales tax. Users may
//! rename, renumber, regroup or archive any of it; `role` keeps saying what each was made for.
//! (Migration `default_charts` gave workspaces older than the ledger the same accounts.)

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::model::{AccountingAccount, AccountingAccountChanges, NewAccountingAccount};
use super::rules::AccountType;

/// What a default account is for; other domains find their accounts by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Cash,
    Bank,
    AccountsReceivable,
    UndepositedFunds,
    SalesTaxPayable,
    CustomerCredit,
    ServicesRevenue,
    ProductRevenue,
    Discounts,
    BadDebt,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Cash,
        Role::Bank,
        Role::AccountsReceivable,
        Role::UndepositedFunds,
        Role::SalesTaxPayable,
        Role::CustomerCredit,
        Role::ServicesRevenue,
        Role::ProductRevenue,
        Role::Discounts,
        Role::BadDebt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Cash => "cash",
            Role::Bank => "bank",
            Role::AccountsReceivable => "accounts_receivable",
            Role::UndepositedFunds => "undeposited_funds",
            Role::SalesTaxPayable => "sales_tax_payable",
            Role::CustomerCredit => "customer_credit",
            Role::ServicesRevenue => "services_revenue",
            Role::ProductRevenue => "product_revenue",
            Role::Discounts => "discounts",
            Role::BadDebt => "bad_debt",
        }
    }
}

/// One account of the default chart.
pub struct DefaultAccount {
    pub role: Role,
    pub code: &'static str,
    pub name: &'static str,
    pub account_type: AccountType,
    pub description: &'static str,
}

pub const DEFAULT_CHART: &[DefaultAccount] = &[
    DefaultAccount {
        role: Role::Cash,
        code: "1000",
        name: "Cash",
        account_type: AccountType::Asset,
        description: "Cash on hand.",
    },
    DefaultAccount {
        role: Role::Bank,
        code: "1010",
        name: "Bank",
        account_type: AccountType::Asset,
        description: "The operating bank account.",
    },
    DefaultAccount {
        role: Role::AccountsReceivable,
        code: "1100",
        name: "Accounts receivable",
        account_type: AccountType::Asset,
        description: "What customers owe on issued invoices.",
    },
    DefaultAccount {
        role: Role::UndepositedFunds,
        code: "1200",
        name: "Undeposited funds",
        account_type: AccountType::Asset,
        description: "Payments received but not yet deposited.",
    },
    DefaultAccount {
        role: Role::SalesTaxPayable,
        code: "2100",
        name: "Sales tax payable",
        account_type: AccountType::Liability,
        description: "Sales tax collected, owed to the tax authority.",
    },
    DefaultAccount {
        role: Role::CustomerCredit,
        code: "2200",
        name: "Customer credit",
        account_type: AccountType::Liability,
        description: "Overpayments and credits owed to customers.",
    },
    DefaultAccount {
        role: Role::ServicesRevenue,
        code: "4000",
        name: "Services revenue",
        account_type: AccountType::Revenue,
        description: "Revenue from services.",
    },
    DefaultAccount {
        role: Role::ProductRevenue,
        code: "4100",
        name: "Product revenue",
        account_type: AccountType::Revenue,
        description: "Revenue from products.",
    },
    DefaultAccount {
        role: Role::Discounts,
        code: "4900",
        name: "Discounts",
        account_type: AccountType::Revenue,
        description: "Discounts given (reduces revenue).",
    },
    DefaultAccount {
        role: Role::BadDebt,
        code: "6100",
        name: "Bad debt",
        account_type: AccountType::Expense,
        description: "Receivables written off.",
    },
];

/// Creates the default chart in a new workspace, in the caller's transaction (the one that
/// creates the workspace).
pub async fn create_default_chart(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
) -> QueryResult<()> {
    let accounts: Vec<NewAccountingAccount> = DEFAULT_CHART
        .iter()
        .map(|account| NewAccountingAccount {
            workspace_id,
            id: Uuid::now_v7(),
            changes: AccountingAccountChanges {
                code: account.code.to_owned(),
                name: account.name.to_owned(),
                account_type: account.account_type.as_str(),
                description: Some(account.description.to_owned()),
                parent_id: None,
                role: Some(account.role.as_str().to_owned()),
                archived_at: None,
            },
        })
        .collect();
    AccountingAccount::insert_many(conn, &accounts).await
}

/// The workspace's account for `role`, for domains that post by meaning (billing).
pub async fn account_for(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    role: Role,
) -> QueryResult<Option<AccountingAccount>> {
    AccountingAccount::by_role(conn, workspace_id, role.as_str()).await
}

/// The workspace's accounts of every role, in one statement (billing resolves all it posts
/// to at once).
pub async fn accounts_by_role(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
) -> QueryResult<Vec<(Role, AccountingAccount)>> {
    let accounts = AccountingAccount::with_roles(conn, workspace_id).await?;
    Ok(accounts
        .into_iter()
        .filter_map(|account| {
            let role = Role::ALL
                .iter()
                .copied()
                .find(|r| Some(r.as_str()) == account.role.as_deref())?;
            Some((role, account))
        })
        .collect())
}
