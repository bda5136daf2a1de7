//! What the database's row triggers would have checked, checked once over the whole seeded
//! workspace. A superuser's seed loads with `session_replication_role = replica` (see
//! [`super::Checks`]), which skips every trigger — foreign keys, the ledger's and billing's
//! guards, the deferred balance and amount checks — so before its transaction commits, the
//! seed runs these set-based queries instead and fails the transaction if any finds a row the
//! triggers would have refused. Checks, unique indexes and NOT NULL hold either way.

use anyhow::bail;
use diesel::sql_types::{Array, BigInt, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use uuid::Uuid;

/// Every table the seed writes (the counters and totals it keeps included).
pub const SEEDED_TABLES: &[&str] = &[
    "pipelines",
    "stages",
    "stage_deal_counts",
    "deal_tags",
    "companies",
    "contacts",
    "deals",
    "stage_changes",
    "deal_contacts",
    "deal_taggings",
    "leads",
    "lead_status_changes",
    "lead_conversions",
    "activities",
    "tasks",
    "invoices",
    "invoice_lines",
    "payments",
    "journal_entries",
    "journal_lines",
    "ledger_daily_totals",
    "ledger_counters",
    "billing_counters",
];

/// The triggers' rules, each a query counting the workspace's (`$1`) rows that break it.
const RULES: &[(&str, &str)] = &[
    // deals_counted_insert: the kept stage counts.
    (
        "stage_deal_counts equal the deals in each stage",
        "SELECT count(*) AS n FROM stage_deal_counts c
         FULL JOIN (SELECT stage_id, count(*) AS deals FROM deals WHERE workspace_id = $1
                    GROUP BY stage_id) d ON d.stage_id = c.stage_id
         WHERE (c.workspace_id = $1 OR c.workspace_id IS NULL)
           AND coalesce(c.deals, 0) <> coalesce(d.deals, 0)",
    ),
    // deals_rolled_up_insert: the pipeline rollups.
    (
        "deal_rollups equal the deals they sum",
        "SELECT count(*) AS n FROM (
             (SELECT pipeline_id, stage_id, status, day, currency, deals, amount, own_weighted,
                     stage_weighted_amount
                FROM deal_rollups WHERE workspace_id = $1 AND deals <> 0
              EXCEPT
              SELECT pipeline_id, stage_id, deal_rollup_status(won_at, lost_at),
                     deal_rollup_day(won_at, lost_at, expected_close_date), currency, count(*),
                     sum(amount), coalesce(sum(amount * close_probability), 0),
                     coalesce(sum(amount) FILTER (WHERE close_probability IS NULL), 0)
                FROM deals WHERE workspace_id = $1 GROUP BY 1, 2, 3, 4, 5)
             UNION ALL
             (SELECT pipeline_id, stage_id, deal_rollup_status(won_at, lost_at),
                     deal_rollup_day(won_at, lost_at, expected_close_date), currency, count(*),
                     sum(amount), coalesce(sum(amount * close_probability), 0),
                     coalesce(sum(amount) FILTER (WHERE close_probability IS NULL), 0)
                FROM deals WHERE workspace_id = $1 GROUP BY 1, 2, 3, 4, 5
              EXCEPT
              SELECT pipeline_id, stage_id, status, day, currency, deals, amount, own_weighted,
                     stage_weighted_amount
                FROM deal_rollups WHERE workspace_id = $1 AND deals <> 0)) drift",
    ),
    // leads_counted_insert: the kept per-status lead counts.
    (
        "lead_status_counts equal the leads in each status",
        "SELECT count(*) AS n FROM (SELECT * FROM lead_status_counts WHERE workspace_id = $1) c
         FULL JOIN (SELECT status, count(*) AS leads FROM leads WHERE workspace_id = $1
                    GROUP BY status) l ON l.status = c.status
         WHERE coalesce(c.leads, 0) <> coalesce(l.leads, 0)",
    ),
    // journal_lines_guard.
    (
        "journal lines carry their entry's date",
        "SELECT count(*) AS n FROM journal_lines l
         JOIN journal_entries e ON e.workspace_id = l.workspace_id AND e.id = l.entry_id
         WHERE l.workspace_id = $1 AND l.entry_date <> e.entry_date",
    ),
    (
        "journal lines post to open accounts",
        "SELECT count(*) AS n FROM journal_lines l
         JOIN accounting_accounts a ON a.workspace_id = l.workspace_id AND a.id = l.account_id
         WHERE l.workspace_id = $1 AND a.archived_at IS NOT NULL",
    ),
    (
        "journal lines fit their currency's minor units",
        "SELECT count(*) AS n FROM journal_lines l JOIN ledger_currencies c ON c.code = l.currency
         WHERE l.workspace_id = $1
           AND (l.debit <> round(l.debit, c.minor_units) OR l.credit <> round(l.credit, c.minor_units))",
    ),
    // journal_entry_balanced (deferred).
    (
        "journal entries balance in every currency",
        "SELECT count(*) AS n FROM (
             SELECT 1 FROM journal_lines WHERE workspace_id = $1
             GROUP BY entry_id, currency HAVING sum(debit) <> sum(credit)) x",
    ),
    (
        "journal entries have lines",
        "SELECT count(*) AS n FROM journal_entries e WHERE e.workspace_id = $1
         AND NOT EXISTS (SELECT 1 FROM journal_lines l
                         WHERE l.workspace_id = e.workspace_id AND l.entry_id = e.id)",
    ),
    // journal_entries_guard: posting numbers without gaps and stamps the time.
    (
        "posted journal entries are numbered 1, 2, 3 … up to the counter, drafts not at all",
        "SELECT count(*) AS n FROM (
             SELECT e.number, e.status, e.posted_at,
                    row_number() OVER (PARTITION BY e.status = 'posted' ORDER BY e.number) AS n
             FROM journal_entries e WHERE e.workspace_id = $1) x
         WHERE CASE WHEN x.status = 'posted' THEN x.number IS DISTINCT FROM x.n OR x.posted_at IS NULL
                    ELSE x.number IS NOT NULL OR x.posted_at IS NOT NULL END
         UNION ALL
         SELECT 1 FROM (SELECT count(*) FILTER (WHERE status = 'posted') AS posted
                        FROM journal_entries WHERE workspace_id = $1) e
         WHERE e.posted > 0 AND e.posted IS DISTINCT FROM
               (SELECT last_number FROM ledger_counters WHERE workspace_id = $1)",
    ),
    // journal_entry_posted: the daily totals are the sums of the posted lines.
    (
        "ledger daily totals are the sums of the posted lines",
        "SELECT count(*) AS n FROM (
             SELECT l.account_id, l.currency, l.entry_date AS day, sum(l.debit) AS debit,
                    sum(l.credit) AS credit, count(*) AS lines
             FROM journal_lines l
             JOIN journal_entries e ON e.workspace_id = l.workspace_id AND e.id = l.entry_id
             WHERE l.workspace_id = $1 AND e.status = 'posted'
             GROUP BY 1, 2, 3) s
         FULL JOIN (SELECT * FROM ledger_daily_totals WHERE workspace_id = $1) t
             USING (account_id, currency, day)
         WHERE s.debit IS DISTINCT FROM t.debit OR s.credit IS DISTINCT FROM t.credit
            OR s.lines IS DISTINCT FROM t.lines",
    ),
    // invoice_lines_guard.
    (
        "invoice lines' amounts follow from quantity, unit amount, discount and tax rate",
        "SELECT count(*) AS n FROM invoice_lines l
         JOIN invoices i ON i.workspace_id = l.workspace_id AND i.id = l.invoice_id
         LEFT JOIN ledger_currencies c ON c.code = i.currency
         CROSS JOIN LATERAL (SELECT coalesce(c.minor_units, 4) AS units) u
         WHERE l.workspace_id = $1
           AND (l.discount <> round(l.discount, u.units)
                OR l.subtotal <> round(l.quantity * l.unit_amount, u.units) - l.discount
                OR l.tax <> round(l.subtotal * l.tax_rate, u.units))",
    ),
    // invoice_amounts_check (deferred).
    (
        "invoices' amounts are their lines', payments' and credit notes' sums",
        "SELECT count(*) AS n FROM invoices i
         LEFT JOIN (SELECT invoice_id, sum(subtotal) AS subtotal, sum(tax) AS tax, count(*) AS n
                    FROM invoice_lines WHERE workspace_id = $1 GROUP BY invoice_id) l
             ON l.invoice_id = i.id
         LEFT JOIN (SELECT invoice_id, sum(applied_amount) AS paid
                    FROM payments WHERE workspace_id = $1 GROUP BY invoice_id) p
             ON p.invoice_id = i.id
         LEFT JOIN (SELECT credited_invoice_id, sum(total) AS credited FROM invoices
                    WHERE workspace_id = $1 AND status NOT IN ('draft', 'void')
                    GROUP BY credited_invoice_id) c
             ON c.credited_invoice_id = i.id
         WHERE i.workspace_id = $1
           AND (i.subtotal <> coalesce(l.subtotal, 0) OR i.tax_total <> coalesce(l.tax, 0)
                OR (i.status <> 'draft' AND l.n IS NULL)
                OR i.amount_paid <> coalesce(p.paid, 0)
                OR (i.kind = 'invoice' AND i.amount_credited <> coalesce(c.credited, 0)))",
    ),
    // payments_guard.
    (
        "payments go to issued invoices in their currency",
        "SELECT count(*) AS n FROM payments p
         JOIN invoices i ON i.workspace_id = p.workspace_id AND i.id = p.invoice_id
         WHERE p.workspace_id = $1
           AND (i.status IN ('draft', 'void') OR i.kind <> 'invoice' OR i.currency <> p.currency)",
    ),
    (
        "refunds stay within their payment, in its currency",
        "SELECT count(*) AS n FROM payments o
         JOIN (SELECT refunded_payment_id AS id, sum(-amount) AS refunded,
                      array_agg(DISTINCT currency) AS currencies
               FROM payments WHERE workspace_id = $1 AND refunded_payment_id IS NOT NULL
               GROUP BY 1) r ON r.id = o.id
         WHERE o.workspace_id = $1
           AND (o.kind <> 'payment' OR r.refunded > o.amount OR r.currencies <> ARRAY[o.currency])",
    ),
    // customer_credit_checked (deferred).
    (
        "customers' credit is not below zero",
        "SELECT count(*) AS n FROM (
             SELECT 1 FROM payments WHERE workspace_id = $1
             GROUP BY currency, company_id, CASE WHEN company_id IS NULL THEN contact_id END
             HAVING sum(credit_amount) < 0) x",
    ),
];

