-- Per workspace: whether billing posts to the ledger by itself (on unless a row says
-- otherwise), and which accounts it posts to. A null account means the default chart's
-- account of that role (`accounting_accounts.role`).
CREATE TABLE billing_settings (
    workspace_id            uuid NOT NULL PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    auto_post               boolean NOT NULL DEFAULT true,
    receivable_account_id   uuid,
    services_revenue_account_id uuid,
    product_revenue_account_id  uuid,
    sales_tax_account_id    uuid,
    customer_credit_account_id  uuid,
    cash_account_id         uuid,
    bank_account_id         uuid,
    undeposited_account_id  uuid,
    version                 integer NOT NULL DEFAULT 1,
    updated_at              timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (workspace_id, receivable_account_id) REFERENCES accounting_accounts (workspace_id, id),
    FOREIGN KEY (workspace_id, services_revenue_account_id) REFERENCES accounting_accounts (workspace_id, id),
    FOREIGN KEY (workspace_id, product_revenue_account_id) REFERENCES accounting_accounts (workspace_id, id),
    FOREIGN KEY (workspace_id, sales_tax_account_id) REFERENCES accounting_accounts (workspace_id, id),
    FOREIGN KEY (workspace_id, customer_credit_account_id) REFERENCES accounting_accounts (workspace_id, id),
    FOREIGN KEY (workspace_id, cash_account_id) REFERENCES accounting_accounts (workspace_id, id),
    FOREIGN KEY (workspace_id, bank_account_id) REFERENCES accounting_accounts (workspace_id, id),
    FOREIGN KEY (workspace_id, undeposited_account_id) REFERENCES accounting_accounts (workspace_id, id)
);
