//! Delivering: signed per Standard Webhooks, retried in order, disabled on 410, sent again on
//! demand.

use std::time::Duration;

use serde_json::json;

use super::{
    contact_event, create_endpoint, deliveries, fast, signed_by, wait_deliveries, Receiver, Reply,
};
use crate::support::TestApp;

#[tokio::test]
async fn webhooks_are_signed_per_the_specification() {
    let app = TestApp::spawn_with(fast).await;
    let receiver = Receiver::start(&[]).await;
    let (_, secret) = create_endpoint(&app, &receiver.url, &["contact.*"]).await;
    let contact_id = contact_event(&app, "Ada Lovelace").await;

    let got = receiver.wait_for(1).await;
    let webhook = &got[0];
    assert!(signed_by(webhook, &secret), "{webhook:?}");
    assert!(!signed_by(
        webhook,
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    ));
    let body = webhook.json();
    assert_eq!(body["type"], "contact.created");
    assert_eq!(body["data"]["id"], json!(contact_id));
    assert!(body["timestamp"].is_string());
    let sent_at: i64 = webhook.timestamp.parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - sent_at).abs() < 60);
    let event_ids = app
        .count(&format!(
            "SELECT count(*) AS n FROM outbox_events WHERE id = '{}' AND event_type = 'contact.created'",
            webhook.id
        ))
        .await;
    assert_eq!(event_ids, 1, "webhook-id is the event's id");
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_old_one() {
    let app = TestApp::spawn_with(fast).await;
    let receiver = Receiver::start(&[]).await;
    let (id, old) = create_endpoint(&app, &receiver.url, &["contact.*"]).await;
    let rotated = app
        .gql(
            "mutation($input: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $input) { secret webhookEndpoint { previousSecretExpiresAt } } }",
            json!({ "input": { "id": id } }),
        )
        .await;
    let payload = &rotated.data()["rotateWebhookSecret"];
    let new = payload["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(payload["webhookEndpoint"]["previousSecretExpiresAt"].is_string());
    contact_event(&app, "Grace").await;
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].signature.split(' ').count(), 2);
    assert!(signed_by(&got[0], &new) && signed_by(&got[0], &old));
}

