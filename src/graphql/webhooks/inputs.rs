//! Webhook mutation inputs and payloads.

use async_graphql::{InputObject, MaybeUndefined, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::types::{WebhookDeliveryGql, WebhookEndpointGql};
use crate::graphql::mutation::{MutationOptions, WriteOutcome};

#[derive(InputObject)]
pub struct CreateWebhookEndpointInput {
    /// Where to POST events: https (http is allowed outside `--production`).
    pub url: String,
    pub description: Option<String>,
    /// `*` (every event, the default), `deal.*` or `deal.stage_changed`.
    #[graphql(default)]
    pub event_types: Vec<String>,
    /// Only events about this pipeline.
    pub pipeline_id: Option<ID>,
    #[graphql(default = true)]
    pub enabled: bool,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct UpdateWebhookEndpointInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    pub url: Option<String>,
    pub description: MaybeUndefined<String>,
    pub event_types: Option<Vec<String>>,
    pub pipeline_id: MaybeUndefined<ID>,
    /// Enabling a disabled endpoint resumes its pending deliveries.
    pub enabled: Option<bool>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct DeleteWebhookEndpointInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct RotateWebhookSecretInput {
    pub id: ID,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct RedeliverWebhookInput {
    pub delivery_id: ID,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(InputObject)]
pub struct ReplayWebhooksInput {
    pub endpoint_id: ID,
    /// Events committed at or after this time (and still kept) are sent again.
    pub since: DateTime<Utc>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

/// An endpoint with its signing secret.
#[derive(SimpleObject)]
pub struct WebhookEndpointSecretPayload {
    pub webhook_endpoint: WebhookEndpointGql,
    /// `whsec_…`, shown once: store it now. Null on an idempotent replay.
    pub secret: Option<String>,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct UpdateWebhookEndpointPayload {
    pub webhook_endpoint: WebhookEndpointGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct DeleteWebhookEndpointPayload {
    pub deleted_id: ID,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct RedeliverWebhookPayload {
    /// The new delivery (same event id as the original).
    pub delivery: WebhookDeliveryGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct ReplayWebhooksPayload {
    /// How many deliveries were made.
    pub count: i64,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}
