//! GraphQL for workspaces and API keys: `viewer`, `apiKeys`, `createApiKey`, `revokeApiKey`.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::mutation::{DescribedWriteOutcome, MutationOptions, WriteOutcome};
use super::pagination::{ListConnection, Page, PageArgs};
use super::{actor, parse_id, pool, write_options};
use crate::api_keys;
use crate::auth::cache::VerifiedKeys;
use crate::auth::model::{ApiKey, Workspace};
use crate::auth::{ops, Scope};
use crate::db::page::NewestFirst;
use crate::error::AppError;
use crate::http::ws_keys::ConnectedKeys;

/// How long `revokeApiKey` waits for the key's WebSockets on this server to close. They
/// close at once unless one is stuck writing to a client that does not read.
const REVOKED_CONNECTIONS_CLOSE_WITHIN: std::time::Duration = std::time::Duration::from_secs(2);

/// What an API key may do. `ADMIN` includes everything; `CRM_WRITE` includes `CRM_READ`.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Scope")]
pub enum ScopeGql {
    /// `crm:read`: read CRM data.
    CrmRead,
    /// `crm:write`: create, change and delete CRM data.
    CrmWrite,
    /// `admin`: manage API keys and read the audit trail.
    Admin,
}

impl From<ScopeGql> for Scope {
    fn from(scope: ScopeGql) -> Self {
        match scope {
            ScopeGql::CrmRead => Scope::CrmRead,
            ScopeGql::CrmWrite => Scope::CrmWrite,
            ScopeGql::Admin => Scope::Admin,
        }
    }
}

impl From<Scope> for ScopeGql {
    fn from(scope: Scope) -> Self {
        match scope {
            Scope::CrmRead => ScopeGql::CrmRead,
            Scope::CrmWrite => ScopeGql::CrmWrite,
            Scope::Admin => ScopeGql::Admin,
        }
    }
}

/// The tenant: every request acts in exactly one workspace, the one its key belongs to.
#[derive(SimpleObject)]
#[graphql(name = "Workspace")]
pub struct WorkspaceGql {
    pub id: ID,
    pub name: String,
    /// ISO 4217 code used when a deal is created without a currency.
    pub default_currency: String,
    pub created_at: DateTime<Utc>,
}

impl From<Workspace> for WorkspaceGql {
    fn from(w: Workspace) -> Self {
        Self {
            id: ID(w.id.to_string()),
            name: w.name,
            default_currency: w.default_currency,
            created_at: w.created_at,
        }
    }
}

/// An API key. Its secret is shown only once, in `createApiKey`'s payload.
#[derive(SimpleObject)]
#[graphql(name = "ApiKey")]
pub struct ApiKeyGql {
    pub id: ID,
    pub name: String,
    /// The key's first characters, to recognise it by.
    pub prefix: String,
    pub scopes: Vec<ScopeGql>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The key that created this one; null for keys made with the CLI.
    pub created_by_key_id: Option<ID>,
}

impl From<ApiKey> for ApiKeyGql {
    fn from(k: ApiKey) -> Self {
        let scopes = k
            .scope_names()
            .filter_map(|s| s.parse::<Scope>().ok())
            .map(ScopeGql::from)
            .collect();
        Self {
            id: ID(k.id.to_string()),
            name: k.name,
            prefix: k.prefix,
            scopes,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
            created_by_key_id: k.created_by_key_id.map(|id| ID(id.to_string())),
        }
    }
}

/// Who is calling.
#[derive(SimpleObject)]
pub struct Viewer {
    pub api_key: ApiKeyGql,
    pub workspace: WorkspaceGql,
    /// What the key may do: its scopes and the ones they include (`ADMIN` includes
    /// `CRM_WRITE` and `CRM_READ`). A client shows or hides actions by these; `apiKey.scopes`
    /// lists only the scopes granted.
    pub effective_scopes: Vec<ScopeGql>,
}

