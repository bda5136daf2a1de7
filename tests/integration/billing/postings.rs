//! Automatic postings: issuing debits receivable and credits revenue per line and sales tax;
//! payments debit the method's account and credit receivable (and customer credit for the
//! excess); refunds and voids post the mirror. Every line links its invoice or payment, the
//! trial balance stays zero, and a workspace can turn postings off.

use serde_json::{json, Value};

use super::{balances, customer, pay, pay_usd, refund};
use crate::support::builders::InvoiceBuilder;
use crate::support::TestApp;

const ENTRY: &str = "query($id: ID!) { node(id: $id) { ... on JournalEntry { number memo lines { account { code } debit credit invoiceId paymentId companyId } } } }";

async fn entry(app: &TestApp, id: &Value) -> Value {
    app.gql(ENTRY, json!({"id": id})).await.data()["node"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_payment_and_refund_post_balanced_linked_entries() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    let invoice = InvoiceBuilder::for_company(&company)
        .line_with(
            json!({"name": "Design", "quantity": "1", "unitAmount": "1000", "taxRate": "0.1"}),
        )
        .line_with(
            json!({"name": "Laptop", "kind": "PRODUCT", "quantity": "1", "unitAmount": "500"}),
        )
        .issued()
        .create(&app)
        .await;
    let issue = entry(&app, &invoice["journalEntry"]["id"]).await;
    assert_eq!(issue["memo"], "Invoice INV-000001 issued");
    let lines = issue["lines"].as_array().unwrap();
    let summary: Vec<(String, String, String)> = lines
        .iter()
        .map(|l| {
            (
                l["account"]["code"].as_str().unwrap().to_owned(),
                l["debit"].as_str().unwrap().to_owned(),
                l["credit"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("1100", "1600.00", "0.00"),
        ("4000", "0.00", "1000.00"),
        ("4100", "0.00", "500.00"),
        ("2100", "0.00", "100.00"),
    ];
    assert_eq!(
        summary,
        expected
            .iter()
            .map(|(a, d, c)| (a.to_string(), d.to_string(), c.to_string()))
            .collect::<Vec<_>>()
    );
    assert!(lines
        .iter()
        .all(|l| l["invoiceId"] == invoice["id"] && l["companyId"] == company.as_str()));

    let paid = pay(
        &app,
        json!({"invoiceId": invoice["id"], "amount": "1700", "currency": "USD", "method": "CASH", "asCredit": true}),
    )
    .await;
    let payment = paid.data()["recordPayment"]["payment"].clone();
    let posted = entry(&app, &payment["journalEntry"]["id"]).await;
    let lines = posted["lines"].as_array().unwrap();
    assert_eq!(
        (
            lines[0]["account"]["code"].as_str(),
            lines[0]["debit"].as_str()
        ),
        (Some("1000"), Some("1700.00"))
    );
    assert_eq!(
        (
            lines[1]["account"]["code"].as_str(),
            lines[1]["credit"].as_str()
        ),
        (Some("1100"), Some("1600.00"))
    );
    assert_eq!(
        (
            lines[2]["account"]["code"].as_str(),
            lines[2]["credit"].as_str()
        ),
        (Some("2200"), Some("100.00"))
    );
    assert!(lines.iter().all(|l| l["paymentId"] == payment["id"]));

    // The refund gives back the invoice part first, then the credit: the mirror.
    let back = refund(&app, json!({"paymentId": payment["id"], "amount": "1650"})).await;
    let back = back.data()["refundPayment"]["payment"].clone();
    let reversed = entry(&app, &back["journalEntry"]["id"]).await;
    let lines = reversed["lines"].as_array().unwrap();
    assert_eq!(
        (
            lines[0]["account"]["code"].as_str(),
            lines[0]["credit"].as_str()
        ),
        (Some("1000"), Some("1650.00"))
    );
    assert_eq!(
        (
            lines[1]["account"]["code"].as_str(),
            lines[1]["debit"].as_str()
        ),
        (Some("1100"), Some("1600.00"))
    );
    assert_eq!(
        (
            lines[2]["account"]["code"].as_str(),
            lines[2]["debit"].as_str()
        ),
        (Some("2200"), Some("50.00"))
    );

    let (accounts, totals) = balances(&app, "USD").await;
    assert_eq!(totals[0]["balance"], "0.00");
    assert_eq!(accounts["1000"], "50.00");
    assert_eq!(accounts["1100"], "1600.00");
    assert_eq!(accounts["2200"], "-50.00");
    assert_eq!(accounts["4000"], "-1000.00");
}

#[tokio::test(flavor = "multi_thread")]
async fn voiding_reverses_the_issue_and_postings_can_be_turned_off() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    let invoice = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "300")
        .issued()
        .create(&app)
        .await;
    let voided = app
        .gql(
            "mutation($id: ID!) { voidInvoice(input: {id: $id}) { invoice { status journalEntry { reversedBy { id memo } } } } }",
            json!({"id": invoice["id"]}),
        )
        .await;
    let reversal = voided.data()["voidInvoice"]["invoice"]["journalEntry"]["reversedBy"].clone();
    assert!(reversal["memo"].as_str().unwrap().contains("voided"));
    let (accounts, totals) = balances(&app, "USD").await;
    assert_eq!(totals[0]["balance"], "0.00");
    assert_eq!(accounts["1100"], "0.00");
    assert_eq!(accounts["4000"], "0.00");

    // With automatic postings off, billing writes no entries.
    let off = app
        .gql(
            "mutation { updateBillingSettings(input: {autoPost: false}) { billingSettings { autoPost } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        off.data()["updateBillingSettings"]["billingSettings"]["autoPost"],
        false
    );
    let entries = app.count("SELECT count(*) AS n FROM journal_entries").await;
    let quiet = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "300")
        .issued()
        .create(&app)
        .await;
    assert_eq!(quiet["journalEntry"], Value::Null);
    pay_usd(&app, &quiet["id"], "300").await.data();
    assert_eq!(
        app.count("SELECT count(*) AS n FROM journal_entries").await,
        entries
    );
}
