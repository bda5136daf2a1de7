//! Health, readiness, request ids and metrics.

use serde_json::json;

use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn healthz_and_readyz_answer() {
    let app = TestApp::spawn().await;
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<serde_json::Value>().await.unwrap()["status"],
        "ready"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn readyz_fails_when_migrations_are_missing() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().await.unwrap();
    use diesel_async::RunQueryDsl;
    diesel::sql_query("DELETE FROM __diesel_schema_migrations WHERE version = (SELECT max(version) FROM __diesel_schema_migrations)")
        .execute(&mut conn)
        .await
        .unwrap();
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert!(
        body["reason"].as_str().unwrap().contains("migration"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_response_carries_a_request_id_and_keeps_the_clients() {
    let app = TestApp::spawn().await;
    let generated = app.http.get(app.url("/healthz")).send().await.unwrap();
    let id = generated
        .headers()
        .get("x-request-id")
        .expect("x-request-id")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let missing = app.http.get(app.url("/no-such-page")).send().await.unwrap();
    assert!(missing.headers().contains_key("x-request-id"));
    let given = app
        .http
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "trace-me-42");
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_graphql_requests_by_operation_and_outcome() {
    let app = TestApp::spawn().await;
    app.gql("{ viewer { workspace { name } } }", json!({}))
        .await
        .data();
    app.gql_as("dg_wrong", "{ viewer { workspace { name } } }", json!({}))
        .await;
    let text = app.metrics().await;
    assert!(
        text.contains(r#"dealgraph_graphql_requests_total{operation="query",outcome="ok"}"#),
        "{text}"
    );
    assert!(text.contains(r#"outcome="unauthenticated""#), "{text}");
    assert!(
        text.contains("dealgraph_graphql_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(
        text.contains(r#"dealgraph_db_pool_connections{state="max"}"#),
        "{text}"
    );
}
