//! Logging, updating and deleting activities: the links and the stamps they move, bad input
//! and other workspaces' records refused with nothing written, the write path's guarantees and
//! the events.

use std::time::Duration;

use serde_json::{json, Value};

use super::{activity_count, instant, log_activity_query, records, stamps, update_activity_query};
use crate::support::builders::{ActivityBuilder, DealBuilder, PipelineBuilder};
use crate::support::ws::{WsClient, TRANSPORT_WS};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn logging_moves_last_activity_at_of_every_linked_record_forward_only() {
    let app = TestApp::spawn().await;
    let r = records(&app).await;
    assert!(stamps(&app, &r).await.iter().all(Value::is_null));

    let logged = app
        .gql(
            &log_activity_query(),
            json!({ "input": {
                "type": "CALL", "subject": "Renewal call", "body": "Talked pricing.\n\n  - seats: 40",
                "occurredAt": "2026-11-30T10:00:00Z", "metadata": { "durationMinutes": 25 },
                "contactId": r.contact, "companyId": r.company, "dealId": r.deal, "leadId": r.lead
            } }),
        )
        .await;
    let activity = &logged.data()["logActivity"]["activity"];
    assert_eq!(activity["type"], "CALL");
    assert_eq!(activity["body"], "Talked pricing.\n\n  - seats: 40");
    assert_eq!(activity["metadata"], json!({ "durationMinutes": 25 }));
    assert_eq!(activity["dealId"], json!(r.deal));
    assert_eq!(activity["version"], 1);
    let key_id = app
        .gql("{ viewer { apiKey { id } } }", json!({}))
        .await
        .data()["viewer"]["apiKey"]["id"]
        .clone();
    assert_eq!(activity["createdBy"], key_id);
    let t1 = instant(&json!("2026-11-30T10:00:00Z"));
    for stamp in stamps(&app, &r).await {
        assert_eq!(instant(&stamp), t1);
    }

    // Back-dated: the newer stamps stay.
    ActivityBuilder::note()
        .occurred_at("2026-01-05T09:00:00Z")
        .contact(&r.contact)
        .deal(&r.deal)
        .create(&app)
        .await;
    for stamp in stamps(&app, &r).await {
        assert_eq!(instant(&stamp), t1);
    }

    // Later, on the deal only: the deal moves, the others stay. The payload's deal already
    // shows it (the request's caches follow the write).
    let later = app
        .gql(
            "mutation($d: ID!) { logActivity(input: {type: EMAIL, dealId: $d, occurredAt: \"2026-12-01T08:00:00Z\"}) {
                activity { deal { lastActivityAt } contact { id } lead { id } } } }",
            json!({ "d": r.deal }),
        )
        .await;
    let payload = &later.data()["logActivity"]["activity"];
    assert_eq!(
        instant(&payload["deal"]["lastActivityAt"]),
        instant(&json!("2026-12-01T08:00:00Z"))
    );
    assert_eq!(payload["contact"], Value::Null);
    let [contact, company, deal, lead] = stamps(&app, &r).await;
    assert_eq!(instant(&deal), instant(&json!("2026-12-01T08:00:00Z")));
    for other in [contact, company, lead] {
        assert_eq!(instant(&other), t1);
    }

    // Without occurredAt it happened now.
    let now = ActivityBuilder::note().lead(&r.lead).create(&app).await;
    let age = chrono::Utc::now() - instant(&now["occurredAt"]);
    assert!(age.num_seconds().abs() < 60, "{now}");

    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'activity.logged'")
            .await,
        4
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'activity.log' AND outcome = 'succeeded'")
            .await,
        4
    );
    // The stamps are not edits: the records keep their versions.
    let versions = app
        .gql(
            "query($d: ID!) { deal(id: $d) { version } }",
            json!({ "d": r.deal }),
        )
        .await;
    assert_eq!(versions.data()["deal"]["version"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_and_other_workspaces_records_are_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let r = records(&app).await;
    let (_, their_key) = app.other_workspace().await;
    PipelineBuilder::new("Theirs")
        .with_key(&their_key)
        .create(&app)
        .await;
    let their_deal = DealBuilder::new("Their deal")
        .with_key(&their_key)
        .create_id(&app)
        .await;

    let cases = [
        (
            json!({ "type": "NOTE", "subject": "about nothing" }),
            "BAD_USER_INPUT",
            "input",
        ),
        (
            json!({ "type": "NOTE", "dealId": their_deal }),
            "NOT_FOUND",
            "input.dealId",
        ),
        (
            json!({ "type": "NOTE", "contactId": r.contact, "dealId": their_deal }),
            "NOT_FOUND",
            "input.dealId",
        ),
        (
            json!({ "type": "NOTE", "leadId": uuid::Uuid::now_v7() }),
            "NOT_FOUND",
            "input.leadId",
        ),
        (
            json!({ "type": "NOTE", "dealId": r.deal, "body": "x".repeat(64 * 1024 + 1) }),
            "BAD_USER_INPUT",
            "input.body",
        ),
        (
            json!({ "type": "NOTE", "dealId": r.deal, "metadata": [1, 2] }),
            "BAD_USER_INPUT",
            "input.metadata",
        ),
        (
            json!({ "type": "NOTE", "dealId": r.deal, "metadata": "a string" }),
            "BAD_USER_INPUT",
            "input.metadata",
        ),
        (
            json!({ "type": "NOTE", "dealId": r.deal, "metadata": 42 }),
            "BAD_USER_INPUT",
            "input.metadata",
        ),
        (
            json!({ "type": "NOTE", "dealId": "not-an-id" }),
            "BAD_USER_INPUT",
            "input.dealId",
        ),
        (
            json!({ "type": "NOTE", "dealId": r.deal, "subject": "s".repeat(501) }),
            "BAD_USER_INPUT",
            "input.subject",
        ),
    ];
    for (input, code, field) in cases {
        let refused = app
            .gql(&log_activity_query(), json!({ "input": input }))
            .await;
        assert_eq!(refused.error_code(), code, "{}", refused.body);
        assert_eq!(
            refused.body["errors"][0]["extensions"]["field"], field,
            "{}",
            refused.body
        );
        assert!(
            !refused.error_message().contains("SELECT"),
            "{}",
            refused.body
        );
    }
    // Not a time at all: refused at the boundary, naming the field.
    let bad_time = app
        .gql(
            &log_activity_query(),
            json!({ "input": { "type": "NOTE", "dealId": r.deal, "occurredAt": "yesterday" } }),
        )
        .await;
    assert_eq!(bad_time.error_code(), "BAD_USER_INPUT");
    assert_eq!(activity_count(&app).await, 0);
    assert!(stamps(&app, &r).await.iter().all(Value::is_null));
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type LIKE 'activity.%'")
            .await,
        0
    );
    // Their deal was not touched either.
    assert_eq!(
        app.count("SELECT count(*) AS n FROM deals WHERE last_activity_at IS NOT NULL")
            .await,
        0
    );
    // Exactly 64 KiB is fine (emoji count as their bytes).
    let body = "🎉".repeat(16 * 1024);
    ActivityBuilder::note()
        .deal(&r.deal)
        .body(&body)
        .create(&app)
        .await;

    // A read-only key may not log.
    let reader = app.key_with(&[dealgraph::auth::Scope::CrmRead]).await;
    let forbidden = app
        .gql_as(
            &reader,
            &log_activity_query(),
            json!({ "input": { "type": "NOTE", "dealId": r.deal } }),
        )
        .await;
    assert_eq!(forbidden.error_code(), "FORBIDDEN");
    assert_eq!(activity_count(&app).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn updates_and_deletes_go_through_the_write_path_and_publish_events() {
    let app = TestApp::spawn().await;
    let r = records(&app).await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query":
        "subscription { events(types: [ACTIVITY_LOGGED, ACTIVITY_UPDATED, ACTIVITY_DELETED]) { typeName entityId payload } }" } }))
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    // An idempotent log: the retry replays and writes nothing more.
    let input = json!({ "type": "MEETING", "subject": "Kick-off", "dealId": r.deal,
        "occurredAt": "2026-11-02T15:00:00Z", "idempotencyKey": "kickoff-1" });
    let first = app
        .gql(&log_activity_query(), json!({ "input": input }))
        .await;
    let activity = first.data()["logActivity"]["activity"].clone();
    let retry = app
        .gql(&log_activity_query(), json!({ "input": input }))
        .await;
    assert_eq!(retry.data()["logActivity"]["replayed"], true);
    assert_eq!(
        retry.data()["logActivity"]["activity"]["id"],
        activity["id"]
    );
    assert_eq!(activity_count(&app).await, 1);

    // A dry run writes nothing.
    let dry = app
        .gql(
            &log_activity_query(),
            json!({ "input": { "type": "NOTE", "dealId": r.deal, "dryRun": true } }),
        )
        .await;
    assert_eq!(dry.data()["logActivity"]["dryRun"], true);
    assert_eq!(activity_count(&app).await, 1);

    let stale = app
        .gql(
            &update_activity_query(),
            json!({ "input": { "id": activity["id"], "expectedVersion": 7, "subject": "x" } }),
        )
        .await;
    assert_eq!(stale.error_code(), "STALE_OBJECT");
    // Unlinking the last record would leave it about nothing.
    let unlinked = app
        .gql(
            &update_activity_query(),
            json!({ "input": { "id": activity["id"], "dealId": null } }),
        )
        .await;
    assert_eq!(unlinked.error_code(), "BAD_USER_INPUT");
    assert_eq!(unlinked.body["errors"][0]["extensions"]["field"], "input");

    // Move it later and onto the contact too: both stamps move to the new time.
    let updated = app
        .gql(
            &update_activity_query(),
            json!({ "input": { "id": activity["id"], "expectedVersion": 1, "subject": "Kick-off (moved)",
                "occurredAt": "2026-11-20T15:00:00Z", "contactId": r.contact, "metadata": null } }),
        )
        .await;
    let updated = &updated.data()["updateActivity"]["activity"];
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["contactId"], json!(r.contact));
    assert_eq!(updated["metadata"], json!({}));
    let [contact, _, deal, _] = super::stamps(&app, &r).await;
    let moved = instant(&json!("2026-11-20T15:00:00Z"));
    assert_eq!((instant(&contact), instant(&deal)), (moved, moved));

    // Deleting keeps the stamps (they record that something happened).
    let deleted = app
        .gql(
            "mutation($id: ID!) { deleteActivity(input: {id: $id, expectedVersion: 2}) { activity { id subject } } }",
            json!({ "id": activity["id"] }),
        )
        .await;
    assert_eq!(
        deleted.data()["deleteActivity"]["activity"]["subject"],
        "Kick-off (moved)"
    );
    assert_eq!(activity_count(&app).await, 0);
    assert_eq!(instant(&super::stamps(&app, &r).await[2]), moved);

    let mut seen = Vec::new();
    for _ in 0..3 {
        let message = ws.next_json().await;
        let event = &message["payload"]["data"]["events"];
        assert_eq!(event["entityId"], activity["id"], "{message}");
        seen.push(event["typeName"].as_str().unwrap().to_owned());
        if event["typeName"] == "activity.updated" {
            let changed = event["payload"]["changed"].as_array().unwrap();
            assert!(changed.contains(&json!("occurred_at")), "{event}");
        }
        if event["typeName"] == "activity.logged" {
            assert_eq!(event["payload"]["type"], "meeting");
            assert_eq!(event["payload"]["dealId"], json!(r.deal));
        }
    }
    assert_eq!(
        seen,
        ["activity.logged", "activity.updated", "activity.deleted"]
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_events WHERE entity_type = 'activity' AND outcome = 'failed'")
            .await,
        2
    );
}

