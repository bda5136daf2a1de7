-- Workspaces made before the ledger get the default chart of accounts that new workspaces
-- get from `ledger::chart::create_default_chart` (the same accounts as of this migration).
-- Ids are UUIDv7 like the app's: the time in milliseconds over a random v4 UUID.
INSERT INTO accounting_accounts (workspace_id, id, code, name, account_type, description, role)
SELECT w.id,
       encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
              PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
              FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid,
       chart.code, chart.name, chart.account_type, chart.description, chart.role
  FROM workspaces w
 CROSS JOIN (VALUES
    ('1000', 'Cash', 'asset', 'Cash on hand.', 'cash'),
    ('1010', 'Bank', 'asset', 'The operating bank account.', 'bank'),
    ('1100', 'Accounts receivable', 'asset', 'What customers owe on issued invoices.', 'accounts_receivable'),
    ('1200', 'Undeposited funds', 'asset', 'Payments received but not yet deposited.', 'undeposited_funds'),
    ('2100', 'Sales tax payable', 'liability', 'Sales tax collected, owed to the tax authority.', 'sales_tax_payable'),
    ('2200', 'Customer credit', 'liability', 'Overpayments and credits owed to customers.', 'customer_credit'),
    ('4000', 'Services revenue', 'revenue', 'Revenue from services.', 'services_revenue'),
    ('4100', 'Product revenue', 'revenue', 'Revenue from products.', 'product_revenue'),
    ('4900', 'Discounts', 'revenue', 'Discounts given (reduces revenue).', 'discounts'),
    ('6100', 'Bad debt', 'expense', 'Receivables written off.', 'bad_debt')
 ) AS chart (code, name, account_type, description, role)
 WHERE NOT EXISTS (SELECT 1 FROM accounting_accounts a WHERE a.workspace_id = w.id);
