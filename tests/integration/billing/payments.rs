//! Payments: partial and full payment move the invoice's amounts and status in the same
//! transaction, a provider's reference records once, overpayment needs asCredit and leaves
//! customer credit that can be applied later, refunds never exceed what was paid, and the
//! events go through the outbox.

use serde_json::json;

use super::{customer, pay, pay_usd, refund, written};
use crate::support::builders::InvoiceBuilder;
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn payments_move_the_invoice_to_partially_paid_then_paid_and_publish_events() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    let invoice = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "1000")
        .issued()
        .create(&app)
        .await;
    let first = pay_usd(&app, &invoice["id"], "400").await;
    let first = &first.data()["recordPayment"];
    assert_eq!(first["invoice"]["status"], "PARTIALLY_PAID");
    assert_eq!(first["invoice"]["amountPaid"], "400.00");
    assert_eq!(first["invoice"]["amountDue"], "600.00");
    assert_eq!(first["payment"]["appliedAmount"], "400.00");
    let second = pay_usd(&app, &invoice["id"], "600").await;
    let second = &second.data()["recordPayment"];
    assert_eq!(second["invoice"]["status"], "PAID");
    assert_eq!(second["invoice"]["amountDue"], "0.00");

    let issued = app.event_payloads("invoice.issued").await;
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0]["number"], "INV-000001");
    assert_eq!(app.event_payloads("payment.recorded").await.len(), 2);
    let paid = app.event_payloads("invoice.paid").await;
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["invoiceId"], invoice["id"]);
    // Each posting published its journal_entry.posted too: issue + two payments.
    assert_eq!(app.event_payloads("journal_entry.posted").await.len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_providers_reference_records_once() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    let invoice = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "1000")
        .issued()
        .create(&app)
        .await;
    let input = json!({"invoiceId": invoice["id"], "amount": "250", "currency": "USD", "method": "CARD",
                       "provider": "stripe", "providerReferenceId": "pi_123"});
    let first = pay(&app, input.clone()).await;
    let first = &first.data()["recordPayment"];
    assert_eq!(first["duplicate"], false);
    let before = written(&app).await;
    let again = pay(&app, input).await;
    let again = &again.data()["recordPayment"];
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["payment"]["id"], first["payment"]["id"]);
    assert_eq!(again["invoice"]["amountPaid"], "250.00");
    assert_eq!(written(&app).await, before);
    // The same reference from another provider is another payment.
    let other = pay(
        &app,
        json!({"invoiceId": invoice["id"], "amount": "250", "currency": "USD", "method": "CARD",
               "provider": "adyen", "providerReferenceId": "pi_123"}),
    )
    .await;
    assert_eq!(
        other.data()["recordPayment"]["invoice"]["amountPaid"],
        "500.00"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn overpaying_needs_as_credit_and_the_credit_pays_another_invoice() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    let invoice = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "100")
        .issued()
        .create(&app)
        .await;
    let before = written(&app).await;
    let over = pay_usd(&app, &invoice["id"], "150").await;
    assert_eq!(over.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        over.body["errors"][0]["extensions"]["field"],
        "input.amount"
    );
    assert_eq!(written(&app).await[2..4], before[2..4]);
    let kept = pay(
        &app,
        json!({"invoiceId": invoice["id"], "amount": "150", "currency": "USD", "method": "CASH", "asCredit": true}),
    )
    .await;
    let kept = &kept.data()["recordPayment"];
    assert_eq!(kept["invoice"]["status"], "PAID");
    assert_eq!(kept["payment"]["appliedAmount"], "100.00");
    assert_eq!(kept["payment"]["creditAmount"], "50.00");

    // Unapplied money is credit too; both pay the next invoice.
    let unapplied = pay(
        &app,
        json!({"companyId": company, "amount": "20", "currency": "USD", "method": "CHECK"}),
    )
    .await;
    assert_eq!(
        unapplied.data()["recordPayment"]["invoice"],
        serde_json::Value::Null
    );
    let next = InvoiceBuilder::for_company(&company)
        .line("Hosting", "1", "100")
        .issued()
        .create(&app)
        .await;
    let apply = "mutation($input: ApplyCustomerCreditInput!) { applyCustomerCredit(input: $input) { payment { kind amount appliedAmount creditAmount method } invoice { status amountPaid amountDue } } }";
    let too_much = app
        .gql(
            apply,
            json!({"input": {"invoiceId": next["id"], "amount": "70.01"}}),
        )
        .await;
    assert_eq!(too_much.error_code(), "BAD_USER_INPUT");
    let applied = app
        .gql(apply, json!({"input": {"invoiceId": next["id"]}}))
        .await;
    let applied = &applied.data()["applyCustomerCredit"];
    assert_eq!(applied["payment"]["kind"], "CREDIT_APPLICATION");
    assert_eq!(applied["payment"]["appliedAmount"], "70.00");
    assert_eq!(applied["payment"]["creditAmount"], "-70.00");
    assert_eq!(applied["invoice"]["amountDue"], "30.00");
    assert_eq!(applied["invoice"]["status"], "PARTIALLY_PAID");
    let none_left = app
        .gql(apply, json!({"input": {"invoiceId": next["id"]}}))
        .await;
    assert_eq!(none_left.error_code(), "BAD_USER_INPUT");
}

#[tokio::test(flavor = "multi_thread")]
async fn refunds_are_negative_payments_never_more_than_was_paid() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    let invoice = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "500")
        .issued()
        .create(&app)
        .await;
    let paid = pay_usd(&app, &invoice["id"], "500").await;
    let payment = paid.data()["recordPayment"]["payment"]["id"].clone();
    let back = refund(&app, json!({"paymentId": payment, "amount": "200"})).await;
    let back = &back.data()["refundPayment"];
    assert_eq!(back["payment"]["kind"], "REFUND");
    assert_eq!(back["payment"]["amount"], "-200.00");
    assert_eq!(back["payment"]["refundedPayment"]["id"], payment);
    assert_eq!(back["invoice"]["status"], "PARTIALLY_PAID");
    assert_eq!(back["invoice"]["amountPaid"], "300.00");
    assert_eq!(app.event_payloads("payment.refunded").await.len(), 1);

    let before = written(&app).await;
    let too_much = refund(&app, json!({"paymentId": payment, "amount": "300.01"})).await;
    assert_eq!(too_much.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        too_much.body["errors"][0]["extensions"]["field"],
        "input.amount"
    );
    assert_eq!(written(&app).await[2..4], before[2..4]);
    let rest = refund(&app, json!({"paymentId": payment})).await;
    assert_eq!(rest.data()["refundPayment"]["payment"]["amount"], "-300.00");
    assert_eq!(rest.data()["refundPayment"]["invoice"]["status"], "ISSUED");
    let nothing_left = refund(&app, json!({"paymentId": payment})).await;
    assert_eq!(nothing_left.error_code(), "CONFLICT");
    let listed = app
        .gql(
            "query($i: ID!) { payments(filter: {invoiceId: $i}) { totalCount } }",
            json!({"i": invoice["id"]}),
        )
        .await;
    assert_eq!(listed.data()["payments"]["totalCount"], 3);
}