#[tokio::test]
async fn failing_twice_then_succeeding_sends_the_event_three_times_in_order() {
    let app = TestApp::spawn_with(fast).await;
    let receiver = Receiver::start(&[Reply::Status(500), Reply::Status(503)]).await;
    let (endpoint, _) = create_endpoint(&app, &receiver.url, &["contact.created"]).await;
    contact_event(&app, "First").await;
    contact_event(&app, "Second").await;

    let got = receiver.wait_for(4).await;
    let ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    // The later event waited while the earlier one was retried.
    assert_eq!(ids[0], ids[1]);
    assert_eq!(ids[1], ids[2]);
    assert_ne!(ids[2], ids[3]);
    assert_eq!(got[0].json()["data"]["name"], "First");
    assert_eq!(got[3].json()["data"]["name"], "Second");

    let log = wait_deliveries(&app, &endpoint, |d| {
        d.len() == 2 && d.iter().all(|x| x["status"] == "SUCCEEDED")
    })
    .await;
    let first = &log[1];
    assert_eq!(first["attemptCount"], 3);
    let codes: Vec<_> = first["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["statusCode"].clone())
        .collect();
    assert_eq!(codes, vec![json!(500), json!(503), json!(200)]);
    assert_eq!(first["attempts"][0]["responseBody"], "answer");

    let stats = app
        .gql(
            "{ webhookEndpoints { nodes { stats { attempts succeeded successRate lastSuccessAt lastFailureAt } } } }",
            json!({}),
        )
        .await;
    let stats = &stats.data()["webhookEndpoints"]["nodes"][0]["stats"];
    assert_eq!(stats["attempts"], 4);
    assert_eq!(stats["succeeded"], 2);
    assert_eq!(stats["successRate"], 0.5);
    assert!(stats["lastSuccessAt"].is_string() && stats["lastFailureAt"].is_string());
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let app = TestApp::spawn_with(fast).await;
    let receiver = Receiver::start(&[Reply::RetryAfter(429, 1)]).await;
    create_endpoint(&app, &receiver.url, &["contact.created"]).await;
    contact_event(&app, "Slow down").await;
    let got = receiver.wait_for(2).await;
    assert!(
        got[1].at - got[0].at >= Duration::from_millis(950),
        "{:?}",
        got[1].at - got[0].at
    );
}

#[tokio::test]
async fn a_delivery_that_exhausts_its_retries_fails_and_the_next_one_goes() {
    let app = TestApp::spawn_with(fast).await;
    let receiver = Receiver::start(&[Reply::Status(500); 4]).await;
    let (endpoint, _) = create_endpoint(&app, &receiver.url, &["contact.created"]).await;
    contact_event(&app, "Doomed").await;
    contact_event(&app, "Next").await;
    let got = receiver.wait_for(5).await;
    assert_eq!(got[4].json()["data"]["name"], "Next");
    let failed = app
        .gql(
            "query($id: ID!) { webhookDeliveries(endpointId: $id, status: FAILED) { totalCount nodes { attemptCount } } }",
            json!({ "id": endpoint }),
        )
        .await;
    assert_eq!(failed.data()["webhookDeliveries"]["totalCount"], 1);
    assert_eq!(
        failed.data()["webhookDeliveries"]["nodes"][0]["attemptCount"],
        4
    );
}

#[tokio::test]
async fn gone_disables_the_endpoint_with_an_event() {
    let app = TestApp::spawn_with(fast).await;
    let receiver = Receiver::start(&[Reply::Status(410)]).await;
    let (endpoint, _) = create_endpoint(&app, &receiver.url, &["contact.created"]).await;
    contact_event(&app, "Gone").await;
    receiver.wait_for(1).await;
    wait_deliveries(&app, &endpoint, |d| {
        d.first().is_some_and(|x| x["status"] == "FAILED")
    })
    .await;
    let listed = app
        .gql(
            "{ webhookEndpoints { nodes { enabled disabledReason } } }",
            json!({}),
        )
        .await;
    let node = &listed.data()["webhookEndpoints"]["nodes"][0];
    assert_eq!(node["enabled"], false);
    assert!(node["disabledReason"].as_str().unwrap().contains("410"));
    let disabled = app.event_payloads("webhook_endpoint.disabled").await;
    assert_eq!(disabled.len(), 1);
    assert_eq!(disabled[0]["id"], json!(endpoint));

    // Nothing more goes to a disabled endpoint.
    contact_event(&app, "Not sent").await;
    let pending = wait_deliveries(&app, &endpoint, |d| d.len() == 1).await;
    assert_eq!(pending.len(), 1);
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn an_endpoint_failing_for_too_long_is_disabled() {
    let app = TestApp::spawn_with(|config| {
        fast(config);
        config.webhooks.disable_after = Duration::ZERO;
    })
    .await;
    let receiver = Receiver::start(&[Reply::Status(500)]).await;
    let (endpoint, _) = create_endpoint(&app, &receiver.url, &["contact.created"]).await;
    contact_event(&app, "Failing").await;
    receiver.wait_for(1).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while app
        .event_payloads("webhook_endpoint.disabled")
        .await
        .is_empty()
    {
        assert!(std::time::Instant::now() < deadline, "never disabled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let listed = app
        .gql("{ webhookEndpoints { nodes { id enabled } } }", json!({}))
        .await;
    assert_eq!(
        listed.data()["webhookEndpoints"]["nodes"][0]["id"],
        json!(endpoint)
    );
    assert_eq!(
        listed.data()["webhookEndpoints"]["nodes"][0]["enabled"],
        false
    );
}

#[tokio::test]
async fn redelivery_and_replay_send_the_same_event_again() {
    let app = TestApp::spawn_with(fast).await;
    let receiver = Receiver::start(&[]).await;
    let since = chrono::Utc::now();
    let (endpoint, _) = create_endpoint(&app, &receiver.url, &["contact.created"]).await;
    contact_event(&app, "Again").await;
    let first = receiver.wait_for(1).await;
    let log = wait_deliveries(&app, &endpoint, |d| {
        d.first().is_some_and(|x| x["status"] == "SUCCEEDED")
    })
    .await;

    let redelivered = app
        .gql(
            "mutation($input: RedeliverWebhookInput!) { redeliverWebhook(input: $input) { delivery { id eventId status } } }",
            json!({ "input": { "deliveryId": log[0]["id"] } }),
        )
        .await;
    let copy = &redelivered.data()["redeliverWebhook"]["delivery"];
    assert_eq!(copy["eventId"], log[0]["eventId"]);
    assert_ne!(copy["id"], log[0]["id"]);
    let got = receiver.wait_for(2).await;
    assert_eq!(got[1].id, first[0].id);

    let replayed = app
        .gql(
            "mutation($input: ReplayWebhooksInput!) { replayWebhooks(input: $input) { count } }",
            json!({ "input": { "endpointId": endpoint, "since": since } }),
        )
        .await;
    assert_eq!(replayed.data()["replayWebhooks"]["count"], 1);
    let got = receiver.wait_for(3).await;
    assert_eq!(got[2].id, first[0].id);

    let missing = app
        .gql(
            "mutation($input: RedeliverWebhookInput!) { redeliverWebhook(input: $input) { delivery { id } } }",
            json!({ "input": { "deliveryId": uuid::Uuid::now_v7() } }),
        )
        .await;
    assert_eq!(missing.error_code(), "NOT_FOUND");
    assert_eq!(deliveries(&app, &endpoint).await.len(), 3);
}
