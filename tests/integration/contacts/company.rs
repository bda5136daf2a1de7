//! A company: its lifecycle with audit and events, domain normalisation and uniqueness,
//! countries.

use serde_json::json;

use super::{
    create_company_query, field, update_company, COMPANY_BY_ID, DELETE_COMPANY, LIST_COMPANIES,
};
use crate::support::builders::CompanyBuilder;
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn companies_are_created_read_updated_and_deleted_with_audit_and_events() {
    let app = TestApp::spawn().await;
    let acme = CompanyBuilder::new("Acme")
        .domain("https://www.Acme.com:443/about?x=1")
        .website("https://acme.com")
        .industry("Anvils")
        .size("51-200")
        .country("us")
        .city("Phoenix")
        .icp_tier("A")
        .target_account(true)
        .tags(&["enterprise"])
        .custom_fields(json!({ "arr": 120 }))
        .create(&app)
        .await;
    assert_eq!(acme["domain"], "acme.com");
    assert_eq!(acme["country"], "US");
    assert_eq!(acme["isTargetAccount"], true);
    assert_eq!(acme["version"], 1);

    let updated = update_company(
        &app,
        json!({ "id": acme["id"], "name": "Acme Corp", "expectedVersion": 1 }),
    )
    .await;
    let updated = &updated.data()["updateCompany"]["company"];
    assert_eq!(updated["name"], "Acme Corp");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["domain"], "acme.com");

    let read = app.gql(COMPANY_BY_ID, json!({ "id": acme["id"] })).await;
    assert_eq!(read.data()["company"]["name"], "Acme Corp");

    let deleted = app
        .gql(DELETE_COMPANY, json!({ "input": { "id": acme["id"] } }))
        .await;
    assert_eq!(
        deleted.data()["deleteCompany"]["company"]["name"],
        "Acme Corp"
    );
    let gone = app.gql(COMPANY_BY_ID, json!({ "id": acme["id"] })).await;
    assert!(gone.data()["company"].is_null());
    for action in ["company.create", "company.update", "company.delete"] {
        let audited = app
            .count(&format!(
                "SELECT count(*) AS n FROM audit_events WHERE action = '{action}' AND outcome = 'succeeded'"
            ))
            .await;
        assert_eq!(audited, 1, "{action}");
    }
    for event in ["company.created", "company.updated", "company.deleted"] {
        let published = app
            .count(&format!(
                "SELECT count(*) AS n FROM outbox_events WHERE event_type = '{event}'"
            ))
            .await;
        assert_eq!(published, 1, "{event}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_domain_after_normalisation_is_a_conflict() {
    let app = TestApp::spawn().await;
    let acme = CompanyBuilder::new("Acme")
        .domain("acme.com")
        .create(&app)
        .await;
    let duplicate = app
        .gql(
            &create_company_query(),
            json!({ "input": { "name": "Acme Inc", "domain": "https://www.Acme.com/about" } }),
        )
        .await;
    assert_eq!(duplicate.error_code(), "CONFLICT");
    assert_eq!(field(&duplicate), "input.domain");
    assert_eq!(
        duplicate.body["errors"][0]["extensions"]["existingId"],
        acme["id"]
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM companies").await, 1);

    let globex = CompanyBuilder::new("Globex").create(&app).await;
    let taken = update_company(&app, json!({ "id": globex["id"], "domain": "ACME.com." })).await;
    assert_eq!(taken.error_code(), "CONFLICT");
    assert_eq!(
        taken.body["errors"][0]["extensions"]["existingId"],
        acme["id"]
    );
    let bad = update_company(
        &app,
        json!({ "id": globex["id"], "domain": "not a domain" }),
    )
    .await;
    assert_eq!(bad.error_code(), "BAD_USER_INPUT");
    assert_eq!(field(&bad), "input.domain");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_country_is_refused() {
    let app = TestApp::spawn().await;
    let response = app
        .gql(
            &create_company_query(),
            json!({ "input": { "name": "Acme", "country": "XX" } }),
        )
        .await;
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    assert_eq!(field(&response), "input.country");
    assert_eq!(app.count("SELECT count(*) AS n FROM companies").await, 0);
    let bad_filter = app
        .gql(LIST_COMPANIES, json!({ "filter": { "country": "XX" } }))
        .await;
    assert_eq!(bad_filter.error_code(), "BAD_USER_INPUT");
}
