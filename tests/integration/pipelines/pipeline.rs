//! A pipeline: the one default, unique names, renames, archiving and deletion.

use serde_json::json;

use super::CREATE_PIPELINE;
use crate::support::builders::{stage_ids, DealBuilder, PipelineBuilder};
use crate::support::TestApp;

const UPDATE_PIPELINE: &str = "mutation($input: UpdatePipelineInput!) { updatePipeline(input: $input) { pipeline { id name isDefault archivedAt version } } }";

const DELETE_PIPELINE: &str =
    "mutation($input: DeletePipelineInput!) { deletePipeline(input: $input) { pipeline { id } } }";

#[tokio::test(flavor = "multi_thread")]
async fn the_first_pipeline_is_the_default_and_there_is_only_ever_one() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    assert_eq!(sales["isDefault"], true);
    assert_eq!(sales["stages"].as_array().unwrap().len(), 6);
    assert_eq!(sales["stages"][4]["kind"], "WON");
    assert_eq!(sales["stages"][1]["probability"], "0.25");
    let partners = PipelineBuilder::new("Partners").create(&app).await;
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
    PipelineBuilder::new("Sales").create(&app).await;
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
async fn rename_archive_and_stale_versions() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let other = PipelineBuilder::new("Other").create(&app).await;
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
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let other = PipelineBuilder::new("Other").create(&app).await;
    let refused = app
        .gql(DELETE_PIPELINE, json!({ "input": { "id": sales["id"] } }))
        .await;
    assert_eq!(refused.error_code(), "CONFLICT");
    DealBuilder::new("D")
        .stage(&stage_ids(&other)[0])
        .create(&app)
        .await;
    let busy = app
        .gql(DELETE_PIPELINE, json!({ "input": { "id": other["id"] } }))
        .await;
    assert_eq!(busy.error_code(), "CONFLICT");
    assert!(busy.error_message().contains("deals"));
    assert_eq!(app.count("SELECT count(*) AS n FROM pipelines").await, 2);

    let empty = PipelineBuilder::new("Empty").create(&app).await;
    app.gql(DELETE_PIPELINE, json!({ "input": { "id": empty["id"] } }))
        .await
        .data();
    assert_eq!(
        app.count("SELECT count(*) AS n FROM stages WHERE pipeline_id IS NOT NULL")
            .await,
        12
    );
}
