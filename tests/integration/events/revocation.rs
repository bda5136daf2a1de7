//! Revocation is instant on open WebSockets: the revoking server closes the key's connections
//! before `revokeApiKey` returns, every other server as soon as the revocation event reaches
//! it (also when the command line revoked it), and no event committed after the revocation
//! is delivered to the key, anywhere.

use std::time::Duration;

use serde_json::{json, Value};

use super::{move_deal, next_change, subscribe, STAGE_CHANGED};
use crate::support::builders::{stage_ids, DealBuilder, PipelineBuilder};
use crate::support::ws::{Received, WsClient, TRANSPORT_WS};
use crate::support::TestApp;

/// Events arrive by NOTIFY; the periodic key check is pushed out of the test's reach, so
/// only the revocation event can close a connection in time.
fn events_only(config: &mut dealgraph::Config) {
    config.ws.revalidate_interval = Duration::from_secs(600);
}

/// A new `crm:read` key: its secret and id.
async fn reader_key(app: &TestApp) -> (String, Value) {
    let created = app
        .gql(
            "mutation { createApiKey(input: {name: \"dashboard\", scopes: [CRM_READ]}) { secret apiKey { id } } }",
            json!({}),
        )
        .await;
    let created = &created.data()["createApiKey"];
    (
        created["secret"].as_str().unwrap().to_owned(),
        created["apiKey"]["id"].clone(),
    )
}

