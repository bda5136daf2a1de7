//! Billing: invoices and credit notes (amounts by the rounding rule, gap-free numbers,
//! drafts edited, issued ones frozen — also against raw SQL through the app's own role),
//! payments, refunds and customer credit, the automatic postings to the ledger, the events,
//! bad input, and the lead-to-cash walk-through end to end.

mod bad_input;
mod corrections;
mod events;
mod guards;
mod invariants;
mod invoices;
mod lead_to_cash;
mod payments;
mod postings;
mod references;
mod seed;
mod settings;

use serde_json::{json, Value};

use crate::support::builders::{CompanyBuilder, INVOICE_FIELDS};
use crate::support::{GqlResponse, TestApp};

const PAYMENT_FIELDS: &str =
    "id kind amount appliedAmount creditAmount currency method provider providerReferenceId journalEntry { id number }";

/// A company to bill.
async fn customer(app: &TestApp) -> String {
    CompanyBuilder::new("Northstar Studio").create_id(app).await
}

async fn issue(app: &TestApp, id: &Value) -> GqlResponse {
    app.gql(
        &format!("mutation($id: ID!) {{ issueInvoice(input: {{id: $id}}) {{ invoice {{ {INVOICE_FIELDS} }} }} }}"),
        json!({ "id": id }),
    )
    .await
}

/// `recordPayment` with `input` (amount, currency, method … as given).
async fn pay(app: &TestApp, input: Value) -> GqlResponse {
    app.gql(
        &format!("mutation($input: RecordPaymentInput!) {{ recordPayment(input: $input) {{ duplicate dryRun payment {{ {PAYMENT_FIELDS} }} invoice {{ {INVOICE_FIELDS} }} }} }}"),
        json!({ "input": input }),
    )
    .await
}

/// A USD bank transfer of `amount` against `invoice`.
async fn pay_usd(app: &TestApp, invoice: &Value, amount: &str) -> GqlResponse {
    pay(
        app,
        json!({"invoiceId": invoice, "amount": amount, "currency": "USD", "method": "BANK_TRANSFER"}),
    )
    .await
}

async fn refund(app: &TestApp, input: Value) -> GqlResponse {
    app.gql(
        &format!("mutation($input: RefundPaymentInput!) {{ refundPayment(input: $input) {{ payment {{ {PAYMENT_FIELDS} refundedPayment {{ id }} }} invoice {{ {INVOICE_FIELDS} }} }} }}"),
        json!({ "input": input }),
    )
    .await
}

/// What billing and the ledger hold, to prove a refused write left nothing behind.
async fn written(app: &TestApp) -> [i64; 5] {
    [
        app.count("SELECT count(*) AS n FROM invoices").await,
        app.count("SELECT count(*) AS n FROM invoice_lines").await,
        app.count("SELECT count(*) AS n FROM payments").await,
        app.count("SELECT count(*) AS n FROM journal_entries").await,
        app.count("SELECT count(*) AS n FROM outbox_events").await,
    ]
}

/// Every account's balance in `currency` today, by code (debit-positive, as the trial
/// balance shows it), and the trial balance's total balance.
async fn balances(
    app: &TestApp,
    currency: &str,
) -> (std::collections::HashMap<String, String>, Value) {
    let response = app
        .gql(
            "query($c: String) { trialBalance(asOf: \"2099-12-31\", currency: $c) { rows { account { code } balance } totals { currency balance debit credit } } }",
            json!({ "c": currency }),
        )
        .await;
    let tb = &response.data()["trialBalance"];
    let rows = tb["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["account"]["code"].as_str().unwrap().to_owned(),
                r["balance"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (rows, tb["totals"].clone())
}
