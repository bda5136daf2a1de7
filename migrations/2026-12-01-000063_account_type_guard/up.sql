-- An account's type decides which side its balance is on and where it shows in the trial
-- balance; once something is posted to it, changing the type would restate every posting.
-- The database refuses it (any path, raw SQL included), as CONFLICT on `input.type`: open a
-- new account and move the balance with a journal entry instead. Only posted lines count —
-- the daily totals hold exactly those — so an account used by drafts alone may still change.

CREATE FUNCTION accounting_account_type_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM ledger_daily_totals
                WHERE workspace_id = OLD.workspace_id AND account_id = OLD.id) THEN
        PERFORM ledger_refuse('accounting_account_type', 'CONFLICT', 'input.type', format(
            'account %s has postings, so its type stays %s; open a new account and move the balance with a journal entry',
            OLD.code, upper(OLD.account_type)));
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER accounting_account_type_guard BEFORE UPDATE OF account_type ON accounting_accounts
    FOR EACH ROW WHEN (OLD.account_type IS DISTINCT FROM NEW.account_type)
    EXECUTE FUNCTION accounting_account_type_guard();
