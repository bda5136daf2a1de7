//! Contacts and companies: writes through the write path, uniqueness, validation, tenancy,
//! search, filters, keyset paging and the relations between the two.

use std::collections::HashSet;

use dealgraph::auth::Scope;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

use crate::support::{GqlResponse, TestApp};

const CONTACT_FIELDS: &str = "id name firstName lastName email phone title companyId lifecycleStage leadScore ownerId tags customFields lastActivityAt version createdAt updatedAt company { id name }";
const COMPANY_FIELDS: &str = "id name domain website industry size country city icpTier isTargetAccount ownerId tags customFields version createdAt updatedAt";

fn create_contact_query() -> String {
    format!("mutation($input: CreateContactInput!) {{ createContact(input: $input) {{ replayed dryRun contact {{ {CONTACT_FIELDS} }} }} }}")
}

fn update_contact_query() -> String {
    format!("mutation($input: UpdateContactInput!) {{ updateContact(input: $input) {{ replayed dryRun contact {{ {CONTACT_FIELDS} }} }} }}")
}

const DELETE_CONTACT: &str = "mutation($input: DeleteContactInput!) { deleteContact(input: $input) { replayed dryRun contact { id name version } } }";

fn create_company_query() -> String {
    format!("mutation($input: CreateCompanyInput!) {{ createCompany(input: $input) {{ replayed dryRun company {{ {COMPANY_FIELDS} }} }} }}")
}

fn update_company_query() -> String {
    format!("mutation($input: UpdateCompanyInput!) {{ updateCompany(input: $input) {{ replayed dryRun company {{ {COMPANY_FIELDS} }} }} }}")
}

const DELETE_COMPANY: &str = "mutation($input: DeleteCompanyInput!) { deleteCompany(input: $input) { replayed dryRun company { id name version } } }";

const CONTACT_BY_ID: &str =
    "query($id: ID!) { contact(id: $id) { id name title companyId company { id name } version } }";
const COMPANY_BY_ID: &str = "query($id: ID!) { company(id: $id) { id name domain version } }";

const LIST_CONTACTS: &str =
    "query($filter: ContactFilter, $orderBy: ContactOrderBy, $first: Int, $after: String) {
    contacts(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        edges { cursor node { id name email } }
    }
}";

const LIST_COMPANIES: &str =
    "query($filter: CompanyFilter, $orderBy: CompanyOrderBy, $first: Int, $after: String) {
    companies(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { id name domain } }
    }
}";

async fn create_contact(app: &TestApp, input: Value) -> Value {
    create_contact_as(app, &app.admin_key, input).await
}

async fn create_contact_as(app: &TestApp, key: &str, input: Value) -> Value {
    let response = app
        .gql_as(key, &create_contact_query(), json!({ "input": input }))
        .await;
    response.data()["createContact"]["contact"].clone()
}

async fn create_company(app: &TestApp, input: Value) -> Value {
    create_company_as(app, &app.admin_key, input).await
}

async fn create_company_as(app: &TestApp, key: &str, input: Value) -> Value {
    let response = app
        .gql_as(key, &create_company_query(), json!({ "input": input }))
        .await;
    response.data()["createCompany"]["company"].clone()
}

async fn update_contact(app: &TestApp, input: Value) -> GqlResponse {
    app.gql(&update_contact_query(), json!({ "input": input }))
        .await
}

async fn update_company(app: &TestApp, input: Value) -> GqlResponse {
    app.gql(&update_company_query(), json!({ "input": input }))
        .await
}

fn field(response: &GqlResponse) -> &str {
    response.body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_else(|| panic!("no field in {}", response.body))
}

