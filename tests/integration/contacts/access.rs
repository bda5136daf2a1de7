//! Who sees and touches contacts and companies: workspaces apart, read-only keys.

use dealgraph::auth::Scope;
use serde_json::json;

use super::{
    create_company_query, create_contact_query, field, update_contact, update_contact_query,
    COMPANY_BY_ID, CONTACT_BY_ID, DELETE_COMPANY, DELETE_CONTACT, LIST_COMPANIES, LIST_CONTACTS,
};
use crate::support::builders::{CompanyBuilder, ContactBuilder};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn the_same_email_in_another_workspace_is_fine() {
    let app = TestApp::spawn().await;
    let (_, other) = app.other_workspace().await;
    ContactBuilder::new("Ada")
        .email("ada@example.com")
        .create(&app)
        .await;
    let elsewhere = ContactBuilder::new("Ada")
        .email("ada@example.com")
        .with_key(&other)
        .create(&app)
        .await;
    assert_eq!(elsewhere["email"], "ada@example.com");
    CompanyBuilder::new("Acme")
        .domain("acme.com")
        .create(&app)
        .await;
    let elsewhere = CompanyBuilder::new("Acme")
        .domain("acme.com")
        .with_key(&other)
        .create(&app)
        .await;
    assert_eq!(elsewhere["domain"], "acme.com");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_company_of_another_workspace_is_not_found_like_a_missing_one() {
    let app = TestApp::spawn().await;
    let (_, other) = app.other_workspace().await;
    let theirs = CompanyBuilder::new("Theirs")
        .with_key(&other)
        .create(&app)
        .await;
    let foreign = app
        .gql(
            &create_contact_query(),
            json!({ "input": { "name": "Ada", "companyId": theirs["id"] } }),
        )
        .await;
    assert_eq!(foreign.error_code(), "NOT_FOUND");
    let missing_id = uuid::Uuid::now_v7().to_string();
    let missing = app
        .gql(
            &create_contact_query(),
            json!({ "input": { "name": "Ada", "companyId": missing_id } }),
        )
        .await;
    assert_eq!(missing.error_code(), "NOT_FOUND");
    // Same message, up to the id.
    assert_eq!(
        foreign
            .error_message()
            .replace(theirs["id"].as_str().unwrap(), "ID"),
        missing.error_message().replace(&missing_id, "ID")
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 0);

    let ada = ContactBuilder::new("Ada").create(&app).await;
    let moved = update_contact(&app, json!({ "id": ada["id"], "companyId": theirs["id"] })).await;
    assert_eq!(moved.error_code(), "NOT_FOUND");
    let malformed = update_contact(&app, json!({ "id": ada["id"], "companyId": "nope" })).await;
    assert_eq!(malformed.error_code(), "BAD_USER_INPUT");
    assert_eq!(field(&malformed), "input.companyId");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_key_can_read_but_not_write() {
    let app = TestApp::spawn().await;
    let ada = ContactBuilder::new("Ada").create(&app).await;
    let reader = app.key_with(&[Scope::CrmRead]).await;
    let refused = app
        .gql_as(
            &reader,
            &create_contact_query(),
            json!({ "input": { "name": "Grace" } }),
        )
        .await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    let refused = app
        .gql_as(
            &reader,
            DELETE_CONTACT,
            json!({ "input": { "id": ada["id"] } }),
        )
        .await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    let refused = app
        .gql_as(
            &reader,
            &create_company_query(),
            json!({ "input": { "name": "Acme" } }),
        )
        .await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 1);
    assert_eq!(app.count("SELECT count(*) AS n FROM companies").await, 0);

    let listed = app.gql_as(&reader, LIST_CONTACTS, json!({})).await;
    assert_eq!(listed.data()["contacts"]["totalCount"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workspace_never_sees_another_workspaces_contacts_or_companies() {
    let app = TestApp::spawn().await;
    let (_, other) = app.other_workspace().await;
    let acme = CompanyBuilder::new("Acme").create(&app).await;
    let ada = ContactBuilder::new("Ada")
        .email("ada@example.com")
        .company(&acme["id"])
        .create(&app)
        .await;

    let listed = app.gql_as(&other, LIST_CONTACTS, json!({})).await;
    assert_eq!(listed.data()["contacts"]["totalCount"], 0);
    let searched = app
        .gql_as(
            &other,
            LIST_CONTACTS,
            json!({ "filter": { "search": "ada" } }),
        )
        .await;
    assert_eq!(searched.data()["contacts"]["edges"], json!([]));
    let by_company = app
        .gql_as(
            &other,
            LIST_CONTACTS,
            json!({ "filter": { "companyId": acme["id"] } }),
        )
        .await;
    assert_eq!(by_company.data()["contacts"]["totalCount"], 0);
    let get = app
        .gql_as(&other, CONTACT_BY_ID, json!({ "id": ada["id"] }))
        .await;
    assert!(get.data()["contact"].is_null());
    let companies = app.gql_as(&other, LIST_COMPANIES, json!({})).await;
    assert_eq!(companies.data()["companies"]["totalCount"], 0);
    let get = app
        .gql_as(&other, COMPANY_BY_ID, json!({ "id": acme["id"] }))
        .await;
    assert!(get.data()["company"].is_null());

    let update = app
        .gql_as(
            &other,
            &update_contact_query(),
            json!({ "input": { "id": ada["id"], "name": "Mine" } }),
        )
        .await;
    assert_eq!(update.error_code(), "NOT_FOUND");
    let delete = app
        .gql_as(
            &other,
            DELETE_COMPANY,
            json!({ "input": { "id": acme["id"] } }),
        )
        .await;
    assert_eq!(delete.error_code(), "NOT_FOUND");
    let mine = app.gql(CONTACT_BY_ID, json!({ "id": ada["id"] })).await;
    assert_eq!(mine.data()["contact"]["name"], "Ada");
    assert_eq!(mine.data()["contact"]["company"]["name"], "Acme");
}
