//! Pipelines and stages.

use serde_json::{json, Value};

use crate::support::TestApp;

pub const CREATE_PIPELINE: &str = "mutation($input: CreatePipelineInput!) { createPipeline(input: $input) { pipeline { id name isDefault version stages { id name key position probability kind } } } }";
const UPDATE_PIPELINE: &str = "mutation($input: UpdatePipelineInput!) { updatePipeline(input: $input) { pipeline { id name isDefault archivedAt version } } }";
const DELETE_PIPELINE: &str =
    "mutation($input: DeletePipelineInput!) { deletePipeline(input: $input) { pipeline { id } } }";
const ADD_STAGE: &str = "mutation($input: AddStageInput!) { addStage(input: $input) { stage { id name position kind probability } } }";
const UPDATE_STAGE: &str = "mutation($input: UpdateStageInput!) { updateStage(input: $input) { stage { id name key color rottingDays probability kind version } } }";
const DELETE_STAGE: &str =
    "mutation($input: DeleteStageInput!) { deleteStage(input: $input) { stage { id } } }";
const REORDER: &str = "mutation($input: ReorderStagesInput!) { reorderStages(input: $input) { stages { id position } } }";
const CREATE_DEAL: &str =
    "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id stage { id } } } }";

/// Creates a pipeline (default stages unless given) and returns it.
pub async fn pipeline(app: &TestApp, name: &str) -> Value {
    pipeline_as(app, &app.admin_key, name).await
}

pub async fn pipeline_as(app: &TestApp, key: &str, name: &str) -> Value {
    let response = app
        .gql_as(key, CREATE_PIPELINE, json!({ "input": { "name": name } }))
        .await;
    response.data()["createPipeline"]["pipeline"].clone()
}

