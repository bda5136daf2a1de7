//! The billing tools: a draft invoice created, listed, and paid once issued — with the
//! write path's guarantees (scopes, idempotency keys, dry runs) holding over MCP as over GraphQL.

use bigdecimal::BigDecimal;
use serde_json::{json, Value};

use super::{call, connect, failed, id_of, ok, Client};
use crate::support::builders::{CompanyBuilder, InvoiceBuilder};
use crate::support::TestApp;
use dealgraph::auth::Scope;

/// A decimal string of a tool's answer, as a number (rows carry their column's scale).
fn money(value: &Value) -> BigDecimal {
    value
        .as_str()
        .expect("a decimal string")
        .parse()
        .expect("a decimal")
}

fn is(value: &Value, amount: &str) -> bool {
    money(value) == amount.parse::<BigDecimal>().expect("a decimal")
}

/// A draft for one design service line of `amount` USD, through `create_invoice`.
async fn draft(client: &Client, company: &str, amount: &str, extra: Value) -> Value {
    let mut arguments = json!({
        "company_id": company,
        "currency": "USD",
        "lines": [{ "kind": "service", "name": "Design", "quantity": "1", "unit_amount": amount }],
    });
    if let (Value::Object(arguments), Value::Object(extra)) = (&mut arguments, extra) {
        arguments.extend(extra);
    }
    ok(call(client, "create_invoice", arguments).await)
}

#[tokio::test]
async fn invoices_are_created_listed_and_paid_through_their_tools() {
    let app = TestApp::spawn().await;
    let client = connect(&app, &app.admin_key).await;
    let company = CompanyBuilder::new("Northstar Studio")
        .create_id(&app)
        .await;

    let created = draft(
        &client,
        &company,
        "1200.50",
        json!({ "idempotency_key": "inv-1" }),
    )
    .await;
    assert_eq!(created["invoice"]["status"], "draft");
    assert!(is(&created["invoice"]["total"], "1200.50"), "{created}");
    assert_eq!(created["lines"].as_array().unwrap().len(), 1);
    let issued = InvoiceBuilder::for_company(&company)
        .line("Build", "2", "500")
        .issued()
        .create(&app)
        .await;

    let all = ok(call(&client, "list_invoices", json!({})).await);
    assert_eq!(all["total_count"], 2);
    let open = ok(call(
        &client,
        "list_invoices",
        json!({ "status": "issued", "currency": "usd" }),
    )
    .await);
    assert_eq!(open["total_count"], 1);
    assert_eq!(open["items"][0]["id"], issued["id"]);
    let error = failed(call(&client, "list_invoices", json!({ "currency": "XYZ" })).await);
    assert_eq!(error["code"], "BAD_USER_INPUT");
    assert_eq!(error["field"], "currency");

    let paid = ok(call(
        &client,
        "record_payment",
        json!({ "invoice_id": issued["id"], "amount": "400", "currency": "USD", "method": "bank_transfer" }),
    )
    .await);
    assert!(is(&paid["payment"]["amount"], "400"), "{paid}");
    assert_eq!(paid["invoice"]["status"], "partially_paid");
    assert!(is(&paid["invoice"]["amount_due"], "600"), "{paid}");
    assert_eq!(paid["duplicate"], false);
    let journal = "SELECT count(*) AS n FROM journal_entries WHERE status = 'posted'";
    assert_eq!(
        app.count(journal).await,
        2,
        "the issue and the payment posted"
    );

    // The domain's codes and field names come through, snake_cased.
    let error = failed(call(
        &client,
        "record_payment",
        json!({ "invoice_id": issued["id"], "amount": "10", "currency": "EUR", "method": "card" }),
    )
    .await);
    assert_eq!(error["code"], "BAD_USER_INPUT");
    assert_eq!(error["field"], "currency");
    let error = failed(call(
        &client,
        "record_payment",
        json!({ "invoice_id": id_of(&created, "invoice"), "amount": "10", "currency": "USD", "method": "card" }),
    )
    .await);
    assert_eq!(error["code"], "CONFLICT", "{error}");
    assert_eq!(app.count("SELECT count(*) AS n FROM payments").await, 1);
    client.cancel().await.ok();
}

