//! The pipeline rollups (`deal_rollups`) that `pipelineSummary` and `forecast` read: kept
//! equal to a recomputation from the deals through every kind of write, and the reports read
//! them instead of the deals.

use diesel::sql_types::{Date, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

use dealgraph::deals::model::analytics::{FORECAST_SQL, SUMMARY_SQL};

use crate::support::builders::{stage_ids, DealBuilder, PipelineBuilder, Stage};
use crate::support::TestApp;

/// The rollup rows recomputed from the deals.
const RECOMPUTED: &str = "
    SELECT workspace_id, pipeline_id, stage_id, deal_rollup_status(won_at, lost_at) AS status,
           deal_rollup_day(won_at, lost_at, expected_close_date) AS day, currency,
           count(*) AS deals, sum(amount) AS amount,
           coalesce(sum(amount * close_probability), 0) AS own_weighted,
           coalesce(sum(amount) FILTER (WHERE close_probability IS NULL), 0) AS stage_weighted_amount
      FROM deals GROUP BY 1, 2, 3, 4, 5, 6";

const KEPT: &str = "
    SELECT workspace_id, pipeline_id, stage_id, status, day, currency, deals, amount,
           own_weighted, stage_weighted_amount
      FROM deal_rollups WHERE deals <> 0";

/// Rows that differ between the kept rollups and the recomputation, plus emptied rows that
/// still hold value.
async fn drift(app: &TestApp) -> i64 {
    app.count(&format!(
        "SELECT (SELECT count(*) FROM (({KEPT}) EXCEPT ({RECOMPUTED})) a)
              + (SELECT count(*) FROM (({RECOMPUTED}) EXCEPT ({KEPT})) b)
              + (SELECT count(*) FROM deal_rollups
                  WHERE deals = 0 AND (amount <> 0 OR own_weighted <> 0 OR stage_weighted_amount <> 0)) AS n"
    ))
    .await
}

async fn run(app: &TestApp, mutation: &str, input: Value) -> Value {
    app.gql(mutation, json!({ "input": input }))
        .await
        .data()
        .clone()
}

fn sales() -> PipelineBuilder {
    PipelineBuilder::new("Sales").stages([
        Stage::new("Qualified").probability("0.1"),
        Stage::new("Proposal").probability("0.5"),
        Stage::new("Negotiation").probability("0.8"),
        Stage::won("Won"),
        Stage::lost("Lost"),
    ])
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rollups_equal_a_recomputation_after_every_kind_of_deal_write() {
    let app = TestApp::spawn().await;
    let s = stage_ids(&sales().create(&app).await);
    let other = stage_ids(&PipelineBuilder::new("Renewals").create(&app).await);
    let mut deals = Vec::new();
    for (i, (amount, currency, close, own)) in [
        ("1000", "USD", Some("2026-01-15"), None),
        ("250.5", "USD", Some("2026-01-31"), Some("0.9")),
        ("2000", "EUR", Some("2026-03-01"), None),
        ("99.99", "EUR", None, Some("0.25")),
        ("0", "JPY", Some("2026-02-10"), None),
        ("5000", "USD", None, None),
    ]
    .into_iter()
    .enumerate()
    {
        let mut deal = DealBuilder::new(&format!("deal {i}"))
            .amount(amount)
            .currency(currency)
            .stage(&s[i % 3])
            .expected_close_date(close);
        if let Some(p) = own {
            deal = deal.close_probability(p);
        }
        deals.push(deal.create_id(&app).await);
    }
    assert_eq!(drift(&app).await, 0, "after the creates");
    let rollups = app.count("SELECT count(*) AS n FROM deal_rollups").await;
    assert!(rollups >= 5, "the creates were rolled up: {rollups} rows");

    const UPDATE: &str =
        "mutation($input: UpdateDealInput!) { updateDeal(input: $input) { deal { id } } }";
    const MOVE: &str =
        "mutation($input: MoveDealInput!) { moveDeal(input: $input) { deal { id } } }";
    run(
        &app,
        UPDATE,
        json!({"id": deals[0], "amount": "1500", "closeProbability": "0.3"}),
    )
    .await;
    run(
        &app,
        UPDATE,
        json!({"id": deals[1], "closeProbability": null, "expectedCloseDate": "2026-04-02"}),
    )
    .await;
    run(
        &app,
        UPDATE,
        json!({"id": deals[2], "currency": "USD", "title": "renamed"}),
    )
    .await;
    run(
        &app,
        UPDATE,
        json!({"id": deals[3], "title": "only the title"}),
    )
    .await;
    assert_eq!(drift(&app).await, 0, "after the updates");

    run(&app, MOVE, json!({"dealId": deals[0], "stageId": s[2]})).await;
    run(&app, MOVE, json!({"dealId": deals[1], "stageId": s[3]})).await; // won
    run(
        &app,
        MOVE,
        json!({"dealId": deals[2], "stageId": s[4], "lostReason": "budget"}),
    )
    .await;
    run(&app, MOVE, json!({"dealId": deals[3], "stageId": other[0]})).await; // another pipeline
    run(&app, MOVE, json!({"dealId": deals[2], "stageId": s[1]})).await; // reopened
    assert_eq!(drift(&app).await, 0, "after the moves");

    // Raw SQL writes go through the same triggers: a bulk update and a pinned win time.
    let mut conn = app.pool.get().await.unwrap();
    for statement in [
        "UPDATE deals SET amount = amount * 2, expected_close_date = expected_close_date + 40",
        "UPDATE deals SET won_at = '2026-02-28 23:30:00+00' WHERE won_at IS NOT NULL",
    ] {
        diesel::sql_query(statement)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    assert_eq!(drift(&app).await, 0, "after raw SQL updates");

    run(
        &app,
        "mutation($input: DeleteDealInput!) { deleteDeal(input: $input) { deal { id } } }",
        json!({"id": deals[4]}),
    )
    .await;
    run(
        &app,
        "mutation($input: DeleteStageInput!) { deleteStage(input: $input) { stage { id } } }",
        json!({"id": s[0], "moveDealsTo": s[2]}),
    )
    .await;
    assert_eq!(drift(&app).await, 0, "after deleting a deal and a stage");
    let orphans = app
        .count("SELECT count(*) AS n FROM deal_rollups r WHERE NOT EXISTS (SELECT 1 FROM stages s WHERE s.id = r.stage_id)")
        .await;
    assert_eq!(orphans, 0, "a deleted stage's rollups went with it");
}

async fn weighted(app: &TestApp, pipeline: &Value) -> Value {
    let query = "query($id: ID!) { pipelineSummary(pipelineId: $id) { totals { weighted } } }";
    let response = app.gql(query, json!({ "id": pipeline })).await;
    response.data()["pipelineSummary"]["totals"][0]["weighted"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stage_probability_change_reweights_the_summary_without_touching_a_deal() {
    let app = TestApp::spawn().await;
    let pipeline = sales().create(&app).await;
    let s = stage_ids(&pipeline);
    DealBuilder::new("follows its stage")
        .amount("1000")
        .stage(&s[1])
        .create(&app)
        .await;
    DealBuilder::new("has its own")
        .amount("1000")
        .stage(&s[1])
        .close_probability("0.2")
        .create(&app)
        .await;
    assert_eq!(weighted(&app, &pipeline["id"]).await, "700.00"); // 1000 × 0.5 + 1000 × 0.2
    run(
        &app,
        "mutation($input: UpdateStageInput!) { updateStage(input: $input) { stage { probability } } }",
        json!({"id": s[1], "probability": "0.9"}),
    )
    .await;
    assert_eq!(weighted(&app, &pipeline["id"]).await, "1100.00"); // 1000 × 0.9 + 1000 × 0.2
}

#[tokio::test(flavor = "multi_thread")]
async fn the_summary_and_the_forecast_read_the_rollups_not_the_deals() {
    #[derive(diesel::QueryableByName)]
    struct PlanLine {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let app = TestApp::spawn().await;
    let pipeline = sales().create(&app).await;
    let pipeline_id: uuid::Uuid = pipeline["id"].as_str().unwrap().parse().unwrap();
    let mut conn = app.pool.get().await.unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    for (name, sql) in [("summary", SUMMARY_SQL), ("forecast", FORECAST_SQL)] {
        let mut query = diesel::sql_query(format!("EXPLAIN {sql}"))
            .bind::<SqlUuid, _>(app.workspace_id)
            .bind::<SqlUuid, _>(pipeline_id)
            .into_boxed();
        if name == "forecast" {
            query = query.bind::<Date, _>(day).bind::<Date, _>(day);
        }
        let plan: Vec<PlanLine> = query.load(&mut conn).await.unwrap();
        let plan: Vec<String> = plan.into_iter().map(|p| p.line).collect();
        assert!(
            plan.iter().any(|l| l.contains("deal_rollups"))
                && !plan
                    .iter()
                    .any(|l| l.contains(" on deals") || l.contains("deals_")),
            "{name} reads the rollups only: {plan:#?}"
        );
    }
}
