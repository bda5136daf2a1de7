//! `routeUnassigned`: every unowned open record routed in one transaction, with a report per
//! owner, an audit row and an event per assignment.

use serde_json::{json, Value};

use crate::support::builders::{DealBuilder, LeadBuilder, PipelineBuilder, RoutingRuleBuilder};
use crate::support::{GqlResponse, TestApp};

const ROUTE: &str = "mutation($input: RouteUnassignedInput!) { routeUnassigned(input: $input) { total unmatched dryRun assigned { ownerId count } } }";

async fn route(app: &TestApp, input: Value) -> GqlResponse {
    app.gql(ROUTE, json!({ "input": input })).await
}

#[tokio::test(flavor = "multi_thread")]
async fn unowned_leads_are_routed_and_reported_per_owner() {
    let app = TestApp::spawn().await;
    // Leads from before the rules existed: nobody owns them.
    for i in 0..4 {
        LeadBuilder::new(&format!("Web {i}"))
            .source("WEBSITE")
            .create(&app)
            .await;
    }
    LeadBuilder::new("Referral")
        .source("REFERRAL")
        .create(&app)
        .await;
    LeadBuilder::new("Owned")
        .source("WEBSITE")
        .owner("zoe")
        .create(&app)
        .await;
    RoutingRuleBuilder::lead("Web", 0)
        .condition(json!({ "field": "SOURCE", "operator": "EQUALS", "value": "WEBSITE" }))
        .round_robin(&["ben", "ana"])
        .create(&app)
        .await;

    let dry = route(&app, json!({ "entity": "LEAD", "dryRun": true })).await;
    assert_eq!(dry.data()["routeUnassigned"]["total"], 4);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM leads WHERE owner_id IS NULL")
            .await,
        5
    );

    let report = route(&app, json!({ "entity": "LEAD" })).await;
    assert_eq!(
        report.data()["routeUnassigned"],
        json!({
            "total": 4,
            "unmatched": 1,
            "dryRun": false,
            "assigned": [{ "ownerId": "ana", "count": 2 }, { "ownerId": "ben", "count": 2 }],
        })
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM leads WHERE owner_id IS NULL")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM leads WHERE owner_id = 'ben' AND version = 2")
            .await,
        2
    );
    let assigned = app.event_payloads("lead.assigned").await;
    assert_eq!(assigned.len(), 4);
    assert_eq!(assigned[0]["fromOwnerId"], Value::Null);
    assert_eq!(
        assigned[0]["toOwnerId"], "ben",
        "the oldest lead takes the first slot"
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'lead.assign'")
            .await,
        4
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'lead.route' AND outcome = 'succeeded' AND dry_run = false").await,
        1
    );

    let again = route(&app, json!({ "entity": "LEAD" })).await;
    assert_eq!(again.data()["routeUnassigned"]["total"], 0);
    assert_eq!(again.data()["routeUnassigned"]["unmatched"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn unowned_deals_of_one_pipeline_are_routed() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let partners = PipelineBuilder::new("Partners").create(&app).await;
    let sales_stage = sales["stages"][0]["id"].clone();
    let partner_stage = partners["stages"][0]["id"].clone();
    for i in 0..3 {
        DealBuilder::new(&format!("Sales {i}"))
            .amount("100")
            .currency("EUR")
            .stage(&sales_stage)
            .create(&app)
            .await;
    }
    DealBuilder::new("Partner")
        .amount("100")
        .currency("EUR")
        .stage(&partner_stage)
        .create(&app)
        .await;
    RoutingRuleBuilder::deal("All deals", 0)
        .owner("desk")
        .create(&app)
        .await;

    let report = route(&app, json!({ "entity": "DEAL", "pipelineId": sales["id"] })).await;
    assert_eq!(
        report.data()["routeUnassigned"]["assigned"],
        json!([{ "ownerId": "desk", "count": 3 }])
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM deals WHERE owner_id IS NULL")
            .await,
        1
    );
    let updated = app.event_payloads("deal.updated").await;
    assert_eq!(updated.len(), 3);
    assert_eq!(updated[0]["version"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_write_nothing() {
    let app = TestApp::spawn().await;
    let pipeline = PipelineBuilder::new("Sales").create(&app).await;
    LeadBuilder::new("Web").create(&app).await;
    RoutingRuleBuilder::lead("All", 0)
        .owner("desk")
        .create(&app)
        .await;
    let leads_with_pipeline = route(
        &app,
        json!({ "entity": "LEAD", "pipelineId": pipeline["id"] }),
    )
    .await;
    assert_eq!(leads_with_pipeline.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        leads_with_pipeline.body["errors"][0]["extensions"]["field"],
        "input.pipelineId"
    );
    let unknown = route(
        &app,
        json!({ "entity": "DEAL", "pipelineId": uuid::Uuid::now_v7() }),
    )
    .await;
    assert_eq!(unknown.error_code(), "NOT_FOUND");
    let malformed = route(&app, json!({ "entity": "DEAL", "pipelineId": "nope" })).await;
    assert_eq!(malformed.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM leads WHERE owner_id IS NULL")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'lead.assigned'")
            .await,
        0
    );
}