#[tokio::test]
async fn a_read_key_lists_invoices_but_cannot_create_or_pay_them() {
    let app = TestApp::spawn().await;
    let company = CompanyBuilder::new("Northstar Studio")
        .create_id(&app)
        .await;
    let issued = InvoiceBuilder::for_company(&company)
        .line("Build", "1", "500")
        .issued()
        .create(&app)
        .await;
    let read_key = app.key_with(&[Scope::CrmRead]).await;
    let client = connect(&app, &read_key).await;

    let page = ok(call(&client, "list_invoices", json!({})).await);
    assert_eq!(page["total_count"], 1);
    let writes = [
        (
            "create_invoice",
            json!({ "company_id": company, "lines": [] }),
        ),
        (
            "record_payment",
            json!({ "invoice_id": issued["id"], "amount": "5", "currency": "USD", "method": "cash" }),
        ),
    ];
    for (tool, arguments) in writes {
        let error = failed(call(&client, tool, arguments).await);
        assert_eq!(error["code"], "FORBIDDEN", "{tool}");
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM invoices").await, 1);
    assert_eq!(app.count("SELECT count(*) AS n FROM payments").await, 0);
    client.cancel().await.ok();
}

#[tokio::test]
async fn billing_writes_retried_with_their_key_write_once_and_dry_runs_write_nothing() {
    let app = TestApp::spawn().await;
    let client = connect(&app, &app.admin_key).await;
    let company = CompanyBuilder::new("Northstar Studio")
        .create_id(&app)
        .await;
    let issued = InvoiceBuilder::for_company(&company)
        .line("Build", "1", "500")
        .issued()
        .create(&app)
        .await;
    let entries = "SELECT count(*) AS n FROM journal_entries";
    let posted = app.count(entries).await;

    let first = draft(
        &client,
        &company,
        "100",
        json!({ "idempotency_key": "inv-1" }),
    )
    .await;
    let again = draft(
        &client,
        &company,
        "100",
        json!({ "idempotency_key": "inv-1" }),
    )
    .await;
    assert_eq!(again["replayed"], true);
    assert_eq!(id_of(&again, "invoice"), id_of(&first, "invoice"));
    assert_eq!(app.count("SELECT count(*) AS n FROM invoices").await, 2);

    let payment = json!({ "invoice_id": issued["id"], "amount": "50", "currency": "USD",
                          "method": "cash", "idempotency_key": "pay-1" });
    let first = ok(call(&client, "record_payment", payment.clone()).await);
    let again = ok(call(&client, "record_payment", payment).await);
    assert_eq!(again["replayed"], true);
    assert_eq!(id_of(&again, "payment"), id_of(&first, "payment"));
    assert_eq!(app.count("SELECT count(*) AS n FROM payments").await, 1);
    assert_eq!(app.count(entries).await, posted + 1);

    let written = "SELECT (SELECT count(*) FROM invoices) + (SELECT count(*) FROM payments) \
                   + (SELECT count(*) FROM journal_entries) + (SELECT count(*) FROM outbox_events) AS n";
    let before = app.count(written).await;
    let would_be = draft(&client, &company, "75", json!({ "dry_run": true })).await;
    assert_eq!(would_be["dry_run"], true);
    assert!(is(&would_be["invoice"]["total"], "75"), "{would_be}");
    let would_pay = ok(call(
        &client,
        "record_payment",
        json!({ "invoice_id": issued["id"], "amount": "450", "currency": "USD", "method": "cash", "dry_run": true }),
    )
    .await);
    assert_eq!(would_pay["dry_run"], true);
    assert_eq!(would_pay["invoice"]["status"], "paid");
    assert_eq!(app.count(written).await, before);
    client.cancel().await.ok();
}
