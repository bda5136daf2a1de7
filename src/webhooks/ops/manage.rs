//! Creating, changing, deleting endpoints and rotating their secrets, through the write path.

use chrono::Utc;
use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::ENTITY;
use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::model::OutboxEvent;
use crate::events::NewEvent;
use crate::pipelines::model::Pipeline;
use crate::webhooks::events::{EndpointIdentity, CREATED, DELETED, UPDATED};
use crate::webhooks::model::{NewWebhookEndpoint, WebhookEndpoint, WebhookEndpointChanges};
use crate::webhooks::signing::{SecretBox, SigningSecret};
use crate::webhooks::{address, rules, WebhookSettings};
use crate::write::locked::locked;
use crate::write::record::request_input;
use crate::write::{self, Patch, WriteOptions, WriteRequest, WriteResult, Written};

/// How long a rotated-out secret keeps signing.
const ROTATION_OVERLAP_HOURS: i64 = 24;

/// A new endpoint as the caller gives it.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointInput {
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub pipeline_id: Option<Uuid>,
    pub enabled: bool,
}

/// A partial update: absent fields stay, `Patch::Clear` empties an optional one.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub description: Patch<String>,
    pub event_types: Option<Vec<String>>,
    pub pipeline_id: Patch<Uuid>,
    pub enabled: Option<bool>,
}

/// An endpoint and its secret: shown once, never stored in an idempotent response.
#[derive(Debug, Serialize, Deserialize)]
pub struct EndpointWithSecret {
    pub endpoint: WebhookEndpoint,
    #[serde(skip)]
    pub secret: Option<String>,
}

/// The input rules; the URL's addresses are checked outside any transaction (DNS).
async fn checked(
    changes: WebhookEndpointChanges,
    settings: &WebhookSettings,
) -> Result<WebhookEndpointChanges, AppError> {
    let url = rules::endpoint_url(&changes.url, settings.require_https, "input.url")?;
    address::check_url(&url, settings.allow_private, "input.url").await?;
    if changes
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 1000)
    {
        return Err(AppError::bad_input(
            "input.description",
            "at most 1000 characters",
        ));
    }
    Ok(WebhookEndpointChanges {
        url: changes.url.trim().to_owned(),
        event_types: rules::event_patterns(changes.event_types, "input.eventTypes")?,
        ..changes
    })
}

async fn check_pipeline(
    conn: &mut diesel_async::AsyncPgConnection,
    workspace_id: Uuid,
    pipeline_id: Option<Uuid>,
) -> Result<(), AppError> {
    if let Some(id) = pipeline_id {
        if Pipeline::find(conn, workspace_id, id).await?.is_none() {
            return Err(AppError::not_found_at("input.pipelineId", "pipeline", id));
        }
    }
    Ok(())
}

fn identity_event(
    kind: crate::events::EventKind,
    endpoint: &WebhookEndpoint,
) -> Result<NewEvent, AppError> {
    Ok(NewEvent::new(
        kind,
        endpoint.id,
        &EndpointIdentity {
            id: endpoint.id,
            url: &endpoint.url,
            enabled: endpoint.enabled,
            reason: None,
        },
    )?)
}

/// The write request of an operation on endpoint `id` (an admin's, like all of webhooks').
fn on_endpoint(
    operation: &'static str,
    id: Uuid,
    expected_version: Option<i32>,
    input: &impl Serialize,
    options: WriteOptions,
) -> Result<WriteRequest, AppError> {
    let input = request_input(Some(id), expected_version, input)?;
    Ok(WriteRequest::new(operation, ENTITY, Scope::Admin, input, options).on(id))
}

/// `createWebhookEndpoint`: a new endpoint with a new secret. It receives the events
/// committed after it.
pub async fn create_endpoint(
    pool: &DbPool,
    actor: &Actor,
    settings: &WebhookSettings,
    input: EndpointInput,
    options: WriteOptions,
) -> Result<WriteResult<EndpointWithSecret>, AppError> {
    let request = WriteRequest::new(
        "webhook_endpoint.create",
        ENTITY,
        Scope::Admin,
        serde_json::to_value(&input)?,
        options,
    );
    actor.require(Scope::Admin)?;
    let changes = checked(
        WebhookEndpointChanges {
            url: input.url,
            description: input.description,
            event_types: input.event_types,
            pipeline_id: input.pipeline_id,
            enabled: input.enabled,
        },
        settings,
    )
    .await?;
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            check_pipeline(conn, workspace_id, changes.pipeline_id).await?;
            let sealer = SecretBox::load(conn).await?;
            let id = Uuid::now_v7();
            let secret = SigningSecret::generate();
            let from_position = OutboxEvent::last_position(conn).await?;
            let endpoint = WebhookEndpoint::insert(
                conn,
                &NewWebhookEndpoint {
                    workspace_id,
                    id,
                    changes,
                    secret: sealer.seal(id, &secret)?,
                    from_position,
                },
            )
            .await?;
            Ok(Written {
                entity_id: id,
                before: None,
                after: Some(write::snapshot(&endpoint)?),
                events: vec![identity_event(CREATED, &endpoint)?],
                value: EndpointWithSecret {
                    endpoint,
                    secret: Some(secret.reveal()),
                },
            })
        }
        .boxed()
    })
    .await
}

