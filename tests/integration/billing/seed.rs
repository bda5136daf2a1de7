//! `dealgraph seed` bills the won deals: invoices, payments and their postings, consistent
//! with billing's own rules (the database's deferred checks passed at the seed's commit), and
//! a trial balance over them that is zero, read in a fixed number of statements.

use std::time::Instant;

use dealgraph::seed::{self, SeedOptions};
use serde_json::json;

use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn seeded_won_deals_are_invoiced_paid_and_posted() {
    let app = TestApp::spawn().await;
    let ws = app.workspace_id;
    let options = SeedOptions {
        deals: 2000,
        seed: 7,
        as_of: Some(chrono::Utc::now().date_naive()),
    };
    let mut conn = app.pool.get().await.unwrap();
    let report = seed::seed_workspace(&mut conn, ws, options)
        .await
        .expect("seed");
    drop(conn);
    let invoices = app.count("SELECT count(*) AS n FROM invoices").await;
    assert_eq!(invoices as u64, report.rows("invoices"));
    assert!(invoices > 50, "only {invoices} invoices");
    let won = app
        .count("SELECT count(*) AS n FROM deals WHERE won_at IS NOT NULL AND id NOT IN (SELECT deal_id FROM invoices)")
        .await;
    assert!(won <= invoices / 10, "{won} won deals without an invoice");
    // Amounts and statuses agree with the payments.
    let off = app
        .count("SELECT count(*) AS n FROM invoices i WHERE amount_paid <> (SELECT coalesce(sum(applied_amount), 0) FROM payments p WHERE p.invoice_id = i.id)")
        .await;
    assert_eq!(off, 0);
    assert!(
        app.count("SELECT count(*) AS n FROM invoices WHERE status = 'paid'")
            .await
            > 0
    );
    assert!(
        app.count("SELECT count(*) AS n FROM invoices WHERE status = 'partially_paid'")
            .await
            > 0
    );
    let gapless = app
        .count("SELECT (min(number) = 1 AND max(number) = count(*) AND count(DISTINCT number) = count(*))::int::bigint AS n FROM journal_entries")
        .await;
    assert_eq!(gapless, 1);
    let mut conn = app.pool.get().await.unwrap();
    assert_eq!(
        dealgraph::ledger::model::balance::totals_drift(&mut conn)
            .await
            .unwrap(),
        0
    );
    drop(conn);

    // The trial balance over the seeded books: zero in every currency.
    let query = "{ trialBalance(asOf: \"2099-12-31\") { rows { account { code } currency balance } totals { currency balance } } }";
    app.gql(query, json!({})).await.data();
    let before = app.statements.get();
    let started = Instant::now();
    let response = app.gql(query, json!({})).await;
    let took = started.elapsed();
    let statements = app.statements.get() - before;
    let totals = response.data()["trialBalance"]["totals"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!totals.is_empty());
    assert!(
        totals.iter().all(|t| t["balance"]
            .as_str()
            .unwrap()
            .trim_start_matches(['0', '.'])
            .is_empty()),
        "{totals:?}"
    );
    // Numbering goes on after the seeded invoices.
    let company = super::customer(&app).await;
    let next = crate::support::builders::InvoiceBuilder::for_company(&company)
        .line("Extra", "1", "10")
        .issued()
        .create(&app)
        .await;
    assert_eq!(next["number"], format!("INV-{:06}", invoices + 1));
    eprintln!(
        "seed billing: {invoices} invoices, {} payments, {} journal entries, {} lines; trial balance over them: {} ms, {statements} statements ({} currencies)",
        report.rows("payments"),
        report.rows("journal_entries"),
        report.rows("journal_lines"),
        took.as_millis(),
        totals.len()
    );
}
