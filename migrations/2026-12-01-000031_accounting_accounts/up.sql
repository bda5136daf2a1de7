-- The chart of accounts: what a workspace's ledger posts to. An account is grouped under at
-- most one parent (one level); `role` marks the accounts of the default chart that other
-- domains post to by meaning (billing debits "accounts_receivable"), so users may renumber
-- and rename them freely. An account with postings is archived, never deleted.
CREATE TABLE accounting_accounts (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            uuid NOT NULL PRIMARY KEY,
    code          text NOT NULL CHECK (char_length(code) BETWEEN 1 AND 20),
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    account_type  text NOT NULL
        CHECK (account_type IN ('asset', 'liability', 'equity', 'revenue', 'expense')),
    description   text CHECK (char_length(description) <= 2000),
    parent_id     uuid,
    role          text CHECK (role IN ('cash', 'bank', 'accounts_receivable', 'undeposited_funds',
                                       'sales_tax_payable', 'customer_credit', 'services_revenue',
                                       'product_revenue', 'discounts', 'bad_debt')),
    archived_at   timestamptz,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, parent_id) REFERENCES accounting_accounts (workspace_id, id),
    CHECK (parent_id <> id)
);

CREATE UNIQUE INDEX accounting_accounts_code_unique ON accounting_accounts (workspace_id, code);
CREATE UNIQUE INDEX accounting_accounts_role_unique ON accounting_accounts (workspace_id, role)
    WHERE role IS NOT NULL;
CREATE INDEX accounting_accounts_by_parent ON accounting_accounts (workspace_id, parent_id)
    WHERE parent_id IS NOT NULL;
