//! GraphQL over WebSocket: both subprotocols, authentication in `connection_init`, the
//! protocol's close codes, keep-alive and shutdown.

use std::time::Duration;

use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::support::ws::{Received, WsClient, LEGACY_WS, TRANSPORT_WS};
use crate::support::TestApp;

fn fast(config: &mut dealgraph::Config) {
    config.ws.init_timeout = Duration::from_millis(400);
    config.ws.ping_interval = Duration::from_millis(200);
}

#[tokio::test(flavor = "multi_thread")]
async fn transport_ws_subscribes_receives_and_completes() {
    let app = TestApp::spawn().await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    assert_eq!(ws.protocol, TRANSPORT_WS);
    ws.send(json!({ "id": "t1", "type": "subscribe", "payload": { "query": "subscription { serverTime(intervalMs: 100) }" } })).await;
    for _ in 0..2 {
        let next = ws.next_json().await;
        assert_eq!(next["type"], "next");
        assert_eq!(next["id"], "t1");
        assert!(next["payload"]["data"]["serverTime"].is_string(), "{next}");
    }
    ws.send(json!({ "id": "t1", "type": "complete" })).await;

    // Queries run over the socket too, as the acting key; they complete by themselves.
    ws.send(json!({ "id": "q1", "type": "subscribe", "payload": { "query": "{ viewer { workspace { name } } }" } })).await;
    let mut saw_result = false;
    loop {
        let message = ws.next_json().await;
        if message["id"] == "t1" {
            continue; // a tick already in flight when we completed
        }
        if message["type"] == "next" {
            assert_eq!(
                message["payload"]["data"]["viewer"]["workspace"]["name"],
                "Test workspace"
            );
            saw_result = true;
        } else {
            assert_eq!(message["type"], "complete");
            assert_eq!(message["id"], "q1");
            break;
        }
    }
    assert!(saw_result);
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_operations_get_an_error_message_not_a_close() {
    let app = TestApp::spawn().await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    ws.send(json!({ "id": "bad", "type": "subscribe", "payload": { "query": "subscription { noSuchField }" } })).await;
    let error = ws.next_json().await;
    assert_eq!(error["type"], "error");
    assert_eq!(error["id"], "bad");
    assert_eq!(error["payload"][0]["extensions"]["code"], "BAD_USER_INPUT");
    // The id is free again and the connection still works.
    ws.send(json!({ "id": "bad", "type": "subscribe", "payload": { "query": "{ viewer { apiKey { name } } }" } })).await;
    assert_eq!(ws.next_json().await["type"], "next");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_credentials_close_with_4403() {
    let app = TestApp::spawn().await;
    let mut ws = WsClient::connect(&app.ws_url(), TRANSPORT_WS).await;
    ws.send(json!({ "type": "connection_init", "payload": { "authorization": "Bearer dg_nope" } }))
        .await;
    ws.expect_close(4403).await;

    let mut ws = WsClient::connect(&app.ws_url(), TRANSPORT_WS).await;
    ws.send(json!({ "type": "connection_init" })).await;
    ws.expect_close(4403).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn subscribing_before_the_ack_closes_with_4401() {
    let app = TestApp::spawn().await;
    let mut ws = WsClient::connect(&app.ws_url(), TRANSPORT_WS).await;
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ viewer { apiKey { id } } }" } })).await;
    ws.expect_close(4401).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_connection_init_closes_with_4408() {
    let app = TestApp::spawn_with(fast).await;
    let mut ws = WsClient::connect(&app.ws_url(), TRANSPORT_WS).await;
    ws.expect_close(4408).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_subscription_id_closes_with_4409() {
    let app = TestApp::spawn().await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    let subscribe = json!({ "id": "dup", "type": "subscribe", "payload": { "query": "subscription { serverTime(intervalMs: 60000) }" } });
    ws.send(subscribe.clone()).await;
    ws.send(subscribe).await;
    loop {
        match ws.receive().await {
            Received::Json(message) => assert_eq!(message["type"], "next", "{message}"),
            Received::Closed(code, reason) => {
                assert_eq!(code, Some(4409));
                assert!(reason.contains("dup"));
                break;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_messages_close_with_4400_and_a_second_init_with_4429() {
    let app = TestApp::spawn().await;
    for bad in [
        "not json",
        "[1,2]",
        r#"{"payload":{}}"#,
        r#"{"type":"subscribe","payload":{"query":"{a}"}}"#,
        r#"{"type":"bogus"}"#,
    ] {
        let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
        ws.send_raw(bad).await;
        ws.expect_close(4400).await;
    }
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    ws.send(json!({ "type": "connection_init", "payload": {} }))
        .await;
    ws.expect_close(4429).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_pings_and_drops_dead_connections() {
    let app = TestApp::spawn_with(fast).await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    // A live client sees pings and stays connected past several intervals.
    let mut pings = 0;
    while pings < 3 {
        match ws.raw_next().await {
            Some(Message::Text(text)) if text.as_str().contains("\"ping\"") => {
                pings += 1;
                ws.send(json!({ "type": "pong" })).await;
            }
            Some(Message::Ping(_)) | Some(Message::Text(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    // A client that stops answering is closed after two silent intervals.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let mut closed = None;
    while let Some(message) = ws.raw_next().await {
        if let Message::Close(frame) = message {
            closed = frame.map(|f| u16::from(f.code));
            break;
        }
    }
    assert_eq!(closed, Some(1011));
}

#[tokio::test(flavor = "multi_thread")]
async fn legacy_graphql_ws_protocol_works() {
    let app = TestApp::spawn().await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), LEGACY_WS, &app.admin_key).await;
    assert_eq!(ws.protocol, LEGACY_WS);
    ws.send(json!({ "id": "1", "type": "start", "payload": { "query": "subscription { serverTime(intervalMs: 100) }" } })).await;
    let data = ws.next_json().await;
    assert_eq!(data["type"], "data");
    assert!(data["payload"]["data"]["serverTime"].is_string());
    ws.send(json!({ "id": "1", "type": "stop" })).await;
    loop {
        let message = ws.next_json().await;
        if message["type"] == "complete" {
            assert_eq!(message["id"], "1");
            break;
        }
    }

    let mut ws = WsClient::connect(&app.ws_url(), LEGACY_WS).await;
    ws.send(json!({ "type": "connection_init", "payload": { "authorization": "Bearer dg_nope" } }))
        .await;
    match ws.receive().await {
        Received::Json(message) => assert_eq!(message["type"], "connection_error"),
        other => panic!("expected connection_error, got {other:?}"),
    }
    ws.expect_close(4403).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn subscriptions_need_a_key_with_a_valid_scope_per_operation() {
    let app = TestApp::spawn().await;
    let reader = app.key_with(&[dealgraph::auth::Scope::CrmRead]).await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &reader).await;
    ws.send(json!({ "id": "m", "type": "subscribe", "payload": { "query": "mutation { createApiKey(input: {name: \"x\", scopes: [ADMIN]}) { secret } }" } })).await;
    // A scope the key lacks is a request error: an `error` message, nothing executed.
    let error = ws.next_json().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["payload"][0]["extensions"]["code"], "FORBIDDEN");
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_closes_websockets_with_1001() {
    let mut app = TestApp::spawn().await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    app.stop().await;
    ws.expect_close(1001).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_close_is_answered_with_a_close_frame() {
    let app = TestApp::spawn().await;
    for protocol in [TRANSPORT_WS, LEGACY_WS] {
        let mut client = WsClient::connect(&app.ws_url(), protocol).await;
        client.send_init(&app.admin_key).await;
        assert_eq!(client.next_json().await["type"], "connection_ack");
        assert_eq!(client.close_handshake(1000).await, Some(1000), "{protocol}");
    }
}
