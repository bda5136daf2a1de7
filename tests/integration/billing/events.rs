//! Billing's events flow through the outbox into `events(types:)`, live and in order:
//! invoice.issued, payment.recorded, invoice.paid, payment.refunded, invoice.voided.

use serde_json::{json, Value};

use super::{customer, pay_usd, refund};
use crate::support::builders::InvoiceBuilder;
use crate::support::ws::{WsClient, TRANSPORT_WS};
use crate::support::TestApp;

const BILLING_EVENTS: &str = "subscription($after: String) { events(types: [INVOICE_ISSUED, INVOICE_PAID, INVOICE_VOIDED, PAYMENT_RECORDED, PAYMENT_REFUNDED], after: $after) { cursor typeName entityId payload } }";

async fn next_event(ws: &mut WsClient) -> Value {
    let message = ws.next_json().await;
    assert_eq!(message["type"], "next", "{message}");
    assert!(message["payload"].get("errors").is_none(), "{message}");
    message["payload"]["data"]["events"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn invoice_and_payment_events_are_published_and_resumable() {
    let app = TestApp::spawn_with(|c| {
        c.events.poll_interval = std::time::Duration::from_millis(200);
    })
    .await;
    let company = customer(&app).await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": BILLING_EVENTS } }))
        .await;
    // As the other subscription tests do: give the server a moment to join the fan-out.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;

    let invoice = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "100")
        .issued()
        .create(&app)
        .await;
    let paid = pay_usd(&app, &invoice["id"], "100").await;
    let payment = paid.data()["recordPayment"]["payment"]["id"].clone();
    refund(&app, json!({"paymentId": payment, "amount": "10"}))
        .await
        .data();
    let other = InvoiceBuilder::for_company(&company)
        .line("Hosting", "1", "5")
        .issued()
        .create(&app)
        .await;
    app.gql(
        "mutation($id: ID!) { voidInvoice(input: {id: $id}) { invoice { status } } }",
        json!({"id": other["id"]}),
    )
    .await
    .data();

    let issued = next_event(&mut ws).await;
    assert_eq!(issued["typeName"], "invoice.issued");
    assert_eq!(issued["payload"]["number"], "INV-000001");
    let total: f64 = issued["payload"]["total"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(total, 100.0);
    let recorded = next_event(&mut ws).await;
    assert_eq!(recorded["typeName"], "payment.recorded");
    assert_eq!(recorded["entityId"], payment);
    let paid = next_event(&mut ws).await;
    assert_eq!(paid["typeName"], "invoice.paid");
    assert_eq!(paid["entityId"], invoice["id"]);
    let refunded = next_event(&mut ws).await;
    assert_eq!(refunded["typeName"], "payment.refunded");
    assert_eq!(refunded["payload"]["refundedPaymentId"], payment);
    assert_eq!(next_event(&mut ws).await["typeName"], "invoice.issued");
    let voided = next_event(&mut ws).await;
    assert_eq!(voided["typeName"], "invoice.voided");
    assert_eq!(voided["entityId"], other["id"]);

    // Resuming after the payment replays what followed, in order.
    let mut resumed = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    resumed
        .send(json!({ "id": "2", "type": "subscribe", "payload": {
            "query": BILLING_EVENTS, "variables": { "after": recorded["cursor"] } } }))
        .await;
    assert_eq!(next_event(&mut resumed).await["cursor"], paid["cursor"]);
    assert_eq!(next_event(&mut resumed).await["cursor"], refunded["cursor"]);
}
