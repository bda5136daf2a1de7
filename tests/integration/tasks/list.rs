//! Follow-ups, the filtered task list, and each record's tasks and next task, read in a
//! number of statements that does not grow with the rows.

use serde_json::{json, Value};

use super::follow_up_query;
use crate::support::builders::{DealBuilder, LeadBuilder, PipelineBuilder, TaskBuilder};
use crate::support::TestApp;

const TASKS: &str = "query($filter: TaskFilter, $first: Int, $after: String) {
    tasks(filter: $filter, first: $first, after: $after) {
        totalCount nodes { title } pageInfo { hasNextPage endCursor } } }";

async fn titles(app: &TestApp, filter: Value) -> Vec<String> {
    let response = app.gql(TASKS, json!({ "filter": filter })).await;
    let list = &response.data()["tasks"];
    let titles: Vec<String> = list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(list["totalCount"], titles.len() as i64, "{filter}");
    titles
}

#[tokio::test(flavor = "multi_thread")]
async fn follow_ups_filters_and_each_records_tasks() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Acme renewal").create_id(&app).await;
    let lead = LeadBuilder::new("Priya").create(&app).await["id"].clone();

    let follow_up = app
        .gql(
            &follow_up_query(),
            json!({ "input": { "leadId": lead, "dueAt": "2020-01-01T09:00:00Z", "assignee": "user-7", "notes": "ask about budget" } }),
        )
        .await;
    let follow_up = &follow_up.data()["followUp"]["task"];
    assert_eq!(follow_up["title"], "Follow up");
    assert_eq!(follow_up["leadId"], lead);
    assert_eq!(follow_up["isOverdue"], true);

    TaskBuilder::new("Send proposal")
        .deal(&deal)
        .due_date("2099-01-10")
        .assignee("user-7")
        .create(&app)
        .await;
    TaskBuilder::new("Book demo")
        .deal(&deal)
        .due_at("2099-01-05T09:00:00Z")
        .create(&app)
        .await;
    TaskBuilder::new("Old and done")
        .deal(&deal)
        .due_at("2020-06-01T09:00:00Z")
        .status("DONE")
        .create(&app)
        .await;
    TaskBuilder::new("Someday").deal(&deal).create(&app).await;

    let all = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // Soonest due first, undated last.
    assert_eq!(
        titles(&app, json!({})).await,
        all(&[
            "Follow up",
            "Old and done",
            "Book demo",
            "Send proposal",
            "Someday"
        ])
    );
    assert_eq!(
        titles(&app, json!({ "overdue": true })).await,
        all(&["Follow up"])
    );
    assert_eq!(
        titles(&app, json!({ "assignee": "user-7" })).await,
        all(&["Follow up", "Send proposal"])
    );
    assert_eq!(
        titles(&app, json!({ "status": "DONE" })).await,
        all(&["Old and done"])
    );
    assert_eq!(
        titles(&app, json!({ "dueAfter": "2099-01-01T00:00:00Z" })).await,
        all(&["Book demo", "Send proposal"])
    );
    assert_eq!(
        titles(
            &app,
            json!({ "dueBefore": "2099-01-06T00:00:00Z", "dealId": deal })
        )
        .await,
        all(&["Old and done", "Book demo"])
    );
    assert_eq!(
        titles(&app, json!({ "leadId": lead })).await,
        all(&["Follow up"])
    );

    let records = app
        .gql(
            "query($d: ID!, $l: ID!) {
                deal(id: $d) { nextTask { title } tasks(first: 2) { totalCount nodes { title } pageInfo { hasNextPage endCursor } } }
                lead(id: $l) { tasks { nodes { title isOverdue } } } }",
            json!({ "d": deal, "l": lead }),
        )
        .await;
    let data = records.data();
    // The done one is not next, however early it was due.
    assert_eq!(data["deal"]["nextTask"]["title"], "Book demo");
    assert_eq!(data["deal"]["tasks"]["totalCount"], 4);
    assert_eq!(
        data["deal"]["tasks"]["nodes"],
        json!([{ "title": "Old and done" }, { "title": "Book demo" }])
    );
    assert_eq!(
        data["lead"]["tasks"]["nodes"],
        json!([{ "title": "Follow up", "isOverdue": true }])
    );
    let rest = app
        .gql(
            "query($d: ID!, $after: String) { deal(id: $d) { tasks(after: $after) { nodes { title } } } }",
            json!({ "d": deal, "after": data["deal"]["tasks"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(
        rest.data()["deal"]["tasks"]["nodes"],
        json!([{ "title": "Send proposal" }, { "title": "Someday" }])
    );
}

const DEALS_WITH_TASKS: &str = "{ deals(first: 100) { nodes { title
    nextTask { title } tasks(first: 5) { totalCount nodes { title } } } } }";

#[tokio::test(flavor = "multi_thread")]
async fn deals_with_their_tasks_cost_the_same_statements_for_few_or_many() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("First").create_id(&app).await;
    TaskBuilder::new("t").deal(&deal).create(&app).await;
    // Once untimed: a pooled connection's first use runs setup statements of its own.
    statements(&app).await;
    let few = statements(&app).await;
    for i in 0..8 {
        let deal = DealBuilder::new(&format!("Deal {i}")).create_id(&app).await;
        for j in 0..3 {
            TaskBuilder::new(&format!("t{j}"))
                .deal(&deal)
                .due_at(&format!("2099-01-0{}T09:00:00Z", j + 1))
                .create(&app)
                .await;
        }
    }
    let many = statements(&app).await;
    println!("deals with nextTask and tasks: {few} statements for 1 deal, {many} for 9");
    assert_eq!(few, many);
}

async fn statements(app: &TestApp) -> u64 {
    app.statements_of(DEALS_WITH_TASKS, json!({})).await
}
