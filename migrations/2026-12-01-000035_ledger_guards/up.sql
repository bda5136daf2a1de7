-- The ledger's rules, kept by the database itself so that no path around the application
-- (a script, a raw UPDATE through the application's own role) can break them:
--   * every entry balances, per currency, at commit (a deferred constraint trigger, so lines
--     inserted by several statements pass and an unbalanced commit fails);
--   * a posted entry and its lines are never updated or deleted, nor given new lines;
--   * posting gives the next gap-free number, and adds the lines to ledger_daily_totals;
--   * lines post only to open (not archived) accounts, in amounts the currency can hold;
--   * an account with lines, or with accounts grouped under it, is not deleted.
-- Triggers fire for every role, owners and superusers included; only
-- `session_replication_role = replica` (superuser-only) or ALTER TABLE ... DISABLE TRIGGER
-- (owner) would skip them.
--
-- Refusals are raised as check_violation with a CONSTRAINT name, a message written for API
-- clients, the API error code in HINT (`dealgraph:BAD_USER_INPUT`, `dealgraph:CONFLICT`) and
-- the input field in DETAIL; `error.rs` passes them on as that code, never as SQL.
-- A workspace being deleted takes its whole ledger with it: the delete guards let cascades
-- from a vanished workspace through.

CREATE FUNCTION ledger_refuse(constraint_name text, code text, field text, message text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = constraint_name,
        MESSAGE = message, HINT = 'dealgraph:' || code, DETAIL = field;
END $$;

-- Entries: posted ones are frozen; posting numbers them and stamps posted_at.
CREATE FUNCTION journal_entries_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    next_number bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'posted'
           AND EXISTS (SELECT 1 FROM workspaces WHERE id = OLD.workspace_id) THEN
            PERFORM ledger_refuse('journal_entry_posted', 'CONFLICT', 'id', format(
                'journal entry %s is posted and cannot be deleted; reverse it instead', OLD.number));
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status = 'posted' THEN
        PERFORM ledger_refuse('journal_entry_posted', 'CONFLICT', 'id', format(
            'journal entry %s is posted and cannot be changed; reverse it instead', OLD.number));
    END IF;
    IF NEW.status = 'posted' THEN
        INSERT INTO ledger_counters AS c (workspace_id, last_number)
        VALUES (NEW.workspace_id, 1)
        ON CONFLICT (workspace_id) DO UPDATE SET last_number = c.last_number + 1
        RETURNING last_number INTO next_number;
        NEW.number := next_number;
        NEW.posted_at := now();
    ELSE
        NEW.number := NULL;
        NEW.posted_at := NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.entry_date <> OLD.entry_date THEN
        UPDATE journal_lines SET entry_date = NEW.entry_date
         WHERE workspace_id = NEW.workspace_id AND entry_id = NEW.id;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER journal_entries_guard BEFORE INSERT OR UPDATE OR DELETE ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION journal_entries_guard();

-- Lines: only of drafts, to open accounts, in the currency's minor units.
CREATE FUNCTION journal_lines_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entry record;
    units integer;
    archived timestamptz;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF TG_OP = 'DELETE'
           AND NOT EXISTS (SELECT 1 FROM workspaces WHERE id = OLD.workspace_id) THEN
            RETURN OLD;
        END IF;
        SELECT status, number INTO entry FROM journal_entries
         WHERE workspace_id = OLD.workspace_id AND id = OLD.entry_id;
        IF entry.status = 'posted' THEN
            PERFORM ledger_refuse('journal_entry_posted', 'CONFLICT', 'id', format(
                'the lines of posted journal entry %s cannot be changed; reverse it instead',
                entry.number));
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
    END IF;

    SELECT status, number, entry_date INTO entry FROM journal_entries
     WHERE workspace_id = NEW.workspace_id AND id = NEW.entry_id FOR SHARE;
    IF entry.status = 'posted' THEN
        PERFORM ledger_refuse('journal_entry_posted', 'CONFLICT', 'id', format(
            'posted journal entry %s cannot take new lines; post another entry', entry.number));
    END IF;
    IF FOUND THEN
        NEW.entry_date := entry.entry_date;
    END IF;

    -- No lock on the account (a share lock per line would rewrite a hot account row on
    -- every posting); an account archived meanwhile is caught again at posting.
    SELECT archived_at INTO archived FROM accounting_accounts
     WHERE workspace_id = NEW.workspace_id AND id = NEW.account_id;
    IF archived IS NOT NULL THEN
        PERFORM ledger_refuse('journal_line_open_account', 'BAD_USER_INPUT', 'input.lines',
            format('account %s is archived; nothing can be posted to it', NEW.account_id));
    END IF;

    SELECT minor_units INTO units FROM ledger_currencies WHERE code = NEW.currency;
    IF NOT FOUND THEN
        PERFORM ledger_refuse('journal_line_currency', 'BAD_USER_INPUT', 'input.lines',
            format('%s is not an ISO 4217 currency code', NEW.currency));
    END IF;
    IF NEW.debit <> round(NEW.debit, units) OR NEW.credit <> round(NEW.credit, units) THEN
        PERFORM ledger_refuse('journal_line_minor_units', 'BAD_USER_INPUT', 'input.lines',
            format('%s allows %s decimal places; %s has more', NEW.currency, units,
                   trim_scale(greatest(NEW.debit, NEW.credit))));
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER journal_lines_guard BEFORE INSERT OR UPDATE OR DELETE ON journal_lines
    FOR EACH ROW EXECUTE FUNCTION journal_lines_guard();

-- At commit: each entry touched has lines, and they balance per currency.
CREATE FUNCTION journal_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ws uuid;
    checked uuid;
    unbalanced record;
BEGIN
    IF TG_TABLE_NAME = 'journal_entries' THEN
        ws := NEW.workspace_id;
        checked := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        ws := OLD.workspace_id;
        checked := OLD.entry_id;
    ELSE
        ws := NEW.workspace_id;
        checked := NEW.entry_id;
    END IF;
    -- Deleted since (a draft, or a workspace): nothing left to balance.
    IF NOT EXISTS (SELECT 1 FROM journal_entries e WHERE e.workspace_id = ws AND e.id = checked) THEN
        RETURN NULL;
    END IF;
    SELECT l.currency, sum(l.debit) AS debits, sum(l.credit) AS credits INTO unbalanced
      FROM journal_lines l
     WHERE l.workspace_id = ws AND l.entry_id = checked
     GROUP BY l.currency
    HAVING sum(l.debit) <> sum(l.credit)
     ORDER BY l.currency
     LIMIT 1;
    IF FOUND THEN
        PERFORM ledger_refuse('journal_entry_balanced', 'BAD_USER_INPUT', 'input.lines', format(
            'a journal entry must balance: in %s its debits are %s and its credits %s',
            unbalanced.currency, trim_scale(unbalanced.debits), trim_scale(unbalanced.credits)));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM journal_lines l
                    WHERE l.workspace_id = ws AND l.entry_id = checked) THEN
        PERFORM ledger_refuse('journal_entry_balanced', 'BAD_USER_INPUT', 'input.lines',
            'a journal entry needs at least two lines');
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT OR UPDATE ON journal_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_balanced();
CREATE CONSTRAINT TRIGGER journal_lines_balanced AFTER INSERT OR UPDATE OR DELETE ON journal_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_balanced();

-- Posting: no line may sit on an account archived since the draft was made; the lines join
-- the daily totals (upserted in key order, so concurrent postings cannot deadlock).
CREATE FUNCTION journal_entry_posted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    archived_account uuid;
BEGIN
    SELECT a.id INTO archived_account
      FROM journal_lines l
      JOIN accounting_accounts a ON a.workspace_id = l.workspace_id AND a.id = l.account_id
     WHERE l.workspace_id = NEW.workspace_id AND l.entry_id = NEW.id AND a.archived_at IS NOT NULL
     LIMIT 1;
    IF FOUND THEN
        PERFORM ledger_refuse('journal_line_open_account', 'BAD_USER_INPUT', 'id',
            format('account %s is archived; nothing can be posted to it', archived_account));
    END IF;
    INSERT INTO ledger_daily_totals AS t (workspace_id, account_id, currency, day, debit, credit, lines)
    SELECT workspace_id, account_id, currency, entry_date, sum(debit), sum(credit), count(*)
      FROM journal_lines
     WHERE workspace_id = NEW.workspace_id AND entry_id = NEW.id
     GROUP BY workspace_id, account_id, currency, entry_date
     ORDER BY account_id, currency, entry_date
    ON CONFLICT (workspace_id, account_id, currency, day) DO UPDATE
       SET debit = t.debit + EXCLUDED.debit,
           credit = t.credit + EXCLUDED.credit,
           lines = t.lines + EXCLUDED.lines;
    RETURN NULL;
END $$;

CREATE TRIGGER journal_entry_posted AFTER INSERT OR UPDATE OF status ON journal_entries
    FOR EACH ROW WHEN (NEW.status = 'posted') EXECUTE FUNCTION journal_entry_posted();

-- Totals change only by posting: nobody writes them by hand.
CREATE FUNCTION ledger_daily_totals_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() > 1 THEN
        RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM workspaces WHERE id = OLD.workspace_id) THEN
        RETURN OLD;
    END IF;
    PERFORM ledger_refuse('ledger_daily_totals_posted', 'CONFLICT', 'id',
        'ledger totals follow the posted lines and cannot be written directly');
    RETURN NULL;