#[derive(diesel::QueryableByName)]
struct Violations {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

/// Fails, naming every broken rule, if a row of the seeded workspace breaks a foreign key or
/// a rule the row triggers keep. Run inside the seed's transaction, before it commits.
pub async fn verify(conn: &mut AsyncPgConnection, workspace_id: Uuid) -> anyhow::Result<()> {
    // The seeded tables' statistics are from before the load (they are analyzed after the
    // commit): the planner would take them for small and nest loops over whole tables.
    conn.batch_execute("SET LOCAL enable_nestloop = off")
        .await?;
    let mut checks: Vec<(String, String)> = foreign_keys(conn)
        .await?
        .into_iter()
        .map(|fk| (format!("foreign key {}", fk.name), fk.sql))
        .collect();
    checks.extend(
        RULES
            .iter()
            .map(|(name, sql)| ((*name).to_owned(), (*sql).to_owned())),
    );
    let mut broken = Vec::new();
    for (name, sql) in checks {
        let found: Violations = diesel::sql_query(&sql)
            .bind::<SqlUuid, _>(workspace_id)
            .get_result(conn)
            .await?;
        if found.n > 0 {
            broken.push(format!("{name}: {} rows", found.n));
        }
    }
    if !broken.is_empty() {
        bail!(
            "the seeded data breaks the database's rules; nothing was written:\n  {}",
            broken.join("\n  ")
        );
    }
    Ok(())
}

/// One anti-join per foreign key of a seeded table, built from the catalog (so a key added
/// later is checked too): the workspace's rows whose key columns are all set (MATCH SIMPLE,
/// every key of the schema) but match no referenced row.
async fn foreign_keys(conn: &mut AsyncPgConnection) -> anyhow::Result<Vec<ForeignKey>> {
    let tables: Vec<String> = SEEDED_TABLES.iter().map(|t| (*t).to_owned()).collect();
    let keys = diesel::sql_query(
        "SELECT k.conname::text AS name,
                format('SELECT count(*) AS n FROM %s c WHERE c.workspace_id = $1 AND %s
                        AND NOT EXISTS (SELECT 1 FROM %s p WHERE %s)',
                       k.conrelid::regclass,
                       string_agg(format('c.%I IS NOT NULL', ca.attname), ' AND ' ORDER BY x.i),
                       k.confrelid::regclass,
                       string_agg(format('p.%I = c.%I', pa.attname, ca.attname), ' AND '
                                  ORDER BY x.i)) AS sql
         FROM pg_constraint k
         CROSS JOIN LATERAL unnest(k.conkey, k.confkey) WITH ORDINALITY AS x(child, parent, i)
         JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = x.child
         JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = x.parent
         WHERE k.contype = 'f' AND k.conrelid = ANY ($1::text[]::regclass[])
         GROUP BY k.oid, k.conname, k.conrelid, k.confrelid
         ORDER BY k.conname",
    )
    .bind::<Array<Text>, _>(tables)
    .load(conn)
    .await?;
    Ok(keys)
}
