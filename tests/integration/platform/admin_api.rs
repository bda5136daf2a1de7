//! What the /admin board needed from the public API: a feed position to load and then
//! subscribe from, the key's effective scopes, and moves out of a pipeline reaching that
//! pipeline's board.

use std::time::Duration;

use dealgraph::auth::Scope;
use serde_json::{json, Value};

use crate::support::builders::{stage_ids, DealBuilder, PipelineBuilder};
use crate::support::ws::{WsClient, TRANSPORT_WS};
use crate::support::TestApp;

const MOVES: &str = "subscription($p: ID, $after: String) { dealStageChanged(pipelineId: $p, after: $after) { cursor deal { id stage { id } pipeline { id } } stageChange { toStageId } } }";

fn quick(config: &mut dealgraph::Config) {
    config.events.poll_interval = Duration::from_millis(200);
}

async fn move_deal(app: &TestApp, deal: &Value, stage: &str) {
    app.gql(
        "mutation($d: ID!, $s: ID!) { moveDeal(input: {dealId: $d, stageId: $s}) { deal { id } } }",
        json!({ "d": deal["id"], "s": stage }),
    )
    .await
    .data();
}

async fn subscribe(ws: &mut WsClient, id: &str, variables: Value) {
    ws.send(json!({ "id": id, "type": "subscribe", "payload": { "query": MOVES, "variables": variables } }))
        .await;
}

async fn next_move(ws: &mut WsClient) -> Value {
    let message = tokio::time::timeout(Duration::from_secs(10), ws.next_json())
        .await
        .expect("a move within 10 s");
    assert_eq!(message["type"], "next", "{message}");
    assert!(message["payload"].get("errors").is_none(), "{message}");
    message["payload"]["data"]["dealStageChanged"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn event_cursor_lets_a_client_subscribe_from_exactly_where_it_loaded() {
    let app = TestApp::spawn_with(quick).await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let ids = stage_ids(&sales);
    let before = DealBuilder::new("Before").create(&app).await;
    let after = DealBuilder::new("After").create(&app).await;
    move_deal(&app, &before, &ids[1]).await;

    // A read-only key may ask: a board of any key needs it.
    let reader = app.key_with(&[Scope::CrmRead]).await;
    let read = app.gql_as(&reader, "{ eventCursor }", json!({})).await;
    let cursor = read.data()["eventCursor"].clone();
    assert!(cursor.is_string(), "{}", read.body);

    // Committed between the load and the subscription: delivered; the move before: not.
    move_deal(&app, &after, &ids[2]).await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &reader).await;
    subscribe(&mut ws, "1", json!({ "after": cursor })).await;
    let first = next_move(&mut ws).await;
    assert_eq!(first["deal"]["id"], after["id"], "{first}");
    move_deal(&app, &before, &ids[3]).await;
    let second = next_move(&mut ws).await;
    assert_eq!(second["deal"]["id"], before["id"], "{second}");
    assert_eq!(second["stageChange"]["toStageId"], ids[3]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_cursor_of_an_empty_feed_still_resumes() {
    let app = TestApp::spawn_with(quick).await;
    let cursor = app.gql("{ eventCursor }", json!({})).await.data()["eventCursor"].clone();
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("First").create(&app).await;
    move_deal(&app, &deal, &stage_ids(&sales)[1]).await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    subscribe(&mut ws, "1", json!({ "after": cursor })).await;
    assert_eq!(next_move(&mut ws).await["deal"]["id"], deal["id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn viewer_lists_the_scopes_a_key_has_through_the_ones_it_was_granted() {
    let app = TestApp::spawn().await;
    let query = "{ viewer { apiKey { scopes } effectiveScopes } }";
    for (granted, effective) in [
        (
            vec![Scope::Admin],
            json!(["CRM_READ", "CRM_WRITE", "ADMIN"]),
        ),
        (vec![Scope::CrmWrite], json!(["CRM_READ", "CRM_WRITE"])),
        (vec![Scope::CrmRead], json!(["CRM_READ"])),
    ] {
        let key = app.key_with(&granted).await;
        let response = app.gql_as(&key, query, json!({})).await;
        let viewer = &response.data()["viewer"];
        assert_eq!(viewer["effectiveScopes"], effective, "{viewer}");
        // The granted scopes keep their meaning.
        assert_eq!(
            viewer["apiKey"]["scopes"].as_array().map(Vec::len),
            Some(1),
            "{viewer}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deal_moved_to_another_pipeline_reaches_the_board_of_the_one_it_left() {
    let app = TestApp::spawn_with(quick).await;
    let from = PipelineBuilder::new("New business").create(&app).await;
    let to = PipelineBuilder::new("Renewals").create(&app).await;
    let deal = DealBuilder::new("Moving on")
        .stage(&stage_ids(&from)[0])
        .create(&app)
        .await;
    // Subscribed from a cursor read first, so neither subscription can miss a move.
    let cursor = app.gql("{ eventCursor }", json!({})).await.data()["eventCursor"].clone();
    let mut left = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    subscribe(
        &mut left,
        "from",
        json!({ "p": from["id"], "after": cursor }),
    )
    .await;
    let mut entered = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    subscribe(
        &mut entered,
        "to",
        json!({ "p": to["id"], "after": cursor }),
    )
    .await;
    move_deal(&app, &deal, &stage_ids(&from)[1]).await;
    assert_eq!(next_move(&mut left).await["deal"]["id"], deal["id"]);

    move_deal(&app, &deal, &stage_ids(&to)[0]).await;
    for ws in [&mut left, &mut entered] {
        let event = next_move(ws).await;
        assert_eq!(event["deal"]["id"], deal["id"], "{event}");
        // The board of `from` sees the deal is in `to` now and drops its card.
        assert_eq!(event["deal"]["pipeline"]["id"], to["id"], "{event}");
    }
}
