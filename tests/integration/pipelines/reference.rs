//! Queries read a workspace's pipelines and stages from memory: `stage { name }` costs no
//! statement once they are kept, and a change shows on the next request on the server that
//! made it and, one notification later, on every other server.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::builders::{stage_ids, ContactBuilder, DealBuilder, PipelineBuilder};
use crate::support::TestApp;

const DEAL_STAGE: &str =
    "query($id: ID!) { deal(id: $id) { stage { name } pipeline { name } closeProbability } }";
const RENAME_STAGE: &str =
    "mutation($id: ID!, $name: String!) { updateStage(input: {id: $id, name: $name}) { stage { name } } }";

/// The deal's stage name as `app` serves it (to the first server's workspace key: the
/// second server shares the database, not the key of its own test workspace).
async fn stage_name(app: &TestApp, key: &str, deal: &str) -> String {
    let response = app.gql_as(key, DEAL_STAGE, json!({ "id": deal })).await;
    response.data()["deal"]["stage"]["name"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_renamed_stage_shows_its_new_name_on_both_servers() {
    let a = TestApp::spawn().await;
    let b = TestApp::spawn_on(&a.database_url, |_| {}).await;
    let sales = PipelineBuilder::new("Sales").create(&a).await;
    let stages = stage_ids(&sales);
    let deal = DealBuilder::new("Acme renewal").create_id(&a).await;
    // Both servers keep the workspace's stages now.
    let before = stage_name(&a, &a.admin_key, &deal).await;
    assert_eq!(stage_name(&b, &a.admin_key, &deal).await, before);

    a.gql(RENAME_STAGE, json!({ "id": stages[0], "name": "Inbound" }))
        .await
        .data();
    // The server that renamed it: the very next request.
    assert_eq!(stage_name(&a, &a.admin_key, &deal).await, "Inbound");
    // The other: once the stage's event reaches its listener (its poll is a second; the
    // deadline is far below the cache's minute).
    let started = Instant::now();
    loop {
        if stage_name(&b, &a.admin_key, &deal).await == "Inbound" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the other server still shows {before:?}"
        );
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn kept_stages_and_pipelines_cost_no_statement() {
    let app = TestApp::spawn_with(|c| c.events.poll_interval = Duration::from_secs(3600)).await;
    PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Acme renewal").create_id(&app).await;
    let query = "query($id: ID!) { deal(id: $id) { title stage { name probability } pipeline { name } closeProbability isRotting weightedAmount } }";
    // The first query authenticates and fills the workspace's pipelines and stages.
    app.gql(query, json!({ "id": deal })).await.data();
    let (least, data) = app.measured(query, json!({ "id": deal })).await;
    assert_eq!(data["deal"]["title"], "Acme renewal");
    // Only the deal itself.
    assert_eq!(
        least, 1,
        "statements for a deal with its stage and pipeline"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_to_anything_else_keeps_the_stages_in_memory() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let stages = stage_ids(&sales);
    let deal = DealBuilder::new("Acme renewal").create_id(&app).await;
    let kept = stage_name(&app, &app.admin_key, &deal).await;
    // Renamed behind the server's back (no event): only a fresh read would show it.
    let mut conn = app.pool.get().await.unwrap();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE stages SET name = 'Renamed' WHERE id = '{}'",
            stages[0]
        )),
        &mut conn,
    )
    .await
    .unwrap();
    ContactBuilder::new("Grace").create_id(&app).await;
    assert_eq!(
        stage_name(&app, &app.admin_key, &deal).await,
        kept,
        "an unrelated write dropped the kept stages"
    );
}
