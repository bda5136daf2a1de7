-- Invoices and credit notes, and their lines. A draft is edited freely (its lines replaced
-- whole); issuing gives it its number (unless one was given) and freezes it and its lines
-- (see `billing_guards`). A credit note is an invoice of kind 'credit_note' pointing at the
-- invoice it corrects; its total counts in that invoice's `amount_credited`.
-- Amounts follow one rule (`billing::rules::amounts`), which the database checks again:
--   line subtotal = round(quantity × unit amount, currency's minor units) − discount
--   line tax      = round(line subtotal × tax rate, minor units)
--   subtotal = Σ line subtotals, tax_total = Σ line taxes, total = subtotal + tax_total
--   amount_due = total − amount_paid − amount_credited
CREATE TABLE invoices (
    workspace_id         uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id                   uuid NOT NULL PRIMARY KEY,
    number               text CHECK (char_length(number) BETWEEN 1 AND 40),
    kind                 text NOT NULL DEFAULT 'invoice' CHECK (kind IN ('invoice', 'credit_note')),
    credited_invoice_id  uuid,
    status               text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'issued', 'partially_paid', 'paid', 'void')),
    company_id           uuid,
    contact_id           uuid,
    deal_id              uuid,
    lead_id              uuid,
    currency             text NOT NULL REFERENCES ledger_currencies (code),
    issue_date           date,
    due_date             date,
    payment_terms_days   integer CHECK (payment_terms_days BETWEEN 0 AND 3650),
    memo                 text CHECK (char_length(memo) <= 2000),
    subtotal             numeric(22, 4) NOT NULL DEFAULT 0 CHECK (subtotal >= 0),
    tax_total            numeric(22, 4) NOT NULL DEFAULT 0 CHECK (tax_total >= 0),
    total                numeric(22, 4) NOT NULL DEFAULT 0,
    amount_paid          numeric(22, 4) NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
    amount_credited      numeric(22, 4) NOT NULL DEFAULT 0 CHECK (amount_credited >= 0),
    amount_due           numeric(22, 4) NOT NULL DEFAULT 0 CHECK (amount_due >= 0),
    -- The posting made at issue (none when automatic postings are off or the total is 0).
    journal_entry_id     uuid,
    issued_at            timestamptz,
    voided_at            timestamptz,
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, credited_invoice_id) REFERENCES invoices (workspace_id, id),
    FOREIGN KEY (workspace_id, company_id) REFERENCES companies (workspace_id, id),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id),
    FOREIGN KEY (workspace_id, deal_id) REFERENCES deals (workspace_id, id),
    FOREIGN KEY (workspace_id, lead_id) REFERENCES leads (workspace_id, id),
    FOREIGN KEY (workspace_id, journal_entry_id) REFERENCES journal_entries (workspace_id, id),
    CONSTRAINT invoices_customer CHECK (company_id IS NOT NULL OR contact_id IS NOT NULL),
    CONSTRAINT invoices_total_sum CHECK (total = subtotal + tax_total),
    CONSTRAINT invoices_due_sum CHECK (amount_due = total - amount_paid - amount_credited),
    CONSTRAINT invoices_credit_note CHECK ((kind = 'credit_note') = (credited_invoice_id IS NOT NULL)),
    CONSTRAINT invoices_issued CHECK (status = 'draft'
        OR (number IS NOT NULL AND issue_date IS NOT NULL AND issued_at IS NOT NULL)),
    CONSTRAINT invoices_due_after_issue CHECK (due_date >= issue_date),
    -- An invoice's status follows its amounts: PAID when nothing is left due, ISSUED while
    -- nothing was paid or credited, PARTIALLY_PAID in between; VOID only with nothing paid
    -- or credited. A credit note stays ISSUED (or DRAFT).
    CONSTRAINT invoices_status_follows_amounts CHECK (CASE
        WHEN status IN ('draft', 'void') THEN amount_paid = 0 AND amount_credited = 0
        WHEN kind = 'credit_note' THEN status = 'issued' AND amount_paid = 0 AND amount_credited = total
        WHEN status = 'paid' THEN amount_due = 0
        WHEN status = 'issued' THEN amount_due > 0 AND amount_paid = 0 AND amount_credited = 0
        ELSE amount_due > 0 AND (amount_paid > 0 OR amount_credited > 0) END)
);

CREATE UNIQUE INDEX invoices_number_unique ON invoices (workspace_id, number)
    WHERE number IS NOT NULL;
CREATE INDEX invoices_by_created ON invoices (workspace_id, created_at DESC, id DESC);
CREATE INDEX invoices_by_deal ON invoices (workspace_id, deal_id, created_at, id)
    WHERE deal_id IS NOT NULL;
CREATE INDEX invoices_by_company ON invoices (workspace_id, company_id, created_at, id)
    WHERE company_id IS NOT NULL;
CREATE INDEX invoices_by_contact ON invoices (workspace_id, contact_id, created_at, id)
    WHERE contact_id IS NOT NULL;
CREATE INDEX invoices_by_credited ON invoices (workspace_id, credited_invoice_id)
    WHERE credited_invoice_id IS NOT NULL;
CREATE INDEX invoices_open_by_due ON invoices (workspace_id, due_date)
    WHERE status IN ('issued', 'partially_paid');

-- The last number given per workspace and kind ('invoice' → INV-000001, 'credit_note' →
-- CN-000001): a counter row, not a sequence, so a rolled-back issue leaves no gap.
CREATE TABLE billing_counters (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    last_number   bigint NOT NULL CHECK (last_number >= 0),
    PRIMARY KEY (workspace_id, kind)
);

CREATE TABLE invoice_lines (
    workspace_id          uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id                    uuid NOT NULL PRIMARY KEY,
    invoice_id            uuid NOT NULL,
    line_no               integer NOT NULL CHECK (line_no > 0),
    kind                  text NOT NULL CHECK (kind IN ('product', 'service')),
    name                  text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    description           text CHECK (char_length(description) <= 2000),
    quantity              numeric(18, 4) NOT NULL CHECK (quantity > 0),
    unit_amount           numeric(22, 4) NOT NULL CHECK (unit_amount >= 0),
    -- An amount off the line (not a percentage), in the invoice's currency.
    discount              numeric(22, 4) NOT NULL DEFAULT 0 CHECK (discount >= 0),
    tax_rate              numeric(7, 6) NOT NULL DEFAULT 0 CHECK (tax_rate BETWEEN 0 AND 1),
    service_period_start  date,
    service_period_end    date,
    revenue_account_id    uuid,
    subtotal              numeric(22, 4) NOT NULL CHECK (subtotal >= 0),
    tax                   numeric(22, 4) NOT NULL CHECK (tax >= 0),
    total                 numeric(22, 4) NOT NULL,
    UNIQUE (workspace_id, id),
    UNIQUE (invoice_id, line_no),
    FOREIGN KEY (workspace_id, invoice_id) REFERENCES invoices (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, revenue_account_id) REFERENCES accounting_accounts (workspace_id, id),
    CONSTRAINT invoice_lines_total_sum CHECK (total = subtotal + tax),
    CONSTRAINT invoice_lines_period CHECK (service_period_end >= service_period_start)
);

CREATE INDEX invoice_lines_by_invoice ON invoice_lines (workspace_id, invoice_id, line_no);
