-- Money received from customers, refunds of it, and customer credit applied to invoices.
-- Every row splits its `amount` into what it does to its invoice (`applied_amount`, summed
-- into the invoice's amount_paid) and what it does to the customer's credit
-- (`credit_amount`): a payment without an invoice, or the excess of an overpayment taken
-- `asCredit`, is credit; applying credit is a row of kind 'credit_application' moving credit
-- onto an invoice. Rows are never changed or deleted (see `billing_guards`); a refund is a
-- new, negative row pointing at the payment it returns.
-- The customer whose credit a row moves is its company, or its contact when it has none.
CREATE TABLE payments (
    workspace_id           uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id                     uuid NOT NULL PRIMARY KEY,
    kind                   text NOT NULL CHECK (kind IN ('payment', 'refund', 'credit_application')),
    invoice_id             uuid,
    company_id             uuid,
    contact_id             uuid,
    currency               text NOT NULL REFERENCES ledger_currencies (code),
    amount                 numeric(22, 4) NOT NULL,
    applied_amount         numeric(22, 4) NOT NULL,
    credit_amount          numeric(22, 4) NOT NULL,
    paid_at                timestamptz NOT NULL,
    method                 text NOT NULL CHECK (method IN ('cash', 'bank_transfer', 'card', 'check',
                                                           'other', 'customer_credit')),
    provider               text CHECK (char_length(provider) BETWEEN 1 AND 100),
    provider_reference_id  text CHECK (char_length(provider_reference_id) BETWEEN 1 AND 200),
    refunded_payment_id    uuid,
    memo                   text CHECK (char_length(memo) <= 2000),
    -- The posting it made (none when automatic postings are off).
    journal_entry_id       uuid,
    created_at             timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, invoice_id) REFERENCES invoices (workspace_id, id),
    FOREIGN KEY (workspace_id, company_id) REFERENCES companies (workspace_id, id),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id),
    FOREIGN KEY (workspace_id, refunded_payment_id) REFERENCES payments (workspace_id, id),
    FOREIGN KEY (workspace_id, journal_entry_id) REFERENCES journal_entries (workspace_id, id),
    CONSTRAINT payments_split CHECK (amount = applied_amount + credit_amount),
    CONSTRAINT payments_customer CHECK (company_id IS NOT NULL OR contact_id IS NOT NULL),
    CONSTRAINT payments_applied_needs_invoice CHECK (applied_amount = 0 OR invoice_id IS NOT NULL),
    CONSTRAINT payments_payment CHECK (kind <> 'payment'
        OR (amount > 0 AND applied_amount >= 0 AND credit_amount >= 0 AND refunded_payment_id IS NULL)),
    CONSTRAINT payments_refund CHECK (kind <> 'refund'
        OR (amount < 0 AND applied_amount <= 0 AND credit_amount <= 0 AND refunded_payment_id IS NOT NULL)),
    CONSTRAINT payments_credit_application CHECK (kind <> 'credit_application'
        OR (amount = 0 AND applied_amount > 0 AND method = 'customer_credit')),
    CONSTRAINT payments_reference_has_provider CHECK (provider_reference_id IS NULL OR provider IS NOT NULL)
);

-- A provider's webhook sent twice records one payment.
CREATE UNIQUE INDEX payments_provider_reference_unique
    ON payments (workspace_id, provider, provider_reference_id)
    WHERE provider_reference_id IS NOT NULL;
CREATE INDEX payments_by_paid_at ON payments (workspace_id, paid_at DESC, id DESC);
CREATE INDEX payments_by_invoice ON payments (workspace_id, invoice_id, paid_at, id)
    WHERE invoice_id IS NOT NULL;
CREATE INDEX payments_by_refunded ON payments (workspace_id, refunded_payment_id)
    WHERE refunded_payment_id IS NOT NULL;
CREATE INDEX payments_credit_by_company ON payments (workspace_id, company_id, currency)
    WHERE credit_amount <> 0;
CREATE INDEX payments_credit_by_contact ON payments (workspace_id, contact_id, currency)
    WHERE credit_amount <> 0 AND company_id IS NULL;
