//! Real-time: stage-change subscriptions fed from the outbox, across instances, resumable,
//! never leaking across workspaces, ending when a key is revoked.

mod connections;
mod outbox;
mod revocation;
mod subscriptions;

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::ws::{WsClient, LEGACY_WS};
use crate::support::TestApp;

const STAGE_CHANGED: &str = "subscription($p: ID, $d: ID, $after: String) { dealStageChanged(pipelineId: $p, dealId: $d, after: $after) { cursor id stageChange { sequence fromStageId toStageId amount currency actorKeyId fromStage { name } toStage { name } } deal { id title stage { id } } pipeline { id name } } }";

fn quick(config: &mut dealgraph::Config) {
    config.events.poll_interval = Duration::from_millis(200);
    config.ws.revalidate_interval = Duration::from_millis(200);
}

async fn move_deal(app: &TestApp, key: &str, deal: &Value, stage: &str) {
    let response = app
        .gql_as(key, "mutation($d: ID!, $s: ID!) { moveDeal(input: {dealId: $d, stageId: $s}) { deal { id } } }", json!({ "d": deal["id"], "s": stage }))
        .await;
    response.data();
}

async fn subscribe(ws: &mut WsClient, id: &str, query: &str, variables: Value) {
    let kind = if ws.protocol == LEGACY_WS {
        "start"
    } else {
        "subscribe"
    };
    ws.send(
        json!({ "id": id, "type": kind, "payload": { "query": query, "variables": variables } }),
    )
    .await;
}

/// The next `dealStageChanged` payload on the socket.
async fn next_change(ws: &mut WsClient) -> Value {
    let message = ws.next_json().await;
    assert!(
        message["type"] == "next" || message["type"] == "data",
        "{message}"
    );
    assert!(message["payload"].get("errors").is_none(), "{message}");
    message["payload"]["data"]["dealStageChanged"].clone()
}

async fn expect_silence(ws: &mut WsClient, millis: u64) {
    match tokio::time::timeout(Duration::from_millis(millis), ws.receive()).await {
        Err(_) => {}
        Ok(other) => panic!("expected nothing, got {other:?}"),
    }
}
