//! GraphQL for outgoing webhooks: `webhookEndpoints`, `webhookDeliveries` and the endpoint,
//! secret and redelivery mutations. Everything here needs `admin`.

pub mod inputs;
pub mod types;

use async_graphql::{Context, Object};

use super::pagination::{ListConnection, Page};
use super::{actor, optional_id, parse_id, patch, patched_id, pool};
use crate::db::page::NewestFirst;
use crate::webhooks::model::WebhookEndpoint;
use crate::webhooks::ops::{manage, read, resend};
use crate::webhooks::WebhookSettings;
use crate::write::WriteResult;
use inputs::*;
use types::{DeliveryStatusGql, WebhookDeliveryGql, WebhookEndpointGql};

fn settings(ctx: &Context<'_>) -> WebhookSettings {
    // A schema without settings (tools, tests) is strict: https and public addresses only.
    ctx.data_opt::<WebhookSettings>()
        .cloned()
        .unwrap_or_else(|| WebhookSettings {
            require_https: true,
            ..WebhookSettings::default()
        })
}

/// An endpoint as a payload shows it, with fresh statistics.
async fn endpoint_gql(
    ctx: &Context<'_>,
    endpoint: WebhookEndpoint,
) -> async_graphql::Result<WebhookEndpointGql> {
    let mut conn = crate::db::conn(pool(ctx)?).await?;
    let stats = read::stats_of(&mut conn, &[endpoint.id]).await?;
    let own = stats.get(&endpoint.id);
    Ok(WebhookEndpointGql::new(endpoint, own))
}

/// `createWebhookEndpoint` and `rotateWebhookSecret`: the endpoint and its new secret, the
/// one time it is shown.
async fn secret_payload(
    ctx: &Context<'_>,
    result: WriteResult<manage::EndpointWithSecret>,
) -> async_graphql::Result<WebhookEndpointSecretPayload> {
    let outcome = (&result).into();
    let value = result.value;
    Ok(WebhookEndpointSecretPayload {
        webhook_endpoint: endpoint_gql(ctx, value.endpoint).await?,
        secret: value.secret,
        outcome,
    })
}

#[derive(Default)]
pub struct WebhooksQuery;

#[Object]
impl WebhooksQuery {
    /// The workspace's webhook endpoints, newest first. Needs `admin`.
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<ListConnection<WebhookEndpointGql>> {
        let page = Page::forward(ctx, "webhook_endpoints", NewestFirst, first, after)?;
        let (listing, stats) = read::endpoints(pool(ctx)?, actor(ctx)?, &page.window).await?;
        Ok(page.connection(listing, |e| {
            let own = stats.get(&e.id);
            WebhookEndpointGql::new(e, own)
        }))
    }

    /// An endpoint's deliveries, newest first, with their attempts. Needs `admin`.
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        endpoint_id: async_graphql::ID,
        status: Option<DeliveryStatusGql>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<ListConnection<WebhookDeliveryGql>> {
        let endpoint_id = parse_id(&endpoint_id, "endpointId")?;
        let page = Page::forward(ctx, "webhook_deliveries", NewestFirst, first, after)?;
        let status = status.map(Into::into);
        let (listing, attempts) =
            read::deliveries(pool(ctx)?, actor(ctx)?, endpoint_id, status, &page.window).await?;
        Ok(page.connection(listing, |d| {
            let own = attempts.get(&d.id).cloned().unwrap_or_default();
            WebhookDeliveryGql::new(d, own)
        }))
    }
}

#[derive(Default)]
pub struct WebhooksMutation;

#[Object]
impl WebhooksMutation {
    /// Registers an endpoint; its signing secret is in the payload, shown once. Needs `admin`.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookEndpointInput,
    ) -> async_graphql::Result<WebhookEndpointSecretPayload> {
        let endpoint = manage::EndpointInput {
            url: input.url,
            description: input.description,
            event_types: input.event_types,
            pipeline_id: optional_id(input.pipeline_id, "input.pipelineId")?,
            enabled: input.enabled,
        };
        let result = manage::create_endpoint(
            pool(ctx)?,
            actor(ctx)?,
            &settings(ctx),
            endpoint,
            input.options.into(),
        )
        .await?;
        secret_payload(ctx, result).await
    }

    /// Changes an endpoint. Needs `admin`.
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: UpdateWebhookEndpointInput,
    ) -> async_graphql::Result<UpdateWebhookEndpointPayload> {
        let id = parse_id(&input.id, "input.id")?;
        let endpoint_patch = manage::EndpointPatch {
            url: input.url,
            description: patch(input.description),
            event_types: input.event_types,
            pipeline_id: patched_id(input.pipeline_id, "input.pipelineId")?,
            enabled: input.enabled,
        };
        let result = manage::update_endpoint(
            pool(ctx)?,
            actor(ctx)?,
            &settings(ctx),
            id,
            input.expected_version,
            endpoint_patch,
            input.options.into(),
        )
        .await?;
        let outcome = (&result).into();
        Ok(UpdateWebhookEndpointPayload {
            webhook_endpoint: endpoint_gql(ctx, result.value).await?,
            outcome,
        })
    }

    /// Deletes an endpoint with its pending deliveries and log. Needs `admin`.
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: DeleteWebhookEndpointInput,
    ) -> async_graphql::Result<DeleteWebhookEndpointPayload> {
        let id = parse_id(&input.id, "input.id")?;
        let result = manage::delete_endpoint(
            pool(ctx)?,
            actor(ctx)?,
            id,
            input.expected_version,
            input.options.into(),
        )
        .await?;
        Ok(DeleteWebhookEndpointPayload {
            outcome: (&result).into(),
            deleted_id: async_graphql::ID(result.value.to_string()),
        })
    }

    /// A new signing secret, shown once; the old one keeps signing for 24 hours (webhooks
    /// carry both signatures meanwhile). Needs `admin`.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        input: RotateWebhookSecretInput,
    ) -> async_graphql::Result<WebhookEndpointSecretPayload> {
        let id = parse_id(&input.id, "input.id")?;
        let result =
            manage::rotate_secret(pool(ctx)?, actor(ctx)?, id, input.options.into()).await?;
        secret_payload(ctx, result).await
    }

    /// Sends a delivery's event again (same `webhook-id`), as a new delivery. Needs `admin`.
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        input: RedeliverWebhookInput,
    ) -> async_graphql::Result<RedeliverWebhookPayload> {
        let id = parse_id(&input.delivery_id, "input.deliveryId")?;
        let result = resend::redeliver(pool(ctx)?, actor(ctx)?, id, input.options.into()).await?;
        Ok(RedeliverWebhookPayload {
            outcome: (&result).into(),
            delivery: WebhookDeliveryGql::new(result.value, Vec::new()),
        })
    }

    /// Sends an endpoint every event it wants committed since `since` again (as far as the
    /// outbox keeps them, at most 10 000). Needs `admin`.
    async fn replay_webhooks(
        &self,
        ctx: &Context<'_>,
        input: ReplayWebhooksInput,
    ) -> async_graphql::Result<ReplayWebhooksPayload> {
        let id = parse_id(&input.endpoint_id, "input.endpointId")?;
        let result = resend::replay(
            pool(ctx)?,
            actor(ctx)?,
            id,
            input.since,
            input.options.into(),
        )
        .await?;
        Ok(ReplayWebhooksPayload {
            outcome: (&result).into(),
            count: result.value,
        })
    }
}