fn names(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn list_contacts(app: &TestApp, variables: Value) -> Value {
    app.gql(LIST_CONTACTS, variables).await.data()["contacts"].clone()
}

async fn list_companies(app: &TestApp, variables: Value) -> Value {
    app.gql(LIST_COMPANIES, variables).await.data()["companies"].clone()
}

async fn execute(app: &TestApp, sql: &str) {
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query(sql).execute(&mut conn).await.unwrap();
}

/// A deal (in a fresh pipeline) of `company_id`, made with SQL to stay independent of the
/// deals API; returns its id.
async fn deal_of(app: &TestApp, company_id: Option<&str>) -> String {
    let ws = app.workspace_id;
    let pipeline = uuid::Uuid::now_v7();
    let stage = uuid::Uuid::now_v7();
    let deal = uuid::Uuid::now_v7();
    let company = company_id.map_or("NULL".to_owned(), |id| format!("'{id}'"));
    execute(app, &format!("INSERT INTO pipelines (workspace_id, id, name) VALUES ('{ws}', '{pipeline}', 'P {pipeline}')")).await;
    execute(app, &format!("INSERT INTO stages (workspace_id, id, pipeline_id, name, position, probability, kind) VALUES ('{ws}', '{stage}', '{pipeline}', 'Open', 0, 0.1, 'open')")).await;
    execute(app, &format!("INSERT INTO deals (workspace_id, id, pipeline_id, stage_id, title, currency, company_id) VALUES ('{ws}', '{deal}', '{pipeline}', '{stage}', 'Deal', 'USD', {company})")).await;
    deal.to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn contacts_are_created_read_updated_and_deleted_with_audit_and_events() {
    let app = TestApp::spawn().await;
    let acme = create_company(&app, json!({ "name": "Acme", "domain": "acme.com" })).await;
    let ada = create_contact(
        &app,
        json!({
            "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com",
            "companyId": acme["id"], "lifecycleStage": "MQL", "leadScore": 10,
            "tags": ["vip"], "customFields": { "plan": "pro" }, "ownerId": "user-7"
        }),
    )
    .await;
    assert_eq!(ada["name"], "Ada Lovelace");
    assert_eq!(ada["company"]["name"], "Acme");
    assert_eq!(ada["companyId"], acme["id"]);
    assert_eq!(ada["lifecycleStage"], "MQL");
    assert_eq!(ada["tags"], json!(["vip"]));
    assert_eq!(ada["customFields"], json!({ "plan": "pro" }));
    assert_eq!(ada["version"], 1);
    let stored = app
        .count("SELECT count(*) AS n FROM contacts WHERE lifecycle_stage = 'mql'")
        .await;
    assert_eq!(stored, 1, "the stage is stored in lower case");

    let read = app.gql(CONTACT_BY_ID, json!({ "id": ada["id"] })).await;
    assert_eq!(read.data()["contact"]["name"], "Ada Lovelace");

    let updated = update_contact(
        &app,
        json!({ "id": ada["id"], "title": "Analyst", "expectedVersion": 1 }),
    )
    .await;
    let updated = &updated.data()["updateContact"]["contact"];
    assert_eq!(updated["title"], "Analyst");
    assert_eq!(updated["version"], 2);
    assert_ne!(updated["updatedAt"], ada["updatedAt"]);

    let deleted = app
        .gql(
            DELETE_CONTACT,
            json!({ "input": { "id": ada["id"], "expectedVersion": 2 } }),
        )
        .await;
    assert_eq!(
        deleted.data()["deleteContact"]["contact"]["name"],
        "Ada Lovelace"
    );
    let gone = app.gql(CONTACT_BY_ID, json!({ "id": ada["id"] })).await;
    assert!(gone.data()["contact"].is_null());
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 0);

    for action in ["contact.create", "contact.update", "contact.delete"] {
        let audited = app
            .count(&format!(
                "SELECT count(*) AS n FROM audit_events WHERE action = '{action}' AND outcome = 'succeeded' AND entity_id = '{}'",
                ada["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(audited, 1, "{action}");
    }
    // Before and after are the row.
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'contact.update' AND before->>'title' IS NULL AND after->>'title' = 'Analyst' AND (after->>'version')::int = 2").await, 1);
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'contact.delete' AND before->>'name' = 'Ada Lovelace' AND after IS NULL").await, 1);
    for event in ["contact.created", "contact.updated", "contact.deleted"] {
        let published = app
            .count(&format!(
                "SELECT count(*) AS n FROM outbox_events WHERE event_type = '{event}'"
            ))
            .await;
        assert_eq!(published, 1, "{event}");
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'contact.updated' AND payload->'changed' = '[\"title\"]'").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn companies_are_created_read_updated_and_deleted_with_audit_and_events() {
    let app = TestApp::spawn().await;
    let acme = create_company(
        &app,
        json!({
            "name": "Acme", "domain": "https://www.Acme.com:443/about?x=1", "website": "https://acme.com",
            "industry": "Anvils", "size": "51-200", "country": "us", "city": "Phoenix",
            "icpTier": "A", "isTargetAccount": true, "tags": ["enterprise"],
            "customFields": { "arr": 120 }
        }),
    )
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
async fn a_partial_update_keeps_absent_fields_and_clears_null_ones() {
    let app = TestApp::spawn().await;
    let acme = create_company(
        &app,
        json!({ "name": "Acme", "domain": "acme.com", "industry": "Anvils", "city": "Phoenix" }),
    )
    .await;
    let ada = create_contact(
        &app,
        json!({
            "name": "Ada", "email": "ada@example.com", "phone": "+44 20 1234", "title": "CTO",
            "companyId": acme["id"], "tags": ["vip"], "customFields": { "plan": "pro" }, "leadScore": 5
        }),
    )
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
async fn a_duplicate_email_in_another_case_is_a_conflict_naming_the_existing_contact() {
    let app = TestApp::spawn().await;
    let ada = create_contact(&app, json!({ "name": "Ada", "email": "ada@example.com" })).await;
    let duplicate = app
        .gql(
            &create_contact_query(),
            json!({ "input": { "name": "Ada again", "email": "ADA@Example.COM" } }),
        )
        .await;
    assert_eq!(duplicate.error_code(), "CONFLICT");
    assert_eq!(field(&duplicate), "input.email");
    assert_eq!(
        duplicate.body["errors"][0]["extensions"]["existingId"],
        ada["id"]
    );
    let message = duplicate.error_message();
    assert!(
        !message.contains("duplicate key") && !message.contains("contacts_email_unique"),
        "{message}"
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 1);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'contact.created'")
            .await,
        1
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'contact.create' AND outcome = 'failed' AND error_code = 'CONFLICT'").await, 1);

    // Changing another contact's e-mail to a taken one is refused the same way.
    let grace = create_contact(&app, json!({ "name": "Grace" })).await;
    let taken = update_contact(
        &app,
        json!({ "id": grace["id"], "email": "Ada@example.com" }),
    )
    .await;
    assert_eq!(taken.error_code(), "CONFLICT");
    assert_eq!(field(&taken), "input.email");
    assert_eq!(
        taken.body["errors"][0]["extensions"]["existingId"],
        ada["id"]
    );
    let grace_now = app.gql(CONTACT_BY_ID, json!({ "id": grace["id"] })).await;
    assert_eq!(grace_now.data()["contact"]["version"], 1);

    // A contact keeps its own address when re-saving it in another case.
    let same = update_contact(&app, json!({ "id": ada["id"], "email": "ADA@example.com" })).await;
    assert_eq!(
        same.data()["updateContact"]["contact"]["email"],
        "ADA@example.com"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_email_in_another_workspace_is_fine() {
    let app = TestApp::spawn().await;
    let (_, other) = app.other_workspace().await;
    create_contact(&app, json!({ "name": "Ada", "email": "ada@example.com" })).await;
    let elsewhere = create_contact_as(
        &app,
        &other,
        json!({ "name": "Ada", "email": "ada@example.com" }),
    )
    .await;
    assert_eq!(elsewhere["email"], "ada@example.com");
    create_company(&app, json!({ "name": "Acme", "domain": "acme.com" })).await;
    let elsewhere = create_company_as(
        &app,
        &other,
        json!({ "name": "Acme", "domain": "acme.com" }),
    )
    .await;
    assert_eq!(elsewhere["domain"], "acme.com");
}

#[tokio::test(flavor = "multi_thread")]
async fn email_shape_is_checked() {
    let app = TestApp::spawn().await;
    for bad in ["ada", "ada@example", "ada @example.com", "ada@@example.com"] {
        let response = app
            .gql(
                &create_contact_query(),
                json!({ "input": { "name": "Ada", "email": bad } }),
            )
            .await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT", "{bad}");
        assert_eq!(field(&response), "input.email");
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_domain_after_normalisation_is_a_conflict() {
    let app = TestApp::spawn().await;
    let acme = create_company(&app, json!({ "name": "Acme", "domain": "acme.com" })).await;
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

    let globex = create_company(&app, json!({ "name": "Globex" })).await;
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
async fn a_company_of_another_workspace_is_not_found_like_a_missing_one() {
    let app = TestApp::spawn().await;
    let (_, other) = app.other_workspace().await;
    let theirs = create_company_as(&app, &other, json!({ "name": "Theirs" })).await;
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

    let ada = create_contact(&app, json!({ "name": "Ada" })).await;
    let moved = update_contact(&app, json!({ "id": ada["id"], "companyId": theirs["id"] })).await;
    assert_eq!(moved.error_code(), "NOT_FOUND");
    let malformed = update_contact(&app, json!({ "id": ada["id"], "companyId": "nope" })).await;
    assert_eq!(malformed.error_code(), "BAD_USER_INPUT");
    assert_eq!(field(&malformed), "input.companyId");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_expected_version_writes_nothing() {
    let app = TestApp::spawn().await;
    let ada = create_contact(&app, json!({ "name": "Ada" })).await;
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

    let acme = create_company(&app, json!({ "name": "Acme" })).await;
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
    let ada = create_contact(&app, json!({ "name": "Ada" })).await;
    let response = update_contact(&app, json!({ "id": ada["id"], "name": long })).await;
    assert_eq!(field(&response), "input.name");
    let response = update_contact(&app, json!({ "id": ada["id"], "leadScore": 1001 })).await;
    assert_eq!(field(&response), "input.leadScore");
    assert_eq!(app.count("SELECT count(*) AS n FROM companies").await, 0);
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

#[tokio::test(flavor = "multi_thread")]
async fn search_finds_partial_names_emails_and_domains_in_any_case() {
    let app = TestApp::spawn().await;
    create_contact(
        &app,
        json!({ "name": "Ada Lovelace", "email": "ada@analytical.io" }),
    )
    .await;
    create_contact(
        &app,
        json!({ "name": "Grace Hopper", "email": "grace@navy.mil" }),
    )
    .await;
    create_contact(
        &app,
        json!({ "name": "Alan Turing", "email": "alan@bletchley.uk" }),
    )
    .await;
    create_contact(&app, json!({ "name": "100% Sales" })).await;
    let search = |term: &str| json!({ "filter": { "search": term } });

    assert_eq!(
        names(&list_contacts(&app, search("LOVE")).await),
        vec!["Ada Lovelace"]
    );
    assert_eq!(
        names(&list_contacts(&app, search("NaVy")).await),
        vec!["Grace Hopper"]
    );
    assert_eq!(
        names(&list_contacts(&app, search("ytical.i")).await),
        vec!["Ada Lovelace"]
    );
    let an = list_contacts(&app, search("an")).await;
    assert_eq!(an["totalCount"], 2, "Alan, and analytical.io");
    // LIKE's metacharacters are plain text.
    assert_eq!(
        names(&list_contacts(&app, search("%")).await),
        vec!["100% Sales"]
    );
    assert_eq!(list_contacts(&app, search("_")).await["totalCount"], 0);

    create_company(&app, json!({ "name": "Initech", "domain": "initrode.com" })).await;
    create_company(&app, json!({ "name": "Globex" })).await;
    let companies = list_companies(&app, json!({ "filter": { "search": "TRODE" } })).await;
    assert_eq!(names(&companies), vec!["Initech"]);
    let companies = list_companies(&app, json!({ "filter": { "search": "glob" } })).await;
    assert_eq!(names(&companies), vec!["Globex"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn keyset_pages_return_every_row_exactly_once() {
    let app = TestApp::spawn().await;
    let ws = app.workspace_id;
    // One statement: every row shares created_at and updated_at, and names repeat, so the
    // order relies on the id tie-break.
    execute(
        &app,
        &format!(
            "INSERT INTO contacts (workspace_id, id, name, email)
         SELECT '{ws}', gen_random_uuid(), 'Person ' || (i % 7), 'p' || i || '@example.com'
         FROM generate_series(1, 45) AS i"
        ),
    )
    .await;
    for order in ["UPDATED_AT", "CREATED_AT", "NAME"] {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = list_contacts(
                &app,
                json!({ "orderBy": order, "first": 10, "after": after }),
            )
            .await;
            assert_eq!(page["totalCount"], 45);
            assert_eq!(page["pageInfo"]["hasPreviousPage"], after.is_some());
            for edge in page["edges"].as_array().unwrap() {
                seen.push(edge["node"]["id"].as_str().unwrap().to_owned());
            }
            pages += 1;
            if page["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = Some(page["pageInfo"]["endCursor"].as_str().unwrap().to_owned());
        }
        assert_eq!(pages, 5, "{order}");
        assert_eq!(seen.len(), 45, "{order}");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 45, "{order}");
    }
    let by_name = list_contacts(&app, json!({ "orderBy": "NAME", "first": 100 })).await;
    let names = names(&by_name);
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");

    // Cursors are checked, and belong to their order.
    let first = list_contacts(&app, json!({ "first": 1 })).await;
    let cursor = first["pageInfo"]["endCursor"].clone();
    let wrong_order = app
        .gql(LIST_CONTACTS, json!({ "orderBy": "NAME", "after": cursor }))
        .await;
    assert_eq!(wrong_order.error_code(), "BAD_USER_INPUT");
    assert_eq!(field(&wrong_order), "after");
    let garbage = app.gql(LIST_CONTACTS, json!({ "after": "garbage" })).await;
    assert_eq!(field(&garbage), "after");
    let too_many = app.gql(LIST_CONTACTS, json!({ "first": 101 })).await;
    assert_eq!(too_many.error_code(), "BAD_USER_INPUT");
    assert_eq!(field(&too_many), "first");

    execute(
        &app,
        &format!(
            "INSERT INTO companies (workspace_id, id, name)
         SELECT '{ws}', gen_random_uuid(), 'Company ' || (i % 3) FROM generate_series(1, 12) AS i"
        ),
    )
    .await;
    let mut seen = HashSet::new();
    let mut after: Option<String> = None;
    loop {
        let page = list_companies(
            &app,
            json!({ "orderBy": "NAME", "first": 5, "after": after }),
        )
        .await;
        for edge in page["edges"].as_array().unwrap() {
            assert!(seen.insert(edge["node"]["id"].as_str().unwrap().to_owned()));
        }
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = Some(page["pageInfo"]["endCursor"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen.len(), 12);
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_filter_by_tag_stage_company_owner_target_and_country() {
    let app = TestApp::spawn().await;
    let acme = create_company(
        &app,
        json!({ "name": "Acme", "country": "DE", "isTargetAccount": true, "tags": ["enterprise"] }),
    )
    .await;
    create_company(
        &app,
        json!({ "name": "Globex", "country": "US", "ownerId": "sam" }),
    )
    .await;
    create_contact(&app, json!({ "name": "Ada", "tags": ["vip", "speaker"], "lifecycleStage": "CUSTOMER", "companyId": acme["id"] })).await;
    create_contact(
        &app,
        json!({ "name": "Grace", "tags": ["speaker"], "lifecycleStage": "LEAD", "ownerId": "sam" }),
    )
    .await;
    create_contact(
        &app,
        json!({ "name": "Alan", "lifecycleStage": "CUSTOMER", "companyId": acme["id"] }),
    )
    .await;
    let by = |filter: Value| json!({ "filter": filter, "orderBy": "NAME" });

    assert_eq!(
        names(&list_contacts(&app, by(json!({ "tag": "vip" }))).await),
        vec!["Ada"]
    );
    assert_eq!(
        names(&list_contacts(&app, by(json!({ "tag": "speaker" }))).await),
        vec!["Ada", "Grace"]
    );
    assert_eq!(
        names(&list_contacts(&app, by(json!({ "lifecycleStage": "CUSTOMER" }))).await),
        vec!["Ada", "Alan"]
    );
    assert_eq!(
        names(&list_contacts(&app, by(json!({ "companyId": acme["id"] }))).await),
        vec!["Ada", "Alan"]
    );
    assert_eq!(
        names(&list_contacts(&app, by(json!({ "ownerId": "sam" }))).await),
        vec!["Grace"]
    );
    let both = list_contacts(&app, by(json!({ "companyId": acme["id"], "tag": "vip" }))).await;
    assert_eq!(names(&both), vec!["Ada"]);
    assert_eq!(both["totalCount"], 1);

    assert_eq!(
        names(&list_companies(&app, by(json!({ "isTargetAccount": true }))).await),
        vec!["Acme"]
    );
    assert_eq!(
        names(&list_companies(&app, by(json!({ "country": "us" }))).await),
        vec!["Globex"]
    );
    assert_eq!(
        names(&list_companies(&app, by(json!({ "tag": "enterprise" }))).await),
        vec!["Acme"]
    );
    assert_eq!(
        names(&list_companies(&app, by(json!({ "ownerId": "sam" }))).await),
        vec!["Globex"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_company_keeps_its_contacts_and_deals_without_it() {
    let app = TestApp::spawn().await;
    let acme = create_company(&app, json!({ "name": "Acme" })).await;
    let ada = create_contact(&app, json!({ "name": "Ada", "companyId": acme["id"] })).await;
    assert_eq!(ada["company"]["name"], "Acme");
    let deal = deal_of(&app, acme["id"].as_str()).await;

    app.gql(DELETE_COMPANY, json!({ "input": { "id": acme["id"] } }))
        .await
        .data();
    let now = app.gql(CONTACT_BY_ID, json!({ "id": ada["id"] })).await;
    assert!(now.data()["contact"]["companyId"].is_null());
    assert!(now.data()["contact"]["company"].is_null());
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM deals WHERE id = '{deal}' AND company_id IS NULL"
        ))
        .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_contact_unlinks_it_from_deals() {
    let app = TestApp::spawn().await;
    let ada = create_contact(&app, json!({ "name": "Ada" })).await;
    let deal = deal_of(&app, None).await;
    execute(&app, &format!(
        "INSERT INTO deal_contacts (workspace_id, deal_id, contact_id, role) VALUES ('{}', '{deal}', '{}', 'champion')",
        app.workspace_id,
        ada["id"].as_str().unwrap()
    ))
    .await;
    app.gql(DELETE_CONTACT, json!({ "input": { "id": ada["id"] } }))
        .await
        .data();
    assert_eq!(
        app.count("SELECT count(*) AS n FROM deal_contacts").await,
        0
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM deals").await, 1);
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

    let ada = create_contact(&app, json!({ "name": "Ada" })).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_key_can_read_but_not_write() {
    let app = TestApp::spawn().await;
    let ada = create_contact(&app, json!({ "name": "Ada" })).await;
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
    let acme = create_company(&app, json!({ "name": "Acme" })).await;
    let ada = create_contact(
        &app,
        json!({ "name": "Ada", "email": "ada@example.com", "companyId": acme["id"] }),
    )
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

#[tokio::test(flavor = "multi_thread")]
async fn a_company_lists_its_contacts_page_by_page() {
    let app = TestApp::spawn().await;
    let acme = create_company(&app, json!({ "name": "Acme" })).await;
    let globex = create_company(&app, json!({ "name": "Globex" })).await;
    for i in 0..5 {
        create_contact(
            &app,
            json!({ "name": format!("Acme {i}"), "companyId": acme["id"] }),
        )
        .await;
    }
    for i in 0..2 {
        create_contact(
            &app,
            json!({ "name": format!("Globex {i}"), "companyId": globex["id"] }),
        )
        .await;
    }
    create_company(&app, json!({ "name": "Initech" })).await;
    let query = "{ companies(orderBy: NAME) { edges { node { name contacts(first: 2) {
        totalCount pageInfo { hasNextPage } edges { node { name company { name } } } } } } } }";
    let response = app.gql(query, json!({})).await;
    let edges = response.data()["companies"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let summary: Vec<(String, i64, usize, bool)> = edges
        .iter()
        .map(|edge| {
            let contacts = &edge["node"]["contacts"];
            (
                edge["node"]["name"].as_str().unwrap().to_owned(),
                contacts["totalCount"].as_i64().unwrap(),
                contacts["edges"].as_array().unwrap().len(),
                contacts["pageInfo"]["hasNextPage"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("Acme".to_owned(), 5, 2, true),
            ("Globex".to_owned(), 2, 2, false),
            ("Initech".to_owned(), 0, 0, false),
        ]
    );
    // Newest update first, and each contact's company is its own.
    assert_eq!(
        names(&edges[0]["node"]["contacts"]),
        vec!["Acme 4", "Acme 3"]
    );
    assert_eq!(
        edges[1]["node"]["contacts"]["edges"][0]["node"]["company"]["name"],
        "Globex"
    );

    let page =
        "query($id: ID!, $after: String) { company(id: $id) { contacts(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } edges { node { name } } } } }";
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let response = app
            .gql(page, json!({ "id": acme["id"], "after": after }))
            .await;
        let contacts = response.data()["company"]["contacts"].clone();
        seen.extend(names(&contacts));
        if contacts["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = contacts["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, vec!["Acme 4", "Acme 3", "Acme 2", "Acme 1", "Acme 0"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn later_mutations_of_a_request_see_its_earlier_writes() {
    let app = TestApp::spawn().await;
    let acme = create_company(&app, json!({ "name": "Acme" })).await;
    let ada = create_contact(&app, json!({ "name": "Ada", "companyId": acme["id"] })).await;
    let response = app
        .gql(
            r#"mutation($contact: ID!, $company: ID!) {
                before: updateContact(input: { id: $contact, title: "A" }) { contact { company { name } } }
                rename: updateCompany(input: { id: $company, name: "Acme Corp" }) { company { name } }
                after: updateContact(input: { id: $contact, title: "B" }) { contact { company { name } } }
            }"#,
            json!({ "contact": ada["id"], "company": acme["id"] }),
        )
        .await;
    let data = response.data();
    assert_eq!(data["before"]["contact"]["company"]["name"], "Acme");
    assert_eq!(data["after"]["contact"]["company"]["name"], "Acme Corp");
}

#[derive(diesel::QueryableByName)]
struct Plan {
    #[diesel(sql_type = diesel::sql_types::Json, column_name = "QUERY PLAN")]
    plan: Value,
}

/// Search is an `ILIKE` on the trigram index's own expression, so PostgreSQL answers it from
/// `contacts_search` instead of reading every contact: what keeps search fast at 100,000.
#[tokio::test(flavor = "multi_thread")]
async fn contact_search_uses_the_trigram_index() {
    use dealgraph::contacts::model::contact::CONTACT_SEARCH_TEXT;
    use dealgraph::contacts::rules::like_pattern;

    let app = TestApp::spawn().await;
    let ws = app.workspace_id;
    execute(&app, &format!(
        "INSERT INTO contacts (workspace_id, id, name, email)
         SELECT '{ws}', gen_random_uuid(), 'Contact ' || md5(i::text), md5((i * 7)::text) || '@example.com'
         FROM generate_series(1, 20000) AS i"
    ))
    .await;
    create_contact(
        &app,
        json!({ "name": "Ada Lovelace", "email": "ada@analytical.io" }),
    )
    .await;
    // What autovacuum does in production: statistics, and the GIN index's pending list merged.
    execute(&app, "VACUUM ANALYZE contacts").await;

    let mut conn = app.pool.get().await.unwrap();
    // The statements `contacts(filter: { search })` runs: its count and its first page.
    let pattern = like_pattern("lovelace");
    for statement in [
        format!("SELECT count(*) FROM contacts WHERE contacts.workspace_id = $1 AND {CONTACT_SEARCH_TEXT} ILIKE $2"),
        format!("SELECT contacts.id FROM contacts WHERE contacts.workspace_id = $1 AND {CONTACT_SEARCH_TEXT} ILIKE $2 ORDER BY contacts.updated_at DESC, contacts.id DESC LIMIT 21"),
    ] {
        let plan: Plan = diesel::sql_query(format!("EXPLAIN (FORMAT JSON) {statement}"))
            .bind::<diesel::sql_types::Uuid, _>(ws)
            .bind::<diesel::sql_types::Text, _>(&pattern)
            .get_result(&mut conn)
            .await
            .unwrap();
        let plan = plan.plan.to_string();
        assert!(plan.contains("contacts_search"), "{statement}\n{plan}");
    }
    drop(conn);

    let found = list_contacts(&app, json!({ "filter": { "search": "LoveLace" } })).await;
    assert_eq!(names(&found), vec!["Ada Lovelace"]);
}

/// Runs `query` through the library's schema on a pool that counts statements, and returns
/// how many statements it ran.
async fn statements_of(
    schema: &dealgraph::graphql::DealgraphSchema,
    pool: &dealgraph::db::DbPool,
    counter: &dealgraph::db::StatementCounter,
    actor: &dealgraph::auth::Actor,
    query: &str,
) -> u64 {
    let request = async_graphql::Request::new(query);
    let request = dealgraph::graphql::with_request_data(request, pool, actor.clone(), true);
    let before = counter.get();
    let response = schema.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    counter.get() - before
}

/// `Contact.company` and `Company.contacts` go through per-request loaders: the statements a
/// query runs depend on its shape, not on how many contacts and companies it returns.
#[tokio::test(flavor = "multi_thread")]
async fn relations_load_in_the_same_few_statements_however_many_rows() {
    let app = TestApp::spawn().await;
    let counter = dealgraph::db::StatementCounter::default();
    // One connection, so every statement lands on the same warm connection.
    let pool = dealgraph::db::pool_counting(&app.database_url, 1, counter.clone()).unwrap();
    let settings = dealgraph::graphql::SchemaSettings { production: false };
    let schema = dealgraph::graphql::build_schema(pool.clone(), settings);
    let actor = dealgraph::auth::Actor {
        workspace_id: app.workspace_id,
        key_id: uuid::Uuid::now_v7(),
        scopes: vec![Scope::CrmRead],
        request_id: None,
    };
    let query = "{
        contacts(first: 100) { totalCount edges { node { name company { name } } } }
        companies(first: 100) { edges { node { name
            contacts(first: 3) { totalCount edges { node { name company { name } } } } } } }
    }";
    let ws = app.workspace_id;
    let seed = |companies: i32, per_company: i32| {
        format!(
            "WITH made AS (
                 INSERT INTO companies (workspace_id, id, name)
                 SELECT '{ws}', gen_random_uuid(), 'Company ' || i FROM generate_series(1, {companies}) AS i
                 RETURNING id
             )
             INSERT INTO contacts (workspace_id, id, name, company_id)
             SELECT '{ws}', gen_random_uuid(), 'Person ' || j, made.id
             FROM made CROSS JOIN generate_series(1, {per_company}) AS j"
        )
    };
    statements_of(&schema, &pool, &counter, &actor, query).await; // opens the connection
    execute(&app, &seed(2, 2)).await;
    let few = statements_of(&schema, &pool, &counter, &actor, query).await;
    execute(&app, &seed(20, 4)).await;
    let many = statements_of(&schema, &pool, &counter, &actor, query).await;
    assert_eq!(
        few, many,
        "{few} statements for 4 contacts, {many} for 84: statements must not grow with rows"
    );
    // The contacts page and count, their companies (one batch), the companies page and
    // count, their contacts (page and count in one batch): 7. The contacts listed under a
    // company need no query for that company. (Pool health checks, if configured, add one
    // per checkout.)
    assert!(many <= 12, "{many} statements");
}