/// `updateWebhookEndpoint`. Enabling a disabled endpoint resumes its pending deliveries and
/// forgets its failing streak.
pub async fn update_endpoint(
    pool: &DbPool,
    actor: &Actor,
    settings: &WebhookSettings,
    id: Uuid,
    expected_version: Option<i32>,
    patch: EndpointPatch,
    options: WriteOptions,
) -> Result<WriteResult<WebhookEndpoint>, AppError> {
    let request = on_endpoint(
        "webhook_endpoint.update",
        id,
        expected_version,
        &patch,
        options,
    )?;
    actor.require(Scope::Admin)?;
    if let Some(url) = &patch.url {
        let parsed = rules::endpoint_url(url, settings.require_https, "input.url")?;
        address::check_url(&parsed, settings.allow_private, "input.url").await?;
    }
    let settings = settings.clone();
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let before =
                locked::<WebhookEndpoint>(conn, workspace_id, id, expected_version).await?;
            let changes = WebhookEndpointChanges {
                url: patch.url.unwrap_or_else(|| before.url.clone()),
                description: patch.description.apply(before.description.clone()),
                event_types: match patch.event_types {
                    Some(types) => types,
                    None => before.event_types.iter().flatten().cloned().collect(),
                },
                pipeline_id: patch.pipeline_id.apply(before.pipeline_id),
                enabled: patch.enabled.unwrap_or(before.enabled),
            };
            // The URL was resolved above; only the pure rules run again here.
            let changes = checked(
                changes,
                &WebhookSettings {
                    allow_private: true,
                    ..settings
                },
            )
            .await?;
            check_pipeline(conn, workspace_id, changes.pipeline_id).await?;
            let mut after = WebhookEndpoint::update(conn, workspace_id, id, &changes).await?;
            if after.enabled && !before.enabled {
                after = WebhookEndpoint::clear_disabled(conn, id).await?;
            }
            let events = vec![identity_event(UPDATED, &after)?];
            Written::changed(id, &before, after, events)
        }
        .boxed()
    })
    .await
}

/// `deleteWebhookEndpoint`: the endpoint, its pending deliveries and its log go.
pub async fn delete_endpoint(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<Uuid>, AppError> {
    let request = on_endpoint(
        "webhook_endpoint.delete",
        id,
        expected_version,
        &json!({}),
        options,
    )?;
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let before =
                locked::<WebhookEndpoint>(conn, workspace_id, id, expected_version).await?;
            WebhookEndpoint::delete(conn, workspace_id, id).await?;
            Ok(Written {
                entity_id: id,
                before: Some(write::snapshot(&before)?),
                after: None,
                events: vec![identity_event(DELETED, &before)?],
                value: id,
            })
        }
        .boxed()
    })
    .await
}

/// `rotateWebhookSecret`: a new secret, shown once; the old one keeps signing for 24 hours
/// (each webhook then carries two signatures), so receivers can switch without a gap.
pub async fn rotate_secret(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    options: WriteOptions,
) -> Result<WriteResult<EndpointWithSecret>, AppError> {
    let request = on_endpoint(
        "webhook_endpoint.rotate_secret",
        id,
        None,
        &json!({}),
        options,
    )?;
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let before = locked::<WebhookEndpoint>(conn, workspace_id, id, None).await?;
            let sealer = SecretBox::load(conn).await?;
            let secret = SigningSecret::generate();
            let until = Utc::now() + chrono::Duration::hours(ROTATION_OVERLAP_HOURS);
            let after = WebhookEndpoint::rotate_secret(
                conn,
                id,
                sealer.seal(id, &secret)?,
                before.secret.clone(),
                until,
            )
            .await?;
            Ok(Written {
                entity_id: id,
                before: Some(write::snapshot(&before)?),
                after: Some(write::snapshot(&after)?),
                events: vec![identity_event(UPDATED, &after)?],
                value: EndpointWithSecret {
                    endpoint: after,
                    secret: Some(secret.reveal()),
                },
            })
        }
        .boxed()
    })
    .await
}
