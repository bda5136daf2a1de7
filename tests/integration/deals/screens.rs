//! The statements of the screens `bench/run.sh` measures, held independent of how many rows
//! they return: the deal page, the deal list and the board, with the workspace's pipelines
//! and stages already in memory and the key verified (the least of three runs, so a run that
//! opens a pooled connection or refills a cache does not count).

use serde_json::json;

use crate::support::builders::{
    stage_ids, CompanyBuilder, ContactBuilder, DealBuilder, PipelineBuilder, Stage,
};
use crate::support::TestApp;

const DEAL_PAGE: &str = "query($id: ID!) { deal(id: $id) { title amount stage { name } pipeline { name } contacts { role contactId } stageChanges(first: 20) { nodes { sequence fromStageName toStageName changedAt } } } }";
/// The board a sales team looks at all day: every stage of the pipeline with its first 50
/// deals, each with its company, its people and its tags.
const BOARD: &str = "{ pipelines { name isDefault stages { name deals(first: 50) { totalCount nodes { id title amount currency closeProbability isRotting weightedAmount company { name } tags { name } contacts { role contact { name email } } } } } } }";
const LIST: &str = "{ deals(first: 100, orderBy: {field: UPDATED_AT}) { nodes { id title amount closeProbability isRotting weightedAmount stage { name } pipeline { name } } } }";

