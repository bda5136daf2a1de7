//! What subscribers receive: committed moves only, filtered, resumable from a cursor, from any
//! instance, per workspace and per selection, caught up when behind, at a fixed cost.

use std::collections::HashSet;
use std::time::Duration;

use dealgraph::auth::Scope;
use serde_json::json;

use super::{expect_silence, move_deal, next_change, quick, subscribe, STAGE_CHANGED};
use crate::support::builders::{stage_ids, DealBuilder, PipelineBuilder};
use crate::support::ws::{Received, WsClient, LEGACY_WS, TRANSPORT_WS};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn a_committed_move_is_delivered_with_its_deal_stages_and_pipeline() {
    for protocol in [TRANSPORT_WS, LEGACY_WS] {
        let app = TestApp::spawn_with(quick).await;
        let sales = PipelineBuilder::new("Sales").create(&app).await;
        let ids = stage_ids(&sales);
        let deal = DealBuilder::new("Live").create(&app).await;
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
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let other = PipelineBuilder::new("Other").create(&app).await;
    let a = DealBuilder::new("A").create(&app).await;
    let b = DealBuilder::new("B").create(&app).await;
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
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let ids = stage_ids(&sales);
    let deal = DealBuilder::new("Resume").create(&app).await;
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
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Old").create(&app).await;
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
    let sales = PipelineBuilder::new("Sales").create(&a).await;
    let deal = DealBuilder::new("Shared").create(&a).await;
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
    let mine = PipelineBuilder::new("Mine").create(&app).await;
    let theirs = PipelineBuilder::new("Theirs")
        .with_key(&other_key)
        .create(&app)
        .await;
    let my_deal = DealBuilder::new("M").create(&app).await;
    let their_deal = DealBuilder::new("T")
        .with_key(&other_key)
        .create(&app)
        .await;
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
async fn a_subscriber_behind_the_channel_catches_up_from_the_table() {
    let app = TestApp::spawn_with(|c| {
        quick(c);
        c.events.channel_capacity = 2;
    })
    .await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let ids = stage_ids(&sales);
    for i in 0..30 {
        DealBuilder::new(&format!("Bulk {i}")).create(&app).await;
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
async fn a_move_costs_the_same_statements_for_one_subscriber_or_many() {
    // No polling or key re-checks during the measurement: only the move and its delivery.
    let app = TestApp::spawn_with(|c| {
        c.events.poll_interval = Duration::from_secs(600);
        c.ws.revalidate_interval = Duration::from_secs(600);
    })
    .await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let ids = stage_ids(&sales);
    let deal = DealBuilder::new("Watched").create(&app).await;
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
async fn subscribers_with_different_selections_or_scopes_get_their_own_results() {
    let app = TestApp::spawn_with(quick).await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Shared").create(&app).await;
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

/// Event cursors are sealed: the global feed position they carry stays hidden, so a tenant
/// cannot measure others' writes from the gaps between its own cursors; and a cursor is good
/// only in the workspace it was made in.
#[tokio::test(flavor = "multi_thread")]
async fn event_cursors_hide_the_feed_position_and_fit_only_their_workspace() {
    use base64::Engine;
    let app = TestApp::spawn_with(quick).await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Ours").create(&app).await;
    let (_, their_key) = app.other_workspace().await;
    let theirs = PipelineBuilder::new("Theirs")
        .with_key(&their_key)
        .create(&app)
        .await;
    let their_deal = DealBuilder::new("Theirs")
        .with_key(&their_key)
        .create(&app)
        .await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    subscribe(&mut ws, "1", STAGE_CHANGED, json!({})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    let ours = stage_ids(&sales);
    let their_stages = stage_ids(&theirs);
    let mut cursors = Vec::new();
    for (i, stage) in ours[1..4].iter().enumerate() {
        move_deal(&app, &app.admin_key, &deal, stage).await;
        cursors.push(
            next_change(&mut ws).await["cursor"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        // Other tenants write in between.
        move_deal(&app, &their_key, &their_deal, &their_stages[1 + i % 2]).await;
    }
    for cursor in &cursors {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .expect("cursors are base64url");
        let text = String::from_utf8_lossy(&bytes);
        // Random bytes may hold a ':' by chance; the words of the clear format may not.
        assert!(
            !text.contains("c1:") && !text.contains("events") && !text.contains("position"),
            "a cursor shows what it holds: {text:?}"
        );
    }

    // Our cursor resumes here, but not in another workspace.
    subscribe(&mut ws, "2", STAGE_CHANGED, json!({ "after": cursors[0] })).await;
    let resumed = next_change(&mut ws).await;
    assert_eq!(resumed["stageChange"]["toStageId"], ours[2]);
    let mut their_ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &their_key).await;
    subscribe(
        &mut their_ws,
        "1",
        STAGE_CHANGED,
        json!({ "after": cursors[0] }),
    )
    .await;
    let refused = their_ws.next_json().await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{refused}"
    );
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["field"],
        "after"
    );
}
