//! The board query's SQL statement count depends on its shape, never on how many stages,
//! deals, contacts or tags it returns: every relation goes through a dataloader.

use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

use crate::support::TestApp;

const BOARD: &str = "query($id: ID!) { pipeline(id: $id) { name stages { name dealCount deals(first: 50) { totalCount nodes {
    id title amount currency closeProbability isRotting timeInStage company { name domain } tags { name }
    contacts { role contact { name email company { name } } } } } } } }";

/// A pipeline with `stages` stages, `deals_per_stage` deals in each, every deal with a company,
/// `contacts_per_deal` linked contacts and two tags. Bulk rows go in with SQL for speed.
async fn board(
    app: &TestApp,
    stages: usize,
    deals_per_stage: usize,
    contacts_per_deal: usize,
) -> Value {
    let stage_inputs: Vec<Value> = (0..stages)
        .map(|i| json!({ "name": format!("S{i}") }))
        .collect();
    let created = app
        .gql(
            "mutation($i: CreatePipelineInput!) { createPipeline(input: $i) { pipeline { id } } }",
            json!({ "i": { "name": format!("Board {stages}"), "stages": stage_inputs } }),
        )
        .await;
    let pipeline_id = created.data()["createPipeline"]["pipeline"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ws = app.workspace_id;
    let mut conn = app.pool.get().await.unwrap();
    let sql = format!(
        "WITH co AS (
             INSERT INTO companies (workspace_id, id, name, domain)
             SELECT '{ws}', gen_random_uuid(), 'Company ' || g, 'c' || g || '-{pipeline_id}.example' FROM generate_series(1, 5) g
             RETURNING id
         ), st AS (
             SELECT id, pipeline_id, row_number() OVER (ORDER BY position) AS n FROM stages WHERE pipeline_id = '{pipeline_id}'
         ), d AS (
             INSERT INTO deals (workspace_id, id, pipeline_id, stage_id, title, amount, currency, company_id)
             SELECT '{ws}', gen_random_uuid(), st.pipeline_id, st.id, 'Deal ' || st.n || '-' || g, g * 100, 'USD',
                    (SELECT id FROM co ORDER BY id OFFSET (g % 5) LIMIT 1)
             FROM st CROSS JOIN generate_series(1, {deals_per_stage}) g
             RETURNING id
         ), c AS (
             INSERT INTO contacts (workspace_id, id, name, email, company_id)
             SELECT '{ws}', gen_random_uuid(), 'Person ' || d.id || '-' || g, d.id || '-' || g || '@example.com', (SELECT id FROM co LIMIT 1)
             FROM d CROSS JOIN generate_series(1, {contacts_per_deal}) g
             RETURNING id, split_part(email, '-', 1) AS deal_part, email
         )
         INSERT INTO deal_contacts (workspace_id, deal_id, contact_id, role)
         SELECT '{ws}', d.id, c.id, 'champion' FROM c JOIN d ON c.email LIKE d.id || '-%'"
    );
    diesel::sql_query(sql).execute(&mut conn).await.unwrap();
    diesel::sql_query(format!(
        "WITH t AS (INSERT INTO deal_tags (workspace_id, id, name) SELECT '{ws}', gen_random_uuid(), 'tag-' || g || '-{pipeline_id}' FROM generate_series(1, 2) g RETURNING id)
         INSERT INTO deal_taggings (workspace_id, deal_id, tag_id) SELECT '{ws}', d.id, t.id FROM deals d CROSS JOIN t WHERE d.pipeline_id = '{pipeline_id}'"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    json!(pipeline_id)
}

async fn statements_for(app: &TestApp, pipeline_id: &Value) -> (u64, Value) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let before = app.statements.get();
    let response = app.gql(BOARD, json!({ "id": pipeline_id })).await;
    let after = app.statements.get();
    (after - before, response.data().clone())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_board_query_runs_a_fixed_number_of_statements() {
    // No poll during the measurement: the listener's reads would count too.
    let app =
        TestApp::spawn_with(|c| c.events.poll_interval = std::time::Duration::from_secs(3600))
            .await;
    let small = board(&app, 2, 1, 1).await;
    let large = board(&app, 8, 60, 3).await;
    let (small_count, small_data) = statements_for(&app, &small).await;
    let (large_count, large_data) = statements_for(&app, &large).await;

    // The large board really is large…
    let stages = large_data["pipeline"]["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 8);
    assert_eq!(stages[0]["deals"]["nodes"].as_array().unwrap().len(), 50);
    assert_eq!(stages[0]["deals"]["totalCount"], 60);
    let deal = &stages[0]["deals"]["nodes"][0];
    assert_eq!(deal["contacts"].as_array().unwrap().len(), 3);
    assert!(deal["contacts"][0]["contact"]["company"]["name"].is_string());
    assert!(deal["company"]["name"].is_string());
    assert_eq!(deal["tags"].as_array().unwrap().len(), 2);
    assert_eq!(
        small_data["pipeline"]["stages"].as_array().unwrap().len(),
        2
    );

    // …and costs exactly as many statements as the small one.
    assert_eq!(
        small_count, large_count,
        "statement count grew with the data: {small_count} → {large_count}"
    );
    println!("board query: {large_count} SQL statements for 8 stages × 50 deals × 3 contacts");
    assert!(large_count <= 12, "{large_count} statements");
}