fn quiet(config: &mut dealgraph::Config) {
    // No poll during the measurement: the listener's reads would count too.
    config.events.poll_interval = std::time::Duration::from_secs(3600);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_deal_page_costs_the_same_for_a_long_history() {
    let app = TestApp::spawn_with(quiet).await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let stages = stage_ids(&sales);
    let short = DealBuilder::new("Short").create_id(&app).await;
    let long = DealBuilder::new("Long").create_id(&app).await;
    for i in 0..6 {
        let contact = ContactBuilder::new(&format!("Person {i}"))
            .create_id(&app)
            .await;
        app.gql(
            "mutation($input: LinkDealContactInput!) { linkDealContact(input: $input) { dealContact { role } } }",
            json!({ "input": { "dealId": long, "contactId": contact, "role": "champion" } }),
        )
        .await
        .data();
    }
    for stage in stages.iter().skip(1).take(3).chain(stages.iter().take(1)) {
        app.gql(
            "mutation($d: ID!, $s: ID!) { moveDeal(input: {dealId: $d, stageId: $s}) { deal { id } } }",
            json!({ "d": long, "s": stage }),
        )
        .await
        .data();
    }
    let (few, _) = app.measured(DEAL_PAGE, json!({ "id": short })).await;
    let (many, data) = app.measured(DEAL_PAGE, json!({ "id": long })).await;
    assert_eq!(data["deal"]["contacts"].as_array().unwrap().len(), 6);
    assert_eq!(
        data["deal"]["stageChanges"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(few, many, "statements grew with the deal's history");
    println!("deal page: {many} SQL statements");
    // The deal with its contact links, then its history; stage and pipeline from memory.
    assert!(many <= 2, "{many} statements");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_deal_list_is_one_statement() {
    let app = TestApp::spawn_with(quiet).await;
    PipelineBuilder::new("Sales").create(&app).await;
    DealBuilder::new("First").create_id(&app).await;
    let (few, _) = app.measured(LIST, json!({})).await;
    for i in 0..30 {
        DealBuilder::new(&format!("Deal {i}")).create_id(&app).await;
    }
    let (many, data) = app.measured(LIST, json!({})).await;
    assert_eq!(data["deals"]["nodes"].as_array().unwrap().len(), 31);
    assert_eq!(few, many, "statements grew with the rows");
    assert_eq!(many, 1, "the page of deals only");
}

/// A deal in `stage` with `company`, `people` linked contacts (of that company) and `tag`.
async fn board_deal(app: &TestApp, stage: &str, company: &str, tag: &str, people: usize) {
    let deal = DealBuilder::new("Board deal")
        .stage(stage)
        .company(company)
        .create_id(app)
        .await;
    for i in 0..people {
        let contact = ContactBuilder::new(&format!("Person {i}"))
            .email(&format!("{i}-{deal}@example.com"))
            .company(company)
            .create_id(app)
            .await;
        app.gql(
            "mutation($input: LinkDealContactInput!) { linkDealContact(input: $input) { dealContact { role } } }",
            json!({ "input": { "dealId": deal, "contactId": contact, "role": "champion" } }),
        )
        .await
        .data();
    }
    app.gql(
        "mutation($d: ID!, $t: ID!) { tagDeal(input: {dealId: $d, tagId: $t}) { deal { id } } }",
        json!({ "d": deal, "t": tag }),
    )
    .await
    .data();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_board_costs_four_statements_however_full() {
    let app = TestApp::spawn_with(quiet).await;
    let sales = PipelineBuilder::new("Sales")
        .stages(
            (0..5)
                .map(|i| Stage::new(format!("Open {i}")))
                .chain([Stage::won("Won"), Stage::lost("Lost")]),
        )
        .create(&app)
        .await;
    let stages = stage_ids(&sales);
    let company = CompanyBuilder::new("Acme").create_id(&app).await;
    let tag = app
        .gql(
            "mutation { createDealTag(input: {name: \"hot\"}) { tag { id } } }",
            json!({}),
        )
        .await;
    let tag = tag.data()["createDealTag"]["tag"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    board_deal(&app, &stages[0], &company, &tag, 1).await;
    let (few, _) = app.measured(BOARD, json!({})).await;
    // Every stage but the LOST one (a deal there needs a reason).
    for stage in stages.iter().take(6) {
        for _ in 0..2 {
            board_deal(&app, stage, &company, &tag, 2).await;
        }
    }
    let (many, data) = app.measured(BOARD, json!({})).await;
    let columns = data["pipelines"][0]["stages"].as_array().unwrap();
    assert_eq!(columns.len(), 7);
    assert_eq!(columns[0]["deals"]["totalCount"], 3);
    let deal = &columns[1]["deals"]["nodes"][0];
    assert_eq!(deal["company"]["name"], "Acme");
    assert_eq!(deal["tags"][0]["name"], "hot");
    assert_eq!(deal["contacts"].as_array().unwrap().len(), 2);
    assert!(deal["contacts"][0]["contact"]["email"].is_string());
    assert_eq!(few, many, "statements grew with the rows");
    println!("board: {many} SQL statements");
    // The page of every stage with its totals, the tags, the people with their companies,
    // the deals' companies; pipelines and stages from memory.
    assert!(many <= 4, "{many} statements");

    // A write to anything but a pipeline or a stage keeps them in memory: the next board
    // costs what it did (refilling would cost two more; the events listener may read the
    // write's event meanwhile, one).
    ContactBuilder::new("Grace").create_id(&app).await;
    let before = app.statements.get();
    app.gql(BOARD, json!({})).await.data();
    let after_write = app.statements.get() - before;
    assert!(
        after_write <= many + 1,
        "{after_write} statements after an unrelated write"
    );
}

#[derive(diesel::QueryableByName, Debug)]
struct KeptStatement {
    #[diesel(sql_type = diesel::sql_types::Text)]
    statement: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    generic_plans: i64,
}

/// The screens' statements are prepared once per connection (not parsed on every request),
/// and the deal page's and the list's reuse their plan (not planned on every request, as a
/// `LIMIT $n` would be).
#[tokio::test(flavor = "multi_thread")]
async fn the_screens_statements_stay_prepared_and_reuse_their_plans() {
    use dealgraph::deals::model::{Deal, DealFilter, DealOrder, DealWindow, StageChange};
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    use uuid::Uuid;

    let app = TestApp::spawn_with(quiet).await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let stages: Vec<Uuid> = stage_ids(&sales)
        .iter()
        .map(|id| id.parse().unwrap())
        .collect();
    let deal: Uuid = DealBuilder::new("Kept")
        .create_id(&app)
        .await
        .parse()
        .unwrap();
    let ws = app.workspace_id;
    let window = DealWindow {
        order: DealOrder::default(),
        after: None,
        before: None,
        limit: 100,
        from_end: false,
    };
    let mut conn = AsyncPgConnection::establish(&app.database_url)
        .await
        .unwrap();
    // More runs than the five PostgreSQL plans for a prepared statement before it may
    // switch to a generic plan.
    let (filter, order, deals) = (DealFilter::default(), DealOrder::default(), [deal]);
    for _ in 0..8 {
        let page = Deal::page(&mut conn, ws, &filter, &window).await.unwrap();
        assert_eq!(page.len(), 1);
        let history = StageChange::newest_of_deals(&mut conn, ws, &deals, None, 21).await;
        assert_eq!(history.unwrap().len(), 1);
        let board = Deal::first_of_stages(&mut conn, ws, &stages, &order, None, 51).await;
        board.unwrap();
    }
    let kept: Vec<KeptStatement> =
        diesel::sql_query("SELECT statement, generic_plans FROM pg_prepared_statements")
            .load(&mut conn)
            .await
            .unwrap();
    let find = |fragment: &str| {
        kept.iter()
            .find(|k| k.statement.contains(fragment))
            .unwrap_or_else(|| panic!("no prepared statement with {fragment:?}: {kept:#?}"))
    };
    let list = find(r#"ORDER BY "deals"."updated_at" DESC"#);
    assert!(list.generic_plans > 0, "the list is planned every time");
    let history = find("FROM stage_changes");
    assert!(
        history.generic_plans > 0,
        "the history is planned every time"
    );
    // The board's stages come as an array, whose length only a custom plan knows: kept
    // prepared (parsed once), planned per run.
    find("FROM unnest($1::uuid[]) AS s(id)");
}
