//! Several instances on one database: each attempt by exactly one, nothing lost when the
//! delivering instance dies.

use std::collections::HashMap;

use super::{contact_event, create_endpoint, fast, Receiver, Reply};
use crate::support::TestApp;

#[tokio::test]
async fn two_instances_never_deliver_the_same_attempt_twice() {
    let first = TestApp::spawn_with(fast).await;
    let second = TestApp::spawn_on(&first.database_url, fast).await;
    let receivers = [
        Receiver::start(&[]).await,
        Receiver::start(&[]).await,
        Receiver::start(&[]).await,
    ];
    let mut endpoints = Vec::new();
    for receiver in &receivers {
        endpoints.push(
            create_endpoint(&first, &receiver.url, &["contact.created"])
                .await
                .0,
        );
    }
    let names: Vec<String> = (0..15).map(|i| format!("Contact {i:02}")).collect();
    for name in &names {
        contact_event(&first, name).await;
    }
    for receiver in &receivers {
        let got = receiver.wait_for(names.len()).await;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for webhook in &got {
            *seen.entry(webhook.id.as_str()).or_default() += 1;
        }
        assert!(
            seen.values().all(|&n| n == 1),
            "a webhook came twice: {seen:?}"
        );
        let order: Vec<String> = got
            .iter()
            .map(|w| w.json()["data"]["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(order, names, "per-endpoint event order");
    }
    // Attempts are logged just after the receiver answers: wait for all of them, then none
    // may be extra.
    let expected = 3 * names.len() as i64;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let attempts = "SELECT count(*) AS n FROM webhook_attempts";
    while first.count(attempts).await < expected {
        assert!(
            std::time::Instant::now() < deadline,
            "attempts never logged"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(first.count(attempts).await, expected);
    assert_eq!(
        first
            .count("SELECT count(*) AS n FROM webhook_deliveries WHERE attempts <> 1")
            .await,
        0,
        "every delivery was attempted once"
    );
    drop(second);
}

#[tokio::test]
async fn killing_the_delivering_instance_loses_nothing() {
    let mut doomed = TestApp::spawn_with(fast).await;
    let receiver = Receiver::start(&[Reply::Hang]).await;
    let (endpoint, _) = create_endpoint(&doomed, &receiver.url, &["contact.created"]).await;
    contact_event(&doomed, "Survivor").await;
    let got = receiver.wait_for(1).await;

    // Killed mid-attempt: the receiver has the request, no answer was recorded.
    doomed.stop().await;
    let successor = TestApp::spawn_on(&doomed.database_url, fast).await;
    let again = receiver.wait_for(2).await;
    assert_eq!(
        again[1].id, got[0].id,
        "the same event, retried after the lease expired"
    );
    // The successor acts in a workspace of its own; the log is read from the database.
    let done =
        "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'succeeded' AND attempts = 2";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while successor.count(done).await != 1 {
        assert!(std::time::Instant::now() < deadline, "never settled");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        successor
            .count("SELECT count(*) AS n FROM webhook_attempts WHERE succeeded")
            .await,
        1
    );
    let _ = endpoint;
    drop(successor);
}