/// Deleting a record unlinks the activities it shares with other records and deletes only
/// those it was the last link of: a call logged on a deal and its contact stays in the
/// contact's history when the deal goes.
#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_record_keeps_the_activities_other_records_still_hold() {
    let app = TestApp::spawn().await;
    let r = records(&app).await;
    let shared = ActivityBuilder::call()
        .subject("Renewal call")
        .deal(&r.deal)
        .contact(&r.contact)
        .create(&app)
        .await;
    let own = ActivityBuilder::note()
        .subject("Deal-only note")
        .deal(&r.deal)
        .create(&app)
        .await;
    let on_lead = ActivityBuilder::note()
        .subject("Lead and company")
        .lead(&r.lead)
        .company(&r.company)
        .create(&app)
        .await;

    for (mutation, id) in [("deleteDeal", &r.deal), ("deleteLead", &r.lead)] {
        let deleted = app
            .gql(
                &format!(
                    "mutation($id: ID!) {{ {mutation}(input: {{id: $id}}) {{ __typename }} }}"
                ),
                json!({ "id": id }),
            )
            .await;
        deleted.data();
    }

    let query = "query($id: ID!) { node(id: $id) { ... on Activity { subject contactId companyId dealId leadId } } }";
    let shared = app.gql(query, json!({ "id": shared["id"] })).await;
    let shared = &shared.data()["node"];
    assert_eq!(shared["subject"], "Renewal call");
    assert_eq!(shared["contactId"], r.contact.as_str());
    assert!(shared["dealId"].is_null(), "unlinked from the deleted deal");
    let on_lead = app.gql(query, json!({ "id": on_lead["id"] })).await;
    let on_lead = &on_lead.data()["node"];
    assert_eq!(on_lead["companyId"], r.company.as_str());
    assert!(
        on_lead["leadId"].is_null(),
        "unlinked from the deleted lead"
    );
    let own = app.gql(query, json!({ "id": own["id"] })).await;
    assert!(own.data()["node"].is_null(), "the deal was its only link");

    let contact_history = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Contact { activities(first: 10) { nodes { subject } } } } }",
            json!({ "id": r.contact }),
        )
        .await;
    assert_eq!(
        contact_history.data()["node"]["activities"]["nodes"],
        json!([{ "subject": "Renewal call" }])
    );
}
