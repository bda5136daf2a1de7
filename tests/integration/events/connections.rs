//! Subscribers' connections: ended by revocation, capped per key, dropped when they stop
//! reading, and re-checked once per interval however many there are.

use std::time::Duration;

use dealgraph::auth::Scope;
use serde_json::json;

use super::{move_deal, next_change, quick, subscribe, STAGE_CHANGED};
use crate::support::builders::{stage_ids, DealBuilder, PipelineBuilder};
use crate::support::ws::{Received, WsClient, TRANSPORT_WS};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn revoking_a_key_ends_its_subscriptions() {
    let app = TestApp::spawn_with(quick).await;
    let created = app.gql("mutation { createApiKey(input: {name: \"live\", scopes: [CRM_READ]}) { secret apiKey { id } } }", json!({})).await;
    let secret = created.data()["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &secret).await;
    subscribe(&mut ws, "1", STAGE_CHANGED, json!({})).await;
    app.gql(
        "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }",
        json!({ "id": created.data()["createApiKey"]["apiKey"]["id"] }),
    )
    .await
    .data();
    let started = std::time::Instant::now();
    ws.expect_close(4403).await;
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_per_key_are_capped() {
    let app = TestApp::spawn_with(|c| {
        quick(c);
        c.ws.max_connections_per_key = 2;
    })
    .await;
    let _one = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    let _two = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    let mut three = WsClient::connect(&app.ws_url(), TRANSPORT_WS).await;
    three.send_init(&app.admin_key).await;
    three.expect_close(4429).await;
    drop(_one);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _again = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_stops_reading_is_dropped_without_slowing_the_others() {
    let app = TestApp::spawn_with(|c| {
        quick(c);
        c.ws.max_connections_per_key = 1;
        c.ws.write_timeout = Duration::from_secs(1);
    })
    .await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let ids = stage_ids(&sales);
    // A deal whose custom fields make each event big (30 aliases × 15 kB).
    let deal = DealBuilder::new("Heavy")
        .custom_fields(json!({ "notes": "n".repeat(15_000) }))
        .create(&app)
        .await;
    let heavy = format!(
        "subscription {{ dealStageChanged {{ id {} }} }}",
        (0..30)
            .map(|i| format!("f{i}: deal {{ customFields }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let reader_key = app.key_with(&[Scope::CrmRead]).await;
    let mut stalled = WsClient::connect_small_buffer(&app.ws_url(), TRANSPORT_WS).await;
    stalled.send_init(&reader_key).await;
    assert_eq!(stalled.next_json().await["type"], "connection_ack");
    subscribe(&mut stalled, "heavy", &heavy, json!({})).await;
    let mut healthy = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    subscribe(&mut healthy, "s", STAGE_CHANGED, json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    // About 14 MB of events for a client that reads none of them.
    for i in 0..30 {
        move_deal(&app, &app.admin_key, &deal, &ids[i % 3 + 1]).await;
    }
    for sequence in 2..32 {
        let event = next_change(&mut healthy).await;
        assert_eq!(event["stageChange"]["sequence"], sequence);
    }

    // The stalled connection is dropped once a write has waited `write_timeout`, which
    // frees its place under the per-key cap.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let mut again = WsClient::connect(&app.ws_url(), TRANSPORT_WS).await;
        again.send_init(&reader_key).await;
        match again.receive().await {
            Received::Json(ack) if ack["type"] == "connection_ack" => break,
            Received::Closed(Some(4429), _) => {}
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the stalled connection still holds its slot"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    drop(stalled);
}

#[tokio::test(flavor = "multi_thread")]
async fn open_connections_cost_one_key_check_per_interval_not_one_each() {
    let app = TestApp::spawn_with(|c| {
        c.events.poll_interval = Duration::from_secs(600);
        c.ws.revalidate_interval = Duration::from_millis(200);
    })
    .await;
    let mut clients = Vec::new();
    for _ in 0..20 {
        clients.push(WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = app.statements.get();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let checks = app.statements.get() - before;
    // About ten rounds of one statement; a check per connection would be about 200.
    assert!(
        (5..=15).contains(&checks),
        "{checks} statements in 2 s for 20 connections"
    );
}
