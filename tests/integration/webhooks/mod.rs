//! Webhooks against a real receiver: an axum server on a random port inside the test, told
//! what to answer, recording what it got. Signatures are checked with an HMAC written here
//! from the specification, independent of the signer the server uses.

mod backlog;
mod delivery;
mod endpoints;
mod instances;
mod tls;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use dealgraph::Config;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::support::TestApp;

/// Test settings: the delivery worker on (other tests run without it), private targets
/// allowed (the receiver is on 127.0.0.1) and a schedule of milliseconds instead of minutes.
pub fn fast(config: &mut Config) {
    config.webhooks.deliver = true;
    config.webhooks.allow_private = true;
    config.webhooks.retry_schedule = vec![Duration::from_millis(50); 3];
    config.webhooks.jitter = 0.0;
    config.webhooks.poll_interval = Duration::from_millis(50);
    config.webhooks.timeout = Duration::from_secs(2);
    config.webhooks.lease = Duration::from_secs(3);
}

/// What the receiver answers to one request.
#[derive(Clone, Copy, Debug)]
pub enum Reply {
    Status(u16),
    RetryAfter(u16, u64),
    /// Never answers.
    Hang,
}

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    pub at: Instant,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }
}

#[derive(Default)]
struct Inbox {
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<Reply>>,
    arrived: tokio::sync::Notify,
}

pub struct Receiver {
    pub url: String,
    inbox: Arc<Inbox>,
}

impl Receiver {
    /// A receiver answering `script` in turn, then 200.
    pub async fn start(script: &[Reply]) -> Receiver {
        let inbox = Arc::new(Inbox::default());
        inbox.script.lock().unwrap().extend(script.iter().cloned());
        let router = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Receiver { url, inbox }
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.received.lock().unwrap().clone()
    }

    /// Waits (at most 20 s) until `n` requests arrived; returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let notified = self.inbox.arrived.notified();
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "got {} of {n} webhooks: {got:?}",
                got.len()
            );
            let _ = tokio::time::timeout(left, notified).await;
        }
    }
}

async fn receive(State(inbox): State<Arc<Inbox>>, headers: HeaderMap, body: String) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    inbox.received.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body,
        at: Instant::now(),
    });
    inbox.arrived.notify_waiters();
    let reply = inbox.script.lock().unwrap().pop_front();
    match reply.unwrap_or(Reply::Status(200)) {
        Reply::Status(code) => (StatusCode::from_u16(code).unwrap(), "answer").into_response(),
        Reply::RetryAfter(code, secs) => (
            StatusCode::from_u16(code).unwrap(),
            [("retry-after", secs.to_string())],
            "later",
        )
            .into_response(),
        Reply::Hang => std::future::pending().await,
    }
}

/// HMAC-SHA256 (RFC 2104) from SHA-256 alone.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// True when one of the `v1,` signatures of `received` is `secret`'s (Standard Webhooks:
/// HMAC-SHA256 over "{id}.{timestamp}.{body}", base64).
pub fn signed_by(received: &Received, secret: &str) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
        .expect("base64 secret");
    let content = format!("{}.{}.{}", received.id, received.timestamp, received.body);
    let expected = STANDARD.encode(hmac_sha256(&key, content.as_bytes()));
    received
        .signature
        .split(' ')
        .any(|s| s.strip_prefix("v1,") == Some(expected.as_str()))
}

#[test]
fn the_independent_hmac_matches_the_specifications_test_vector() {
    let received = Received {
        id: "msg_p5jXN8AQM9LWM0D4loKWxJek".into(),
        timestamp: "1614265330".into(),
        signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".into(),
        body: r#"{"test": 2432232314}"#.into(),
        at: Instant::now(),
    };
    assert!(signed_by(
        &received,
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    ));
}

pub const ENDPOINT_FIELDS: &str = "id url description eventTypes pipelineId enabled disabledReason previousSecretExpiresAt version stats { attempts succeeded successRate lastSuccessAt lastFailureAt }";

/// Creates an endpoint for `url` wanting `types`; returns (id, secret).
pub async fn create_endpoint(app: &TestApp, url: &str, types: &[&str]) -> (String, String) {
    let response = app
        .gql(
            &format!("mutation($input: CreateWebhookEndpointInput!) {{ createWebhookEndpoint(input: $input) {{ secret webhookEndpoint {{ {ENDPOINT_FIELDS} }} }} }}"),
            json!({ "input": { "url": url, "eventTypes": types } }),
        )
        .await;
    let payload = &response.data()["createWebhookEndpoint"];
    (
        payload["webhookEndpoint"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        payload["secret"].as_str().unwrap().to_owned(),
    )
}

/// Makes a `contact.created` event; returns the contact's id.
pub async fn contact_event(app: &TestApp, name: &str) -> String {
    crate::support::builders::ContactBuilder::new(name)
        .create_id(app)
        .await
}

/// The endpoint's deliveries (newest first) with their attempts.
pub async fn deliveries(app: &TestApp, endpoint_id: &str) -> Vec<Value> {
    let response = app
        .gql(
            "query($id: ID!) { webhookDeliveries(endpointId: $id, first: 100) { totalCount nodes { id eventId eventType status attemptCount attempts { statusCode succeeded latencyMs responseBody error } } } }",
            json!({ "id": endpoint_id }),
        )
        .await;
    response.data()["webhookDeliveries"]["nodes"]
        .as_array()
        .unwrap()
        .clone()
}

/// Waits (at most 20 s) until `check` holds for the endpoint's deliveries.
pub async fn wait_deliveries(
    app: &TestApp,
    endpoint_id: &str,
    check: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = deliveries(app, endpoint_id).await;
        if check(&found) {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "deliveries never settled: {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
