//! Taking back what billing wrote: a draft is deleted (an issued invoice never is), a credit
//! note credits at most the amount due, and a credit note is voided — its posting reversed,
//! its invoice owing again — unless money reached the invoice after it.

use serde_json::{json, Value};

use super::{balances, customer, pay_usd, written};
use crate::support::builders::{InvoiceBuilder, INVOICE_FIELDS};
use crate::support::{GqlResponse, TestApp};

const DELETE: &str = "mutation($id: ID!, $dry: Boolean! = false) { deleteInvoice(input: {id: $id, dryRun: $dry}) { dryRun invoice { id status lines { name } } } }";
const VOID: &str = "mutation($id: ID!) { voidInvoice(input: {id: $id}) { invoice { status kind voidedAt journalEntry { reversedBy { number memo } } creditedInvoice { status amountCredited amountDue } } } }";

async fn credit(app: &TestApp, invoice: &Value, amount: &str) -> GqlResponse {
    app.gql(
        &format!("mutation($input: CreateCreditNoteInput!) {{ createCreditNote(input: $input) {{ creditNote {{ {INVOICE_FIELDS} }} invoice {{ {INVOICE_FIELDS} }} }} }}"),
        json!({"input": {"invoiceId": invoice, "lines": [{"name": "Goodwill", "quantity": "1", "unitAmount": amount}]}}),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_draft_is_deleted_with_its_lines_and_an_issued_invoice_is_not() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    let draft = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "1000")
        .line("Build", "2", "500")
        .create(&app)
        .await;
    let dry = app
        .gql(DELETE, json!({"id": draft["id"], "dry": true}))
        .await;
    assert_eq!(dry.data()["deleteInvoice"]["dryRun"], true);
    assert_eq!(app.count("SELECT count(*) AS n FROM invoices").await, 1);

    let deleted = app.gql(DELETE, json!({"id": draft["id"]})).await;
    let deleted = &deleted.data()["deleteInvoice"]["invoice"];
    assert_eq!(deleted["id"], draft["id"]);
    assert_eq!(deleted["lines"].as_array().unwrap().len(), 2);
    assert_eq!(app.count("SELECT count(*) AS n FROM invoices").await, 0);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM invoice_lines").await,
        0
    );
    let audited = "SELECT count(*) AS n FROM audit_events WHERE action = 'invoice.delete' AND outcome = 'succeeded' AND NOT dry_run AND after IS NULL AND before IS NOT NULL";
    assert_eq!(app.count(audited).await, 1);

    let issued = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "1000")
        .issued()
        .create(&app)
        .await;
    let before = written(&app).await;
    let refused = app.gql(DELETE, json!({"id": issued["id"]})).await;
    assert_eq!(refused.error_code(), "CONFLICT");
    assert_eq!(refused.body["errors"][0]["extensions"]["field"], "input.id");
    let message = refused.error_message();
    assert!(message.contains("INV-000001 is ISSUED"), "{message}");
    assert_eq!(written(&app).await, before);
    let missing = app
        .gql(
            DELETE,
            json!({"id": "0190b5a6-0000-7000-8000-000000000000"}),
        )
        .await;
    assert_eq!(missing.error_code(), "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_credit_note_credits_at_most_the_amount_due() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    let invoice = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "1000")
        .issued()
        .create(&app)
        .await;
    pay_usd(&app, &invoice["id"], "600").await.data();
    let before = written(&app).await;
    // 400 is due: what was paid goes back by a refund, never by a credit note.
    for amount in ["400.01", "1000"] {
        let refused = credit(&app, &invoice["id"], amount).await;
        assert_eq!(refused.error_code(), "BAD_USER_INPUT", "{amount}");
        assert_eq!(
            refused.body["errors"][0]["extensions"]["field"],
            "input.lines"
        );
        assert!(
            refused.error_message().contains("amount due of 4"),
            "{}",
            refused.error_message()
        );
    }
    assert_eq!(written(&app).await, before);
    let exact = credit(&app, &invoice["id"], "400").await;
    assert_eq!(
        exact.data()["createCreditNote"]["invoice"]["status"],
        "PAID"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn voiding_a_credit_note_reverses_it_until_money_reaches_its_invoice() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    let invoice = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "1000")
        .issued()
        .create(&app)
        .await;
    let note = credit(&app, &invoice["id"], "250").await;
    let note_id = note.data()["createCreditNote"]["creditNote"]["id"].clone();
    let (credited, _) = balances(&app, "USD").await;
    assert_eq!(credited["1100"], "750.00");

    let voided = app.gql(VOID, json!({"id": note_id})).await;
    let voided = &voided.data()["voidInvoice"]["invoice"];
    assert_eq!(voided["kind"], "CREDIT_NOTE");
    assert_eq!(voided["status"], "VOID");
    assert!(voided["journalEntry"]["reversedBy"]["number"].is_number());
    let after = &voided["creditedInvoice"];
    assert_eq!(after["status"], "ISSUED");
    assert_eq!(after["amountCredited"], "0.00");
    assert_eq!(after["amountDue"], "1000.00");
    let (restored, totals) = balances(&app, "USD").await;
    assert_eq!(restored["1100"], "1000.00");
    assert_eq!(restored["4000"], "-1000.00");
    assert_eq!(totals[0]["balance"], "0.00");
    assert_eq!(app.event_payloads("invoice.voided").await.len(), 1);

    // Once void, it stays so.
    let again = app.gql(VOID, json!({"id": note_id})).await;
    assert_eq!(again.error_code(), "CONFLICT");
    assert!(
        again.error_message().contains("VOID"),
        "{}",
        again.error_message()
    );

    // A note followed by a payment stays: the payment settled the lowered amount due.
    let second = credit(&app, &invoice["id"], "100").await;
    let second_id = second.data()["createCreditNote"]["creditNote"]["id"].clone();
    pay_usd(&app, &invoice["id"], "900").await.data();
    let before = written(&app).await;
    let refused = app.gql(VOID, json!({"id": second_id})).await;
    assert_eq!(refused.error_code(), "CONFLICT");
    assert_eq!(refused.body["errors"][0]["extensions"]["field"], "input.id");
    assert!(
        refused
            .error_message()
            .contains("after credit note CN-000002"),
        "{}",
        refused.error_message()
    );
    assert_eq!(written(&app).await, before);
}
