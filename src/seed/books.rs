//! The seed's books: invoices, payments and the ledger postings of the won deals, either
//! through the triggers or written as the triggers would leave them (see [`super::Checks`]).

use std::time::Instant;

use diesel_async::AsyncPgConnection;

use super::generate::Generator;
use super::{insert, insert_since, run_sql, Checks, TableCount};

/// Invoices, payments and their postings for the won deals (see `generate::billing`): under
/// [`Checks::Triggers`] through the triggers; under [`Checks::Verified`] written as the triggers
/// would leave them (the entries posted and numbered with their lines and daily totals, then
/// the invoices already issued and settled, their lines and their payments).
pub(super) async fn bill(
    conn: &mut AsyncPgConnection,
    tables: &mut Vec<TableCount>,
    g: &Generator,
    checks: Checks,
) -> anyhow::Result<()> {
    let staged = Instant::now();
    run_sql(conn, &g.invoices()).await?;
    run_sql(conn, "ANALYZE seed_invoice").await?;
    match checks {
        Checks::Triggers => {
            insert_since(conn, tables, "invoices", &g.insert_invoices(false), staged).await?;
            insert(conn, tables, "invoice_lines", g.insert_invoice_lines()).await?;
            post_entries(conn, tables, g, false).await?;
            run_sql(conn, g.issue_invoices()).await?;
            insert(conn, tables, "payments", g.insert_payments()).await?;
            run_sql(conn, g.settle_invoices()).await?;
        }
        Checks::Verified => {
            let staging = staged.elapsed();
            post_entries(conn, tables, g, true).await?;
            let invoicing = Instant::now() - staging;
            let invoices = g.insert_invoices(true);
            insert_since(conn, tables, "invoices", &invoices, invoicing).await?;
            insert(conn, tables, "invoice_lines", g.insert_invoice_lines()).await?;
            insert(conn, tables, "payments", g.insert_payments()).await?;
        }
    }
    run_sql(conn, g.billing_counters()).await?;
    Ok(())
}

/// The billing entries with their lines, posted by the posting trigger, or (`settled`)
/// written as it would leave them, with the daily totals.
async fn post_entries(
    conn: &mut AsyncPgConnection,
    tables: &mut Vec<TableCount>,
    g: &Generator,
    settled: bool,
) -> anyhow::Result<()> {
    let ledger = Instant::now();
    let entries = g.insert_billing_entries(settled);
    insert(conn, tables, "journal_entries", &entries).await?;
    insert(conn, tables, "journal_lines", &g.insert_billing_lines()).await?;
    let posting = match settled {
        false => g.post_billing_entries(),
        true => g.post_billing_totals(),
    };
    run_sql(conn, posting).await?;
    entries_took(tables, ledger);
    Ok(())
}

/// `journal_entries` counts everything the posting took (entries, lines, totals), from `ledger`.
fn entries_took(tables: &mut [TableCount], ledger: Instant) {
    if let Some(t) = tables.iter_mut().find(|t| t.table == "journal_entries") {
        t.took = ledger.elapsed();
    }
}
