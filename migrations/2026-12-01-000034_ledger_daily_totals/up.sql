-- Posted debits and credits per account, currency and day: what balances and the trial
-- balance read, so their cost follows the number of accounts and days, not of lines. Kept by
-- the posting trigger (next migration) in the transaction that posts; posted lines never
-- change, so a row only ever grows, and it always equals the sum of its posted lines.
CREATE TABLE ledger_daily_totals (
    workspace_id  uuid NOT NULL,
    account_id    uuid NOT NULL,
    currency      text NOT NULL,
    day           date NOT NULL,
    debit         numeric NOT NULL,
    credit        numeric NOT NULL,
    lines         bigint NOT NULL,
    PRIMARY KEY (workspace_id, account_id, currency, day),
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounting_accounts (workspace_id, id)
        ON DELETE CASCADE
);

-- The trial balance reads every account's days up to a date.
CREATE INDEX ledger_daily_totals_by_day ON ledger_daily_totals (workspace_id, currency, day);
