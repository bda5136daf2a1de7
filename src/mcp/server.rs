//! The MCP server: `tools/list` from the registry, `tools/call` by name with the scope check
//! every tool declares. A refused write is audited like a refused GraphQL mutation.

use std::collections::BTreeMap;
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler};
use serde_json::Value;

use super::errors::tool_error;
use super::tool::{refused, Call, Effect, ToolSpec};
use crate::auth::Actor;
use crate::db::DbPool;
use crate::error::AppError;
use crate::graphql::cursor_key::CursorKey;

/// Every tool, by name. Each CRM area contributes its own; billing's tools join here once the
/// billing domain exists (see `billing.rs`).
pub fn all_tools() -> BTreeMap<String, ToolSpec> {
    [
        super::contacts::tools(),
        super::leads::tools(),
        super::pipelines::tools(),
        super::deals::tools(),
        super::activities::tools(),
        super::tasks::tools(),
        super::ledger::tools(),
        super::billing::tools(),
        super::context::tools(),
    ]
    .into_iter()
    .flatten()
    .map(|spec| (spec.name().to_owned(), spec))
    .collect()
}

/// One MCP request's server: stateless, so it is made per request from shared parts.
#[derive(Clone)]
pub struct DealgraphMcp {
    pool: DbPool,
    cursor_key: CursorKey,
    tools: Arc<BTreeMap<String, ToolSpec>>,
}

impl DealgraphMcp {
    pub fn new(
        pool: DbPool,
        cursor_key: CursorKey,
        tools: Arc<BTreeMap<String, ToolSpec>>,
    ) -> DealgraphMcp {
        DealgraphMcp {
            pool,
            cursor_key,
            tools,
        }
    }

    async fn call(&self, actor: Actor, spec: &ToolSpec, arguments: Value) -> CallToolResult {
        let call = Call {
            pool: self.pool.clone(),
            actor,
            cursor_key: self.cursor_key.clone(),
        };
        if let Err(err) = call.actor.require(spec.scope()) {
            if spec.effect != Effect::Read {
                refused(&call, spec.name(), &arguments, &err).await;
            }
            return tool_error(&err);
        }
        match spec.run(call, arguments).await {
            Ok(value) => CallToolResult::structured(value),
            Err(err) => tool_error(&err),
        }
    }
}

/// The acting key, put in the request's extensions by `auth::require_key`.
fn actor_of(context: &RequestContext<RoleServer>) -> Result<Actor, AppError> {
    context
        .extensions
        .get::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Actor>())
        .cloned()
        .ok_or_else(|| AppError::Unauthenticated("missing API key".into()))
}

impl ServerHandler for DealgraphMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("dealgraph", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "dealgraph is a CRM. Tools read and write its contacts, companies, leads, \
                 pipelines, deals, activities, tasks and ledger. Every write takes an \
                 idempotency_key (retry with the same key and input: the first result comes \
                 back, nothing is written twice) and most take dry_run. Money is a decimal \
                 string next to an ISO 4217 currency. Errors carry a code: BAD_USER_INPUT, \
                 NOT_FOUND, CONFLICT, FORBIDDEN, STALE_OBJECT, IDEMPOTENCY_KEY_REUSED, INTERNAL.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools: Vec<Tool> = self.tools.values().map(|spec| spec.tool.clone()).collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.get(name).map(|spec| spec.tool.clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(spec) = self.tools.get(request.name.as_ref()) else {
            return Err(ErrorData::invalid_params(
                format!("there is no tool named {:?}", request.name),
                None,
            ));
        };
        let actor = match actor_of(&context) {
            Ok(actor) => actor,
            Err(err) => return Ok(tool_error(&err).into()),
        };
        let arguments = Value::Object(request.arguments.unwrap_or_default());
        Ok(self.call(actor, spec, arguments).await.into())
    }
}
