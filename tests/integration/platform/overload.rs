//! Execution slots: an operation over HTTP waits for a free slot, and one still waiting after
//! the queue timeout is answered 503 `OVERLOADED` with `Retry-After`, having run nothing.

use std::time::Duration;

use serde_json::json;

use crate::support::builders::CompanyBuilder;
use crate::support::locks::RowLock;
use crate::support::TestApp;

const RENAME: &str =
    "mutation($id: ID!) { updateCompany(input: { id: $id, name: \"Acme Corp\" }) { company { name } } }";
const VIEWER: &str = "{ viewer { workspace { name } } }";

#[tokio::test(flavor = "multi_thread")]
async fn with_every_slot_busy_a_request_is_answered_503_overloaded_and_runs_nothing() {
    let app = TestApp::spawn_with(|config| {
        config.executions.max_concurrent = 1;
        config.executions.queue_timeout = Duration::ZERO;
    })
    .await;
    let company = CompanyBuilder::new("Acme").create_id(&app).await;

    // Hold the company's row, so that a rename holds the only slot while it waits for it.
    let locker = RowLock::hold(&app.database_url, "companies", &company).await;
    let rename = app.gql_spawned(RENAME, json!({ "id": company }));
    let waiting_on_us = locker.waiters_sql();
    app.wait_for_count(&waiting_on_us, 1, "the rename never blocked")
        .await;

    // The slot is taken: a read and a write are both turned away before they run.
    let busy = app.gql(VIEWER, json!({})).await;
    assert_eq!(busy.status, 503, "{}", busy.body);
    assert_eq!(busy.error_code(), "OVERLOADED", "{}", busy.body);
    assert_eq!(busy.headers["retry-after"], "1");
    assert!(busy.body.get("data").is_none(), "{}", busy.body);
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(
            r#"dealgraph_graphql_requests_total{operation="query",outcome="overloaded"}"#
        ),
        "{metrics}"
    );
    let create = app
        .gql(
            "mutation { createCompany(input: { name: \"Turned away\" }) { company { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(create.error_code(), "OVERLOADED", "{}", create.body);

    // Free the row: the rename finishes and gives its slot back.
    locker.release().await;
    let renamed = rename.await.expect("rename task");
    assert_eq!(
        renamed["data"]["updateCompany"]["company"]["name"],
        "Acme Corp"
    );
    let after = app.gql(VIEWER, json!({})).await;
    assert_eq!(after.status, 200, "{}", after.body);
    assert!(after.body["data"]["viewer"]["workspace"]["name"].is_string());
    assert_eq!(
        app.count("SELECT count(*) AS n FROM companies WHERE name = 'Turned away'")
            .await,
        0,
        "a refused write ran"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_beyond_the_slots_wait_in_line_and_all_succeed() {
    let app = TestApp::spawn_with(|config| {
        config.executions.max_concurrent = 2;
    })
    .await;
    let requests = (0..12).map(|n| {
        let app = &app;
        async move {
            let name = format!("Queued {n}");
            app.gql(
                "mutation($name: String!) { createCompany(input: { name: $name }) { company { name } } }",
                json!({ "name": name }),
            )
            .await
        }
    });
    for response in futures_util::future::join_all(requests).await {
        assert_eq!(response.status, 200, "{}", response.body);
        assert!(response.body.get("errors").is_none(), "{}", response.body);
    }
    assert_eq!(
        app.count("SELECT count(*) AS n FROM companies WHERE name LIKE 'Queued %'")
            .await,
        12
    );
}
