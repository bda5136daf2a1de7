//! Bad input, each refused with its code and the field named, and nothing written: not an
//! invoice, line, payment, journal entry or event more than before.

use serde_json::{json, Value};

use super::{customer, pay, pay_usd, refund, written};
use crate::support::builders::{InvoiceBuilder, INVOICE_FIELDS};
use crate::support::{GqlResponse, TestApp};

fn assert_refused(response: &GqlResponse, code: &str, field: &str) {
    assert_eq!(response.error_code(), code, "{}", response.body);
    assert_eq!(
        response.body["errors"][0]["extensions"]["field"], field,
        "{}",
        response.body
    );
    assert!(
        !response.error_message().contains("SQL"),
        "{}",
        response.body
    );
}

async fn create(app: &TestApp, input: Value) -> GqlResponse {
    app.gql(
        &format!("mutation($input: CreateInvoiceInput!) {{ createInvoice(input: $input) {{ invoice {{ {INVOICE_FIELDS} }} }} }}"),
        json!({ "input": input }),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_invoices_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    InvoiceBuilder::for_company(&company)
        .number("INV-7")
        .line("Design", "1", "10")
        .create(&app)
        .await;
    let before = written(&app).await;
    let line = |q: &str| json!([{"name": "Design", "quantity": q, "unitAmount": "10"}]);
    let cases = [
        (
            json!({"companyId": company, "lines": line("0")}),
            "BAD_USER_INPUT",
            "input.lines[0].quantity",
        ),
        (
            json!({"companyId": company, "lines": [{"name": "Design", "quantity": "1", "unitAmount": "-1"}]}),
            "BAD_USER_INPUT",
            "input.lines[0].unitAmount",
        ),
        (
            json!({"companyId": company, "lines": [{"name": "Design", "quantity": "1", "unitAmount": "10", "discount": "0.001"}]}),
            "BAD_USER_INPUT",
            "input.lines[0].discount",
        ),
        (
            json!({"companyId": company, "lines": [{"name": "Design", "quantity": "1", "unitAmount": "10", "taxRate": "1.2"}]}),
            "BAD_USER_INPUT",
            "input.lines[0].taxRate",
        ),
        (
            json!({"companyId": company, "number": "INV-7", "lines": line("1")}),
            "CONFLICT",
            "input.number",
        ),
        (
            json!({"lines": line("1")}),
            "BAD_USER_INPUT",
            "input.companyId",
        ),
        (
            json!({"companyId": company, "currency": "USX", "lines": line("1")}),
            "BAD_USER_INPUT",
            "input.currency",
        ),
        (
            json!({"companyId": company, "issueDate": "2026-12-10", "dueDate": "2026-12-01", "lines": line("1")}),
            "BAD_USER_INPUT",
            "input.dueDate",
        ),
        (
            json!({"companyId": uuid::Uuid::now_v7(), "lines": line("1")}),
            "NOT_FOUND",
            "input.companyId",
        ),
    ];
    for (input, code, field) in cases {
        assert_refused(&create(&app, input.clone()).await, code, field);
        assert_eq!(written(&app).await, before, "{input}");
    }
    // Another workspace's company is as unknown as a made-up one.
    let (_, other_key) = app.other_workspace().await;
    let theirs = crate::support::builders::CompanyBuilder::new("Theirs")
        .with_key(&other_key)
        .create_id(&app)
        .await;
    let before = written(&app).await;
    assert_refused(
        &create(&app, json!({"companyId": theirs, "lines": line("1")})).await,
        "NOT_FOUND",
        "input.companyId",
    );
    assert_eq!(written(&app).await[..4], before[..4]);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_payments_refunds_and_voids_are_refused_and_write_nothing() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    let invoice = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "100")
        .issued()
        .create(&app)
        .await;
    let paid = pay_usd(&app, &invoice["id"], "60").await;
    let payment = paid.data()["recordPayment"]["payment"]["id"].clone();
    let void_me = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "100")
        .issued()
        .create(&app)
        .await;
    app.gql(
        "mutation($id: ID!) { voidInvoice(input: {id: $id}) { invoice { status } } }",
        json!({"id": void_me["id"]}),
    )
    .await
    .data();
    let before = written(&app).await;

    let eur = pay(
        &app,
        json!({"invoiceId": invoice["id"], "amount": "10", "currency": "EUR", "method": "CARD"}),
    )
    .await;
    assert_refused(&eur, "BAD_USER_INPUT", "input.currency");
    let tiny = pay(
        &app,
        json!({"invoiceId": invoice["id"], "amount": "0.001", "currency": "USD", "method": "CARD"}),
    )
    .await;
    assert_refused(&tiny, "BAD_USER_INPUT", "input.amount");
    let zero = pay(
        &app,
        json!({"invoiceId": invoice["id"], "amount": "0", "currency": "USD", "method": "CARD"}),
    )
    .await;
    assert_refused(&zero, "BAD_USER_INPUT", "input.amount");
    let void_paid = pay_usd(&app, &void_me["id"], "10").await;
    assert_refused(&void_paid, "CONFLICT", "input.invoiceId");
    let too_much = refund(&app, json!({"paymentId": payment, "amount": "60.01"})).await;
    assert_refused(&too_much, "BAD_USER_INPUT", "input.amount");
    let no_customer = pay(
        &app,
        json!({"amount": "10", "currency": "USD", "method": "CASH"}),
    )
    .await;
    assert_refused(&no_customer, "BAD_USER_INPUT", "input.companyId");
    let void_with_payments = app
        .gql(
            "mutation($id: ID!) { voidInvoice(input: {id: $id}) { invoice { status } } }",
            json!({"id": invoice["id"]}),
        )
        .await;
    assert_refused(&void_with_payments, "CONFLICT", "input.id");
    let edit_issued = app
        .gql(
            "mutation($id: ID!) { updateInvoice(input: {id: $id, lines: [{name: \"x\", quantity: \"1\", unitAmount: \"1\"}]}) { invoice { id } } }",
            json!({"id": invoice["id"]}),
        )
        .await;
    assert_refused(&edit_issued, "CONFLICT", "input.id");
    assert_eq!(written(&app).await, before);

    // A dry run of a good payment writes nothing either, but says what would happen.
    let dry = pay(
        &app,
        json!({"invoiceId": invoice["id"], "amount": "40", "currency": "USD", "method": "CARD", "dryRun": true}),
    )
    .await;
    assert_eq!(dry.data()["recordPayment"]["invoice"]["status"], "PAID");
    assert_eq!(dry.data()["recordPayment"]["dryRun"], true);
    assert_eq!(written(&app).await, before);
}
