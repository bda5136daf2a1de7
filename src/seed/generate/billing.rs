//! Lead to cash for the seeded deals: every won deal is invoiced on the day it was won (one
//! service line for its amount, 30 days' terms), and most invoices are paid in full, some in
//! part, a few not yet — each issue and payment with its ledger posting, as billing's own
//! operations would post them (Dr receivable / Cr services revenue, Dr bank / Cr receivable).
//!
//! Set-based like the rest, in the order the database's guards accept: drafts and their
//! lines, draft journal entries and lines, then the entries posted (numbered without gaps by
//! the ledger's trigger, which also fills the daily totals), the invoices issued, their
//! payments recorded and their paid amounts set; the deferred checks run at commit.

use super::Generator;
use crate::seed::plan::Purpose;

/// The workspace's account for `role` (the default chart's).
fn account(role: &str) -> String {
    format!(
        "(SELECT a.id FROM accounting_accounts a WHERE a.workspace_id = p.workspace_id AND a.role = '{role}')"
    )
}

impl Generator {
    /// `seed_invoice`: one row per won deal, with every id and how it was paid.
    pub fn invoices(&self) -> String {
        format!(
            "CREATE TEMP TABLE seed_invoice ON COMMIT DROP AS
             WITH won AS (
                 SELECT row_number() OVER (ORDER BY d.last_at, d.i) AS n, d.i, d.id AS deal_id,
                        d.company_id, d.currency, d.amount, d.title, d.last_at AS issued_at,
                        c.minor_units
                 FROM seed_deal d JOIN ledger_currencies c ON c.code = d.currency
                 WHERE d.kind = 'won' AND d.amount > 0 AND d.amount = round(d.amount, c.minor_units)
             )
             SELECT w.*, 'INV-' || lpad(w.n::text, 6, '0') AS number,
                    {id} AS id, {line_id} AS line_id, {entry_id} AS entry_id,
                    {payment_id} AS payment_id, {payment_entry_id} AS payment_entry_id,
                    CASE WHEN {paid} < 0.8 THEN w.amount
                         WHEN {paid} < 0.9 THEN round(w.amount / 2, w.minor_units)
                         ELSE 0 END AS paid,
                    least(w.issued_at + interval '1 day' * (1 + 40 * {delay}),
                          p.as_of - interval '1 minute') AS paid_at
             FROM won w CROSS JOIN seed_params p",
            id = self.uuid7(Purpose::InvoiceId, "w.issued_at", "w.i"),
            line_id = self.uuid7(Purpose::InvoiceLineId, "w.issued_at", "w.i"),
            entry_id = self.uuid7(Purpose::InvoiceEntryId, "w.issued_at", "w.i"),
            payment_id = self.uuid7(Purpose::PaymentId, "w.issued_at", "w.i"),
            payment_entry_id = self.uuid7(Purpose::PaymentEntryId, "w.issued_at", "w.i"),
            paid = self.unit(Purpose::InvoicePaid, "w.i"),
            delay = self.unit(Purpose::InvoicePayDelay, "w.i"),
        )
    }

