//! The board query's SQL statement count depends on its shape, never on how many stages,
//! deals, contacts or tags it returns: every relation goes through a dataloader.

use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

use crate::support::builders::{stage_ids, DealBuilder, PipelineBuilder, Stage};
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
    let created = PipelineBuilder::new(&format!("Board {stages}"))
        // Every pipeline keeps a WON and a LOST stage; the rest are open.
        .stages((0..stages).map(|i| match stages - i {
            2 => Stage::won(&format!("S{i}")),
            1 => Stage::lost(&format!("S{i}")),
            _ => Stage::new(format!("S{i}")),
        }))
        .create(app)
        .await;
    let pipeline_id = created["id"].as_str().unwrap().to_owned();
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
    // The least of three runs: the first also authenticates and reads the workspace's
    // pipelines and stages into memory.
    app.measured(BOARD, json!({ "id": pipeline_id })).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_board_query_runs_a_fixed_number_of_statements() {
    // No poll during the measurement: the listener's reads would count too.
    let app =
        TestApp::spawn_with(|c| c.events.poll_interval = std::time::Duration::from_secs(3600))
            .await;
    let small = board(&app, 3, 1, 1).await;
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
        3
    );

    // …and costs exactly as many statements as the small one.
    assert_eq!(
        small_count, large_count,
        "statement count grew with the data: {small_count} → {large_count}"
    );
    println!("board query: {large_count} SQL statements for 8 stages × 50 deals × 3 contacts");
    assert!(large_count <= 12, "{large_count} statements");
}

/// Stages whose kept deal count differs from a count of their deals.
async fn miscounted_stages(app: &TestApp) -> i64 {
    app.count(
        "SELECT count(*) AS n FROM stages s LEFT JOIN stage_deal_counts c ON c.stage_id = s.id
          WHERE coalesce(c.deals, 0) <> (SELECT count(*) FROM deals d WHERE d.stage_id = s.id)",
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn stage_deal_counts_stay_exact_through_every_kind_of_write() {
    let app = TestApp::spawn().await;
    let created = PipelineBuilder::new("Counted").create(&app).await;
    let stages = stage_ids(&created);
    let mut deals = Vec::new();
    for i in 0..6 {
        let deal = DealBuilder::new(&format!("Deal {i}"))
            .stage(&stages[i % 2])
            .create(&app)
            .await;
        deals.push(deal["id"].clone());
    }
    let mutate = |query: &'static str, vars: Value| {
        let app = &app;
        async move { app.gql(query, vars).await.data().clone() }
    };
    mutate(
        "mutation($d: ID!, $s: ID!) { moveDeal(input: {dealId: $d, stageId: $s}) { deal { id } } }",
        json!({ "d": deals[0], "s": stages[2] }),
    )
    .await;
    mutate("mutation($d: ID!, $s: ID!) { moveDeal(input: {dealId: $d, stageId: $s, dryRun: true}) { deal { id } } }", json!({ "d": deals[1], "s": stages[3] })).await;
    mutate(
        "mutation($d: ID!) { winDeal(input: {dealId: $d}) { deal { id } } }",
        json!({ "d": deals[2] }),
    )
    .await;
    mutate(
        "mutation($d: ID!) { loseDeal(input: {dealId: $d, reason: \"Budget\"}) { deal { id } } }",
        json!({ "d": deals[3] }),
    )
    .await;
    mutate(
        "mutation($d: ID!) { updateDeal(input: {id: $d, title: \"Renamed\"}) { deal { id } } }",
        json!({ "d": deals[4] }),
    )
    .await;
    mutate(
        "mutation($d: ID!) { deleteDeal(input: {id: $d}) { deal { id } } }",
        json!({ "d": deals[5] }),
    )
    .await;
    assert_eq!(miscounted_stages(&app).await, 0, "after single writes");
    // Deleting a stage moves all its deals in one statement.
    mutate("mutation($id: ID!, $to: ID!) { deleteStage(input: {id: $id, moveDealsTo: $to}) { stage { id } } }", json!({ "id": stages[1], "to": stages[2] })).await;
    assert_eq!(
        miscounted_stages(&app).await,
        0,
        "after a stage's deals moved"
    );

    let counted = app
        .gql(
            "query($id: ID!) { stage(id: $id) { dealCount deals(first: 1) { totalCount } } }",
            json!({ "id": stages[2] }),
        )
        .await;
    let actual = app
        .count(&format!(
            "SELECT count(*) AS n FROM deals WHERE stage_id = '{}'",
            stages[2]
        ))
        .await;
    assert!(actual >= 2);
    assert_eq!(counted.data()["stage"]["dealCount"], actual);
    assert_eq!(counted.data()["stage"]["deals"]["totalCount"], actual);

    // Bulk inserts (the seed) and workspace-wide deletes keep them too.
    let (other, _) = app.other_workspace().await;
    let mut conn = app.pool.get().await.expect("connection");
    dealgraph::seed::seed_workspace(
        &mut conn,
        other,
        dealgraph::seed::SeedOptions {
            deals: 300,
            seed: 7,
            as_of: None,
        },
    )
    .await
    .expect("seed");
    assert_eq!(miscounted_stages(&app).await, 0, "after the seed");
    // Invoiced deals stay: an invoice keeps its deal.
    diesel::sql_query(
        "DELETE FROM deals d WHERE amount > 50000
         AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.deal_id = d.id)",
    )
    .execute(&mut conn)
    .await
    .expect("bulk delete");
    assert_eq!(miscounted_stages(&app).await, 0, "after a bulk delete");
}
