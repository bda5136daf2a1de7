//! The outbox behind the events: found without a notification, caught up after the listener's
//! connection drops, pruned after retention, stamped when appended.

use std::time::Duration;

use diesel_async::RunQueryDsl;
use serde_json::json;

use super::{quick, subscribe};
use crate::support::builders::{DealBuilder, PipelineBuilder};
use crate::support::ws::{WsClient, TRANSPORT_WS};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn a_missed_notification_or_a_dropped_listener_connection_loses_nothing() {
    let app = TestApp::spawn_with(quick).await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Robust").create(&app).await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    subscribe(
        &mut ws,
        "1",
        "subscription { events(types: [DEAL_UPDATED]) { typeName entityId cursor } }",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(150)).await;

    // An event row written without NOTIFY is still found by the poll.
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query(format!(
        "INSERT INTO outbox_events (id, workspace_id, event_type, entity_type, entity_id, payload) VALUES (gen_random_uuid(), '{}', 'deal.updated', 'deal', '{}', '{{}}')",
        app.workspace_id,
        deal["id"].as_str().unwrap()
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    let event = ws.next_json().await;
    assert_eq!(
        event["payload"]["data"]["events"]["typeName"],
        "deal.updated"
    );

    // Kill the listener's connection: it reconnects and catches up.
    diesel::sql_query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()")
        .execute(&mut conn)
        .await
        .unwrap();
    app.gql(
        "mutation($id: ID!) { updateDeal(input: {id: $id, title: \"Renamed\"}) { deal { id } } }",
        json!({ "id": deal["id"] }),
    )
    .await
    .data();
    let event = ws.next_json().await;
    assert_eq!(event["payload"]["data"]["events"]["entityId"], deal["id"]);
    let _ = sales;
}

#[tokio::test(flavor = "multi_thread")]
async fn events_older_than_retention_are_pruned_in_the_background() {
    let app = TestApp::spawn_with(|c| {
        quick(c);
        c.events.retention = Duration::from_secs(3600);
        c.events.prune_interval = Duration::from_millis(200);
    })
    .await;
    let mut conn = app.pool.get().await.unwrap();
    for age in ["2 hours", "1 minute"] {
        diesel::sql_query(format!(
            "INSERT INTO outbox_events (id, workspace_id, event_type, entity_type, entity_id, payload, occurred_at)
             VALUES (gen_random_uuid(), '{}', 'deal.updated', 'deal', gen_random_uuid(), '{{}}', now() - interval '{age}')",
            app.workspace_id
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    }
    drop(conn);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while app
        .count(
            "SELECT count(*) AS n FROM outbox_events WHERE occurred_at < now() - interval '1 hour'",
        )
        .await
        > 0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "old events were not pruned"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events").await,
        1,
        "recent events stay"
    );
}

#[derive(diesel::QueryableByName)]
struct At {
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    at: chrono::DateTime<chrono::Utc>,
}

#[tokio::test(flavor = "multi_thread")]
async fn events_are_stamped_when_appended_not_when_their_transaction_began() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().await.expect("connection");
    diesel::sql_query("BEGIN").execute(&mut conn).await.unwrap();
    let began: At = diesel::sql_query("SELECT now() AS at")
        .get_result(&mut conn)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let event = dealgraph::events::NewEvent {
        event_type: "deal.updated",
        entity_type: "deal",
        entity_id: uuid::Uuid::now_v7(),
        payload: json!({}),
    };
    dealgraph::events::append(&mut conn, app.workspace_id, &[event])
        .await
        .unwrap();
    diesel::sql_query("COMMIT")
        .execute(&mut conn)
        .await
        .unwrap();
    let stamped: At = diesel::sql_query(
        "SELECT occurred_at AS at FROM outbox_events ORDER BY position DESC LIMIT 1",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    let waited = stamped.at - began.at;
    assert!(
        waited >= chrono::Duration::milliseconds(300),
        "stamped {waited} after the transaction began"
    );
}
