//! Managing endpoints: admin only, validated, through the write path.

use dealgraph::auth::Scope;
use serde_json::json;

use super::{contact_event, create_endpoint, deliveries, fast, Receiver, Reply, ENDPOINT_FIELDS};
use crate::support::locks::RowLock;
use crate::support::TestApp;

const CREATE: &str = "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret replayed dryRun webhookEndpoint { id version } } }";

#[tokio::test]
async fn endpoints_are_created_listed_updated_and_deleted_by_admins() {
    let app = TestApp::spawn_with(fast).await;
    let (id, secret) = create_endpoint(&app, "http://127.0.0.1:9/hook", &["deal.*"]).await;
    assert!(secret.starts_with("whsec_"), "{secret}");

    let listed = app
        .gql(
            &format!(
                "{{ webhookEndpoints(first: 10) {{ totalCount nodes {{ {ENDPOINT_FIELDS} }} }} }}"
            ),
            json!({}),
        )
        .await;
    let list = &listed.data()["webhookEndpoints"];
    assert_eq!(list["totalCount"], 1);
    assert_eq!(list["nodes"][0]["eventTypes"], json!(["deal.*"]));
    assert_eq!(list["nodes"][0]["enabled"], true);
    assert_eq!(list["nodes"][0]["stats"]["attempts"], 0);
    assert!(
        !listed.body.to_string().contains(&secret),
        "the secret is shown once"
    );

    let update = "mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { webhookEndpoint { description version eventTypes } } }";
    let stale = app
        .gql(
            update,
            json!({ "input": { "id": id, "expectedVersion": 7, "description": "x" } }),
        )
        .await;
    assert_eq!(stale.error_code(), "STALE_OBJECT");
    let updated = app
        .gql(
            update,
            json!({ "input": { "id": id, "expectedVersion": 1, "description": "CRM sync", "eventTypes": ["*"] } }),
        )
        .await;
    let endpoint = &updated.data()["updateWebhookEndpoint"]["webhookEndpoint"];
    assert_eq!(endpoint["description"], "CRM sync");
    assert_eq!(endpoint["version"], 2);

    let deleted = app
        .gql(
            "mutation($input: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $input) { deletedId } }",
            json!({ "input": { "id": id } }),
        )
        .await;
    assert_eq!(
        deleted.data()["deleteWebhookEndpoint"]["deletedId"],
        json!(id)
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM webhook_endpoints")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_events WHERE action LIKE 'webhook_endpoint.%'")
            .await,
        4,
        "create, the refused stale update, update, delete"
    );
}

#[tokio::test]
async fn idempotent_replays_hide_the_secret_and_dry_runs_write_nothing() {
    let app = TestApp::spawn_with(fast).await;
    let input = json!({ "url": "http://127.0.0.1:9/hook", "idempotencyKey": "hook-1" });
    let first = app.gql(CREATE, json!({ "input": input })).await;
    let again = app.gql(CREATE, json!({ "input": input })).await;
    assert!(first.data()["createWebhookEndpoint"]["secret"].is_string());
    assert_eq!(again.data()["createWebhookEndpoint"]["replayed"], true);
    assert!(again.data()["createWebhookEndpoint"]["secret"].is_null());
    assert_eq!(
        first.data()["createWebhookEndpoint"]["webhookEndpoint"]["id"],
        again.data()["createWebhookEndpoint"]["webhookEndpoint"]["id"]
    );
    let dry = app
        .gql(
            CREATE,
            json!({ "input": { "url": "http://127.0.0.1:9/x", "dryRun": true } }),
        )
        .await;
    assert_eq!(dry.data()["createWebhookEndpoint"]["dryRun"], true);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM webhook_endpoints")
            .await,
        1
    );
}

#[tokio::test]
async fn only_admin_keys_manage_or_read_endpoints() {
    let app = TestApp::spawn_with(fast).await;
    let writer = app.key_with(&[Scope::CrmWrite]).await;
    let refused = app
        .gql_as(
            &writer,
            CREATE,
            json!({ "input": { "url": "http://127.0.0.1:9/hook" } }),
        )
        .await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    let listed = app
        .gql_as(&writer, "{ webhookEndpoints { totalCount } }", json!({}))
        .await;
    assert_eq!(listed.error_code(), "FORBIDDEN");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM webhook_endpoints")
            .await,
        0
    );
}

