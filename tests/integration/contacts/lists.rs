//! Contact and company lists: search, keyset pages, filters, and the index search relies on.

use std::collections::HashSet;

use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

use super::{execute, field, list_companies, list_contacts, names, LIST_CONTACTS};
use crate::support::builders::{CompanyBuilder, ContactBuilder};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn search_finds_partial_names_emails_and_domains_in_any_case() {
    let app = TestApp::spawn().await;
    ContactBuilder::new("Ada Lovelace")
        .email("ada@analytical.io")
        .create(&app)
        .await;
    ContactBuilder::new("Grace Hopper")
        .email("grace@navy.mil")
        .create(&app)
        .await;
    ContactBuilder::new("Alan Turing")
        .email("alan@bletchley.uk")
        .create(&app)
        .await;
    ContactBuilder::new("100% Sales").create(&app).await;
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

    CompanyBuilder::new("Initech")
        .domain("initrode.com")
        .create(&app)
        .await;
    CompanyBuilder::new("Globex").create(&app).await;
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
    let acme = CompanyBuilder::new("Acme")
        .country("DE")
        .target_account(true)
        .tags(&["enterprise"])
        .create(&app)
        .await;
    CompanyBuilder::new("Globex")
        .country("US")
        .owner("sam")
        .create(&app)
        .await;
    ContactBuilder::new("Ada")
        .tags(&["vip", "speaker"])
        .lifecycle_stage("CUSTOMER")
        .company(&acme["id"])
        .create(&app)
        .await;
    ContactBuilder::new("Grace")
        .tags(&["speaker"])
        .lifecycle_stage("LEAD")
        .owner("sam")
        .create(&app)
        .await;
    ContactBuilder::new("Alan")
        .lifecycle_stage("CUSTOMER")
        .company(&acme["id"])
        .create(&app)
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
    ContactBuilder::new("Ada Lovelace")
        .email("ada@analytical.io")
        .create(&app)
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
