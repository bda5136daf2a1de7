//! Moving a deal: outcomes stamped, a stage-change chain kept under concurrency, moves across
//! pipelines, and time in stage.

use diesel_async::RunQueryDsl;
use serde_json::json;

use super::{assert_chain, history, move_deal};
use crate::support::builders::{stage_ids, DealBuilder, PipelineBuilder};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn moves_stamp_outcomes_and_build_a_chain() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let ids = stage_ids(&sales);
    let deal = DealBuilder::new("Big one")
        .amount("5000")
        .currency("EUR")
        .create(&app)
        .await;

    let moved = move_deal(&app, &deal, &ids[2], None).await;
    let payload = &moved.data()["moveDeal"];
    assert_eq!(payload["stageChange"]["sequence"], 2);
    assert_eq!(payload["stageChange"]["amount"], "5000.00");
    assert_eq!(payload["stageChange"]["currency"], "EUR");
    assert_eq!(payload["deal"]["closeProbability"], "0.5");

    let won = move_deal(&app, &deal, &ids[4], None).await;
    assert!(won.data()["moveDeal"]["deal"]["wonAt"].is_string());
    assert_eq!(won.data()["moveDeal"]["deal"]["status"], "WON");

    let no_reason = move_deal(&app, &deal, &ids[5], None).await;
    assert_eq!(no_reason.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        no_reason.body["errors"][0]["extensions"]["field"],
        "input.lostReason"
    );
    let lost = move_deal(&app, &deal, &ids[5], Some("went with a competitor")).await;
    let lost_deal = &lost.data()["moveDeal"]["deal"];
    assert!(lost_deal["lostAt"].is_string());
    assert!(lost_deal["wonAt"].is_null());
    assert_eq!(lost_deal["lostReason"], "went with a competitor");

    let reopened = move_deal(&app, &deal, &ids[1], None).await;
    let reopened = &reopened.data()["moveDeal"]["deal"];
    assert!(
        reopened["lostAt"].is_null()
            && reopened["wonAt"].is_null()
            && reopened["lostReason"].is_null()
    );

    // Moving to the current stage changes nothing and records nothing.
    let version = reopened["version"].clone();
    let same = move_deal(&app, &deal, &ids[1], None).await;
    assert!(same.data()["moveDeal"]["stageChange"].is_null());
    assert_eq!(same.data()["moveDeal"]["deal"]["version"], version);

    let changes = history(&app, &deal["id"]).await;
    assert_eq!(changes.len(), 5);
    assert_chain(&changes);
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM outbox_events WHERE event_type = 'deal.stage_changed'"
        )
        .await,
        4
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'deal.won'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'deal.lost'")
            .await,
        1
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'deal.move' AND outcome = 'succeeded'").await, 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn win_lose_and_moves_to_another_pipeline() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let partners = PipelineBuilder::new("Partners").create(&app).await;
    let deal = DealBuilder::new("Cross").create(&app).await;
    let moved = move_deal(&app, &deal, &stage_ids(&partners)[1], None).await;
    assert_eq!(
        moved.data()["moveDeal"]["deal"]["pipeline"]["id"],
        partners["id"]
    );
    let won = app
        .gql(
            "mutation($id: ID!) { winDeal(input: {dealId: $id}) { deal { status stage { id } } } }",
            json!({ "id": deal["id"] }),
        )
        .await;
    assert_eq!(
        won.data()["winDeal"]["deal"]["stage"]["id"],
        stage_ids(&partners)[4]
    );
    let blank = app.gql("mutation($id: ID!) { loseDeal(input: {dealId: $id, reason: \" \"}) { deal { status } } }", json!({ "id": deal["id"] })).await;
    assert_eq!(
        blank.body["errors"][0]["extensions"]["field"],
        "input.reason"
    );
    let lost = app.gql("mutation($id: ID!) { loseDeal(input: {dealId: $id, reason: \"budget\"}) { deal { status lostReason } } }", json!({ "id": deal["id"] })).await;
    assert_eq!(lost.data()["loseDeal"]["deal"]["status"], "LOST");
    let changes = history(&app, &deal["id"]).await;
    assert_chain(&changes);
    assert_eq!(changes[1]["fromPipelineId"], sales["id"]);
    assert_eq!(changes[1]["toPipelineId"], partners["id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_moves_of_one_deal_keep_the_history_a_chain() {
    let app = TestApp::spawn_with(|c| c.pool_size = 8).await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let ids = stage_ids(&sales);
    let deal = DealBuilder::new("Contended").create(&app).await;
    let moves = (0..40).map(|i| {
        let stage = ids[i % 4].clone();
        let app = &app;
        let deal = &deal;
        async move { move_deal(app, deal, &stage, None).await }
    });
    let results = futures_util::future::join_all(moves).await;
    for result in &results {
        assert!(result.body.get("errors").is_none(), "{}", result.body);
    }
    let recorded = results
        .iter()
        .filter(|r| !r.body["data"]["moveDeal"]["stageChange"].is_null())
        .count();
    let changes = history(&app, &deal["id"]).await;
    assert_eq!(changes.len(), recorded + 1);
    assert_chain(&changes);
    let current = app
        .gql(
            "query($id: ID!) { deal(id: $id) { stage { id } } }",
            json!({ "id": deal["id"] }),
        )
        .await;
    assert_eq!(
        current.data()["deal"]["stage"]["id"],
        changes.last().unwrap()["toStageId"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deal_idle_longer_than_its_stages_rotting_days_is_rotting() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let stage = &stage_ids(&sales)[0];
    app.gql(
        "mutation($id: ID!) { updateStage(input: {id: $id, rottingDays: 14}) { stage { id } } }",
        json!({ "id": stage }),
    )
    .await
    .data();
    let fresh = DealBuilder::new("Fresh").create(&app).await;
    let stale = DealBuilder::new("Stale").create(&app).await;
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query(format!(
        "UPDATE deals SET entered_stage_at = now() - interval '15 days' WHERE id = '{}'",
        stale["id"].as_str().unwrap()
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    let query = "query($id: ID!) { deal(id: $id) { isRotting timeInStage } }";
    let fresh = app.gql(query, json!({ "id": fresh["id"] })).await;
    assert_eq!(fresh.data()["deal"]["isRotting"], false);
    assert!(fresh.data()["deal"]["timeInStage"].as_i64().unwrap() < 60);
    let stale = app.gql(query, json!({ "id": stale["id"] })).await;
    assert_eq!(stale.data()["deal"]["isRotting"], true);
    assert!(stale.data()["deal"]["timeInStage"].as_i64().unwrap() >= 15 * 86_400);
}