pub fn stage_ids(pipeline: &Value) -> Vec<String> {
    pipeline["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

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
async fn the_first_pipeline_is_the_default_and_there_is_only_ever_one() {
    let app = TestApp::spawn().await;
    let sales = pipeline(&app, "Sales").await;
    assert_eq!(sales["isDefault"], true);
    assert_eq!(sales["stages"].as_array().unwrap().len(), 6);
    assert_eq!(sales["stages"][4]["kind"], "WON");
    assert_eq!(sales["stages"][1]["probability"], "0.25");
    let partners = pipeline(&app, "Partners").await;
    assert_eq!(partners["isDefault"], false);

    let response = app
        .gql(
            UPDATE_PIPELINE,
            json!({ "input": { "id": partners["id"], "makeDefault": true } }),
        )
        .await;
    assert_eq!(
        response.data()["updatePipeline"]["pipeline"]["isDefault"],
        true
    );
    let listing = app.gql("{ pipelines { name isDefault } }", json!({})).await;
    assert_eq!(
        listing.data()["pipelines"],
        json!([{ "name": "Partners", "isDefault": true }, { "name": "Sales", "isDefault": false }])
    );

    // The database itself refuses a second default.
    use diesel_async::RunQueryDsl;
    let mut conn = app.pool.get().await.unwrap();
    let result = diesel::sql_query("UPDATE pipelines SET is_default = true")
        .execute(&mut conn)
        .await;
    assert!(result.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn pipeline_names_are_unique_per_workspace() {
    let app = TestApp::spawn().await;
    pipeline(&app, "Sales").await;
    let duplicate = app
        .gql(CREATE_PIPELINE, json!({ "input": { "name": "sales" } }))
        .await;
    assert_eq!(duplicate.error_code(), "CONFLICT");
    assert_eq!(
        duplicate.body["errors"][0]["extensions"]["field"],
        "input.name"
    );
    let (_, other) = app.other_workspace().await;
    let elsewhere = app
        .gql_as(
            &other,
            CREATE_PIPELINE,
            json!({ "input": { "name": "Sales" } }),
        )
        .await;
    assert_eq!(
        elsewhere.data()["createPipeline"]["pipeline"]["isDefault"],
        true
    );
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
async fn rename_archive_and_stale_versions() {
    let app = TestApp::spawn().await;
    let sales = pipeline(&app, "Sales").await;
    let other = pipeline(&app, "Other").await;
    let stale = app
        .gql(
            UPDATE_PIPELINE,
            json!({ "input": { "id": other["id"], "name": "Renamed", "expectedVersion": 7 } }),
        )
        .await;
    assert_eq!(stale.error_code(), "STALE_OBJECT");
    assert_eq!(stale_count(&app, "Renamed").await, 0);
    let renamed = app
        .gql(
            UPDATE_PIPELINE,
            json!({ "input": { "id": other["id"], "name": "Renamed", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(renamed.data()["updatePipeline"]["pipeline"]["version"], 2);

    let archived = app
        .gql(
            UPDATE_PIPELINE,
            json!({ "input": { "id": other["id"], "archived": true } }),
        )
        .await;
    assert!(archived.data()["updatePipeline"]["pipeline"]["archivedAt"].is_string());
    let visible = app.gql("{ pipelines { name } }", json!({})).await;
    assert_eq!(visible.data()["pipelines"], json!([{ "name": "Sales" }]));
    let all = app
        .gql("{ pipelines(includeArchived: true) { name } }", json!({}))
        .await;
    assert_eq!(all.data()["pipelines"].as_array().unwrap().len(), 2);

    let default_archive = app
        .gql(
            UPDATE_PIPELINE,
            json!({ "input": { "id": sales["id"], "archived": true } }),
        )
        .await;
    assert_eq!(default_archive.error_code(), "CONFLICT");
}

async fn stale_count(app: &TestApp, name: &str) -> i64 {
    app.count(&format!(
        "SELECT count(*) AS n FROM pipelines WHERE name = '{name}'"
    ))
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pipeline_with_deals_or_the_default_cannot_be_deleted() {
    let app = TestApp::spawn().await;
    let sales = pipeline(&app, "Sales").await;
    let other = pipeline(&app, "Other").await;
    let refused = app
        .gql(DELETE_PIPELINE, json!({ "input": { "id": sales["id"] } }))
        .await;
    assert_eq!(refused.error_code(), "CONFLICT");
    app.gql(
        CREATE_DEAL,
        json!({ "input": { "title": "D", "stageId": stage_ids(&other)[0] } }),
    )
    .await
    .data();
    let busy = app
        .gql(DELETE_PIPELINE, json!({ "input": { "id": other["id"] } }))
        .await;
    assert_eq!(busy.error_code(), "CONFLICT");
    assert!(busy.error_message().contains("deals"));
    assert_eq!(app.count("SELECT count(*) AS n FROM pipelines").await, 2);

    let empty = pipeline(&app, "Empty").await;
    app.gql(DELETE_PIPELINE, json!({ "input": { "id": empty["id"] } }))
        .await
        .data();
    assert_eq!(
        app.count("SELECT count(*) AS n FROM stages WHERE pipeline_id IS NOT NULL")
            .await,
        12
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn stages_are_added_updated_and_reordered() {
    let app = TestApp::spawn().await;
    let sales = pipeline(&app, "Sales").await;
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
    let sales = pipeline(&app, "Sales").await;
    let other = pipeline(&app, "Other").await;
    let id = sales["id"].as_str().unwrap();
    let ids = stage_ids(&sales);
    let before = stage_names(&app, id).await;
    let (_, foreign_key) = app.other_workspace().await;
    let foreign = pipeline_as(&app, &foreign_key, "Foreign").await;

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
    let sales = pipeline(&app, "Sales").await;
    let other = pipeline(&app, "Other").await;
    let ids = stage_ids(&sales);
    for i in 0..3 {
        app.gql(
            CREATE_DEAL,
            json!({ "input": { "title": format!("D{i}"), "stageId": ids[1] } }),
        )
        .await
        .data();
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
async fn the_last_open_stage_cannot_go() {
    let app = TestApp::spawn().await;
    let response = app
        .gql(CREATE_PIPELINE, json!({ "input": { "name": "Tiny", "stages": [{ "name": "Open" }, { "name": "Won", "kind": "WON" }] } }))
        .await;
    let ids = stage_ids(&response.data()["createPipeline"]["pipeline"]);
    let refused = app
        .gql(DELETE_STAGE, json!({ "input": { "id": ids[0] } }))
        .await;
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
    assert!(refused.error_message().contains("OPEN"));
    let to_won = app
        .gql(
            UPDATE_STAGE,
            json!({ "input": { "id": ids[0], "kind": "WON" } }),
        )
        .await;
    assert_eq!(to_won.error_code(), "BAD_USER_INPUT");
    assert_eq!(app.count("SELECT count(*) AS n FROM stages").await, 2);
}
