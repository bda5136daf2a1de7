//! A lead's lifecycle: qualify, disqualify, reopen and assign, each kept in a lossless status
//! history that stays a chain under concurrent changes, and none for a converted lead.

use serde_json::{json, Value};

use super::mark_converted;
use crate::support::builders::LeadBuilder;
use crate::support::TestApp;

const STATUS_FIELDS: &str = "replayed dryRun lead { id status version qualifiedAt disqualifiedAt disqualifiedReason ownerId statusChanges { sequence fromStatus toStatus reason actorKeyId } } statusChange { sequence fromStatus toStatus reason }";

fn status_mutation(name: &str, input_type: &str) -> String {
    format!("mutation($input: {input_type}!) {{ {name}(input: $input) {{ {STATUS_FIELDS} }} }}")
}

async fn qualify(app: &TestApp, input: Value) -> crate::support::GqlResponse {
    app.gql(
        &status_mutation("qualifyLead", "LeadStatusInput"),
        json!({ "input": input }),
    )
    .await
}

async fn disqualify(app: &TestApp, input: Value) -> crate::support::GqlResponse {
    app.gql(
        &status_mutation("disqualifyLead", "DisqualifyLeadInput"),
        json!({ "input": input }),
    )
    .await
}

async fn reopen(app: &TestApp, input: Value) -> crate::support::GqlResponse {
    app.gql(
        &status_mutation("reopenLead", "LeadStatusInput"),
        json!({ "input": input }),
    )
    .await
}

const ASSIGN: &str =
    "mutation($input: AssignLeadInput!) { assignLead(input: $input) { lead { ownerId version } } }";

