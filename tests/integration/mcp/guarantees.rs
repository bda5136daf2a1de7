//! The write path's guarantees hold over MCP: a retried write writes once, a dry run writes
//! nothing, failures carry the API's codes, and the audit trail says the call came over MCP.

use serde_json::json;

use super::{call, connect, failed, id_of, ok};
use crate::support::TestApp;

#[tokio::test]
async fn a_write_retried_with_its_idempotency_key_writes_once() {
    let app = TestApp::spawn().await;
    let client = connect(&app, &app.admin_key).await;
    let arguments =
        json!({ "name": "Ann Lee", "email": "ann@acme.example", "idempotency_key": "ann-1" });

    let first = ok(call(&client, "create_contact", arguments.clone()).await);
    assert_eq!(first["replayed"], false);
    let again = ok(call(&client, "create_contact", arguments).await);
    assert_eq!(again["replayed"], true);
    assert_eq!(id_of(&again, "contact"), id_of(&first, "contact"));
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 1);
    let audited = "SELECT count(*) AS n FROM audit_events WHERE action = 'contact.create'";
    assert_eq!(app.count(audited).await, 1);

    let changed = json!({ "name": "Someone Else", "idempotency_key": "ann-1" });
    let error = failed(call(&client, "create_contact", changed).await);
    assert_eq!(error["code"], "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 1);
    client.cancel().await.ok();
}

#[tokio::test]
async fn a_dry_run_returns_the_would_be_records_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let client = connect(&app, &app.admin_key).await;
    let pipeline = ok(call(
        &client,
        "create_pipeline",
        json!({ "name": "Sales", "dry_run": true }),
    )
    .await);
    assert_eq!(pipeline["dry_run"], true);
    assert_eq!(pipeline["stages"].as_array().unwrap().len(), 6);
    assert_eq!(app.count("SELECT count(*) AS n FROM pipelines").await, 0);

    ok(call(&client, "create_pipeline", json!({ "name": "Sales" })).await);
    let deal = ok(call(
        &client,
        "create_deal",
        json!({ "title": "Acme renewal", "amount": "12000", "currency": "EUR", "dry_run": true }),
    )
    .await);
    assert_eq!(deal["dry_run"], true);
    assert_eq!(deal["deal"]["title"], "Acme renewal");
    assert_eq!(app.count("SELECT count(*) AS n FROM deals").await, 0);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type LIKE 'deal.%'")
            .await,
        0
    );
    let lead = ok(call(
        &client,
        "create_lead",
        json!({ "name": "Lee", "dry_run": true }),
    )
    .await);
    assert_eq!(lead["lead"]["source"], "mcp");
    assert_eq!(app.count("SELECT count(*) AS n FROM leads").await, 0);
    client.cancel().await.ok();
}

#[tokio::test]
async fn failures_carry_the_graphql_codes_and_name_the_argument() {
    let app = TestApp::spawn().await;
    let client = connect(&app, &app.admin_key).await;
    let first = ok(call(
        &client,
        "create_contact",
        json!({ "name": "Ann", "email": "ann@acme.example" }),
    )
    .await);

    let error = failed(
        call(
            &client,
            "create_contact",
            json!({ "name": "Ann 2", "email": "ANN@acme.example" }),
        )
        .await,
    );
    assert_eq!(error["code"], "CONFLICT");
    assert_eq!(error["field"], "email");
    assert_eq!(error["existing_id"], first["contact"]["id"]);

    let missing = "0190b5a6-0000-7000-8000-000000000000";
    let error = failed(
        call(
            &client,
            "list_deal_stages",
            json!({ "pipeline_id": missing }),
        )
        .await,
    );
    assert_eq!(error["code"], "NOT_FOUND");
    assert_eq!(error["field"], "pipeline_id");

    let error = failed(
        call(
            &client,
            "get_pipeline_summary",
            json!({ "pipeline_id": "nope" }),
        )
        .await,
    );
    assert_eq!(error["code"], "BAD_USER_INPUT");
    assert_eq!(error["field"], "pipeline_id");

    let error = failed(
        call(
            &client,
            "context_for_person",
            json!({ "email": "nobody@acme.example" }),
        )
        .await,
    );
    assert_eq!(error["code"], "NOT_FOUND");
    assert_eq!(error["field"], "email");
    client.cancel().await.ok();
}

#[tokio::test]
async fn audit_rows_say_the_write_came_over_mcp() {
    let app = TestApp::spawn().await;
    let client = connect(&app, &app.admin_key).await;
    let company = ok(call(
        &client,
        "create_company",
        json!({ "name": "Acme", "domain": "acme.example" }),
    )
    .await);
    ok(call(
        &client,
        "create_company",
        json!({ "name": "Dry", "dry_run": true }),
    )
    .await);
    let globex = app
        .gql(
            "mutation { createCompany(input: {name: \"Globex\"}) { company { id } } }",
            json!({}),
        )
        .await;
    globex.data();

    let by_channel = |action: &str, channel: &str| {
        format!(
            "SELECT count(*) AS n FROM audit_events WHERE action = '{action}' AND channel = '{channel}'"
        )
    };
    // The dry run's audit row was rolled back with it.
    assert_eq!(app.count(&by_channel("company.create", "mcp")).await, 1);
    assert_eq!(app.count(&by_channel("company.create", "graphql")).await, 1);

    let events = app
        .gql(
            "query($e: ID!) { auditEvents(entityId: $e, first: 5) { edges { node { action channel dryRun } } } }",
            json!({ "e": id_of(&company, "company") }),
        )
        .await;
    let node = &events.data()["auditEvents"]["edges"][0]["node"];
    assert_eq!(node["action"], "company.create");
    assert_eq!(node["channel"], "MCP");
    assert_eq!(node["dryRun"], false);
    client.cancel().await.ok();
}
