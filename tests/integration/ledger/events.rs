//! `journal_entry.posted` and `journal_entry.reversed` flow through the outbox into
//! `events(types:, after:)`, live and resumable.

use serde_json::{json, Value};

use super::reverse_entry;
use crate::support::builders::{account_ids, JournalEntryBuilder};
use crate::support::ws::{WsClient, TRANSPORT_WS};
use crate::support::TestApp;

const LEDGER_EVENTS: &str = "subscription($after: String) { events(types: [JOURNAL_ENTRY_POSTED, JOURNAL_ENTRY_REVERSED], after: $after) { cursor typeName entityId payload } }";

async fn next_event(ws: &mut WsClient) -> Value {
    let message = ws.next_json().await;
    assert_eq!(message["type"], "next", "{message}");
    assert!(message["payload"].get("errors").is_none(), "{message}");
    message["payload"]["data"]["events"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn postings_and_reversals_are_published_and_resumable() {
    let app = TestApp::spawn_with(|c| {
        c.events.poll_interval = std::time::Duration::from_millis(200);
    })
    .await;
    let ids = account_ids(&app, &app.admin_key).await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": LEDGER_EVENTS } }))
        .await;
    // As the other subscription tests do: give the server a moment to join the fan-out.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;

    // A draft publishes nothing; its posting does.
    let draft = JournalEntryBuilder::on("2026-12-01")
        .debit(&ids["1100"], "80")
        .credit(&ids["4000"], "80")
        .create(&app)
        .await;
    super::post_entry(&app, &draft["id"]).await.data();
    let posted = next_event(&mut ws).await;
    assert_eq!(posted["typeName"], "journal_entry.posted");
    assert_eq!(posted["entityId"], draft["id"]);
    assert_eq!(posted["payload"]["number"], 1);
    assert_eq!(posted["payload"]["totals"][0]["currency"], "USD");

    let reversal = reverse_entry(&app, &draft["id"], "2026-12-02").await;
    let reversal = reversal.data()["reverseJournalEntry"]["journalEntry"].clone();
    let reversal_posted = next_event(&mut ws).await;
    assert_eq!(reversal_posted["typeName"], "journal_entry.posted");
    assert_eq!(reversal_posted["entityId"], reversal["id"]);
    assert_eq!(reversal_posted["payload"]["reversesId"], draft["id"]);
    let reversed = next_event(&mut ws).await;
    assert_eq!(reversed["typeName"], "journal_entry.reversed");
    assert_eq!(reversed["entityId"], draft["id"]);
    assert_eq!(reversed["payload"]["reversalId"], reversal["id"]);
    assert_eq!(reversed["payload"]["reversalNumber"], 2);

    // Resuming after the first replays the other two, in order.
    let mut resumed = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    resumed
        .send(json!({ "id": "2", "type": "subscribe", "payload": {
            "query": LEDGER_EVENTS, "variables": { "after": posted["cursor"] } } }))
        .await;
    assert_eq!(
        next_event(&mut resumed).await["cursor"],
        reversal_posted["cursor"]
    );
    assert_eq!(next_event(&mut resumed).await["cursor"], reversed["cursor"]);
}