#[tokio::test(flavor = "multi_thread")]
async fn qualify_disqualify_and_reopen_keep_a_chained_history() {
    let app = TestApp::spawn().await;
    let lead = LeadBuilder::new("Priya").create(&app).await;
    let id = &lead["id"];

    let qualified = qualify(&app, json!({ "id": id, "reason": "budget confirmed" })).await;
    let payload = &qualified.data()["qualifyLead"];
    assert_eq!(payload["lead"]["status"], "QUALIFIED");
    assert!(payload["lead"]["qualifiedAt"].is_string());
    assert_eq!(payload["statusChange"]["sequence"], 1);
    assert_eq!(payload["statusChange"]["fromStatus"], "NEW");

    let again = qualify(&app, json!({ "id": id })).await;
    assert_eq!(again.error_code(), "CONFLICT");

    let blank = disqualify(&app, json!({ "id": id, "reason": "  " })).await;
    assert_eq!(blank.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        blank.body["errors"][0]["extensions"]["field"],
        "input.reason"
    );
    let missing = disqualify(&app, json!({ "id": id })).await;
    assert!(missing.body.get("data").is_none() || missing.body["data"].is_null());

    let disqualified = disqualify(&app, json!({ "id": id, "reason": "no budget after all" })).await;
    let lead_now = &disqualified.data()["disqualifyLead"]["lead"];
    assert_eq!(lead_now["status"], "DISQUALIFIED");
    assert_eq!(lead_now["disqualifiedReason"], "no budget after all");
    assert!(lead_now["disqualifiedAt"].is_string());

    let reopened = reopen(&app, json!({ "id": id, "expectedVersion": 3 })).await;
    let lead_now = &reopened.data()["reopenLead"]["lead"];
    assert_eq!(lead_now["status"], "WORKING");
    assert_eq!(lead_now["disqualifiedAt"], Value::Null);
    assert_eq!(lead_now["disqualifiedReason"], Value::Null);
    assert_eq!(lead_now["qualifiedAt"], Value::Null);
    let history: Vec<(i64, String, String)> = lead_now["statusChanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["sequence"].as_i64().unwrap(),
                c["fromStatus"].as_str().unwrap().to_owned(),
                c["toStatus"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            (1, "NEW".into(), "QUALIFIED".into()),
            (2, "QUALIFIED".into(), "DISQUALIFIED".into()),
            (3, "DISQUALIFIED".into(), "WORKING".into()),
        ]
    );
    let stale = reopen(&app, json!({ "id": id, "expectedVersion": 3 })).await;
    assert_eq!(stale.error_code(), "STALE_OBJECT");
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM outbox_events WHERE event_type = 'lead.status_changed'"
        )
        .await,
        3
    );

    // A dry run shows the change and keeps nothing.
    let dry = qualify(&app, json!({ "id": id, "dryRun": true })).await;
    assert_eq!(dry.data()["qualifyLead"]["statusChange"]["sequence"], 4);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM lead_status_changes")
            .await,
        3
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reopening_meets_a_newer_open_lead_with_the_same_address() {
    let app = TestApp::spawn().await;
    let old = LeadBuilder::new("Priya")
        .email("priya@northstar.example")
        .create(&app)
        .await;
    disqualify(&app, json!({ "id": old["id"], "reason": "wrong timing" }))
        .await
        .data();
    let newer = LeadBuilder::new("Priya")
        .email("priya@northstar.example")
        .create(&app)
        .await;
    let refused = reopen(&app, json!({ "id": old["id"] })).await;
    assert_eq!(refused.error_code(), "CONFLICT");
    assert_eq!(
        refused.body["errors"][0]["extensions"]["existingId"],
        newer["id"]
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM lead_status_changes")
            .await,
        1,
        "the refused reopen left no history"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_is_assigned_and_unassigned_and_a_converted_one_refuses_every_change() {
    let app = TestApp::spawn().await;
    let lead = LeadBuilder::new("Priya").create(&app).await;
    let assigned = app
        .gql(
            ASSIGN,
            json!({ "input": { "id": lead["id"], "ownerId": "user-7" } }),
        )
        .await;
    assert_eq!(assigned.data()["assignLead"]["lead"]["ownerId"], "user-7");
    let unassigned = app
        .gql(
            ASSIGN,
            json!({ "input": { "id": lead["id"], "ownerId": null } }),
        )
        .await;
    assert_eq!(
        unassigned.data()["assignLead"]["lead"]["ownerId"],
        Value::Null
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'lead.assigned'")
            .await,
        2
    );

    mark_converted(&app, &lead).await;
    for refused in [
        qualify(&app, json!({ "id": lead["id"] })).await,
        disqualify(&app, json!({ "id": lead["id"], "reason": "x" })).await,
        reopen(&app, json!({ "id": lead["id"] })).await,
        app.gql(
            ASSIGN,
            json!({ "input": { "id": lead["id"], "ownerId": "user-8" } }),
        )
        .await,
    ] {
        assert_eq!(refused.error_code(), "CONFLICT", "{}", refused.body);
        assert!(
            refused.error_message().contains("converted"),
            "{}",
            refused.body
        );
    }
    let unknown = qualify(&app, json!({ "id": uuid::Uuid::now_v7().to_string() })).await;
    assert_eq!(unknown.error_code(), "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_changes_keep_the_history_a_chain() {
    let app = TestApp::spawn().await;
    let lead = LeadBuilder::new("Busy").create(&app).await;
    let id = lead["id"].clone();
    let mut tasks = Vec::new();
    for i in 0..12 {
        let app = &app;
        let id = id.clone();
        tasks.push(async move {
            match i % 3 {
                0 => qualify(app, json!({ "id": id })).await,
                1 => disqualify(app, json!({ "id": id, "reason": "r" })).await,
                _ => reopen(app, json!({ "id": id })).await,
            }
        });
    }
    let results = futures_util::future::join_all(tasks).await;
    let succeeded = results
        .iter()
        .filter(|r| r.body["errors"].is_null())
        .count();
    assert!(succeeded >= 1);
    let response = app
        .gql(
            "query($id: ID!) { lead(id: $id) { status statusChanges { sequence fromStatus toStatus } } }",
            json!({ "id": id }),
        )
        .await;
    let lead_now = &response.data()["lead"];
    let changes = lead_now["statusChanges"].as_array().unwrap();
    assert_eq!(changes.len(), succeeded);
    let mut previous = "NEW".to_owned();
    for (i, change) in changes.iter().enumerate() {
        assert_eq!(change["sequence"], i as i64 + 1);
        assert_eq!(change["fromStatus"], previous.as_str(), "{changes:?}");
        previous = change["toStatus"].as_str().unwrap().to_owned();
    }
    assert_eq!(lead_now["status"], previous.as_str());
}

const LEAD_STATUS_CHANGED: &str = "subscription($l: ID, $after: String) { leadStatusChanged(leadId: $l, after: $after) { cursor leadId sequence fromStatus toStatus reason lead { status } } }";

/// The next `leadStatusChanged` payload on the socket.
async fn next_status_change(ws: &mut crate::support::ws::WsClient) -> Value {
    let message = ws.next_json().await;
    assert_eq!(message["type"], "next", "{message}");
    assert!(message["payload"].get("errors").is_none(), "{message}");
    message["payload"]["data"]["leadStatusChanged"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn status_changes_are_delivered_live_filtered_and_resumable() {
    use crate::support::ws::{WsClient, TRANSPORT_WS};
    let app = TestApp::spawn_with(|c| {
        c.events.poll_interval = std::time::Duration::from_millis(200);
    })
    .await;
    let watched = LeadBuilder::new("Watched").create(&app).await;
    let other = LeadBuilder::new("Other").create(&app).await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": {
        "query": LEAD_STATUS_CHANGED, "variables": { "l": watched["id"] } } }))
        .await;
    // As the other subscription tests do: give the server a moment to join the fan-out.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    qualify(&app, json!({ "id": other["id"] })).await.data();
    qualify(&app, json!({ "id": watched["id"], "reason": "ready" }))
        .await
        .data();
    let first = next_status_change(&mut ws).await;
    assert_eq!(first["leadId"], watched["id"], "only the watched lead");
    assert_eq!(first["toStatus"], "QUALIFIED");
    assert_eq!(first["reason"], "ready");
    assert_eq!(first["lead"]["status"], "QUALIFIED");

    disqualify(&app, json!({ "id": watched["id"], "reason": "gone quiet" }))
        .await
        .data();
    let second = next_status_change(&mut ws).await;
    assert_eq!(second["fromStatus"], "QUALIFIED");
    assert_eq!(second["toStatus"], "DISQUALIFIED");
    assert_eq!(second["sequence"], first["sequence"].as_i64().unwrap() + 1);

    // Resuming after the first replays the second.
    let mut resumed = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    resumed.send(json!({ "id": "2", "type": "subscribe", "payload": {
        "query": LEAD_STATUS_CHANGED, "variables": { "l": watched["id"], "after": first["cursor"] } } }))
        .await;
    let replayed = next_status_change(&mut resumed).await;
    assert_eq!(replayed["sequence"], second["sequence"]);
}
