//! Real-time: stage-change subscriptions fed from the outbox, across instances, resumable,
//! never leaking across workspaces, ending when a key is revoked.

use std::collections::HashSet;
use std::time::Duration;

use dealgraph::auth::Scope;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

use crate::pipelines::{pipeline, pipeline_as, stage_ids};
use crate::support::ws::{Received, WsClient, LEGACY_WS, TRANSPORT_WS};
use crate::support::TestApp;

const STAGE_CHANGED: &str = "subscription($p: ID, $d: ID, $after: String) { dealStageChanged(pipelineId: $p, dealId: $d, after: $after) { cursor id stageChange { sequence fromStageId toStageId amount currency actorKeyId fromStage { name } toStage { name } } deal { id title stage { id } } pipeline { id name } } }";

fn quick(config: &mut dealgraph::Config) {
    config.events.poll_interval = Duration::from_millis(200);
    config.ws.revalidate_interval = Duration::from_millis(200);
}

async fn create_deal(app: &TestApp, key: &str, title: &str) -> Value {
    let response = app
        .gql_as(
            key,
            "mutation($t: String!) { createDeal(input: {title: $t}) { deal { id stage { id } } } }",
            json!({ "t": title }),
        )
        .await;
    response.data()["createDeal"]["deal"].clone()
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

#[tokio::test(flavor = "multi_thread")]
async fn a_committed_move_is_delivered_with_its_deal_stages_and_pipeline() {
    for protocol in [TRANSPORT_WS, LEGACY_WS] {
        let app = TestApp::spawn_with(quick).await;
        let sales = pipeline(&app, "Sales").await;
        let ids = stage_ids(&sales);
        let deal = create_deal(&app, &app.admin_key, "Live").await;
        let mut ws = WsClient::connect_authed(&app.ws_url(), protocol, &app.admin_key).await;
        subscribe(&mut ws, "s1", STAGE_CHANGED, json!({})).await;
        tokio::time::sleep(Duration::from_millis(100)).await;

        // A dry run and a failed move yield nothing.
        app.gql("mutation($d: ID!, $s: ID!) { moveDeal(input: {dealId: $d, stageId: $s, dryRun: true}) { deal { id } } }", json!({ "d": deal["id"], "s": ids[2] }))
            .await
            .data();
        let failed = app.gql("mutation($d: ID!, $s: ID!) { moveDeal(input: {dealId: $d, stageId: $s}) { deal { id } } }", json!({ "d": deal["id"], "s": ids[5] })).await;
        assert_eq!(failed.error_code(), "BAD_USER_INPUT");
        expect_silence(&mut ws, 500).await;

        move_deal(&app, &app.admin_key, &deal, &ids[2]).await;
        let event = next_change(&mut ws).await;
        assert_eq!(event["stageChange"]["sequence"], 2);
        assert_eq!(event["stageChange"]["fromStageId"], ids[0]);
        assert_eq!(event["stageChange"]["toStageId"], ids[2]);
        assert_eq!(event["stageChange"]["fromStage"]["name"], "Lead in");
        assert_eq!(event["stageChange"]["toStage"]["name"], "Proposal");
        assert_eq!(event["stageChange"]["amount"], "0.00");
        assert_eq!(event["deal"]["stage"]["id"], ids[2]);
        assert_eq!(event["pipeline"]["name"], "Sales");
        assert!(event["cursor"].is_string());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_by_pipeline_and_deal() {
    let app = TestApp::spawn_with(quick).await;
    let sales = pipeline(&app, "Sales").await;
    let other = pipeline(&app, "Other").await;
    let a = create_deal(&app, &app.admin_key, "A").await;
    let b = create_deal(&app, &app.admin_key, "B").await;
    let mut by_deal = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    subscribe(&mut by_deal, "d", STAGE_CHANGED, json!({ "d": b["id"] })).await;
    let mut by_pipeline =
        WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    subscribe(
        &mut by_pipeline,
        "p",
        STAGE_CHANGED,
        json!({ "p": other["id"] }),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    move_deal(&app, &app.admin_key, &a, &stage_ids(&sales)[1]).await;
    move_deal(&app, &app.admin_key, &b, &stage_ids(&sales)[1]).await;
    move_deal(&app, &app.admin_key, &a, &stage_ids(&other)[0]).await;
    assert_eq!(next_change(&mut by_deal).await["deal"]["id"], b["id"]);
    let moved_in = next_change(&mut by_pipeline).await;
    assert_eq!(moved_in["deal"]["id"], a["id"]);
    assert_eq!(moved_in["pipeline"]["id"], other["id"]);
    expect_silence(&mut by_deal, 300).await;
    expect_silence(&mut by_pipeline, 300).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn resuming_from_a_cursor_replays_then_goes_live_without_gap_or_duplicate() {
    let app = TestApp::spawn_with(quick).await;
    let sales = pipeline(&app, "Sales").await;
    let ids = stage_ids(&sales);
    let deal = create_deal(&app, &app.admin_key, "Resume").await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    subscribe(&mut ws, "1", STAGE_CHANGED, json!({})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    move_deal(&app, &app.admin_key, &deal, &ids[1]).await;
    let first = next_change(&mut ws).await;
    drop(ws);

    // Moves while the client is away.
    for stage in [2, 3, 1, 2] {
        move_deal(&app, &app.admin_key, &deal, &ids[stage]).await;
    }
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    subscribe(
        &mut ws,
        "2",
        STAGE_CHANGED,
        json!({ "after": first["cursor"] }),
    )
    .await;
    // Concurrently with the replay, more moves happen live.
    let mover = {
        let key = app.admin_key.clone();
        let app_url = app.url("/graphql");
        let deal_id = deal["id"].clone();
        let stages = ids.clone();
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            for stage in [3, 0, 1] {
                http.post(&app_url)
                    .bearer_auth(&key)
                    .json(&json!({ "query": "mutation($d: ID!, $s: ID!) { moveDeal(input: {dealId: $d, stageId: $s}) { deal { id } } }", "variables": { "d": deal_id, "s": stages[stage] } }))
                    .send()
                    .await
                    .unwrap();
            }
        })
    };
    let mut sequences = Vec::new();
    let mut ids_seen = HashSet::new();
    for _ in 0..7 {
        let event = next_change(&mut ws).await;
        assert!(
            ids_seen.insert(event["id"].as_str().unwrap().to_owned()),
            "duplicate {event}"
        );
        sequences.push(event["stageChange"]["sequence"].as_i64().unwrap());
    }
    mover.await.unwrap();
    assert_eq!(
        sequences,
        [3, 4, 5, 6, 7, 8, 9],
        "every move after the cursor, in order"
    );
    expect_silence(&mut ws, 400).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_or_garbled_cursor_is_refused() {
    let app = TestApp::spawn_with(|c| {
        quick(c);
        c.events.retention = Duration::from_secs(1);
    })
    .await;
    let sales = pipeline(&app, "Sales").await;
    let deal = create_deal(&app, &app.admin_key, "Old").await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    subscribe(&mut ws, "1", STAGE_CHANGED, json!({})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    move_deal(&app, &app.admin_key, &deal, &stage_ids(&sales)[1]).await;
    let cursor = next_change(&mut ws).await["cursor"].clone();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    subscribe(&mut ws, "2", STAGE_CHANGED, json!({ "after": cursor })).await;
    let error = ws.next_json().await;
    assert_eq!(error["type"], "next", "{error}");
    assert_eq!(
        error["payload"]["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
    assert!(
        error["payload"]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("re-sync"),
        "{error}"
    );
    assert_eq!(
        ws.next_json().await["type"],
        "complete",
        "a failed subscription completes"
    );
    subscribe(&mut ws, "3", STAGE_CHANGED, json!({ "after": "garbage" })).await;
    let error = ws.next_json().await;
    assert_eq!(
        error["payload"]["errors"][0]["extensions"]["field"],
        "after"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscriber_on_one_instance_receives_moves_made_through_another() {
    let a = TestApp::spawn_with(quick).await;
    let b = TestApp::spawn_on(&a.database_url, quick).await;
    // `b` made its own workspace; use `a`'s key on both: one database, one set of keys.
    let sales = pipeline(&a, "Sales").await;
    let deal = create_deal(&a, &a.admin_key, "Shared").await;
    let mut on_b = WsClient::connect_authed(&b.ws_url(), TRANSPORT_WS, &a.admin_key).await;
    subscribe(&mut on_b, "x", STAGE_CHANGED, json!({})).await;
    let mut on_a = WsClient::connect_authed(&a.ws_url(), TRANSPORT_WS, &a.admin_key).await;
    subscribe(&mut on_a, "x", STAGE_CHANGED, json!({})).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    move_deal(&a, &a.admin_key, &deal, &stage_ids(&sales)[1]).await;
    move_deal(&b, &a.admin_key, &deal, &stage_ids(&sales)[2]).await;
    for ws in [&mut on_a, &mut on_b] {
        assert_eq!(
            next_change(ws).await["stageChange"]["toStageId"],
            stage_ids(&sales)[1]
        );
        assert_eq!(
            next_change(ws).await["stageChange"]["toStageId"],
            stage_ids(&sales)[2]
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn subscribers_only_see_their_own_workspace() {
    let app = TestApp::spawn_with(quick).await;
    let (_, other_key) = app.other_workspace().await;
    let mine = pipeline(&app, "Mine").await;
    let theirs = pipeline_as(&app, &other_key, "Theirs").await;
    let my_deal = create_deal(&app, &app.admin_key, "M").await;
    let their_deal = create_deal(&app, &other_key, "T").await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    subscribe(&mut ws, "1", STAGE_CHANGED, json!({})).await;
    let mut events = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &other_key).await;
    subscribe(
        &mut events,
        "1",
        "subscription { events { typeName entityId } }",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let moves = (0..10).map(|i| {
        let app = &app;
        let (key, deal, stages) = if i % 2 == 0 {
            (&app.admin_key, &my_deal, stage_ids(&mine))
        } else {
            (&other_key, &their_deal, stage_ids(&theirs))
        };
        let stage = stages[1 + i % 3].clone();
        async move { move_deal(app, key, deal, &stage).await }
    });
    futures_util::future::join_all(moves).await;
    let mut mine_count = 0;
    while let Ok(Received::Json(message)) =
        tokio::time::timeout(Duration::from_millis(600), ws.receive()).await
    {
        assert_eq!(
            message["payload"]["data"]["dealStageChanged"]["deal"]["id"],
            my_deal["id"]
        );
        mine_count += 1;
    }
    assert!(mine_count >= 1);
    while let Ok(Received::Json(message)) =
        tokio::time::timeout(Duration::from_millis(600), events.receive()).await
    {
        assert_eq!(
            message["payload"]["data"]["events"]["entityId"], their_deal["id"],
            "{message}"
        );
    }
}

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
async fn a_subscriber_behind_the_channel_catches_up_from_the_table() {
    let app = TestApp::spawn_with(|c| {
        quick(c);
        c.events.channel_capacity = 2;
    })
    .await;
    let sales = pipeline(&app, "Sales").await;
    let ids = stage_ids(&sales);
    for i in 0..30 {
        create_deal(&app, &app.admin_key, &format!("Bulk {i}")).await;
    }
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    subscribe(&mut ws, "1", STAGE_CHANGED, json!({})).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    // Deleting a stage moves its 30 deals in one transaction: 30 events in one burst.
    app.gql("mutation($id: ID!, $to: ID!) { deleteStage(input: {id: $id, moveDealsTo: $to}) { stage { id } } }", json!({ "id": ids[0], "to": ids[1] }))
        .await
        .data();
    let mut deals = HashSet::new();
    let mut events = HashSet::new();
    for _ in 0..30 {
        let event = next_change(&mut ws).await;
        assert!(events.insert(event["id"].as_str().unwrap().to_owned()));
        deals.insert(event["deal"]["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(deals.len(), 30, "one event per moved deal, none lost");
    expect_silence(&mut ws, 400).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missed_notification_or_a_dropped_listener_connection_loses_nothing() {
    let app = TestApp::spawn_with(quick).await;
    let sales = pipeline(&app, "Sales").await;
    let deal = create_deal(&app, &app.admin_key, "Robust").await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    subscribe(
        &mut ws,
        "1",
        "subscription { events(types: [DEAL_UPDATED]) { typeName entityId cursor } }",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(150)).await;

    // An event row written without NOTIFY is still found by the poll.
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query(format!(
        "INSERT INTO outbox_events (id, workspace_id, event_type, entity_type, entity_id, payload) VALUES (gen_random_uuid(), '{}', 'deal.updated', 'deal', '{}', '{{}}')",
        app.workspace_id,
        deal["id"].as_str().unwrap()
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    let event = ws.next_json().await;
    assert_eq!(
        event["payload"]["data"]["events"]["typeName"],
        "deal.updated"
    );

    // Kill the listener's connection: it reconnects and catches up.
    diesel::sql_query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()")
        .execute(&mut conn)
        .await
        .unwrap();
    app.gql(
        "mutation($id: ID!) { updateDeal(input: {id: $id, title: \"Renamed\"}) { deal { id } } }",
        json!({ "id": deal["id"] }),
    )
    .await
    .data();
    let event = ws.next_json().await;
    assert_eq!(event["payload"]["data"]["events"]["entityId"], deal["id"]);
    let _ = sales;
}

#[tokio::test(flavor = "multi_thread")]
async fn events_older_than_retention_are_pruned_in_the_background() {
    let app = TestApp::spawn_with(|c| {
        quick(c);
        c.events.retention = Duration::from_secs(3600);
        c.events.prune_interval = Duration::from_millis(200);
    })
    .await;
    let mut conn = app.pool.get().await.unwrap();
    for age in ["2 hours", "1 minute"] {
        diesel::sql_query(format!(
            "INSERT INTO outbox_events (id, workspace_id, event_type, entity_type, entity_id, payload, occurred_at)
             VALUES (gen_random_uuid(), '{}', 'deal.updated', 'deal', gen_random_uuid(), '{{}}', now() - interval '{age}')",
            app.workspace_id
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    }
    drop(conn);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while app
        .count(
            "SELECT count(*) AS n FROM outbox_events WHERE occurred_at < now() - interval '1 hour'",
        )
        .await
        > 0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "old events were not pruned"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events").await,
        1,
        "recent events stay"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_move_costs_the_same_statements_for_one_subscriber_or_many() {
    // No polling or key re-checks during the measurement: only the move and its delivery.
    let app = TestApp::spawn_with(|c| {
        c.events.poll_interval = Duration::from_secs(600);
        c.ws.revalidate_interval = Duration::from_secs(600);
    })
    .await;
    let sales = pipeline(&app, "Sales").await;
    let ids = stage_ids(&sales);
    let deal = create_deal(&app, &app.admin_key, "Watched").await;
    let mut clients = Vec::new();
    let mut costs = Vec::new();
    let mut moves = 0;
    for subscribers in [1usize, 25] {
        while clients.len() < subscribers {
            let mut ws =
                WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
            subscribe(&mut ws, "s", STAGE_CHANGED, json!({})).await;
            clients.push(ws);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        // The least of three moves: a pooled connection's first statements may add a
        // one-off type lookup, which has nothing to do with the subscribers.
        let mut least = u64::MAX;
        for _ in 0..3 {
            moves += 1;
            let to = moves % 3 + 1; // open stages only
            let before = app.statements.get();
            move_deal(&app, &app.admin_key, &deal, &ids[to]).await;
            for ws in &mut clients {
                let event = next_change(ws).await;
                // Every subscriber sees the deal as this move left it.
                assert_eq!(event["deal"]["stage"]["id"], ids[to]);
                assert_eq!(
                    event["stageChange"]["toStage"]["name"],
                    sales["stages"][to]["name"]
                );
                assert_eq!(event["pipeline"]["name"], "Sales");
            }
            least = least.min(app.statements.get() - before);
        }
        costs.push(least);
    }
    // Equal, but for timing: a dataloader batch does not wait for an earlier one still in
    // flight, so `deal.stage` may miss the stages being fetched for `toStage` and read
    // them again (one statement), more often on a busy machine. Per-subscriber reads would
    // add several statements per subscriber (about a hundred here).
    assert!(
        costs[1] <= costs[0] + 2,
        "statements for a move and its delivery to 1 and to 25 subscribers: {costs:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_stops_reading_is_dropped_without_slowing_the_others() {
    let app = TestApp::spawn_with(|c| {
        quick(c);
        c.ws.max_connections_per_key = 1;
        c.ws.write_timeout = Duration::from_secs(1);
    })
    .await;
    let sales = pipeline(&app, "Sales").await;
    let ids = stage_ids(&sales);
    // A deal whose custom fields make each event big (30 aliases × 15 kB).
    let deal = app
        .gql(
            "mutation($f: JSON!) { createDeal(input: {title: \"Heavy\", customFields: $f}) { deal { id } } }",
            json!({ "f": { "notes": "n".repeat(15_000) } }),
        )
        .await
        .data()["createDeal"]["deal"]
        .clone();
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
async fn subscribers_with_different_selections_or_scopes_get_their_own_results() {
    let app = TestApp::spawn_with(quick).await;
    let sales = pipeline(&app, "Sales").await;
    let deal = create_deal(&app, &app.admin_key, "Shared").await;
    let reader = app.key_with(&[Scope::CrmRead]).await;
    let ids_only = "subscription { dealStageChanged { id deal { id } } }";
    let titles = "subscription { dealStageChanged { id deal { title } } }";
    let named = "subscription Named { dealStageChanged { id deal { id } } }";
    let mut clients = Vec::new();
    for (key, query) in [
        (&app.admin_key, ids_only),
        (&app.admin_key, titles),
        (&app.admin_key, ids_only),
        (&reader, named),
        (&reader, titles),
    ] {
        let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, key).await;
        subscribe(&mut ws, "s", query, json!({})).await;
        clients.push((ws, query));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    move_deal(&app, &app.admin_key, &deal, &stage_ids(&sales)[1]).await;
    for (ws, query) in &mut clients {
        let event = next_change(ws).await;
        let expected = if *query == titles {
            json!({ "title": "Shared" })
        } else {
            json!({ "id": deal["id"] })
        };
        assert_eq!(event["deal"], expected, "{query}");
    }
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

#[derive(diesel::QueryableByName)]
struct At {
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    at: chrono::DateTime<chrono::Utc>,
}

#[tokio::test(flavor = "multi_thread")]
async fn events_are_stamped_when_appended_not_when_their_transaction_began() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().await.expect("connection");
    diesel::sql_query("BEGIN").execute(&mut conn).await.unwrap();
    let began: At = diesel::sql_query("SELECT now() AS at")
        .get_result(&mut conn)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let event = dealgraph::events::NewEvent {
        event_type: "deal.updated",
        entity_type: "deal",
        entity_id: uuid::Uuid::now_v7(),
        payload: json!({}),
    };
    dealgraph::events::append(&mut conn, app.workspace_id, &[event])
        .await
        .unwrap();
    diesel::sql_query("COMMIT")
        .execute(&mut conn)
        .await
        .unwrap();
    let stamped: At = diesel::sql_query(
        "SELECT occurred_at AS at FROM outbox_events ORDER BY position DESC LIMIT 1",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    let waited = stamped.at - began.at;
    assert!(
        waited >= chrono::Duration::milliseconds(300),
        "stamped {waited} after the transaction began"
    );
}
