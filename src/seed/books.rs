//! The seed's books: invoices, payments and the ledger postings of the won deals, either
//! through the triggers or written as the triggers would leave them (see [`super::Checks`]).

use std::time::Instant;

use diesel_async::AsyncPgConnection;

use super::generate::Generator;
use super::{insert, insert_since, run_sql, TableCount};

/// Invoices, payments and their postings for the won deals (see `generate::billing`).
pub(super) async fn bill(
    conn: &mut AsyncPgConnection,
    tables: &mut Vec<TableCount>,
    g: &Generator,
) -> anyhow::Result<()> {
    let staged = Instant::now();
    run_sql(conn, &g.invoices()).await?;
    run_sql(conn, "ANALYZE seed_invoice").await?;
    insert_since(conn, tables, "invoices", &g.insert_invoices(false), staged).await?;
    insert(conn, tables, "invoice_lines", g.insert_invoice_lines()).await?;
    let ledger = Instant::now();
    insert(
        conn,
        tables,
        "journal_entries",
        &g.insert_billing_entries(false),
    )
    .await?;
    insert(conn, tables, "journal_lines", &g.insert_billing_lines()).await?;
    run_sql(conn, g.post_billing_entries()).await?;
    entries_took(tables, ledger);
    run_sql(conn, g.issue_invoices()).await?;
    insert(conn, tables, "payments", g.insert_payments()).await?;
    run_sql(conn, g.settle_invoices()).await?;
    run_sql(conn, g.billing_counters()).await?;
    Ok(())
}

/// The same books as [`bill`], written as the triggers would leave them (under
/// [`super::Checks::Verified`]): the entries posted and numbered with their lines and daily totals,
/// then the invoices already issued and settled, their lines and their payments.
pub(super) async fn bill_settled(
    conn: &mut AsyncPgConnection,
    tables: &mut Vec<TableCount>,
    g: &Generator,
) -> anyhow::Result<()> {
    let staged = Instant::now();
    run_sql(conn, &g.invoices()).await?;
    run_sql(conn, "ANALYZE seed_invoice").await?;
    let staging = staged.elapsed();
    let ledger = Instant::now();
    insert(
        conn,
        tables,
        "journal_entries",
        &g.insert_billing_entries(true),
    )
    .await?;
    insert(conn, tables, "journal_lines", &g.insert_billing_lines()).await?;
    run_sql(conn, g.post_billing_totals()).await?;
    entries_took(tables, ledger);
    let invoicing = Instant::now() - staging;
    insert_since(
        conn,
        tables,
        "invoices",
        &g.insert_invoices(true),
        invoicing,
    )
    .await?;
    insert(conn, tables, "invoice_lines", g.insert_invoice_lines()).await?;
    insert(conn, tables, "payments", g.insert_payments()).await?;
    run_sql(conn, g.billing_counters()).await?;
    Ok(())
}

/// `journal_entries` counts everything the posting took (entries, lines, totals), from `ledger`.
fn entries_took(tables: &mut [TableCount], ledger: Instant) {
    if let Some(t) = tables.iter_mut().find(|t| t.table == "journal_entries") {
        t.took = ledger.elapsed();
    }
}
