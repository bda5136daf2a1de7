//! Verified keys are kept in memory: a request with a known key runs no authentication
//! statement, a revoked key is refused at once on the revoking server and on every other one
//! as soon as the revocation's event reaches it, and `lastUsedAt` is written in batches.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{CREATE_KEY, REVOKE_KEY, VIEWER};
use crate::support::TestApp;

/// Far longer than any deadline below: only an invalidation can make a cached key fail.
fn long_cache(config: &mut dealgraph::Config) {
    config.key_cache.ttl = Duration::from_secs(3600);
}

async fn new_reader_key(app: &TestApp) -> (String, Value) {
    let created = app
        .gql(
            CREATE_KEY,
            json!({ "input": { "name": "dashboard", "scopes": ["CRM_READ"] } }),
        )
        .await;
    let created = &created.data()["createApiKey"];
    (
        created["secret"].as_str().unwrap().to_owned(),
        created["apiKey"]["id"].clone(),
    )
}

/// Polls `app` with `secret` until it answers `status`, for at most `within`.
async fn until_status(app: &TestApp, secret: &str, status: u16, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let response = app.gql_as(secret, VIEWER, json!({})).await;
        if response.status == status {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "still {} after {within:?}: {}",
            response.status,
            response.body
        );
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_known_key_authenticates_without_a_statement() {
    let app = TestApp::spawn_with(|c| {
        long_cache(c);
        c.events.poll_interval = Duration::from_secs(3600);
    })
    .await;
    // `__typename` needs no data: the only statement left would be authentication's.
    let first_before = app.statements.get();
    app.gql("{ __typename }", json!({})).await.data();
    let first = app.statements.get() - first_before;
    assert!(first >= 1, "the first request looks the key up");
    let before = app.statements.get();
    for _ in 0..5 {
        app.gql("{ __typename }", json!({})).await.data();
    }
    assert_eq!(app.statements.get() - before, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_key_is_refused_at_once_here_and_after_one_notification_elsewhere() {
    let a = TestApp::spawn_with(long_cache).await;
    let b = TestApp::spawn_on(&a.database_url, long_cache).await;
    let (secret, key_id) = new_reader_key(&a).await;
    // Both servers have verified (and cached) the key.
    assert_eq!(a.gql_as(&secret, VIEWER, json!({})).await.status, 200);
    assert_eq!(b.gql_as(&secret, VIEWER, json!({})).await.status, 200);

    a.gql(REVOKE_KEY, json!({ "input": { "id": key_id } }))
        .await
        .data();
    // The revoking server: the very next request.
    let here = a.gql_as(&secret, VIEWER, json!({})).await;
    assert_eq!(here.status, 401, "{}", here.body);
    assert_eq!(here.error_code(), "UNAUTHENTICATED");
    // The other server: once the revocation's NOTIFY reaches its listener. The deadline
    // is far below the cache's hour and the listener's hourly poll is not involved.
    let took = until_status(&b, &secret, 401, Duration::from_secs(10)).await;
    println!("revocation reached the other server after {took:?}");
    // A key that stays valid is still served on both.
    assert_eq!(b.gql(VIEWER, json!({})).await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operators_revocation_reaches_every_server() {
    let a = TestApp::spawn_with(long_cache).await;
    let (secret, key_id) = new_reader_key(&a).await;
    assert_eq!(a.gql_as(&secret, VIEWER, json!({})).await.status, 200);

    let key_id = uuid::Uuid::parse_str(key_id.as_str().unwrap()).unwrap();
    let mut conn = a.pool.get().await.unwrap();
    dealgraph::api_keys::ops::revoke_api_key_as_operator(&mut conn, a.workspace_id, key_id)
        .await
        .unwrap();
    drop(conn);
    until_status(&a, &secret, 401, Duration::from_secs(10)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn last_used_at_is_recorded_in_batches() {
    let app = TestApp::spawn_with(|c| {
        c.key_cache.touch_interval = Duration::from_millis(100);
    })
    .await;
    let (secret, key_id) = new_reader_key(&app).await;
    let used = |id: &Value| {
        format!(
            "SELECT count(*) AS n FROM api_keys WHERE id = '{}' AND last_used_at IS NOT NULL",
            id.as_str().unwrap()
        )
    };
    assert_eq!(app.count(&used(&key_id)).await, 0);
    for _ in 0..3 {
        assert_eq!(app.gql_as(&secret, VIEWER, json!({})).await.status, 200);
    }
    let started = Instant::now();
    while app.count(&used(&key_id)).await == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "lastUsedAt never written"
        );
        tokio::task::yield_now().await;
    }
}