END $$;

CREATE TRIGGER ledger_daily_totals_guard BEFORE INSERT OR UPDATE OR DELETE ON ledger_daily_totals
    FOR EACH ROW EXECUTE FUNCTION ledger_daily_totals_guard();

-- Accounts: kept while anything was ever posted to them, or grouped under them.
CREATE FUNCTION accounting_accounts_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM workspaces WHERE id = OLD.workspace_id) THEN
        RETURN OLD;
    END IF;
    IF EXISTS (SELECT 1 FROM journal_lines
                WHERE workspace_id = OLD.workspace_id AND account_id = OLD.id) THEN
        PERFORM ledger_refuse('accounting_account_has_postings', 'CONFLICT', 'input.id', format(
            'account %s has postings and cannot be deleted; archive it instead', OLD.code));
    END IF;
    IF EXISTS (SELECT 1 FROM accounting_accounts
                WHERE workspace_id = OLD.workspace_id AND parent_id = OLD.id) THEN
        PERFORM ledger_refuse('accounting_account_has_children', 'CONFLICT', 'input.id', format(
            'account %s groups other accounts; move or delete them first', OLD.code));
    END IF;
    RETURN OLD;
END $$;

CREATE TRIGGER accounting_accounts_guard BEFORE DELETE ON accounting_accounts
    FOR EACH ROW EXECUTE FUNCTION accounting_accounts_guard();
