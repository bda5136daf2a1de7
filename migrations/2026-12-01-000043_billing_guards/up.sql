-- Billing's rules, kept by the database itself so no path around the application (a
-- script, a raw UPDATE through the application's own role) can break them:
--   * an issued invoice (or credit note) and its lines are frozen: only its payment
--     amounts and status move, and a void invoice does not change at all;
--   * an invoice with payments is never voided; issued invoices are never deleted;
--   * each line's amounts follow the rule (quantity × unit amount rounded to the currency's
--     minor units, less the discount; tax on that, rounded) and, at commit, the invoice's
--     subtotal and tax are the sums of its lines', its amount_paid the sum of its payments'
--     applied amounts, its amount_credited the sum of its issued credit notes;
--   * payments are never changed or deleted; a payment is in its invoice's currency and
--     never against a draft or void invoice; refunds never exceed their payment; a
--     customer's credit never goes below zero.
-- Refusals go through `ledger_refuse` (see `ledger_guards`): check_violation with the API
-- code in HINT and the input field in DETAIL, mapped by `error.rs`.

CREATE FUNCTION invoices_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft'
           AND EXISTS (SELECT 1 FROM workspaces WHERE id = OLD.workspace_id) THEN
            PERFORM ledger_refuse('invoice_issued', 'CONFLICT', 'input.id', format(
                'invoice %s is issued and cannot be deleted; void it or issue a credit note',
                OLD.number));
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'draft' THEN
        RETURN NEW;
    END IF;
    IF OLD.status = 'void' THEN
        PERFORM ledger_refuse('invoice_void', 'CONFLICT', 'input.id', format(
            'invoice %s is void and cannot be changed', OLD.number));
    END IF;
    IF NEW.status = 'draft'
       OR (NEW.workspace_id, NEW.id, NEW.number, NEW.kind, NEW.credited_invoice_id,
           NEW.company_id, NEW.contact_id, NEW.deal_id, NEW.lead_id, NEW.currency,
           NEW.issue_date, NEW.due_date, NEW.payment_terms_days, NEW.memo, NEW.subtotal,
           NEW.tax_total, NEW.total, NEW.journal_entry_id, NEW.issued_at, NEW.created_at)
          IS DISTINCT FROM
          (OLD.workspace_id, OLD.id, OLD.number, OLD.kind, OLD.credited_invoice_id,
           OLD.company_id, OLD.contact_id, OLD.deal_id, OLD.lead_id, OLD.currency,
           OLD.issue_date, OLD.due_date, OLD.payment_terms_days, OLD.memo, OLD.subtotal,
           OLD.tax_total, OLD.total, OLD.journal_entry_id, OLD.issued_at, OLD.created_at) THEN
        PERFORM ledger_refuse('invoice_issued', 'CONFLICT', 'input.id', format(
            'invoice %s is issued and cannot be edited; correct it with a credit note',
            OLD.number));
    END IF;
    IF NEW.status = 'void' AND EXISTS (SELECT 1 FROM payments
                                        WHERE workspace_id = OLD.workspace_id
                                          AND invoice_id = OLD.id) THEN
        PERFORM ledger_refuse('invoice_void_with_payments', 'CONFLICT', 'input.id', format(
            'invoice %s has payments and cannot be voided; issue a credit note instead',
            OLD.number));
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER invoices_guard BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoices_guard();

