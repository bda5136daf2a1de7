//! Webhook output types. They are not `Node`s: `node(id:)` needs only `crm:read`, and
//! endpoints and their log are `admin` data.

use async_graphql::{Enum, SimpleObject, ID};
use chrono::{DateTime, Utc};

use crate::webhooks::model::{
    DeliveryStatus, EndpointStats, WebhookAttempt, WebhookDelivery, WebhookEndpoint,
};

/// Where a workspace's events are sent, signed per Standard Webhooks.
#[derive(SimpleObject)]
#[graphql(name = "WebhookEndpoint")]
pub struct WebhookEndpointGql {
    pub id: ID,
    pub url: String,
    pub description: Option<String>,
    /// Patterns of the event types sent: `*`, `deal.*` or `deal.stage_changed`.
    pub event_types: Vec<String>,
    /// Only events about this pipeline (deal events carrying its id) are sent.
    pub pipeline_id: Option<ID>,
    pub enabled: bool,
    /// Why deliveries stopped (a 410 Gone, or failing for too long); null when enabled.
    pub disabled_reason: Option<String>,
    /// Until when the secret replaced by the last rotation still signs.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Attempts over the last 7 days.
    pub stats: WebhookEndpointStats,
}

/// An endpoint's attempts over the last 7 days.
#[derive(SimpleObject, Default)]
pub struct WebhookEndpointStats {
    pub attempts: i64,
    pub succeeded: i64,
    /// Succeeded attempts per attempt (0–1); null without attempts.
    pub success_rate: Option<f64>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_failure_at: Option<DateTime<Utc>>,
}

impl From<Option<&EndpointStats>> for WebhookEndpointStats {
    fn from(stats: Option<&EndpointStats>) -> Self {
        let Some(s) = stats else {
            return WebhookEndpointStats::default();
        };
        WebhookEndpointStats {
            attempts: s.attempts,
            succeeded: s.succeeded,
            success_rate: (s.attempts > 0).then(|| s.succeeded as f64 / s.attempts as f64),
            last_success_at: s.last_success_at,
            last_failure_at: s.last_failure_at,
        }
    }
}

impl WebhookEndpointGql {
    pub fn new(e: WebhookEndpoint, stats: Option<&EndpointStats>) -> Self {
        Self {
            id: ID(e.id.to_string()),
            url: e.url,
            description: e.description,
            event_types: e.event_types.into_iter().flatten().collect(),
            pipeline_id: e.pipeline_id.map(|id| ID(id.to_string())),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            previous_secret_expires_at: e.previous_secret_expires_at,
            version: e.version,
            created_at: e.created_at,
            updated_at: e.updated_at,
            stats: stats.into(),
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "WebhookDeliveryStatus")]
pub enum DeliveryStatusGql {
    /// Not yet delivered: waiting for its turn or for a retry.
    Pending,
    Succeeded,
    /// Every retry failed, or the endpoint answered 410 Gone.
    Failed,
}

impl From<DeliveryStatusGql> for DeliveryStatus {
    fn from(s: DeliveryStatusGql) -> Self {
        match s {
            DeliveryStatusGql::Pending => DeliveryStatus::Pending,
            DeliveryStatusGql::Succeeded => DeliveryStatus::Succeeded,
            DeliveryStatusGql::Failed => DeliveryStatus::Failed,
        }
    }
}

impl From<DeliveryStatus> for DeliveryStatusGql {
    fn from(s: DeliveryStatus) -> Self {
        match s {
            DeliveryStatus::Pending => DeliveryStatusGql::Pending,
            DeliveryStatus::Succeeded => DeliveryStatusGql::Succeeded,
            DeliveryStatus::Failed => DeliveryStatusGql::Failed,
        }
    }
}

/// One event to send to one endpoint, with every attempt made.
#[derive(SimpleObject)]
#[graphql(name = "WebhookDelivery")]
pub struct WebhookDeliveryGql {
    pub id: ID,
    pub endpoint_id: ID,
    /// The event's id: the `webhook-id` header, the receiver's idempotency key.
    pub event_id: ID,
    pub event_type: String,
    pub status: DeliveryStatusGql,
    pub attempt_count: i32,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Every attempt, oldest first.
    pub attempts: Vec<WebhookAttemptGql>,
}

impl WebhookDeliveryGql {
    pub fn new(d: WebhookDelivery, attempts: Vec<WebhookAttempt>) -> Self {
        Self {
            id: ID(d.id.to_string()),
            endpoint_id: ID(d.endpoint_id.to_string()),
            event_id: ID(d.event_id.to_string()),
            status: d.status().into(),
            event_type: d.event_type,
            attempt_count: d.attempts,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            completed_at: d.completed_at,
            attempts: attempts.into_iter().map(WebhookAttemptGql::from).collect(),
        }
    }
}

/// One POST to the endpoint and what came back.
#[derive(SimpleObject)]
#[graphql(name = "WebhookAttempt")]
pub struct WebhookAttemptGql {
    pub id: ID,
    pub attempted_at: DateTime<Utc>,
    /// The HTTP status; null when no answer came (connection error, timeout).
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    /// The first 2 KiB of the answer's body.
    pub response_body: Option<String>,
    pub error: Option<String>,
    pub succeeded: bool,
}

impl From<WebhookAttempt> for WebhookAttemptGql {
    fn from(a: WebhookAttempt) -> Self {
        Self {
            id: ID(a.id.to_string()),
            attempted_at: a.attempted_at,
            status_code: a.status_code,
            latency_ms: a.latency_ms,
            response_body: a.response_body,
            error: a.error,
            succeeded: a.succeeded,
        }
    }
}