    /// The invoices: drafts for the triggers to issue and settle, or (`settled`, when the seed
    /// checks the rules itself, see `seed::verify`) already as issuing and paying leaves them.
    pub fn insert_invoices(&self, settled: bool) -> String {
        let (status, amount_paid, amount_due, entry, issued_at, updated_at) = if settled {
            (
                "CASE WHEN s.paid = s.amount THEN 'paid' WHEN s.paid > 0 THEN 'partially_paid' \
                 ELSE 'issued' END",
                "s.paid",
                "s.amount - s.paid",
                "s.entry_id",
                "s.issued_at",
                "CASE WHEN s.paid > 0 THEN s.paid_at ELSE s.issued_at END",
            )
        } else {
            (
                "'draft'",
                "0",
                "s.amount",
                "NULL::uuid",
                "NULL",
                "s.issued_at",
            )
        };
        format!(
            "INSERT INTO invoices (workspace_id, id, number, kind, status, company_id, deal_id,
                                   currency, issue_date, due_date, payment_terms_days, subtotal,
                                   tax_total, total, amount_paid, amount_due, journal_entry_id,
                                   issued_at, created_at, updated_at)
             SELECT p.workspace_id, s.id, s.number, 'invoice', {status}, s.company_id, s.deal_id,
                    s.currency, (s.issued_at AT TIME ZONE 'UTC')::date,
                    (s.issued_at AT TIME ZONE 'UTC')::date + 30, 30, s.amount, 0, s.amount,
                    {amount_paid}, {amount_due}, {entry}, {issued_at}, s.issued_at, {updated_at}
             FROM seed_invoice s CROSS JOIN seed_params p"
        )
    }

    pub fn insert_invoice_lines(&self) -> &'static str {
        "INSERT INTO invoice_lines (workspace_id, id, invoice_id, line_no, kind, name, quantity,
                                    unit_amount, subtotal, tax, total)
         SELECT p.workspace_id, s.line_id, s.id, 1, 'service', left(s.title, 200), 1, s.amount,
                s.amount, 0, s.amount
         FROM seed_invoice s CROSS JOIN seed_params p"
    }

    /// The entries, one per issue and one per payment, in the order they are numbered: every
    /// issue by invoice number, then every payment. Drafts for the ledger's trigger to post
    /// (and number), or (`posted`, when the seed checks the rules itself) numbered after the
    /// workspace's last entry and posted as the trigger would.
    pub fn insert_billing_entries(&self, posted: bool) -> String {
        let (status, number, posted_at) = if posted {
            (
                "'posted'",
                "coalesce((SELECT c.last_number FROM ledger_counters c
                           WHERE c.workspace_id = p.workspace_id), 0)
                 + row_number() OVER (ORDER BY e.part, e.n)",
                "now()",
            )
        } else {
            ("'draft'", "NULL::int8", "NULL::timestamptz")
        };
        format!(
            "INSERT INTO journal_entries (workspace_id, id, entry_date, memo, status, number,
                                          posted_at, created_at, updated_at)
             SELECT p.workspace_id, e.id, (e.at AT TIME ZONE 'UTC')::date, e.memo, {status},
                    {number}, {posted_at}, e.at, e.at
             FROM (SELECT 0 AS part, s.n, s.entry_id AS id, s.issued_at AS at,
                          'Invoice ' || s.number || ' issued' AS memo
                   FROM seed_invoice s
                   UNION ALL
                   SELECT 1, s.n, s.payment_entry_id, s.paid_at, 'Payment for invoice ' || s.number
                   FROM seed_invoice s WHERE s.paid > 0) e
             CROSS JOIN seed_params p
             ORDER BY e.part, e.n"
        )
    }

    pub fn insert_billing_lines(&self) -> String {
        let line_id =
            |k: &str, at: &str| self.uuid7(Purpose::JournalLineId, at, &format!("s.i * 4 + {k}"));
        format!(
            "INSERT INTO journal_lines (workspace_id, id, entry_id, line_no, account_id, currency,
                                        debit, credit, description, entry_date, invoice_id,
                                        payment_id, deal_id, company_id)
             SELECT p.workspace_id, {l0}, s.entry_id, 1, {receivable}, s.currency, s.amount, 0,
                    s.number || ': receivable', (s.issued_at AT TIME ZONE 'UTC')::date, s.id,
                    NULL::uuid, s.deal_id, s.company_id
             FROM seed_invoice s CROSS JOIN seed_params p
             UNION ALL
             SELECT p.workspace_id, {l1}, s.entry_id, 2, {revenue}, s.currency, 0, s.amount,
                    s.number || ': ' || left(s.title, 200), (s.issued_at AT TIME ZONE 'UTC')::date,
                    s.id, NULL::uuid, s.deal_id, s.company_id
             FROM seed_invoice s CROSS JOIN seed_params p
             UNION ALL
             SELECT p.workspace_id, {l2}, s.payment_entry_id, 1, {bank}, s.currency, s.paid, 0,
                    'bank_transfer: invoice ' || s.number, (s.paid_at AT TIME ZONE 'UTC')::date,
                    s.id, s.payment_id, s.deal_id, s.company_id
             FROM seed_invoice s CROSS JOIN seed_params p WHERE s.paid > 0
             UNION ALL
             SELECT p.workspace_id, {l3}, s.payment_entry_id, 2, {receivable}, s.currency, 0,
                    s.paid, 'receivable: invoice ' || s.number,
                    (s.paid_at AT TIME ZONE 'UTC')::date, s.id, s.payment_id, s.deal_id,
                    s.company_id
             FROM seed_invoice s CROSS JOIN seed_params p WHERE s.paid > 0",
            l0 = line_id("0", "s.issued_at"),
            l1 = line_id("1", "s.issued_at"),
            l2 = line_id("2", "s.paid_at"),
            l3 = line_id("3", "s.paid_at"),
            receivable = account("accounts_receivable"),
            revenue = account("services_revenue"),
            bank = account("bank"),
        )
    }

    /// Posts the drafts in date order: the ledger's trigger numbers them and adds their lines
    /// to the daily totals.
    pub fn post_billing_entries(&self) -> &'static str {
        "UPDATE journal_entries e SET status = 'posted'
         FROM (SELECT entry_id AS id FROM seed_invoice
               UNION ALL SELECT payment_entry_id FROM seed_invoice WHERE paid > 0) b,
              seed_params p
         WHERE e.workspace_id = p.workspace_id AND e.id = b.id"
    }

    /// What posting the seeded entries does besides numbering them (when the seed checks the
    /// rules itself): their lines added to the daily totals, and the entry counter moved on.
    pub fn post_billing_totals(&self) -> &'static str {
        "WITH seeded AS (
             SELECT entry_id AS id FROM seed_invoice
             UNION ALL SELECT payment_entry_id FROM seed_invoice WHERE paid > 0
         ), totals AS (
             INSERT INTO ledger_daily_totals AS t (workspace_id, account_id, currency, day, debit,
                                                   credit, lines)
             SELECT l.workspace_id, l.account_id, l.currency, l.entry_date, sum(l.debit),
                    sum(l.credit), count(*)
             FROM journal_lines l
             JOIN seeded s ON l.entry_id = s.id
             CROSS JOIN seed_params p
             WHERE l.workspace_id = p.workspace_id
             GROUP BY l.workspace_id, l.account_id, l.currency, l.entry_date
             ON CONFLICT (workspace_id, account_id, currency, day) DO UPDATE
                SET debit = t.debit + EXCLUDED.debit,
                    credit = t.credit + EXCLUDED.credit,
                    lines = t.lines + EXCLUDED.lines
         )
         INSERT INTO ledger_counters (workspace_id, last_number)
         SELECT e.workspace_id, max(e.number)
         FROM journal_entries e CROSS JOIN seed_params p
         WHERE e.workspace_id = p.workspace_id AND e.status = 'posted'
         GROUP BY e.workspace_id
         ON CONFLICT (workspace_id) DO UPDATE SET last_number = EXCLUDED.last_number"
    }

    pub fn issue_invoices(&self) -> &'static str {
        "UPDATE invoices i SET status = 'issued', issued_at = s.issued_at,
                               journal_entry_id = s.entry_id
         FROM seed_invoice s, seed_params p
         WHERE i.workspace_id = p.workspace_id AND i.id = s.id"
    }

    pub fn insert_payments(&self) -> &'static str {
        "INSERT INTO payments (workspace_id, id, kind, invoice_id, company_id, currency, amount,
                               applied_amount, credit_amount, paid_at, method, journal_entry_id,
                               created_at)
         SELECT p.workspace_id, s.payment_id, 'payment', s.id, s.company_id, s.currency, s.paid,
                s.paid, 0, s.paid_at, 'bank_transfer', s.payment_entry_id, s.paid_at
         FROM seed_invoice s CROSS JOIN seed_params p WHERE s.paid > 0"
    }

    pub fn settle_invoices(&self) -> &'static str {
        "UPDATE invoices i SET amount_paid = s.paid, amount_due = s.amount - s.paid,
                               status = CASE WHEN s.paid = s.amount THEN 'paid'
                                             ELSE 'partially_paid' END,
                               updated_at = s.paid_at
         FROM seed_invoice s, seed_params p
         WHERE i.workspace_id = p.workspace_id AND i.id = s.id AND s.paid > 0"
    }

    /// Numbering goes on after the seeded invoices.
    pub fn billing_counters(&self) -> &'static str {
        "INSERT INTO billing_counters (workspace_id, kind, last_number)
         SELECT p.workspace_id, 'invoice', (SELECT count(*) FROM seed_invoice) FROM seed_params p"
    }
}