-- Lines: only a draft's, with amounts that follow the rule in the invoice's currency.
CREATE FUNCTION invoice_lines_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    invoice record;
    units integer;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status, number INTO invoice FROM invoices
         WHERE workspace_id = OLD.workspace_id AND id = OLD.invoice_id;
        -- Not found: the invoice (a draft) or the workspace is being deleted.
        IF FOUND AND invoice.status <> 'draft' THEN
            PERFORM ledger_refuse('invoice_issued', 'CONFLICT', 'input.id', format(
                'the lines of issued invoice %s cannot be changed; correct it with a credit note',
                invoice.number));
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
    END IF;
    SELECT i.status, i.number, c.minor_units AS units INTO invoice
      FROM invoices i JOIN ledger_currencies c ON c.code = i.currency
     WHERE i.workspace_id = NEW.workspace_id AND i.id = NEW.invoice_id;
    IF FOUND AND invoice.status <> 'draft' THEN
        PERFORM ledger_refuse('invoice_issued', 'CONFLICT', 'input.id', format(
            'issued invoice %s cannot take new lines; correct it with a credit note',
            invoice.number));
    END IF;
    units := coalesce(invoice.units, 4);
    IF NEW.discount <> round(NEW.discount, units)
       OR NEW.subtotal <> round(NEW.quantity * NEW.unit_amount, units) - NEW.discount
       OR NEW.tax <> round(NEW.subtotal * NEW.tax_rate, units) THEN
        PERFORM ledger_refuse('invoice_line_amounts', 'BAD_USER_INPUT', 'input.lines', format(
            'line %s: its subtotal %s and tax %s do not follow from quantity %s × %s less %s at tax rate %s',
            NEW.line_no, trim_scale(NEW.subtotal), trim_scale(NEW.tax), trim_scale(NEW.quantity),
            trim_scale(NEW.unit_amount), trim_scale(NEW.discount), trim_scale(NEW.tax_rate)));
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER invoice_lines_guard BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION invoice_lines_guard();

