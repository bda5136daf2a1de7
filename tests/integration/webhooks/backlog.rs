//! A burst of events must not slow delivery down: leasing the next deliveries costs the same
//! whatever the backlog behind each endpoint's head.

use std::time::Duration;

use diesel::sql_types::{BigInt, Double, Json, Uuid as SqlUuid};
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use serde_json::Value;

use dealgraph::webhooks::model::delivery::{WebhookDelivery, CLAIM_SQL};

use super::create_endpoint;
use crate::support::TestApp;

const ENDPOINTS: usize = 3;
const BACKLOG: i64 = 4_000;

#[tokio::test]
async fn a_claim_round_leases_each_head_without_reading_the_backlog() {
    // No delivery worker: the test leases by hand, so nothing moves under it.
    let app = TestApp::spawn_with(|c| c.webhooks.allow_private = true).await;
    for _ in 0..ENDPOINTS {
        create_endpoint(&app, "http://127.0.0.1:9/hook", &["contact.*"]).await;
    }
    let mut conn = app.pool.get().await.unwrap();
    // Each endpoint's backlog, positions 1..=BACKLOG, and a few rows already delivered.
    diesel::sql_query(
        "INSERT INTO webhook_deliveries
                (workspace_id, id, endpoint_id, event_id, event_type, position, body, status)
         SELECT e.workspace_id, gen_random_uuid(), e.id, gen_random_uuid(), 'contact.created', g,
                '{}', CASE WHEN g <= 0 THEN 'succeeded' ELSE 'pending' END
           FROM webhook_endpoints e, generate_series(-20, $1) g",
    )
    .bind::<BigInt, _>(BACKLOG)
    .execute(&mut conn)
    .await
    .unwrap();
    conn.batch_execute("ANALYZE webhook_deliveries")
        .await
        .unwrap();

    // What the statement reads, with the backlog in place (rolled back: nothing leased).
    #[derive(diesel::QueryableByName)]
    struct Plan {
        #[diesel(sql_type = Json, column_name = "QUERY PLAN")]
        plan: Value,
    }
    conn.batch_execute("BEGIN").await.unwrap();
    let explained: Plan = diesel::sql_query(format!(
        "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {CLAIM_SQL}"
    ))
    .bind::<SqlUuid, _>(uuid::Uuid::now_v7())
    .bind::<Double, _>(30.0)
    .bind::<BigInt, _>(100)
    .get_result(&mut conn)
    .await
    .unwrap();
    conn.batch_execute("ROLLBACK").await.unwrap();
    let plan = &explained.plan[0]["Plan"];
    let blocks =
        plan["Shared Hit Blocks"].as_i64().unwrap() + plan["Shared Read Blocks"].as_i64().unwrap();
    assert_eq!(
        plan["Actual Rows"], ENDPOINTS,
        "one head per endpoint: {plan:#}"
    );
    // A few index and heap pages per endpoint: fewer than one read of the backlog's table,
    // which the earlier claim scanned (twice) on every round.
    let table_pages = app
        .count("SELECT relpages::bigint AS n FROM pg_class WHERE relname = 'webhook_deliveries'")
        .await;
    assert!(
        blocks < table_pages,
        "the claim read {blocks} blocks for {ENDPOINTS} heads, the table has {table_pages}: {plan:#}"
    );

    // And what it leases: each endpoint's oldest pending delivery, once.
    let token = uuid::Uuid::now_v7();
    let lease = Duration::from_secs(30);
    let leased = WebhookDelivery::claim(&mut conn, token, lease, 100)
        .await
        .unwrap();
    assert_eq!(leased.len(), ENDPOINTS);
    assert!(
        leased.iter().all(|d| d.position == 1 && d.attempts == 1),
        "{leased:?}"
    );
    let again = WebhookDelivery::claim(&mut conn, uuid::Uuid::now_v7(), lease, 100)
        .await
        .unwrap();
    assert!(
        again.is_empty(),
        "a leased head holds its endpoint: {again:?}"
    );
}
