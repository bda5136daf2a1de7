//! What every contact and company write shares: partial updates, versions, validation of
//! JSON and lengths, idempotency and dry runs.

use serde_json::json;

use super::{
    create_company_query, create_contact_query, field, update_company, update_contact,
    COMPANY_BY_ID, CONTACT_BY_ID, DELETE_COMPANY, DELETE_CONTACT,
};
use crate::support::builders::{CompanyBuilder, ContactBuilder};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn a_partial_update_keeps_absent_fields_and_clears_null_ones() {
    let app = TestApp::spawn().await;
    let acme = CompanyBuilder::new("Acme")
        .domain("acme.com")
        .industry("Anvils")
        .city("Phoenix")
        .create(&app)
        .await;
    let ada = ContactBuilder::new("Ada")
        .email("ada@example.com")
        .phone("+44 20 1234")
        .title("CTO")
        .company(&acme["id"])
        .tags(&["vip"])
        .custom_fields(json!({ "plan": "pro" }))
        .lead_score(5)
        .create(&app)
        .await;

    let response = update_contact(
        &app,
        json!({ "id": ada["id"], "title": null, "lifecycleStage": "CUSTOMER" }),
    )
    .await;
    let after = &response.data()["updateContact"]["contact"];
    assert!(after["title"].is_null());
    assert_eq!(after["lifecycleStage"], "CUSTOMER");
    assert_eq!(after["phone"], "+44 20 1234");
    assert_eq!(after["email"], "ada@example.com");
    assert_eq!(after["companyId"], acme["id"]);
    assert_eq!(after["tags"], json!(["vip"]));
    assert_eq!(after["customFields"], json!({ "plan": "pro" }));
    assert_eq!(after["leadScore"], 5);

    let response = update_contact(
        &app,
        json!({ "id": ada["id"], "tags": null, "customFields": null, "companyId": null, "leadScore": null }),
    )
    .await;
    let after = &response.data()["updateContact"]["contact"];
    assert_eq!(after["tags"], json!([]));
    assert_eq!(after["customFields"], json!({}));
    assert!(after["companyId"].is_null());
    assert!(after["company"].is_null());
    assert!(after["leadScore"].is_null());
    assert_eq!(after["phone"], "+44 20 1234");
    assert_eq!(after["version"], 3);

    // A required field cannot be nulled.
    let refused = update_contact(&app, json!({ "id": ada["id"], "lifecycleStage": null })).await;
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
    assert_eq!(field(&refused), "input.lifecycleStage");

    let response = update_company(&app, json!({ "id": acme["id"], "industry": null })).await;
    let company = &response.data()["updateCompany"]["company"];
    assert!(company["industry"].is_null());
    assert_eq!(company["city"], "Phoenix");
    assert_eq!(company["domain"], "acme.com");
    let refused = update_company(&app, json!({ "id": acme["id"], "name": null })).await;
    assert_eq!(field(&refused), "input.name");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_expected_version_writes_nothing() {
    let app = TestApp::spawn().await;
    let ada = ContactBuilder::new("Ada").create(&app).await;
    update_contact(
        &app,
        json!({ "id": ada["id"], "title": "CTO", "expectedVersion": 1 }),
    )
    .await
    .data();
    let stale = update_contact(
        &app,
        json!({ "id": ada["id"], "title": "CEO", "expectedVersion": 1 }),
    )
    .await;
    assert_eq!(stale.error_code(), "STALE_OBJECT");
    let stale_delete = app
        .gql(
            DELETE_CONTACT,
            json!({ "input": { "id": ada["id"], "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(stale_delete.error_code(), "STALE_OBJECT");
    let now = app.gql(CONTACT_BY_ID, json!({ "id": ada["id"] })).await;
    assert_eq!(now.data()["contact"]["title"], "CTO");
    assert_eq!(now.data()["contact"]["version"], 2);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'contact.updated'")
            .await,
        1
    );

    let acme = CompanyBuilder::new("Acme").create(&app).await;
    let stale = update_company(
        &app,
        json!({ "id": acme["id"], "name": "X", "expectedVersion": 7 }),
    )
    .await;
    assert_eq!(stale.error_code(), "STALE_OBJECT");
    let stale_delete = app
        .gql(
            DELETE_COMPANY,
            json!({ "input": { "id": acme["id"], "expectedVersion": 7 } }),
        )
        .await;
    assert_eq!(stale_delete.error_code(), "STALE_OBJECT");
    let now = app.gql(COMPANY_BY_ID, json!({ "id": acme["id"] })).await;
    assert_eq!(now.data()["company"]["name"], "Acme");
    assert_eq!(now.data()["company"]["version"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_fields_must_be_a_json_object() {
    let app = TestApp::spawn().await;
    for bad in [json!([1, 2]), json!("plan"), json!(3)] {
        let response = app
            .gql(
                &create_contact_query(),
                json!({ "input": { "name": "Ada", "customFields": bad } }),
            )
            .await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT");
        assert_eq!(field(&response), "input.customFields");
    }
    let response = app
        .gql(
            &create_company_query(),
            json!({ "input": { "name": "Acme", "customFields": ["x"] } }),
        )
        .await;
    assert_eq!(field(&response), "input.customFields");
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 0);
    assert_eq!(app.count("SELECT count(*) AS n FROM companies").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_overlong_text_is_refused_naming_its_field() {
    let app = TestApp::spawn().await;
    let long = "x".repeat(10_000);
    let response = app
        .gql(
            &create_contact_query(),
            json!({ "input": { "name": long } }),
        )
        .await;
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    assert_eq!(field(&response), "input.name");
    for (input_field, value) in [
        ("title", "x".repeat(201)),
        ("phone", "1".repeat(51)),
        ("ownerId", "x".repeat(201)),
        ("firstName", "x".repeat(101)),
    ] {
        let response = app
            .gql(
                &create_contact_query(),
                json!({ "input": { "name": "Ada", input_field: value } }),
            )
            .await;
        assert_eq!(field(&response), format!("input.{input_field}"));
    }
    let response = app
        .gql(
            &create_company_query(),
            json!({ "input": { "name": long } }),
        )
        .await;
    assert_eq!(field(&response), "input.name");
    let response = app
        .gql(
            &create_company_query(),
            json!({ "input": { "name": "Acme", "icpTier": "x".repeat(51) } }),
        )
        .await;
    assert_eq!(field(&response), "input.icpTier");
    let ada = ContactBuilder::new("Ada").create(&app).await;
    let response = update_contact(&app, json!({ "id": ada["id"], "name": long })).await;
    assert_eq!(field(&response), "input.name");
    let response = update_contact(&app, json!({ "id": ada["id"], "leadScore": 1001 })).await;
    assert_eq!(field(&response), "input.leadScore");
    assert_eq!(app.count("SELECT count(*) AS n FROM companies").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idempotent_create_replays_without_writing_again() {
    let app = TestApp::spawn().await;
    let input =
        json!({ "input": { "name": "Ada", "email": "ada@example.com", "idempotencyKey": "c-1" } });
    let first = app.gql(&create_contact_query(), input.clone()).await;
    let first = &first.data()["createContact"];
    assert_eq!(first["replayed"], false);
    let second = app.gql(&create_contact_query(), input).await;
    let second = &second.data()["createContact"];
    assert_eq!(second["replayed"], true);
    assert_eq!(second["contact"]["id"], first["contact"]["id"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 1);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'contact.created'")
            .await,
        1
    );

    let company = json!({ "input": { "name": "Acme", "idempotencyKey": "co-1" } });
    let first = app.gql(&create_company_query(), company.clone()).await;
    let second = app.gql(&create_company_query(), company).await;
    assert_eq!(second.data()["createCompany"]["replayed"], true);
    assert_eq!(
        second.data()["createCompany"]["company"]["id"],
        first.data()["createCompany"]["company"]["id"]
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM companies").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_writes_nothing() {
    let app = TestApp::spawn().await;
    let dry = app
        .gql(
            &create_contact_query(),
            json!({ "input": { "name": "Ada", "dryRun": true } }),
        )
        .await;
    let dry = &dry.data()["createContact"];
    assert_eq!(dry["dryRun"], true);
    assert_eq!(dry["contact"]["name"], "Ada");
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 0);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events").await,
        0
    );

    let ada = ContactBuilder::new("Ada").create(&app).await;
    let dry = update_contact(
        &app,
        json!({ "id": ada["id"], "title": "CTO", "dryRun": true }),
    )
    .await;
    assert_eq!(dry.data()["updateContact"]["contact"]["version"], 2);
    let dry = app
        .gql(
            DELETE_CONTACT,
            json!({ "input": { "id": ada["id"], "dryRun": true } }),
        )
        .await;
    assert_eq!(dry.data()["deleteContact"]["dryRun"], true);
    let now = app.gql(CONTACT_BY_ID, json!({ "id": ada["id"] })).await;
    assert!(now.data()["contact"]["title"].is_null());
    assert_eq!(now.data()["contact"]["version"], 1);

    let dry = app
        .gql(
            &create_company_query(),
            json!({ "input": { "name": "Acme", "dryRun": true } }),
        )
        .await;
    assert_eq!(dry.data()["createCompany"]["dryRun"], true);
    assert_eq!(app.count("SELECT count(*) AS n FROM companies").await, 0);
}
