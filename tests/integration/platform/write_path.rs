//! The write path, proved with the API-key mutations: idempotency, dry runs, audit events,
//! outbox events and failures that leave nothing behind.

use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use serde_json::json;

use crate::support::builders::ContactBuilder;
use crate::support::TestApp;

const CREATE_KEY: &str = "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret replayed dryRun apiKey { id name scopes } } }";
const REVOKE_KEY: &str = "mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { replayed dryRun apiKey { id revokedAt } } }";

async fn keys_named(app: &TestApp, name: &str) -> i64 {
    app.count(&format!(
        "SELECT count(*) AS n FROM api_keys WHERE name = '{name}'"
    ))
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn same_idempotency_key_and_input_replays_without_writing_again() {
    let app = TestApp::spawn().await;
    let input =
        json!({ "input": { "name": "ci", "scopes": ["CRM_READ"], "idempotencyKey": "req-1" } });
    let first = app.gql(CREATE_KEY, input.clone()).await;
    let first = &first.data()["createApiKey"];
    assert_eq!(first["replayed"], false);
    assert!(first["secret"].is_string());

    let second = app.gql(CREATE_KEY, input.clone()).await;
    let second = &second.data()["createApiKey"];
    assert_eq!(second["replayed"], true);
    assert_eq!(second["apiKey"]["id"], first["apiKey"]["id"]);
    // The secret is never stored, so a replay cannot show it again.
    assert!(second["secret"].is_null());

    assert_eq!(keys_named(&app, "ci").await, 1);
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'api_key.create' AND outcome = 'succeeded' AND actor_key_id IS NOT NULL").await, 1);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'api_key.created'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn same_idempotency_key_with_other_input_is_refused() {
    let app = TestApp::spawn().await;
    app.gql(
        CREATE_KEY,
        json!({ "input": { "name": "ci", "scopes": ["CRM_READ"], "idempotencyKey": "req-1" } }),
    )
    .await
    .data();
    let reused = app
        .gql(
            CREATE_KEY,
            json!({ "input": { "name": "cd", "scopes": ["CRM_READ"], "idempotencyKey": "req-1" } }),
        )
        .await;
    assert_eq!(reused.error_code(), "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(keys_named(&app, "cd").await, 0);
    // A different mutation with the same key is a different input too.
    let other = app
        .gql(
            REVOKE_KEY,
            json!({ "input": { "id": uuid::Uuid::now_v7(), "idempotencyKey": "req-1" } }),
        )
        .await;
    assert_eq!(other.error_code(), "IDEMPOTENCY_KEY_REUSED");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_used_for_a_write_is_not_replayed_for_a_dry_run() {
    let app = TestApp::spawn().await;
    let input = |dry_run: bool| json!({ "input": { "name": "ci", "scopes": ["CRM_READ"], "idempotencyKey": "req-1", "dryRun": dry_run } });
    let real = app.gql(CREATE_KEY, input(false)).await;
    assert_eq!(real.data()["createApiKey"]["dryRun"], false);
    let dry = app.gql(CREATE_KEY, input(true)).await;
    assert_eq!(dry.error_code(), "IDEMPOTENCY_KEY_REUSED", "{}", dry.body);
    // The real write still replays.
    let again = app.gql(CREATE_KEY, input(false)).await;
    assert_eq!(again.data()["createApiKey"]["replayed"], true);
    assert_eq!(keys_named(&app, "ci").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotency_keys_are_scoped_to_the_workspace() {
    let app = TestApp::spawn().await;
    let (_, other_admin) = app.other_workspace().await;
    let input =
        json!({ "input": { "name": "ci", "scopes": ["CRM_READ"], "idempotencyKey": "shared" } });
    assert_eq!(
        app.gql(CREATE_KEY, input.clone()).await.data()["createApiKey"]["replayed"],
        false
    );
    assert_eq!(
        app.gql_as(&other_admin, CREATE_KEY, input).await.data()["createApiKey"]["replayed"],
        false
    );
    assert_eq!(keys_named(&app, "ci").await, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_claim_without_a_live_request_is_taken_over_and_an_expired_key_is_reusable() {
    let app = TestApp::spawn().await;
    let input =
        json!({ "input": { "name": "ci", "scopes": ["CRM_READ"], "idempotencyKey": "busy" } });
    // A claim row left by a request whose server died (as earlier versions wrote them): no
    // transaction holds the key, so it blocks nothing. A request that is really running is
    // refused (`platform::crash`, `concurrent_requests_with_one_key_write_once`).
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query(format!(
        "INSERT INTO idempotency_keys (workspace_id, key, action, request_hash, status, expires_at)
         VALUES ('{}', 'busy', 'api_key.create', '\\x00', 'in_flight', now() + interval '1 day')",
        app.workspace_id
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    drop(conn);
    let first = app.gql(CREATE_KEY, input.clone()).await;
    assert_eq!(first.data()["createApiKey"]["replayed"], false);
    assert_eq!(
        app.gql(CREATE_KEY, input.clone()).await.data()["createApiKey"]["replayed"],
        true
    );

    // After retention a key is forgotten and runs the write again.
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(
        app.gql(CREATE_KEY, input).await.data()["createApiKey"]["replayed"],
        false
    );
    assert_eq!(keys_named(&app, "ci").await, 2);
    assert_eq!(app.count("SELECT count(*) AS n FROM idempotency_keys WHERE status = 'completed' AND expires_at > now() + interval '23 hours'").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_requests_with_one_key_write_once() {
    let app = TestApp::spawn().await;
    let input =
        json!({ "input": { "name": "race", "scopes": ["CRM_READ"], "idempotencyKey": "race-1" } });
    let requests = (0..8).map(|_| app.gql(CREATE_KEY, input.clone()));
    let responses = futures_util::future::join_all(requests).await;
    let mut fresh = 0;
    for response in &responses {
        match response.body.get("errors") {
            None => {
                fresh += usize::from(response.body["data"]["createApiKey"]["replayed"] == false)
            }
            Some(_) => assert_eq!(response.error_code(), "CONFLICT", "{}", response.body),
        }
    }
    assert_eq!(fresh, 1);
    assert_eq!(keys_named(&app, "race").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_returns_the_would_be_result_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let audits_before = app.count("SELECT count(*) AS n FROM audit_events").await;
    let response = app.gql(CREATE_KEY, json!({ "input": { "name": "preview", "scopes": ["CRM_WRITE"], "dryRun": true, "idempotencyKey": "dry" } })).await;
    let payload = &response.data()["createApiKey"];
    assert_eq!(payload["dryRun"], true);
    assert_eq!(payload["apiKey"]["name"], "preview");
    assert_eq!(keys_named(&app, "preview").await, 0);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_events").await,
        audits_before
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events").await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM idempotency_keys")
            .await,
        0
    );

    // A dry-run revoke leaves the key working.
    let key = app
        .gql(
            CREATE_KEY,
            json!({ "input": { "name": "keep", "scopes": ["CRM_READ"] } }),
        )
        .await;
    let secret = key.data()["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = key.data()["createApiKey"]["apiKey"]["id"].clone();
    let dry = app
        .gql(REVOKE_KEY, json!({ "input": { "id": id, "dryRun": true } }))
        .await;
    assert!(dry.data()["revokeApiKey"]["apiKey"]["revokedAt"].is_string());
    assert_eq!(
        app.gql_as(&secret, "{ viewer { apiKey { id } } }", json!({}))
            .await
            .status,
        200
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_write_leaves_nothing_but_its_audit_event() {
    let app = TestApp::spawn().await;
    let long_name = "x".repeat(201);
    let response = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&app.admin_key)
        .header("x-request-id", "req-failed-1")
        .json(&json!({ "query": CREATE_KEY, "variables": { "input": { "name": long_name, "scopes": ["CRM_READ"], "idempotencyKey": "fail-1" } } }))
        .send()
        .await
        .unwrap();
    let response = crate::support::GqlResponse::read(response).await;
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        response.body["errors"][0]["extensions"]["field"],
        "input.name"
    );
    assert!(response.error_message().contains("input.name"));
    assert_eq!(app.count("SELECT count(*) AS n FROM api_keys").await, 1);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events").await,
        0
    );
    // The key was released: a corrected retry with the same idempotency key is a new write...
    // but with another input it would be refused, so retry with the same key and a fixed name.
    assert_eq!(
        app.count("SELECT count(*) AS n FROM idempotency_keys")
            .await,
        0
    );
    let audit = app.gql("{ auditEvents(action: \"api_key.create\") { edges { node { outcome errorCode requestId after } } } }", json!({})).await;
    let failed = &audit.data()["auditEvents"]["edges"][0]["node"];
    assert_eq!(failed["outcome"], "FAILED");
    assert_eq!(failed["errorCode"], "BAD_USER_INPUT");
    assert_eq!(failed["requestId"], "req-failed-1");

    let missing = app
        .gql(
            REVOKE_KEY,
            json!({ "input": { "id": uuid::Uuid::now_v7() } }),
        )
        .await;
    assert_eq!(missing.error_code(), "NOT_FOUND");
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'api_key.revoke' AND outcome = 'failed' AND error_code = 'NOT_FOUND'").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_events_record_actor_before_after_and_request_id() {
    let app = TestApp::spawn().await;
    let created = app
        .gql(
            CREATE_KEY,
            json!({ "input": { "name": "audited", "scopes": ["CRM_READ"] } }),
        )
        .await;
    let id = created.data()["createApiKey"]["apiKey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&app.admin_key)
        .header("x-request-id", "req-revoke-7")
        .json(&json!({ "query": REVOKE_KEY, "variables": { "input": { "id": id } } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "req-revoke-7");
    let viewer = app.gql("{ viewer { apiKey { id } } }", json!({})).await;
    let admin_id = viewer.data()["viewer"]["apiKey"]["id"].clone();

    let audit = app
        .gql(
            "query($id: ID) { auditEvents(entityId: $id) { totalCount edges { node { action actorKeyId entityType before after requestId outcome } } } }",
            json!({ "id": id }),
        )
        .await;
    let events = &audit.data()["auditEvents"];
    assert_eq!(events["totalCount"], 2);
    let revoke = &events["edges"][0]["node"];
    assert_eq!(revoke["action"], "api_key.revoke");
    assert_eq!(revoke["actorKeyId"], admin_id);
    assert_eq!(revoke["entityType"], "api_key");
    assert_eq!(revoke["requestId"], "req-revoke-7");
    assert!(revoke["before"]["revoked_at"].is_null());
    assert!(revoke["after"]["revoked_at"].is_string());
    assert!(revoke["after"].get("secret_hash").is_none());
    assert_eq!(events["edges"][1]["node"]["action"], "api_key.create");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'api_key.revoked'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn outbox_events_wake_listeners_at_commit() {
    let app = TestApp::spawn().await;
    let mut listener = AsyncPgConnection::establish(&app.database_url)
        .await
        .unwrap();
    diesel::sql_query(format!("LISTEN {}", dealgraph::events::CHANNEL))
        .execute(&mut listener)
        .await
        .unwrap();
    let mut notifications = Box::pin(listener.notifications_stream());

    app.gql(
        CREATE_KEY,
        json!({ "input": { "name": "dry", "scopes": ["CRM_READ"], "dryRun": true } }),
    )
    .await
    .data();
    let quiet = tokio::time::timeout(Duration::from_millis(300), notifications.next()).await;
    assert!(quiet.is_err(), "a rolled-back write must not notify");

    app.gql(
        CREATE_KEY,
        json!({ "input": { "name": "real", "scopes": ["CRM_READ"] } }),
    )
    .await
    .data();
    let woke = tokio::time::timeout(Duration::from_secs(5), notifications.next()).await;
    let notification = woke
        .expect("a committed write notifies")
        .expect("stream open")
        .expect("notification");
    assert_eq!(notification.channel, dealgraph::events::CHANNEL);
    assert_eq!(app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'api_key.created' AND payload->>'name' = 'real'").await, 1);
}

/// A write says when it committed the deletion of its record, so `mutate` makes the request's
/// loaders forget the record instead of keeping it; an update, a dry-run delete and a replayed
/// delete committed no deletion.
#[tokio::test(flavor = "multi_thread")]
async fn a_committed_delete_is_reported_as_one() {
    use dealgraph::contacts::model::Contact;
    use dealgraph::contacts::rules::contact::ContactPatch;
    use dealgraph::write::{record, Patch, WriteOptions};

    let app = TestApp::spawn().await;
    let pool = &app.pool;
    // The audit trail names the acting key, so it must be a real one.
    let keys = app.gql("{ apiKeys { nodes { id } } }", json!({})).await;
    let key_id = keys.data()["apiKeys"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let actor = dealgraph::auth::Actor {
        workspace_id: app.workspace_id,
        key_id,
        scopes: vec![dealgraph::auth::Scope::CrmWrite],
        request_id: None,
        channel: dealgraph::audit::Channel::Graphql,
    };
    let ada = ContactBuilder::new("Ada").create(&app).await;
    let id: uuid::Uuid = ada["id"].as_str().unwrap().parse().unwrap();
    let options = |key: Option<&str>, dry_run: bool| WriteOptions {
        idempotency_key: key.map(str::to_owned),
        dry_run,
    };

    let patch = ContactPatch {
        title: Patch::Set("CTO".into()),
        ..Default::default()
    };
    let updated = record::update::<Contact>(pool, &actor, id, None, patch, options(None, false))
        .await
        .unwrap();
    assert!(!updated.deleted, "an update deleted nothing");

    let dry = record::delete::<Contact>(pool, &actor, id, None, options(None, true))
        .await
        .unwrap();
    assert!(dry.dry_run && !dry.deleted, "a dry run committed nothing");

    let deleted = record::delete::<Contact>(pool, &actor, id, None, options(Some("d-1"), false))
        .await
        .unwrap();
    assert!(deleted.deleted, "the delete committed");
    assert_eq!(deleted.value.name, "Ada");

    let replayed = record::delete::<Contact>(pool, &actor, id, None, options(Some("d-1"), false))
        .await
        .unwrap();
    assert!(
        replayed.replayed && !replayed.deleted,
        "a replay committed nothing"
    );
}