-- At commit: an invoice's stored amounts equal what its lines, payments and credit notes say.
CREATE FUNCTION invoice_amounts_check(ws uuid, checked uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    invoice record;
    line_subtotal numeric;
    line_tax numeric;
    line_count bigint;
    paid numeric;
    credited numeric;
BEGIN
    SELECT * INTO invoice FROM invoices WHERE workspace_id = ws AND id = checked;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT coalesce(sum(subtotal), 0), coalesce(sum(tax), 0), count(*)
      INTO line_subtotal, line_tax, line_count
      FROM invoice_lines WHERE workspace_id = ws AND invoice_id = checked;
    IF invoice.subtotal <> line_subtotal OR invoice.tax_total <> line_tax THEN
        PERFORM ledger_refuse('invoice_amounts', 'BAD_USER_INPUT', 'input.lines', format(
            'an invoice''s subtotal and tax (%s, %s) must be the sums of its lines'' (%s, %s)',
            trim_scale(invoice.subtotal), trim_scale(invoice.tax_total),
            trim_scale(line_subtotal), trim_scale(line_tax)));
    END IF;
    IF invoice.status <> 'draft' AND line_count = 0 THEN
        PERFORM ledger_refuse('invoice_amounts', 'BAD_USER_INPUT', 'input.lines',
            'an issued invoice needs at least one line');
    END IF;
    SELECT coalesce(sum(applied_amount), 0) INTO paid
      FROM payments WHERE workspace_id = ws AND invoice_id = checked;
    IF invoice.amount_paid <> paid THEN
        PERFORM ledger_refuse('invoice_amount_paid', 'CONFLICT', 'input.invoiceId', format(
            'invoice %s: amount paid %s differs from its payments'' %s',
            invoice.number, trim_scale(invoice.amount_paid), trim_scale(paid)));
    END IF;
    IF invoice.kind = 'invoice' THEN
        SELECT coalesce(sum(total), 0) INTO credited
          FROM invoices
         WHERE workspace_id = ws AND credited_invoice_id = checked
           AND status NOT IN ('draft', 'void');
        IF invoice.amount_credited <> credited THEN
            PERFORM ledger_refuse('invoice_amount_credited', 'CONFLICT', 'input.invoiceId', format(
                'invoice %s: amount credited %s differs from its credit notes'' %s',
                invoice.number, trim_scale(invoice.amount_credited), trim_scale(credited)));
        END IF;
    END IF;
END $$;

CREATE FUNCTION invoice_amounts_checked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'invoices' THEN
        PERFORM invoice_amounts_check(NEW.workspace_id, NEW.id);
        IF NEW.credited_invoice_id IS NOT NULL THEN
            PERFORM invoice_amounts_check(NEW.workspace_id, NEW.credited_invoice_id);
        END IF;
    ELSIF TG_TABLE_NAME = 'payments' THEN
        IF NEW.invoice_id IS NOT NULL THEN
            PERFORM invoice_amounts_check(NEW.workspace_id, NEW.invoice_id);
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM invoice_amounts_check(OLD.workspace_id, OLD.invoice_id);
    ELSE
        PERFORM invoice_amounts_check(NEW.workspace_id, NEW.invoice_id);
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER invoices_amounts AFTER INSERT OR UPDATE ON invoices
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION invoice_amounts_checked();
CREATE CONSTRAINT TRIGGER invoice_lines_amounts AFTER INSERT OR UPDATE OR DELETE ON invoice_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION invoice_amounts_checked();
CREATE CONSTRAINT TRIGGER payments_amounts AFTER INSERT ON payments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION invoice_amounts_checked();

-- Payments: written once, never changed; in their invoice's currency, against an issued
-- invoice; refunds within what their payment brought in.
CREATE FUNCTION payments_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    invoice record;
    original record;
    refunded numeric;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF TG_OP = 'DELETE'
           AND NOT EXISTS (SELECT 1 FROM workspaces WHERE id = OLD.workspace_id) THEN
            RETURN OLD;
        END IF;
        PERFORM ledger_refuse('payment_recorded', 'CONFLICT', 'input.id',
            'a recorded payment cannot be changed or deleted; refund it instead');
    END IF;
    IF NEW.invoice_id IS NOT NULL THEN
        SELECT status, number, kind, currency INTO invoice FROM invoices
         WHERE workspace_id = NEW.workspace_id AND id = NEW.invoice_id;
        IF FOUND AND (invoice.status IN ('draft', 'void') OR invoice.kind <> 'invoice') THEN
            PERFORM ledger_refuse('payment_invoice_open', 'CONFLICT', 'input.invoiceId', format(
                'invoice %s is %s; payments go to issued invoices only',
                coalesce(invoice.number, 'draft'), invoice.status));
        END IF;
        IF FOUND AND invoice.currency <> NEW.currency THEN
            PERFORM ledger_refuse('payment_currency', 'BAD_USER_INPUT', 'input.currency', format(
                'invoice %s is in %s; a payment in %s cannot go to it',
                invoice.number, invoice.currency, NEW.currency));
        END IF;
    END IF;
    IF NEW.refunded_payment_id IS NOT NULL THEN
        SELECT kind, amount, currency INTO original FROM payments
         WHERE workspace_id = NEW.workspace_id AND id = NEW.refunded_payment_id FOR UPDATE;
        IF original.kind <> 'payment' OR original.currency <> NEW.currency THEN
            PERFORM ledger_refuse('payment_refund', 'BAD_USER_INPUT', 'input.paymentId',
                'only a payment can be refunded, in its own currency');
        END IF;
        SELECT coalesce(sum(-amount), 0) INTO refunded FROM payments
         WHERE workspace_id = NEW.workspace_id AND refunded_payment_id = NEW.refunded_payment_id;
        IF refunded - NEW.amount > original.amount THEN
            PERFORM ledger_refuse('payment_refund', 'BAD_USER_INPUT', 'input.amount', format(
                'the payment brought in %s and %s of it is already refunded; %s more is too much',
                trim_scale(original.amount), trim_scale(refunded), trim_scale(-NEW.amount)));
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER payments_guard BEFORE INSERT OR UPDATE OR DELETE ON payments
    FOR EACH ROW EXECUTE FUNCTION payments_guard();

-- At commit: the customer's credit in the row's currency is not below zero.
CREATE FUNCTION customer_credit_checked() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    credit numeric;
BEGIN
    SELECT coalesce(sum(credit_amount), 0) INTO credit FROM payments
     WHERE workspace_id = NEW.workspace_id AND currency = NEW.currency
       AND CASE WHEN NEW.company_id IS NOT NULL THEN company_id = NEW.company_id
                ELSE company_id IS NULL AND contact_id = NEW.contact_id END;
    IF credit < 0 THEN
        PERFORM ledger_refuse('customer_credit', 'BAD_USER_INPUT', 'input.amount', format(
            'the customer''s credit in %s would be %s; it cannot go below zero',
            NEW.currency, trim_scale(credit)));
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER payments_customer_credit AFTER INSERT ON payments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.credit_amount < 0)
    EXECUTE FUNCTION customer_credit_checked();
