//! Deals: create, update, moves with a lossless history, links, tags, lists, the board and
//! the pipeline analytics.

mod analytics;
mod board;
mod crud;
mod links;
mod list;
mod moves;
mod rollups;
mod screens;
mod tags;

use serde_json::{json, Value};

use crate::support::builders::DEAL_FIELDS;
use crate::support::{GqlResponse, TestApp};

fn move_query() -> String {
    format!("mutation($input: MoveDealInput!) {{ moveDeal(input: $input) {{ stageChange {{ sequence fromStageId toStageId amount currency }} deal {{ {DEAL_FIELDS} }} }} }}")
}

async fn move_deal(app: &TestApp, deal: &Value, stage: &str, reason: Option<&str>) -> GqlResponse {
    app.gql(
        &move_query(),
        json!({ "input": { "dealId": deal["id"], "stageId": stage, "lostReason": reason } }),
    )
    .await
}

async fn history(app: &TestApp, deal_id: &Value) -> Vec<Value> {
    let response = app
        .gql(
            "query($id: ID!) { deal(id: $id) { stageChanges(first: 100) { totalCount nodes { sequence fromStageId toStageId fromPipelineId toPipelineId amount currency actorKeyId } } } }",
            json!({ "id": deal_id }),
        )
        .await;
    let mut nodes = response.data()["deal"]["stageChanges"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    nodes.reverse();
    nodes
}

/// Every change's `from` is the previous change's `to`, and sequences are 1, 2, 3, …
fn assert_chain(changes: &[Value]) {
    for (i, change) in changes.iter().enumerate() {
        assert_eq!(change["sequence"], i + 1, "{changes:?}");
        if i == 0 {
            assert!(change["fromStageId"].is_null());
        } else {
            assert_eq!(
                change["fromStageId"],
                changes[i - 1]["toStageId"],
                "broken chain at {i}: {changes:?}"
            );
        }
    }
}