/// Reads until the server closes; returns the close code and the messages before it.
async fn until_closed(ws: &mut WsClient) -> (Option<u16>, Vec<Value>) {
    let mut before = Vec::new();
    loop {
        match ws.receive().await {
            Received::Json(message) => before.push(message),
            Received::Closed(code, _) => return (code, before),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_key_loses_its_websockets_on_every_server_and_no_later_event() {
    let a = TestApp::spawn_with(events_only).await;
    let b = TestApp::spawn_on(&a.database_url, events_only).await;
    let sales = PipelineBuilder::new("Sales").create(&a).await;
    let stages = stage_ids(&sales);
    let deal = DealBuilder::new("Acme renewal").create(&a).await;
    let (secret, key_id) = reader_key(&a).await;

    let mut revoked_on_a = WsClient::connect_authed(&a.ws_url(), TRANSPORT_WS, &secret).await;
    subscribe(&mut revoked_on_a, "moves", STAGE_CHANGED, json!({})).await;
    let mut revoked_on_b = WsClient::connect_authed(&b.ws_url(), TRANSPORT_WS, &secret).await;
    subscribe(&mut revoked_on_b, "moves", STAGE_CHANGED, json!({})).await;
    // A key that stays valid, on the server that learns of the revocation by its event.
    let mut kept_on_b = WsClient::connect_authed(&b.ws_url(), TRANSPORT_WS, &a.admin_key).await;
    subscribe(&mut kept_on_b, "moves", STAGE_CHANGED, json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Everyone is live: a move before the revocation reaches all three.
    move_deal(&a, &a.admin_key, &deal, &stages[1]).await;
    for ws in [&mut revoked_on_a, &mut revoked_on_b, &mut kept_on_b] {
        assert_eq!(next_change(ws).await["stageChange"]["toStageId"], stages[1]);
    }

    a.gql(
        "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }",
        json!({ "id": key_id }),
    )
    .await
    .data();
    // Committed right after the revocation: it must reach no connection of the revoked key.
    move_deal(&a, &a.admin_key, &deal, &stages[2]).await;

    // The revoking server closed the connection before answering: nothing came first.
    let (code, before) = until_closed(&mut revoked_on_a).await;
    assert_eq!(code, Some(4403), "{before:?}");
    assert!(
        before.is_empty(),
        "delivered after the revocation: {before:?}"
    );

    // The other server delivers the later move to the key that is still valid...
    assert_eq!(
        next_change(&mut kept_on_b).await["stageChange"]["toStageId"],
        stages[2]
    );
    // ...and closes the revoked key's connection without it, long before its key check.
    let (code, before) = until_closed(&mut revoked_on_b).await;
    assert_eq!(code, Some(4403), "{before:?}");
    assert!(
        before.is_empty(),
        "delivered after the revocation: {before:?}"
    );

    // The key cannot come back.
    let mut again = WsClient::connect(&b.ws_url(), TRANSPORT_WS).await;
    again.send_init(&secret).await;
    again.expect_close(4403).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_replaying_from_the_table_stops_at_its_keys_revocation() {
    use dealgraph::events::feed::{feed, EndsAt, EventFilter};
    use dealgraph::events::hub::{EventHub, HubSettings};
    use diesel_async::RunQueryDsl;
    use futures_util::StreamExt;

    let app = TestApp::spawn().await;
    let (key, other_key) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let mut conn = app.pool.get().await.unwrap();
    let append = |event_type: &str, entity_type: &str, entity_id: uuid::Uuid| {
        format!(
            "INSERT INTO outbox_events (id, workspace_id, event_type, entity_type, entity_id, payload)
             VALUES ('{}', '{}', '{event_type}', '{entity_type}', '{entity_id}', '{{}}')",
            uuid::Uuid::now_v7(),
            app.workspace_id
        )
    };
    let (before, after) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    for sql in [
        append("deal.updated", "deal", before),
        append("api_key.revoked", "api_key", other_key),
        append("api_key.revoked", "api_key", key),
        append("deal.updated", "deal", after),
    ] {
        diesel::sql_query(sql).execute(&mut conn).await.unwrap();
    }
    drop(conn);

    let shutdown = tokio_util::sync::CancellationToken::new();
    let hub = EventHub::start(
        app.database_url.clone(),
        app.pool.clone(),
        HubSettings::default(),
        shutdown.clone(),
    );
    // Deal events only, from the start: the revocations are not among the types asked for.
    let deal_updates = || EventFilter {
        types: Some(vec!["deal.updated".to_owned()]),
        ..EventFilter::default()
    };
    let ends_at = |entity_id| EndsAt {
        event_type: "api_key.revoked",
        entity_id,
    };

    let mut revoked = Box::pin(feed(
        &hub,
        app.pool.clone(),
        app.workspace_id,
        deal_updates(),
        Some(0),
        Some(ends_at(key)),
    ));
    let first = revoked.next().await.unwrap().unwrap();
    assert_eq!(first.entity_id, before);
    // Another key's revocation did not end it; its own did: the later event never comes.
    let later = tokio::time::timeout(Duration::from_millis(500), revoked.next()).await;
    assert!(later.is_err(), "delivered after the revocation: {later:?}");

    // The feed of a key still valid gets both.
    let mut valid = Box::pin(feed(
        &hub,
        app.pool.clone(),
        app.workspace_id,
        deal_updates(),
        Some(0),
        Some(ends_at(uuid::Uuid::now_v7())),
    ));
    for expected in [before, after] {
        assert_eq!(valid.next().await.unwrap().unwrap().entity_id, expected);
    }
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscription_of_a_key_revoked_meanwhile_is_refused() {
    let app = TestApp::spawn_with(events_only).await;
    let (secret, key_id) = reader_key(&app).await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &secret).await;
    // Revoked in the database while the connection's server has not heard of it yet.
    let mut conn = app.pool.get().await.unwrap();
    {
        use diesel_async::RunQueryDsl;
        diesel::sql_query(format!(
            "UPDATE api_keys SET revoked_at = now() WHERE id = '{}'",
            key_id.as_str().unwrap()
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    }
    drop(conn);
    subscribe(&mut ws, "moves", STAGE_CHANGED, json!({})).await;
    // Refused as the subscription starts: an error and no event.
    let refused = ws.next_json().await;
    let errors = match refused["type"].as_str() {
        Some("error") => &refused["payload"],
        _ => &refused["payload"]["errors"],
    };
    assert_eq!(
        errors[0]["extensions"]["code"], "UNAUTHENTICATED",
        "{refused}"
    );
    assert!(refused["payload"]["data"].is_null(), "{refused}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revocation_by_the_command_line_closes_the_keys_websockets_on_running_servers() {
    let app = TestApp::spawn_with(events_only).await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let stages = stage_ids(&sales);
    let deal = DealBuilder::new("Initech expansion").create(&app).await;
    let (secret, key_id) = reader_key(&app).await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &secret).await;
    subscribe(&mut ws, "moves", STAGE_CHANGED, json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    move_deal(&app, &app.admin_key, &deal, &stages[1]).await;
    next_change(&mut ws).await;

    let (url, workspace, id) = (
        app.database_url.clone(),
        app.workspace_id.to_string(),
        key_id.as_str().unwrap().to_owned(),
    );
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_dealgraph"))
            .args(["api-key", "revoke", "--workspace", &workspace, "--id", &id])
            .env("DATABASE_URL", url)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("revoked_at="));
    move_deal(&app, &app.admin_key, &deal, &stages[2]).await;

    let (code, before) = until_closed(&mut ws).await;
    assert_eq!(code, Some(4403), "{before:?}");
    assert!(
        before.is_empty(),
        "delivered after the revocation: {before:?}"
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'api_key.revoke' AND actor_key_id IS NULL")
            .await,
        1
    );
}
