//! GraphQL for the audit trail: `auditEvents`, for admins.

use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::pagination::{ListConnection, Page, PageArgs};
use super::{actor, parse_id, pool};
use crate::audit::{AuditEvent, AuditFilter};
use crate::auth::Scope;
use crate::db::page::NewestFirst;
use crate::error::AppError;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AuditOutcome {
    Succeeded,
    Failed,
}

/// The door a write came through.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AuditChannel {
    /// The GraphQL API.
    Graphql,
    /// An AI agent's tool call over MCP (`/mcp`).
    Mcp,
    /// The operator's CLI, acting without a key.
    Operator,
}

/// One attempted write: who, what, on which record, the record before and after, and for a
/// failed write the error code.
#[derive(SimpleObject)]
#[graphql(name = "AuditEvent")]
pub struct AuditEventGql {
    pub id: ID,
    pub occurred_at: DateTime<Utc>,
    /// The acting API key; null for operator actions made with the CLI.
    pub actor_key_id: Option<ID>,
    /// `entity.verb`, e.g. `api_key.create`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<ID>,
    pub outcome: AuditOutcome,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub before: Option<async_graphql::Json<serde_json::Value>>,
    pub after: Option<async_graphql::Json<serde_json::Value>>,
    /// The `x-request-id` of the HTTP request that made the write.
    pub request_id: Option<String>,
    pub dry_run: bool,
    pub channel: AuditChannel,
}

impl From<AuditEvent> for AuditEventGql {
    fn from(e: AuditEvent) -> Self {
        Self {
            id: ID(e.id.to_string()),
            occurred_at: e.occurred_at,
            actor_key_id: e.actor_key_id.map(|id| ID(id.to_string())),
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id.map(|id| ID(id.to_string())),
            outcome: if e.outcome == "failed" {
                AuditOutcome::Failed
            } else {
                AuditOutcome::Succeeded
            },
            error_code: e.error_code,
            error_message: e.error_message,
            before: e.before.map(async_graphql::Json),
            after: e.after.map(async_graphql::Json),
            request_id: e.request_id,
            dry_run: e.dry_run,
            channel: match e.channel.as_str() {
                "mcp" => AuditChannel::Mcp,
                "operator" => AuditChannel::Operator,
                _ => AuditChannel::Graphql,
            },
        }
    }
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The workspace's audit trail, newest first. Needs `admin`.
    #[allow(clippy::too_many_arguments)] // Relay's four paging arguments plus two filters
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        entity_id: Option<ID>,
        action: Option<String>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<ListConnection<AuditEventGql>> {
        let actor = actor(ctx)?;
        actor.require(Scope::Admin)?;
        let filter = AuditFilter {
            entity_id: entity_id.map(|id| parse_id(&id, "entityId")).transpose()?,
            action,
        };
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page = Page::of(ctx, "audit_events", NewestFirst, args)?;
        let mut conn = crate::db::conn(pool(ctx)?).await?;
        let listing = AuditEvent::listing(&mut conn, actor.workspace_id, &filter, &page.window)
            .await
            .map_err(AppError::from)?;
        Ok(page.connection(listing, AuditEventGql::from))
    }
}
