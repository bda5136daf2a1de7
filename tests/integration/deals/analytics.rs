//! Pipeline analytics: summary, forecast, stage velocity and win rate, through the GraphQL
//! API on a real database, and proof that the figures are aggregated by PostgreSQL.

use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

use crate::support::builders::{stage_ids, DealBuilder, PipelineBuilder, Stage};
use crate::support::{GqlResponse, TestApp};

const TOTALS: &str = "currency dealCount total weighted";

fn summary_query() -> String {
    format!(
        "query($id: ID!) {{ pipelineSummary(pipelineId: $id) {{ pipeline {{ id }} dealCount totals {{ {TOTALS} }} byStatus {{ status dealCount totals {{ {TOTALS} }} }} stages {{ stage {{ id name }} dealCount totals {{ {TOTALS} }} }} }} }}"
    )
}

fn forecast_query() -> String {
    format!(
        "query($id: ID!, $from: NaiveDate!, $to: NaiveDate!) {{ forecast(pipelineId: $id, from: $from, to: $to) {{ from to months {{ month open {{ {TOTALS} }} won {{ {TOTALS} }} }} }} }}"
    )
}

const VELOCITY: &str = "query($id: ID!, $from: DateTime!, $to: DateTime!) { stageVelocity(pipelineId: $id, from: $from, to: $to) { pipeline { id } stages { stage { name } dealsEntered visits completedVisits averageSeconds medianSeconds advanced nextStageConversion won wonConversion } } }";

fn win_rate_query() -> String {
    format!(
        "query($id: ID!, $from: DateTime!, $to: DateTime!) {{ winRate(pipelineId: $id, from: $from, to: $to) {{ closed won lost rate wonValue {{ {TOTALS} }} }} }}"
    )
}

fn total(currency: &str, count: i64, total: &str, weighted: &str) -> Value {
    json!({ "currency": currency, "dealCount": count, "total": total, "weighted": weighted })
}

async fn move_to(app: &TestApp, deal: &str, stage: &str) {
    let response = app
        .gql(
            "mutation($input: MoveDealInput!) { moveDeal(input: $input) { deal { id } } }",
            json!({ "input": { "dealId": deal, "stageId": stage, "lostReason": "no budget" } }),
        )
        .await;
    response.data();
}

async fn win(app: &TestApp, deal: &str) {
    app.gql(
        "mutation($id: ID!) { winDeal(input: {dealId: $id}) { deal { status } } }",
        json!({ "id": deal }),
    )
    .await
    .data();
}

async fn lose(app: &TestApp, deal: &str) {
    app.gql(
        "mutation($id: ID!) { loseDeal(input: {dealId: $id, reason: \"budget\"}) { deal { status } } }",
        json!({ "id": deal }),
    )
    .await
    .data();
}

async fn sql(app: &TestApp, statement: &str) {
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query(statement)
        .execute(&mut conn)
        .await
        .unwrap();
}

/// Pins when a deal was won or lost, so time ranges are deterministic.
async fn set_closed_at(app: &TestApp, deal: &str, column: &str, at: &str) {
    sql(
        app,
        &format!("UPDATE deals SET {column} = '{at}' WHERE id = '{deal}'"),
    )
    .await;
}

/// A pipeline A → B → C → Won, Lost.
fn velocity_pipeline() -> PipelineBuilder {
    PipelineBuilder::new("Velocity").stages([
        Stage::new("A").probability("0.1"),
        Stage::new("B").probability("0.3"),
        Stage::new("C").probability("0.6"),
        Stage::won("Won"),
        Stage::lost("Lost"),
    ])
}

/// Sets the times of a deal's stage changes: `offsets[i]` hours after `base` for sequence i+1.
async fn set_history(app: &TestApp, deal: &str, base: &str, offsets_hours: &[i64]) {
    for (i, hours) in offsets_hours.iter().enumerate() {
        sql(
            app,
            &format!(
                "UPDATE stage_changes SET changed_at = '{base}'::timestamptz + interval '{hours} hours' WHERE deal_id = '{deal}' AND sequence = {}",
                i + 1
            ),
        )
        .await;
    }
    let changes = app
        .count(&format!(
            "SELECT count(*) AS n FROM stage_changes WHERE deal_id = '{deal}'"
        ))
        .await;
    assert_eq!(changes, offsets_hours.len() as i64, "one offset per change");
}