#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// A label, e.g. "zapier" or "ci" (1–200 characters).
    pub name: String,
    pub scopes: Vec<ScopeGql>,
    /// Retrying with the same key and input returns the first response (without the secret)
    /// and creates nothing; keys are remembered for 24 hours.
    pub idempotency_key: Option<String>,
    /// Validate and return the would-be result without creating anything.
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    pub api_key: ApiKeyGql,
    /// The full key. Shown once: store it now. Null on an idempotent replay.
    pub secret: Option<String>,
    #[graphql(flatten)]
    pub outcome: DescribedWriteOutcome,
}

#[derive(InputObject)]
pub struct RevokeApiKeyInput {
    pub id: ID,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

#[derive(SimpleObject)]
pub struct RevokeApiKeyPayload {
    pub api_key: ApiKeyGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(Default)]
pub struct AuthQuery;

#[Object]
impl AuthQuery {
    /// The calling API key and its workspace. Needs any valid key.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Viewer> {
        let actor = actor(ctx)?;
        let mut conn = crate::db::conn(pool(ctx)?).await?;
        let key = ApiKey::find(&mut conn, actor.workspace_id, actor.key_id)
            .await
            .map_err(AppError::from)?
            .ok_or_else(|| AppError::from(diesel::result::Error::NotFound))?;
        let workspace = Workspace::find(&mut conn, actor.workspace_id)
            .await
            .map_err(AppError::from)?;
        let effective_scopes = Scope::ALL
            .into_iter()
            .filter(|scope| actor.has(*scope))
            .map(ScopeGql::from)
            .collect();
        Ok(Viewer {
            api_key: key.into(),
            workspace: workspace.into(),
            effective_scopes,
        })
    }

    /// The workspace's API keys, newest first, revoked ones included. Needs `admin`.
    async fn api_keys(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<ListConnection<ApiKeyGql>> {
        let actor = actor(ctx)?;
        actor.require(Scope::Admin)?;
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page = Page::of(ctx, "api_keys", NewestFirst, args)?;
        let mut conn = crate::db::conn(pool(ctx)?).await?;
        let listing = ApiKey::listing(&mut conn, actor.workspace_id, &page.window)
            .await
            .map_err(AppError::from)?;
        Ok(page.connection(listing, ApiKeyGql::from))
    }
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Creates an API key in the caller's workspace. Needs `admin`.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> async_graphql::Result<CreateApiKeyPayload> {
        let actor = actor(ctx)?;
        let options = write_options(input.idempotency_key, input.dry_run);
        let new_key = ops::NewKeyInput {
            name: input.name,
            scopes: input.scopes.into_iter().map(Scope::from).collect(),
        };
        let result = api_keys::ops::create_api_key(pool(ctx)?, actor, new_key, options).await?;
        Ok(CreateApiKeyPayload {
            outcome: (&result).into(),
            secret: result.value.secret,
            api_key: result.value.key.into(),
        })
    }

    /// Revokes an API key: it stops working at once, everywhere. Its open WebSockets are
    /// closed with 4403 (on this server before this returns, on others as the revocation
    /// reaches them), and no event committed after the revocation is delivered to them.
    /// Needs `admin`.
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        input: RevokeApiKeyInput,
    ) -> async_graphql::Result<RevokeApiKeyPayload> {
        let actor = actor(ctx)?;
        let id = parse_id(&input.id, "input.id")?;
        let result =
            api_keys::ops::revoke_api_key(pool(ctx)?, actor, id, input.options.into()).await?;
        if !result.dry_run {
            if let Some(verified) = ctx.data_opt::<VerifiedKeys>() {
                verified.forget_key(id);
            }
            if let Some(keys) = ctx.data_opt::<ConnectedKeys>() {
                keys.end(id, REVOKED_CONNECTIONS_CLOSE_WITHIN).await;
            }
        }
        Ok(RevokeApiKeyPayload {
            outcome: (&result).into(),
            api_key: result.value.into(),
        })
    }
}
