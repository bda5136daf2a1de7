//! Stages: inline stages validated on creation, added, updated, reordered and deleted, with
//! their deals moved and recorded.

use serde_json::{json, Value};

use super::CREATE_PIPELINE;
use crate::support::builders::{stage_ids, DealBuilder, PipelineBuilder, Stage};
use crate::support::TestApp;

const ADD_STAGE: &str = "mutation($input: AddStageInput!) { addStage(input: $input) { stage { id name position kind probability } } }";

const UPDATE_STAGE: &str = "mutation($input: UpdateStageInput!) { updateStage(input: $input) { stage { id name key color rottingDays probability kind version } } }";

const DELETE_STAGE: &str =
    "mutation($input: DeleteStageInput!) { deleteStage(input: $input) { stage { id } } }";

const REORDER: &str = "mutation($input: ReorderStagesInput!) { reorderStages(input: $input) { stages { id position } } }";

async fn stage_names(app: &TestApp, pipeline_id: &str) -> Vec<String> {
    let response = app
        .gql(
            "query($id: ID!) { pipeline(id: $id) { stages { name } } }",
            json!({ "id": pipeline_id }),
        )
        .await;
    response.data()["pipeline"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn inline_stages_are_validated_and_nothing_is_written_on_error() {
    let app = TestApp::spawn().await;
    let bad_probability = app
        .gql(
            CREATE_PIPELINE,
            json!({ "input": { "name": "P", "stages": [{ "name": "A", "probability": "1.5" }] } }),
        )
        .await;
    assert_eq!(bad_probability.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        bad_probability.body["errors"][0]["extensions"]["field"],
        "input.stages.0.probability"
    );
    let float = app
        .gql(
            CREATE_PIPELINE,
            json!({ "input": { "name": "P", "stages": [{ "name": "A", "probability": 0.5 }] } }),
        )
        .await;
    assert_eq!(float.error_code(), "BAD_USER_INPUT");
    let no_open = app
        .gql(
            CREATE_PIPELINE,
            json!({ "input": { "name": "P", "stages": [{ "name": "Won", "kind": "WON" }] } }),
        )
        .await;
    assert_eq!(no_open.error_code(), "BAD_USER_INPUT");
    assert!(no_open.error_message().contains("OPEN"));
    assert_eq!(app.count("SELECT count(*) AS n FROM pipelines").await, 0);
    assert_eq!(app.count("SELECT count(*) AS n FROM stages").await, 0);

    let custom = app
        .gql(
            CREATE_PIPELINE,
            json!({ "input": { "name": "Custom", "stages": [
                { "name": "New", "key": "new", "probability": "0.1" },
                { "name": "Closed won", "kind": "WON" },
                { "name": "Closed lost", "kind": "LOST" }
            ] } }),
        )
        .await;
    let stages = &custom.data()["createPipeline"]["pipeline"]["stages"];
    assert_eq!(stages[0]["key"], "new");
    assert_eq!(stages[1]["probability"], "1");
    assert_eq!(stages[2]["position"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn stages_are_added_updated_and_reordered() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let id = sales["id"].as_str().unwrap();
    let added = app.gql(ADD_STAGE, json!({ "input": { "pipelineId": id, "name": "Demo", "probability": "0.3", "position": 2 } })).await;
    assert_eq!(added.data()["addStage"]["stage"]["position"], 2);
    assert_eq!(
        stage_names(&app, id).await,
        [
            "Lead in",
            "Qualified",
            "Demo",
            "Proposal",
            "Negotiation",
            "Won",
            "Lost"
        ]
    );

    let demo_id = added.data()["addStage"]["stage"]["id"].clone();
    let updated = app
        .gql(UPDATE_STAGE, json!({ "input": { "id": demo_id, "name": "Demo done", "color": "#FF0000", "rottingDays": 14, "key": "demo" } }))
        .await;
    let stage = &updated.data()["updateStage"]["stage"];
    assert_eq!(stage["color"], "#ff0000");
    assert_eq!(stage["probability"], "0.3");
    let cleared = app
        .gql(
            UPDATE_STAGE,
            json!({ "input": { "id": demo_id, "color": null } }),
        )
        .await;
    let stage = &cleared.data()["updateStage"]["stage"];
    assert!(stage["color"].is_null());
    assert_eq!(stage["rottingDays"], 14, "absent fields stay");
    assert_eq!(stage["key"], "demo");

    let pipeline = app
        .gql(
            "query($id: ID!) { pipeline(id: $id) { stages { id } } }",
            json!({ "id": id }),
        )
        .await;
    let mut ids: Vec<Value> = pipeline.data()["pipeline"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    ids.reverse();
    app.gql(
        REORDER,
        json!({ "input": { "pipelineId": id, "stageIds": ids } }),
    )
    .await
    .data();
    assert_eq!(
        stage_names(&app, id).await,
        [
            "Lost",
            "Won",
            "Negotiation",
            "Proposal",
            "Demo done",
            "Qualified",
            "Lead in"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reorder_must_list_exactly_the_pipelines_stages() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let other = PipelineBuilder::new("Other").create(&app).await;
    let id = sales["id"].as_str().unwrap();
    let ids = stage_ids(&sales);
    let before = stage_names(&app, id).await;
    let (_, foreign_key) = app.other_workspace().await;
    let foreign = PipelineBuilder::new("Foreign")
        .with_key(&foreign_key)
        .create(&app)
        .await;

    let missing = app
        .gql(
            REORDER,
            json!({ "input": { "pipelineId": id, "stageIds": &ids[1..] } }),
        )
        .await;
    assert_eq!(missing.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        missing.body["errors"][0]["extensions"]["field"],
        "input.stageIds"
    );
    let mut with_other = ids[1..].to_vec();
    with_other.push(stage_ids(&other)[0].clone());
    let wrong = app
        .gql(
            REORDER,
            json!({ "input": { "pipelineId": id, "stageIds": with_other } }),
        )
        .await;
    assert_eq!(wrong.error_code(), "BAD_USER_INPUT");
    let mut with_foreign = ids[1..].to_vec();
    with_foreign.push(stage_ids(&foreign)[0].clone());
    let foreign = app
        .gql(
            REORDER,
            json!({ "input": { "pipelineId": id, "stageIds": with_foreign } }),
        )
        .await;
    assert_eq!(foreign.error_code(), "BAD_USER_INPUT");
    let mut twice = ids.clone();
    twice[0] = ids[1].clone();
    assert_eq!(
        app.gql(
            REORDER,
            json!({ "input": { "pipelineId": id, "stageIds": twice } })
        )
        .await
        .error_code(),
        "BAD_USER_INPUT"
    );
    assert_eq!(stage_names(&app, id).await, before, "nothing changed");
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_stage_with_deals_needs_a_destination_and_records_the_moves() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let other = PipelineBuilder::new("Other").create(&app).await;
    let ids = stage_ids(&sales);
    for i in 0..3 {
        DealBuilder::new(&format!("D{i}"))
            .stage(&ids[1])
            .create(&app)
            .await;
    }
    let refused = app
        .gql(DELETE_STAGE, json!({ "input": { "id": ids[1] } }))
        .await;
    assert_eq!(refused.error_code(), "CONFLICT");
    assert_eq!(
        refused.body["errors"][0]["extensions"]["field"],
        "input.moveDealsTo"
    );
    let elsewhere = app
        .gql(
            DELETE_STAGE,
            json!({ "input": { "id": ids[1], "moveDealsTo": stage_ids(&other)[0] } }),
        )
        .await;
    assert_eq!(elsewhere.error_code(), "BAD_USER_INPUT");

    app.gql(
        DELETE_STAGE,
        json!({ "input": { "id": ids[1], "moveDealsTo": ids[2] } }),
    )
    .await
    .data();
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM deals WHERE stage_id = '{}'",
            ids[2]
        ))
        .await,
        3
    );
    assert_eq!(
        app.count(&format!("SELECT count(*) AS n FROM stage_changes WHERE from_stage_id = '{}' AND to_stage_id = '{}' AND sequence = 2", ids[1], ids[2])).await,
        3
    );
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM outbox_events WHERE event_type = 'deal.stage_changed'"
        )
        .await,
        3
    );
    let positions = app
        .gql(
            "query($id: ID!) { pipeline(id: $id) { stages { position } } }",
            json!({ "id": sales["id"] }),
        )
        .await;
    let positions: Vec<i64> = positions.data()["pipeline"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [0, 1, 2, 3, 4]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pipeline_keeps_an_open_a_won_and_a_lost_stage() {
    let app = TestApp::spawn().await;
    for (stages, missing) in [
        (
            json!([{ "name": "Won", "kind": "WON" }, { "name": "Lost", "kind": "LOST" }]),
            "OPEN",
        ),
        (
            json!([{ "name": "New" }, { "name": "Lost", "kind": "LOST" }]),
            "WON",
        ),
        (
            json!([{ "name": "New" }, { "name": "Won", "kind": "WON" }]),
            "LOST",
        ),
    ] {
        let refused = app
            .gql(
                CREATE_PIPELINE,
                json!({ "input": { "name": "P", "stages": stages } }),
            )
            .await;
        assert_eq!(refused.error_code(), "BAD_USER_INPUT");
        assert_eq!(
            refused.body["errors"][0]["extensions"]["field"],
            "input.stages"
        );
        assert!(
            refused.error_message().contains(missing),
            "{}",
            refused.body
        );
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM pipelines").await, 0);

    let tiny = PipelineBuilder::new("Tiny")
        .stages([Stage::new("Open"), Stage::won("Won"), Stage::lost("Lost")])
        .create(&app)
        .await;
    let ids = stage_ids(&tiny);
    for (id, kind) in [(&ids[0], "OPEN"), (&ids[1], "WON"), (&ids[2], "LOST")] {
        let refused = app
            .gql(DELETE_STAGE, json!({ "input": { "id": id } }))
            .await;
        assert_eq!(refused.error_code(), "BAD_USER_INPUT");
        assert_eq!(refused.body["errors"][0]["extensions"]["field"], "input.id");
        assert!(refused.error_message().contains(kind), "{}", refused.body);
    }
    // The last WON stage may not turn OPEN, nor the last OPEN one WON.
    for (id, kind) in [(&ids[0], "WON"), (&ids[1], "OPEN"), (&ids[2], "OPEN")] {
        let refused = app
            .gql(UPDATE_STAGE, json!({ "input": { "id": id, "kind": kind } }))
            .await;
        assert_eq!(refused.error_code(), "BAD_USER_INPUT", "{}", refused.body);
        assert_eq!(
            refused.body["errors"][0]["extensions"]["field"],
            "input.kind"
        );
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM stages").await, 3);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM stages WHERE kind = 'open'")
            .await,
        1,
        "no kind changed"
    );

    // With a second WON stage, either may go or change kind.
    let second_won = app
        .gql(
            "mutation($input: AddStageInput!) { addStage(input: $input) { stage { id } } }",
            json!({ "input": { "pipelineId": tiny["id"], "name": "Won too", "kind": "WON" } }),
        )
        .await;
    let second_won = second_won.data()["addStage"]["stage"]["id"].clone();
    app.gql(DELETE_STAGE, json!({ "input": { "id": ids[1] } }))
        .await
        .data();
    let refused = app
        .gql(
            UPDATE_STAGE,
            json!({ "input": { "id": second_won, "kind": "LOST" } }),
        )
        .await;
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
}

#[tokio::test(flavor = "multi_thread")]
async fn move_deals_to_is_checked_even_when_the_stage_is_empty() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let other = PipelineBuilder::new("Other").create(&app).await;
    let ids = stage_ids(&sales);
    let (_, their_key) = app.other_workspace().await;
    let theirs = PipelineBuilder::new("Theirs")
        .with_key(&their_key)
        .create(&app)
        .await;
    let foreign_stage = stage_ids(&theirs)[0].clone();
    for (target, why) in [
        (json!(stage_ids(&other)[0]), "another pipeline's stage"),
        (json!(ids[1]), "the stage itself"),
        (json!(foreign_stage), "another workspace's stage"),
        (json!(uuid::Uuid::now_v7().to_string()), "no stage at all"),
    ] {
        let refused = app
            .gql(
                DELETE_STAGE,
                json!({ "input": { "id": ids[1], "moveDealsTo": target } }),
            )
            .await;
        assert_eq!(
            refused.error_code(),
            "BAD_USER_INPUT",
            "{why}: {}",
            refused.body
        );
        assert_eq!(
            refused.body["errors"][0]["extensions"]["field"], "input.moveDealsTo",
            "{why}"
        );
    }
    let id = sales["id"].as_str().unwrap();
    assert_eq!(stage_names(&app, id).await.len(), 6, "nothing deleted");
}