#[tokio::test]
async fn bad_urls_and_patterns_are_refused_naming_the_field() {
    let app = TestApp::spawn_with(fast).await;
    for (input, field) in [
        (json!({ "url": "not a url" }), "input.url"),
        (json!({ "url": "ftp://example.com/x" }), "input.url"),
        (
            json!({ "url": "http://127.0.0.1:9/h", "eventTypes": ["Deal"] }),
            "input.eventTypes",
        ),
    ] {
        let response = app.gql(CREATE, json!({ "input": input })).await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT", "{input}");
        assert!(
            response.error_message().contains(field),
            "{}",
            response.error_message()
        );
    }
    assert_eq!(
        app.count("SELECT count(*) AS n FROM webhook_endpoints")
            .await,
        0
    );
}

#[tokio::test]
async fn private_and_metadata_addresses_are_refused_unless_allowed() {
    let app = TestApp::spawn().await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.8/hook",
        "http://[::1]:9/hook",
        "http://localhost:9/hook",
    ] {
        let response = app.gql(CREATE, json!({ "input": { "url": url } })).await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT", "{url}");
        assert!(response.error_message().contains("input.url"));
    }
    assert_eq!(
        app.count("SELECT count(*) AS n FROM webhook_endpoints")
            .await,
        0
    );
}

#[tokio::test]
async fn production_servers_require_https() {
    let app = TestApp::spawn_with(|config| {
        fast(config);
        config.production = true;
    })
    .await;
    let response = app
        .gql(
            CREATE,
            json!({ "input": { "url": "http://127.0.0.1:9/hook" } }),
        )
        .await;
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    assert!(response.error_message().contains("https"));
    let https = app
        .gql(
            CREATE,
            json!({ "input": { "url": "https://127.0.0.1:9/hook" } }),
        )
        .await;
    assert!(https.data()["createWebhookEndpoint"]["secret"].is_string());
}

/// An endpoint deleted while the worker records an attempt's outcome: both take the endpoint's
/// row before anything of its deliveries, so one waits for the other. (The worker used to
/// lock the delivery first and the endpoint last, and the delete failed INTERNAL with
/// "deadlock detected".) The test holds the delivery's row so that the worker is caught in
/// the middle of recording when the delete comes.
#[tokio::test]
async fn an_endpoint_deleted_while_an_outcome_is_recorded_goes_without_a_deadlock() {
    let app = TestApp::spawn_with(fast).await;
    let receiver = Receiver::start(&[Reply::Hang]).await;
    let (endpoint, _) = create_endpoint(&app, &receiver.url, &["contact.*"]).await;
    contact_event(&app, "Ada").await;
    receiver.wait_for(1).await;
    let delivery = deliveries(&app, &endpoint).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The attempt times out; recording it waits for the delivery's row.
    let locker = RowLock::hold(&app.database_url, "webhook_deliveries", &delivery).await;
    app.wait_for_count(&locker.waiters_sql(), 1, "the worker never recorded")
        .await;
    let delete = app.gql_spawned(
        "mutation($input: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $input) { deletedId } }",
        json!({ "input": { "id": endpoint } }),
    );
    let waiting = "SELECT count(*) AS n FROM pg_stat_activity \
                   WHERE datname = current_database() AND wait_event_type = 'Lock'";
    app.wait_for_count(waiting, 2, "the delete never waited")
        .await;
    locker.release().await;

    let deleted = delete.await.unwrap();
    assert!(deleted.get("errors").is_none(), "{deleted}");
    assert_eq!(
        deleted["data"]["deleteWebhookEndpoint"]["deletedId"],
        json!(endpoint)
    );
    app.wait_for_count(
        "SELECT count(*) AS n FROM webhook_deliveries",
        0,
        "the delivery outlived its endpoint",
    )
    .await;
}
