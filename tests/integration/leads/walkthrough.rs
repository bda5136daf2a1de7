//! The README's walk-through "a lead, its conversion, a follow-up task, a logged call, the
//! timeline", step by step with the README's own queries.

use serde_json::{json, Value};

use crate::support::TestApp;

/// The `query` and `variables` of one `gql '…'` line of the README's walk-through, with the
/// placeholders it names replaced.
fn readme_step(marker: &str, ids: &[(&str, &Value)]) -> (String, Value) {
    let readme = include_str!("../../../README.md");
    let section = readme
        .split("## Walk-through: a lead, its conversion")
        .nth(1)
        .expect("the walk-through section");
    let line = section
        .lines()
        .find(|line| line.starts_with("gql '") && line.contains(marker))
        .unwrap_or_else(|| panic!("no step with {marker}"));
    let mut body = line["gql '".len()..line.len() - 1].to_owned();
    for (placeholder, id) in ids {
        body = body.replace(placeholder, id.as_str().expect("an id"));
    }
    let body: Value = serde_json::from_str(&body).expect("the step is JSON");
    (
        body["query"].as_str().expect("query").to_owned(),
        body.get("variables").cloned().unwrap_or(json!({})),
    )
}

async fn step(app: &TestApp, marker: &str, ids: &[(&str, &Value)]) -> Value {
    let (query, variables) = readme_step(marker, ids);
    app.gql(&query, variables).await.data().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_readme_lead_walk_through_works_as_written() {
    let app = TestApp::spawn().await;
    app.gql(
        r#"mutation { createPipeline(input: {name: "Sales"}) { pipeline { id } } }"#,
        json!({}),
    )
    .await
    .data();

    let lead = step(&app, "createLead", &[]).await;
    let lead_id = lead["createLead"]["lead"]["id"].clone();
    assert_eq!(lead["createLead"]["lead"]["status"], "NEW");

    let converted = step(&app, "convertLead", &[("LEAD_ID", &lead_id)]).await;
    let c = &converted["convertLead"];
    assert_eq!(c["lead"]["status"], "CONVERTED");
    assert_eq!(c["contact"]["lifecycleStage"], "OPPORTUNITY");
    assert_eq!(c["company"]["domain"], "northstar.example");
    assert_eq!(c["deal"]["stage"]["name"], "Proposal");
    let deal_id = c["deal"]["id"].clone();
    let contact_id = c["contact"]["id"].clone();

    let task = step(&app, "followUp", &[("DEAL_ID", &deal_id)]).await;
    assert_eq!(task["followUp"]["task"]["title"], "Follow up");
    let ids = [("DEAL_ID", &deal_id), ("CONTACT_ID", &contact_id)];
    step(&app, "logActivity", &ids).await;

    let timeline = step(&app, "timeline(entityId", &[("DEAL_ID", &deal_id)]).await;
    let nodes = timeline["timeline"]["nodes"].as_array().expect("nodes");
    assert_eq!(nodes[0]["__typename"], "Activity");
    assert_eq!(nodes[0]["subject"], "Scope call");
    assert_eq!(
        nodes.last().expect("a stage change")["toStageName"],
        "Proposal"
    );
    assert!(timeline["deal"]["lastActivityAt"].is_string());
    assert_eq!(timeline["deal"]["nextTask"]["title"], "Follow up");
}
