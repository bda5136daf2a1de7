//! What every write guarantees, for conversions: other workspaces' records are not found,
//! a dry run writes nothing, a replay repeats the first response, a read-only key is refused.

use dealgraph::auth::Scope;
use serde_json::json;

use super::{convert, priya, written_rows, CONVERT};
use crate::support::builders::{CompanyBuilder, ContactBuilder, PipelineBuilder};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn another_workspaces_lead_contact_or_company_is_not_found() {
    let app = TestApp::spawn().await;
    let (_, other_key) = app.other_workspace().await;
    let their_lead = priya().with_key(&other_key).create(&app).await;
    let their_contact = ContactBuilder::new("Theirs")
        .with_key(&other_key)
        .create(&app)
        .await;
    let their_company = CompanyBuilder::new("Theirs")
        .with_key(&other_key)
        .create(&app)
        .await;
    let lead = priya().create(&app).await;
    let before = written_rows(&app).await;
    for input in [
        json!({ "leadId": their_lead["id"] }),
        json!({ "leadId": lead["id"], "contact": { "existingId": their_contact["id"] } }),
        json!({ "leadId": lead["id"], "company": { "existingId": their_company["id"] } }),
    ] {
        let refused = convert(&app, input.clone()).await;
        assert_eq!(
            refused.error_code(),
            "NOT_FOUND",
            "{input}: {}",
            refused.body
        );
    }
    assert_eq!(written_rows(&app).await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_shows_the_ids_and_writes_nothing_and_a_replay_repeats_the_first() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let lead = priya().create(&app).await;
    let input = json!({ "leadId": lead["id"], "deal": { "title": "Website redesign", "amount": "18000", "currency": "USD" } });
    let before = written_rows(&app).await;
    let mut dry_input = input.clone();
    dry_input["dryRun"] = json!(true);
    let dry = convert(&app, dry_input).await;
    let dry = &dry.data()["convertLead"];
    assert_eq!(dry["dryRun"], true);
    for part in ["conversion", "contact", "company", "deal"] {
        assert!(dry[part]["id"].is_string(), "{part}: {dry}");
    }
    assert_eq!(dry["conversion"]["contact"]["id"], dry["contact"]["id"]);
    assert_eq!(dry["conversion"]["deal"]["id"], dry["deal"]["id"]);
    assert_eq!(dry["lead"]["status"], "CONVERTED");
    assert_eq!(written_rows(&app).await, before, "a dry run writes nothing");

    let mut keyed = input.clone();
    keyed["idempotencyKey"] = json!("convert-priya");
    let first = convert(&app, keyed.clone()).await;
    let first = first.data()["convertLead"].clone();
    assert_eq!(first["replayed"], false);
    let after_first = written_rows(&app).await;
    let replay = convert(&app, keyed.clone()).await;
    let replay = &replay.data()["convertLead"];
    assert_eq!(replay["replayed"], true);
    assert_eq!(replay["conversion"]["id"], first["conversion"]["id"]);
    assert_eq!(replay["deal"]["id"], first["deal"]["id"]);
    assert_eq!(written_rows(&app).await, after_first);
    keyed["reason"] = json!("changed my mind");
    let reused = convert(&app, keyed).await;
    assert_eq!(reused.error_code(), "IDEMPOTENCY_KEY_REUSED");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_key_may_not_convert() {
    let app = TestApp::spawn().await;
    let lead = priya().create(&app).await;
    let reader = app.key_with(&[Scope::CrmRead]).await;
    let before = written_rows(&app).await;
    let refused = app
        .gql_as(
            &reader,
            CONVERT,
            json!({ "input": { "leadId": lead["id"] } }),
        )
        .await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    assert_eq!(written_rows(&app).await, before);
}
