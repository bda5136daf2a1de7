//! Outgoing webhooks: endpoints a workspace registers, the deliveries made for them from the
//! outbox (the same ordered feed subscriptions read), every attempt's log, Standard Webhooks
//! signing, and the delivery worker every instance runs. Deliveries are leased row by row
//! (`FOR UPDATE SKIP LOCKED`), so any number of instances share the work and an instance that
//! dies mid-attempt only delays the delivery until its lease expires.

pub mod address;
pub mod events;
pub mod fanout;
pub mod model;
pub mod ops;
pub mod rules;
pub mod sender;
pub mod signing;
pub mod worker;

use std::time::Duration;

/// How this server delivers webhooks (`dealgraph serve --webhooks-*`).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Allow endpoints on loopback, private, link-local and metadata addresses.
    pub allow_private: bool,
    /// Endpoints must use https (`--production`).
    pub require_https: bool,
    /// Run the delivery worker in this process.
    pub deliver: bool,
    /// The waits before each retry; after the last, the delivery has failed.
    pub retry_schedule: Vec<Duration>,
    /// A retry waits its scheduled time plus up to this fraction of it, at random, so
    /// endpoints recovering together are not hit together.
    pub jitter: f64,
    /// A receiver must answer with a 2xx within this time.
    pub timeout: Duration,
    /// How long an instance holds a delivery it is attempting; longer than `timeout`, so only
    /// a dead instance's lease expires.
    pub lease: Duration,
    /// How often the worker looks for due retries (new events wake it at once).
    pub poll_interval: Duration,
    /// Deliveries attempted at the same time by this process (one per endpoint at most).
    pub concurrency: usize,
    /// An endpoint failing for this long is disabled.
    pub disable_after: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        let (min, hour) = (60, 3600);
        Self {
            allow_private: false,
            require_https: false,
            deliver: true,
            retry_schedule: [
                5,
                5 * min,
                30 * min,
                2 * hour,
                5 * hour,
                10 * hour,
                10 * hour,
            ]
            .into_iter()
            .map(Duration::from_secs)
            .collect(),
            jitter: 0.1,
            timeout: Duration::from_secs(15),
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_secs(1),
            concurrency: 32,
            disable_after: Duration::from_secs(5 * 24 * 3600),
        }
    }
}
