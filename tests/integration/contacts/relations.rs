//! Contacts, companies and deals together: deletes that unlink, a company's contacts page by
//! page, a request seeing its own writes, and relations loaded in a fixed number of statements.

use dealgraph::auth::Scope;
use serde_json::{json, Value};

use super::{execute, names, CONTACT_BY_ID, DELETE_COMPANY, DELETE_CONTACT};
use crate::support::builders::{CompanyBuilder, ContactBuilder, DealBuilder, PipelineBuilder};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_company_keeps_its_contacts_and_deals_without_it() {
    let app = TestApp::spawn().await;
    let acme = CompanyBuilder::new("Acme").create(&app).await;
    let ada = ContactBuilder::new("Ada")
        .company(&acme["id"])
        .create(&app)
        .await;
    assert_eq!(ada["company"]["name"], "Acme");
    PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Deal")
        .company(&acme["id"])
        .create_id(&app)
        .await;

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
    let ada = ContactBuilder::new("Ada").create(&app).await;
    PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Deal").create_id(&app).await;
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
async fn a_company_lists_its_contacts_page_by_page() {
    let app = TestApp::spawn().await;
    let acme = CompanyBuilder::new("Acme").create(&app).await;
    let globex = CompanyBuilder::new("Globex").create(&app).await;
    for i in 0..5 {
        ContactBuilder::new(&format!("Acme {i}"))
            .company(&acme["id"])
            .create(&app)
            .await;
    }
    for i in 0..2 {
        ContactBuilder::new(&format!("Globex {i}"))
            .company(&globex["id"])
            .create(&app)
            .await;
    }
    CompanyBuilder::new("Initech").create(&app).await;
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
    let acme = CompanyBuilder::new("Acme").create(&app).await;
    let ada = ContactBuilder::new("Ada")
        .company(&acme["id"])
        .create(&app)
        .await;
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
        channel: dealgraph::audit::Channel::Graphql,
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

/// A by-id loader shares the rows it read: the company named by fifty deals of a board is one
/// row in memory, handed out by reference count, not copied fifty times.
#[tokio::test(flavor = "multi_thread")]
async fn a_by_id_loader_hands_out_one_shared_row_per_id() {
    use dealgraph::graphql::contacts::{CompanyLoader, ContactLoader};
    use dealgraph::graphql::loaders::Loaders;

    let app = TestApp::spawn().await;
    let acme = CompanyBuilder::new("Acme").create_id(&app).await;
    let ada = ContactBuilder::new("Ada").create_id(&app).await;
    let loaders = Loaders::for_workspace(&app.pool, app.workspace_id, true);
    let companies = loaders.get::<CompanyLoader>().expect("company loader");
    let contacts = loaders.get::<ContactLoader>().expect("contact loader");
    let acme: uuid::Uuid = acme.parse().unwrap();
    let ada: uuid::Uuid = ada.parse().unwrap();

    let first = companies.load_one(acme).await.unwrap().expect("Acme");
    let again = companies.load_one(acme).await.unwrap().expect("Acme");
    assert_eq!(first.name, "Acme");
    assert!(
        std::sync::Arc::ptr_eq(&first, &again),
        "the company was copied"
    );
    let person = contacts.load_one(ada).await.unwrap().expect("Ada");
    let same_person = contacts.load_many([ada]).await.unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&person, &same_person[&ada]),
        "the contact was copied"
    );
}
