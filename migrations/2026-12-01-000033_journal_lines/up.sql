-- The lines of journal entries: one account, one currency, a debit or a credit (exactly one
-- of them above zero), and optional links to what the line is about. The invoice and payment
-- ids belong to billing, which comes later; deal, contact and company ids are kept as given
-- (no foreign key: a posted line is never changed, so it could not follow a deleted deal).
-- `entry_date` repeats the entry's date (set by a trigger) so an account's lines are read
-- in date order straight from one index.
CREATE TABLE journal_lines (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            uuid NOT NULL PRIMARY KEY,
    entry_id      uuid NOT NULL,
    line_no       integer NOT NULL CHECK (line_no > 0),
    account_id    uuid NOT NULL,
    currency      text NOT NULL REFERENCES ledger_currencies (code),
    debit         numeric(22, 4) NOT NULL DEFAULT 0 CHECK (debit >= 0),
    credit        numeric(22, 4) NOT NULL DEFAULT 0 CHECK (credit >= 0),
    description   text CHECK (char_length(description) <= 1000),
    entry_date    date NOT NULL,
    invoice_id    uuid,
    payment_id    uuid,
    deal_id       uuid,
    contact_id    uuid,
    company_id    uuid,
    UNIQUE (workspace_id, id),
    UNIQUE (entry_id, line_no),
    FOREIGN KEY (workspace_id, entry_id) REFERENCES journal_entries (workspace_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounting_accounts (workspace_id, id),
    CONSTRAINT journal_lines_one_side CHECK ((debit > 0) <> (credit > 0))
);

CREATE INDEX journal_lines_by_account ON journal_lines (workspace_id, account_id, entry_date, id);
CREATE INDEX journal_lines_by_entry ON journal_lines (workspace_id, entry_id, line_no);
CREATE INDEX journal_lines_by_invoice ON journal_lines (workspace_id, invoice_id)
    WHERE invoice_id IS NOT NULL;
CREATE INDEX journal_lines_by_payment ON journal_lines (workspace_id, payment_id)
    WHERE payment_id IS NOT NULL;