#[tokio::test(flavor = "multi_thread")]
async fn summary_totals_are_per_currency_weighted_and_split_by_status_and_stage() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let partners = PipelineBuilder::new("Partners").create(&app).await;
    let s = stage_ids(&sales);
    // Lead in 0.1, Qualified 0.25, Proposal 0.5, Negotiation 0.75, Won 1, Lost 0.
    DealBuilder::new("follows its stage")
        .amount("1000")
        .currency("USD")
        .stage(&s[0])
        .create(&app)
        .await;
    DealBuilder::new("own probability")
        .amount("500")
        .currency("USD")
        .stage(&s[2])
        .close_probability("0.9")
        .create(&app)
        .await;
    DealBuilder::new("euro")
        .amount("2000")
        .currency("EUR")
        .stage(&s[2])
        .create(&app)
        .await;
    DealBuilder::new("yen")
        .amount("5000")
        .currency("JPY")
        .stage(&s[3])
        .create(&app)
        .await;
    let won = DealBuilder::new("won")
        .amount("300")
        .currency("EUR")
        .stage(&s[0])
        .create_id(&app)
        .await;
    win(&app, &won).await;
    let lost = DealBuilder::new("lost")
        .amount("250")
        .currency("USD")
        .stage(&s[1])
        .create_id(&app)
        .await;
    lose(&app, &lost).await;
    // Neither another pipeline's deals nor another workspace's count.
    DealBuilder::new("partner")
        .amount("999")
        .currency("USD")
        .stage(&stage_ids(&partners)[0])
        .create(&app)
        .await;
    let (_, other_key) = app.other_workspace().await;
    let theirs = PipelineBuilder::new("Sales")
        .with_key(&other_key)
        .create(&app)
        .await;
    DealBuilder::new("theirs")
        .amount("777")
        .currency("USD")
        .stage(&stage_ids(&theirs)[0])
        .with_key(&other_key)
        .create(&app)
        .await;

    let response = app
        .gql(&summary_query(), json!({ "id": sales["id"] }))
        .await;
    let summary = &response.data()["pipelineSummary"];
    assert_eq!(summary["pipeline"]["id"], sales["id"]);
    assert_eq!(summary["dealCount"], 6);
    assert_eq!(
        summary["totals"],
        json!([
            total("EUR", 2, "2300.00", "1300.00"),
            total("JPY", 1, "5000", "3750"),
            total("USD", 3, "1750.00", "550.00"),
        ]),
        "never mixed across currencies; the deal's own 0.9 beats its stage's 0.5"
    );
    assert_eq!(
        summary["byStatus"],
        json!([
            { "status": "OPEN", "dealCount": 4, "totals": [
                total("EUR", 1, "2000.00", "1000.00"),
                total("JPY", 1, "5000", "3750"),
                total("USD", 2, "1500.00", "550.00"),
            ] },
            { "status": "WON", "dealCount": 1, "totals": [total("EUR", 1, "300.00", "300.00")] },
            { "status": "LOST", "dealCount": 1, "totals": [total("USD", 1, "250.00", "0.00")] },
        ])
    );
    let stages: Vec<Value> = summary["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| json!([row["stage"]["name"], row["dealCount"], row["totals"]]))
        .collect();
    assert_eq!(
        stages,
        vec![
            json!(["Lead in", 1, [total("USD", 1, "1000.00", "100.00")]]),
            json!(["Qualified", 0, []]),
            json!([
                "Proposal",
                2,
                [
                    total("EUR", 1, "2000.00", "1000.00"),
                    total("USD", 1, "500.00", "450.00")
                ]
            ]),
            json!(["Negotiation", 1, [total("JPY", 1, "5000", "3750")]]),
            json!(["Won", 1, [total("EUR", 1, "300.00", "300.00")]]),
            json!(["Lost", 1, [total("USD", 1, "250.00", "0.00")]]),
        ],
        "every stage in order, empty ones included"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn weighted_sums_are_rounded_once_to_the_currencys_decimals() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let s = stage_ids(&sales);
    // 3 × 0.01 × 0.5 = 0.015: per-deal rounding would give 0.00 + 0.00 + 0.00 (half-even on
    // 0.005), summing first and rounding once gives 0.02.
    for _ in 0..3 {
        DealBuilder::new("cent")
            .amount("0.01")
            .currency("USD")
            .stage(&s[2])
            .create(&app)
            .await;
    }
    let response = app
        .gql(&summary_query(), json!({ "id": sales["id"] }))
        .await;
    assert_eq!(
        response.data()["pipelineSummary"]["totals"],
        json!([total("USD", 3, "0.03", "0.02")])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_pipeline_has_zero_counts_and_no_currencies() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let response = app
        .gql(&summary_query(), json!({ "id": sales["id"] }))
        .await;
    let summary = &response.data()["pipelineSummary"];
    assert_eq!(summary["dealCount"], 0);
    assert_eq!(summary["totals"], json!([]));
    assert_eq!(
        summary["byStatus"][0],
        json!({ "status": "OPEN", "dealCount": 0, "totals": [] })
    );
    assert_eq!(summary["stages"].as_array().unwrap().len(), 6);
    assert!(summary["stages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["dealCount"] == 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn forecast_lists_every_month_with_open_value_by_close_month_and_won_value_by_win_month() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let s = stage_ids(&sales);
    let deal = |title: &str, amount: &str, currency: &str, stage: &str, close: Option<&str>| {
        DealBuilder::new(title)
            .amount(amount)
            .currency(currency)
            .stage(stage)
            .expected_close_date(close)
    };
    deal("jan", "1000", "USD", &s[0], Some("2026-01-15"))
        .create(&app)
        .await;
    deal("jan end", "500", "USD", &s[2], Some("2026-01-31"))
        .close_probability("0.9")
        .create(&app)
        .await;
    deal("mar", "2000", "EUR", &s[2], Some("2026-03-01"))
        .create(&app)
        .await;
    deal(
        "before from, same month",
        "1",
        "USD",
        &s[0],
        Some("2025-12-05"),
    )
    .create(&app)
    .await;
    deal("after to", "700", "USD", &s[0], Some("2026-05-01"))
        .create(&app)
        .await;
    deal("no date", "800", "USD", &s[0], None)
        .create(&app)
        .await;
    let lost = deal("lost", "300", "USD", &s[0], Some("2026-02-10"))
        .create_id(&app)
        .await;
    lose(&app, &lost).await;
    let won_feb = deal("won feb", "400", "EUR", &s[0], Some("2026-02-10"))
        .create_id(&app)
        .await;
    win(&app, &won_feb).await;
    set_closed_at(&app, &won_feb, "won_at", "2026-02-20T10:00:00Z").await;
    let won_apr = deal("won on the last day", "250", "USD", &s[0], None)
        .create_id(&app)
        .await;
    win(&app, &won_apr).await;
    set_closed_at(&app, &won_apr, "won_at", "2026-04-30T23:30:00Z").await;
    let won_may = deal("won after to", "100", "USD", &s[0], None)
        .create_id(&app)
        .await;
    win(&app, &won_may).await;
    set_closed_at(&app, &won_may, "won_at", "2026-05-01T00:00:00Z").await;

    let response = app
        .gql(
            &forecast_query(),
            json!({ "id": sales["id"], "from": "2025-12-10", "to": "2026-04-30" }),
        )
        .await;
    let forecast = &response.data()["forecast"];
    assert_eq!(forecast["from"], "2025-12-10");
    assert_eq!(
        forecast["months"],
        json!([
            { "month": "2025-12-01", "open": [], "won": [] },
            { "month": "2026-01-01", "open": [total("USD", 2, "1500.00", "550.00")], "won": [] },
            { "month": "2026-02-01", "open": [], "won": [total("EUR", 1, "400.00", "400.00")] },
            { "month": "2026-03-01", "open": [total("EUR", 1, "2000.00", "1000.00")], "won": [] },
            { "month": "2026-04-01", "open": [], "won": [total("USD", 1, "250.00", "250.00")] },
        ])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn forecast_ranges_must_run_forwards_and_span_at_most_ten_years() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    for (from, to) in [("2026-02-01", "2026-01-31"), ("2026-01-15", "2036-01-16")] {
        let response = app
            .gql(
                &forecast_query(),
                json!({ "id": sales["id"], "from": from, "to": to }),
            )
            .await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT", "{from}..{to}");
        assert_eq!(response.body["errors"][0]["extensions"]["field"], "to");
    }
    let widest = app
        .gql(
            &forecast_query(),
            json!({ "id": sales["id"], "from": "2026-01-15", "to": "2036-01-15" }),
        )
        .await;
    assert_eq!(
        widest.data()["forecast"]["months"]
            .as_array()
            .unwrap()
            .len(),
        121
    );
    let one_day = app
        .gql(
            &forecast_query(),
            json!({ "id": sales["id"], "from": "2026-07-04", "to": "2026-07-04" }),
        )
        .await;
    assert_eq!(
        one_day.data()["forecast"]["months"],
        json!([{ "month": "2026-07-01", "open": [], "won": [] }])
    );
}

/// The scenario (hours after T0 = 2026-03-01T00:00Z; stages A0 B1 C2 Won3 Lost4):
///
/// - d1: A@0 → B@1 → C@3 → Won@6
/// - d2: A@1 → B@5 → Lost@6
/// - d3: A@2 → C@4 → A@7 → B@8 (skips B, goes back to A, still in B)
/// - d4: A@3 (still in A)
/// - d5: A@-240 → B@-216 (before the period)
async fn velocity_scenario(app: &TestApp) -> Value {
    let pipeline = velocity_pipeline().create(app).await;
    let (pipeline_id, s) = (pipeline["id"].clone(), stage_ids(&pipeline));
    let base = "2026-03-01T00:00:00Z";
    let new = |title: &str| {
        DealBuilder::new(title)
            .amount("100")
            .currency("USD")
            .stage(&s[0])
    };
    let d1 = new("d1").create_id(app).await;
    move_to(app, &d1, &s[1]).await;
    move_to(app, &d1, &s[2]).await;
    win(app, &d1).await;
    set_history(app, &d1, base, &[0, 1, 3, 6]).await;
    let d2 = new("d2").create_id(app).await;
    move_to(app, &d2, &s[1]).await;
    lose(app, &d2).await;
    set_history(app, &d2, base, &[1, 5, 6]).await;
    let d3 = new("d3").create_id(app).await;
    move_to(app, &d3, &s[2]).await;
    move_to(app, &d3, &s[0]).await;
    move_to(app, &d3, &s[1]).await;
    set_history(app, &d3, base, &[2, 4, 7, 8]).await;
    let d4 = new("d4").create_id(app).await;
    set_history(app, &d4, base, &[3]).await;
    let d5 = new("d5").create_id(app).await;
    move_to(app, &d5, &s[1]).await;
    set_history(app, &d5, base, &[-240, -216]).await;
    pipeline_id
}

fn velocity_rows(response: &GqlResponse) -> Vec<Value> {
    response.data()["stageVelocity"]["stages"]
        .as_array()
        .unwrap()
        .clone()
}

/// A `StageVelocity` row: `[dealsEntered, visits, completedVisits]`, `[average, median]`,
/// `(advanced, nextStageConversion)`, `(won, wonConversion)`.
fn velocity(
    name: &str,
    [entered, visits, completed]: [i64; 3],
    [average, median]: [Option<i64>; 2],
    (advanced, next): (i64, Option<&str>),
    (won, won_rate): (i64, Option<&str>),
) -> Value {
    json!({
        "stage": { "name": name },
        "dealsEntered": entered,
        "visits": visits,
        "completedVisits": completed,
        "averageSeconds": average,
        "medianSeconds": median,
        "advanced": advanced,
        "nextStageConversion": next,
        "won": won,
        "wonConversion": won_rate,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn stage_velocity_counts_entries_times_visits_and_converts_from_the_history() {
    let app = TestApp::spawn().await;
    let pipeline_id = velocity_scenario(&app).await;
    let response = app
        .gql(
            VELOCITY,
            json!({ "id": pipeline_id, "from": "2026-03-01T00:00:00Z", "to": "2026-03-02T00:00:00Z" }),
        )
        .await;
    let rows = velocity_rows(&response);
    // A: visits 1h (d1), 4h (d2), 2h and 1h (d3), d4 still there; d1, d2, d3 went on.
    // B: 2h (d1), 1h (d2), d3 still there; only d1 went further (d2 was lost).
    // C: 3h (d1), 3h (d3); d1 won, d3 went back to A and B (lower positions).
    assert_eq!(
        rows,
        vec![
            velocity(
                "A",
                [4, 5, 4],
                [Some(7200), Some(5400)],
                (3, Some("0.75")),
                (1, Some("0.25"))
            ),
            velocity(
                "B",
                [3, 3, 2],
                [Some(5400), Some(5400)],
                (1, Some("0.3333")),
                (1, Some("0.3333"))
            ),
            velocity(
                "C",
                [2, 2, 2],
                [Some(10800), Some(10800)],
                (1, Some("0.5")),
                (1, Some("0.5"))
            ),
            velocity(
                "Won",
                [1, 1, 0],
                [None, None],
                (0, Some("0")),
                (1, Some("1"))
            ),
            velocity(
                "Lost",
                [1, 1, 0],
                [None, None],
                (0, Some("0")),
                (0, Some("0"))
            ),
        ]
    );

    // From hour 5 on, only the later entries count, and each deal's first entry in the
    // period is where its conversion is measured from: d3 re-entered A at 7 and then
    // reached B. Durations still run to the next change, wherever it falls.
    let later = app
        .gql(
            VELOCITY,
            json!({ "id": pipeline_id, "from": "2026-03-01T05:00:00Z", "to": "2026-03-01T08:00:00Z" }),
        )
        .await;
    assert_eq!(
        velocity_rows(&later),
        vec![
            velocity(
                "A",
                [1, 1, 1],
                [Some(3600), Some(3600)],
                (1, Some("1")),
                (0, Some("0"))
            ),
            velocity(
                "B",
                [1, 1, 1],
                [Some(3600), Some(3600)],
                (0, Some("0")),
                (0, Some("0"))
            ),
            velocity("C", [0, 0, 0], [None, None], (0, None), (0, None)),
            velocity(
                "Won",
                [1, 1, 0],
                [None, None],
                (0, Some("0")),
                (1, Some("1"))
            ),
            velocity(
                "Lost",
                [1, 1, 0],
                [None, None],
                (0, Some("0")),
                (0, Some("0"))
            ),
        ],
        "[from, to) excludes d3's entry into B at exactly `to`"
    );

    let backwards = app
        .gql(
            VELOCITY,
            json!({ "id": pipeline_id, "from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(backwards.error_code(), "BAD_USER_INPUT");
    assert_eq!(backwards.body["errors"][0]["extensions"]["field"], "to");
}

#[tokio::test(flavor = "multi_thread")]
async fn win_rate_counts_deals_closed_in_the_period() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let s = stage_ids(&sales);
    let closed = [
        ("won", "1000", "USD", "won_at", "2026-02-10T12:00:00Z"),
        ("won", "500", "EUR", "won_at", "2026-02-28T23:59:59Z"),
        ("won", "200.50", "USD", "won_at", "2026-03-01T00:00:00Z"),
        ("lost", "300", "USD", "lost_at", "2026-02-15T08:00:00Z"),
        ("lost", "50", "USD", "lost_at", "2026-01-31T23:59:59Z"),
    ];
    for (outcome, amount, currency, column, at) in closed {
        let id = DealBuilder::new(outcome)
            .amount(amount)
            .currency(currency)
            .stage(&s[1])
            .create_id(&app)
            .await;
        if outcome == "won" {
            win(&app, &id).await;
        } else {
            lose(&app, &id).await;
        }
        set_closed_at(&app, &id, column, at).await;
    }
    DealBuilder::new("open")
        .amount("10")
        .stage(&s[1])
        .create(&app)
        .await;

    let response = app
        .gql(
            &win_rate_query(),
            json!({ "id": sales["id"], "from": "2026-02-01T00:00:00Z", "to": "2026-03-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(
        response.data()["winRate"],
        json!({
            "closed": 3,
            "won": 2,
            "lost": 1,
            "rate": "0.6667",
            "wonValue": [total("EUR", 1, "500.00", "500.00"), total("USD", 1, "1000.00", "1000.00")],
        })
    );

    let nothing = app
        .gql(
            &win_rate_query(),
            json!({ "id": sales["id"], "from": "2020-01-01T00:00:00Z", "to": "2020-02-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(
        nothing.data()["winRate"],
        json!({ "closed": 0, "won": 0, "lost": 0, "rate": null, "wonValue": [] })
    );

    let backwards = app
        .gql(
            &win_rate_query(),
            json!({ "id": sales["id"], "from": "2026-03-01T00:00:00Z", "to": "2026-02-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(backwards.error_code(), "BAD_USER_INPUT");
    assert_eq!(backwards.body["errors"][0]["extensions"]["field"], "to");
}

/// Every analytics field, with variables for a pipeline id.
fn all_fields() -> Vec<(String, Value)> {
    let period = json!({ "from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z" });
    vec![
        (summary_query(), json!({})),
        (
            forecast_query(),
            json!({ "from": "2026-01-01", "to": "2026-12-31" }),
        ),
        (VELOCITY.to_owned(), period.clone()),
        (win_rate_query(), period),
    ]
}

fn with_id(variables: &Value, id: &Value) -> Value {
    let mut variables = variables.clone();
    variables["id"] = id.clone();
    variables
}

#[tokio::test(flavor = "multi_thread")]
async fn another_workspaces_pipeline_is_not_found_and_a_read_key_can_read() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let (_, other_key) = app.other_workspace().await;
    let theirs = PipelineBuilder::new("Theirs")
        .with_key(&other_key)
        .create(&app)
        .await;
    let reader = app.key_with(&[dealgraph::auth::Scope::CrmRead]).await;
    for (query, variables) in all_fields() {
        let foreign = app.gql(&query, with_id(&variables, &theirs["id"])).await;
        assert_eq!(foreign.error_code(), "NOT_FOUND", "{query}");
        let missing = app
            .gql(
                &query,
                with_id(&variables, &json!(uuid::Uuid::now_v7().to_string())),
            )
            .await;
        assert_eq!(missing.error_code(), "NOT_FOUND", "{query}");
        let malformed = app.gql(&query, with_id(&variables, &json!("nope"))).await;
        assert_eq!(malformed.error_code(), "BAD_USER_INPUT", "{query}");
        assert_eq!(
            malformed.body["errors"][0]["extensions"]["field"],
            "pipelineId"
        );
        let read = app
            .gql_as(&reader, &query, with_id(&variables, &sales["id"]))
            .await;
        read.data();
        // The owner of the other pipeline can read it.
        app.gql_as(&other_key, &query, with_id(&variables, &theirs["id"]))
            .await
            .data();
    }
}

/// Runs `query` through the library's schema on a pool that counts statements, and returns
/// how many statements it ran. Independent of the HTTP test harness on purpose.
async fn statements_of(
    schema: &dealgraph::graphql::DealgraphSchema,
    pool: &dealgraph::db::DbPool,
    counter: &dealgraph::db::StatementCounter,
    actor: &dealgraph::auth::Actor,
    query: &str,
    variables: Value,
) -> u64 {
    let request = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables));
    let request = dealgraph::graphql::with_request_data(request, pool, actor.clone(), true);
    let before = counter.get();
    let response = schema.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    counter.get() - before
}

#[tokio::test(flavor = "multi_thread")]
async fn each_field_runs_the_same_few_statements_however_many_deals_there_are() {
    let app = TestApp::spawn().await;
    let pipeline = velocity_pipeline().create(&app).await;
    let (pipeline_id, s) = (pipeline["id"].clone(), stage_ids(&pipeline));
    let counter = dealgraph::db::StatementCounter::default();
    // One connection, so every statement of a request is counted on the same warm connection.
    let pool = dealgraph::db::pool_counting(&app.database_url, 1, counter.clone()).unwrap();
    // Queries need only the pool, so the data-free schema builder plus the pool will do.
    let schema = dealgraph::graphql::schema_builder(dealgraph::graphql::SchemaSettings {
        production: false,
    })
    .data(pool.clone())
    .finish();
    let actor = dealgraph::auth::Actor {
        workspace_id: app.workspace_id,
        key_id: uuid::Uuid::nil(),
        scopes: vec![dealgraph::auth::Scope::CrmRead],
        request_id: None,
        channel: dealgraph::audit::Channel::Graphql,
    };
    let add_deals = |n: usize| {
        let app = &app;
        let s = &s;
        async move {
            for i in 0..n {
                let currency = ["USD", "EUR", "JPY"][i % 3];
                let id = DealBuilder::new(&format!("deal {i}"))
                    .amount("100")
                    .currency(currency)
                    .stage(&s[0])
                    .expected_close_date("2026-06-15")
                    .create_id(app)
                    .await;
                move_to(app, &id, &s[1 + i % 2]).await;
                if i % 4 == 0 {
                    win(app, &id).await;
                }
            }
        }
    };
    let now = chrono::Utc::now();
    let period = json!({ "from": (now - chrono::Duration::days(1)).to_rfc3339(), "to": (now + chrono::Duration::days(1)).to_rfc3339() });
    let mut fields = all_fields();
    fields[2].1 = period.clone();
    fields[3].1 = period;

    add_deals(2).await;
    let mut few = Vec::new();
    for (query, variables) in &fields {
        // The first run warms the connection up; the second is the one measured.
        statements_of(
            &schema,
            &pool,
            &counter,
            &actor,
            query,
            with_id(variables, &pipeline_id),
        )
        .await;
        few.push(
            statements_of(
                &schema,
                &pool,
                &counter,
                &actor,
                query,
                with_id(variables, &pipeline_id),
            )
            .await,
        );
    }
    add_deals(24).await;
    let mut many = Vec::new();
    for (query, variables) in &fields {
        many.push(
            statements_of(
                &schema,
                &pool,
                &counter,
                &actor,
                query,
                with_id(variables, &pipeline_id),
            )
            .await,
        );
    }
    assert_eq!(
        few, many,
        "statements per field must not grow with the deals"
    );
    assert!(
        many.iter().all(|&n| (1..=6).contains(&n)),
        "a handful of statements per field: {many:?}"
    );
    // The summary really sums in the database: its stage rows show all 26 deals.
    let response = app
        .gql(&summary_query(), json!({ "id": pipeline_id }))
        .await;
    assert_eq!(response.data()["pipelineSummary"]["dealCount"], 26);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_summary_is_one_aggregate_statement() {
    #[derive(diesel::QueryableByName)]
    struct PlanLine {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let pipeline_id: uuid::Uuid = sales["id"].as_str().unwrap().parse().unwrap();
    let mut conn = app.pool.get().await.unwrap();
    let plan: Vec<PlanLine> = diesel::sql_query(format!(
        "EXPLAIN {}",
        dealgraph::deals::model::analytics::SUMMARY_SQL
    ))
    .bind::<diesel::sql_types::Uuid, _>(app.workspace_id)
    .bind::<diesel::sql_types::Uuid, _>(pipeline_id)
    .load(&mut conn)
    .await
    .unwrap();
    let plan: Vec<String> = plan.into_iter().map(|p| p.line).collect();
    let aggregates = plan.iter().filter(|l| l.contains("Aggregate")).count();
    assert_eq!(
        aggregates, 1,
        "one aggregate node over the deals: {plan:#?}"
    );
    assert!(
        plan.iter().any(|l| l.contains("Group Key")),
        "grouped by the grouping sets: {plan:#?}"
    );
    assert!(
        !plan.iter().any(|l| l.contains("SubPlan")),
        "no per-row subqueries: {plan:#?}"
    );
}
