//! The tool registry: each tool's strict input schema (generated from its Rust input type,
//! `additionalProperties: false`), the scope it needs, its hints, and the function that runs
//! it. Domain files declare their tools with [`read`] and [`write`]; the server only looks
//! them up by name.

use std::future::Future;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use rmcp::model::{JsonObject, MetaObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::AppError;
use crate::graphql::cursor_key::{CursorKey, Cursors};
use crate::write::{record_refusal, Refusal, WriteOptions};

/// What a tool does to the CRM, for its scope and its hints to the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Reads only (`crm:read`, `readOnlyHint`).
    Read,
    /// Adds or changes records without destroying any (`crm:write`).
    Write,
    /// Changes that cannot simply be undone — a conversion, a posted journal entry
    /// (`crm:write`, `destructiveHint`).
    Destructive,
}

impl Effect {
    pub fn scope(self) -> Scope {
        match self {
            Effect::Read => Scope::CrmRead,
            Effect::Write | Effect::Destructive => Scope::CrmWrite,
        }
    }
}

/// What a running tool has: the pool, the acting key and the server's cursor key.
#[derive(Clone)]
pub struct Call {
    pub pool: DbPool,
    pub actor: Actor,
    pub cursor_key: CursorKey,
}

impl Call {
    pub fn cursors(&self) -> Cursors<'_> {
        Cursors::new(&self.cursor_key, self.actor.workspace_id)
    }
}

type Runner = Arc<dyn Fn(Call, Value) -> BoxFuture<'static, Result<Value, AppError>> + Send + Sync>;

/// One tool: its MCP description, the scope it needs, and how to run it.
#[derive(Clone)]
pub struct ToolSpec {
    pub tool: Tool,
    pub effect: Effect,
    run: Runner,
}

impl ToolSpec {
    pub fn name(&self) -> &str {
        &self.tool.name
    }

    pub fn scope(&self) -> Scope {
        self.effect.scope()
    }

    pub fn run(&self, call: Call, arguments: Value) -> BoxFuture<'static, Result<Value, AppError>> {
        (self.run)(call, arguments)
    }
}

/// A read-only tool taking `I`.
pub fn read<I, F, Fut>(name: &'static str, description: &'static str, run: F) -> ToolSpec
where
    I: DeserializeOwned + JsonSchema + Send + 'static,
    F: Fn(Call, I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, AppError>> + Send + 'static,
{
    write(name, description, Effect::Read, run)
}

/// A writing tool taking `I` (whose fields include `idempotency_key`); [`read`] is this with
/// [`Effect::Read`].
pub fn write<I, F, Fut>(
    name: &'static str,
    description: &'static str,
    effect: Effect,
    run: F,
) -> ToolSpec
where
    I: DeserializeOwned + JsonSchema + Send + 'static,
    F: Fn(Call, I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, AppError>> + Send + 'static,
{
    let annotations = ToolAnnotations::new()
        .read_only(effect == Effect::Read)
        .destructive(effect == Effect::Destructive)
        // A write is idempotent only when given an idempotency_key, so it does not claim to be.
        .idempotent(effect == Effect::Read)
        .open_world(false);
    let mut meta = JsonObject::new();
    meta.insert(
        "dealgraph/requiredScopes".into(),
        json!([effect.scope().as_str()]),
    );
    let tool = Tool::new(name, description, input_schema::<I>())
        .with_annotations(annotations)
        .with_meta(MetaObject(meta));
    let run = Arc::new(run);
    ToolSpec {
        tool,
        effect,
        run: Arc::new(move |call: Call, arguments: Value| {
            let run = run.clone();
            async move {
                let input = match parse::<I>(arguments.clone()) {
                    Ok(input) => input,
                    Err(err) => {
                        if effect != Effect::Read {
                            refused(&call, name, &arguments, &err).await;
                        }
                        return Err(err);
                    }
                };
                (*run)(call, input).await
            }
            .boxed()
        }),
    }
}

/// `I`'s JSON Schema as a tool's `inputSchema`: an object that takes no other properties
/// (`#[serde(deny_unknown_fields)]` on every input makes schemars say so).
fn input_schema<I: JsonSchema>() -> Arc<JsonObject> {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<I>();
    let mut object = match schema.to_value() {
        Value::Object(object) => object,
        _ => JsonObject::new(),
    };
    // The tool's description says what it is; the type's own name is noise to an agent.
    object.remove("title");
    Arc::new(object)
}

/// Audits a write refused before it ran (bad arguments, a missing scope), as the GraphQL
/// input boundary does: action `request.refused`, the tool's name in `after.mutation`.
pub async fn refused(call: &Call, tool: &str, arguments: &Value, err: &AppError) {
    let message = err.client_message();
    let refusal = Refusal {
        field: tool,
        arguments: Some(arguments),
        code: err.code(),
        message: &message,
    };
    record_refusal(&call.pool, &call.actor, &refusal).await;
}

/// The arguments as `I`, or `BAD_USER_INPUT` naming the field that did not fit.
fn parse<I: DeserializeOwned>(arguments: Value) -> Result<I, AppError> {
    serde_path_to_error::deserialize(arguments).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." {
            "arguments".to_owned()
        } else {
            path
        };
        AppError::bad_input(field, err.inner().to_string())
    })
}

/// The write options every writing tool takes.
pub fn options(idempotency_key: Option<String>, dry_run: bool) -> WriteOptions {
    WriteOptions {
        idempotency_key,
        dry_run,
    }
}

/// A write's answer: what was written (under `key`), and whether it was replayed or a dry run.
pub fn written<T: serde::Serialize>(
    key: &str,
    result: &crate::write::WriteResult<T>,
) -> Result<Value, AppError> {
    let mut body = JsonObject::new();
    body.insert(key.to_owned(), serde_json::to_value(&result.value)?);
    body.insert("replayed".into(), json!(result.replayed));
    body.insert("dry_run".into(), json!(result.dry_run));
    Ok(Value::Object(body))
}

/// A write's answer when what was written is a record of several parts (an entry and its
/// lines, a payment and its invoice): its parts at the top level, beside `replayed` and
/// `dry_run`.
pub fn recorded<T: serde::Serialize>(
    result: &crate::write::WriteResult<T>,
) -> Result<Value, AppError> {
    let mut body = match serde_json::to_value(&result.value)? {
        Value::Object(parts) => parts,
        other => JsonObject::from_iter([("value".to_owned(), other)]),
    };
    body.insert("replayed".into(), json!(result.replayed));
    body.insert("dry_run".into(), json!(result.dry_run));
    Ok(Value::Object(body))
}

/// For partial updates: an absent argument is `None` (unchanged), an explicit `null` is
/// `Some(None)` (cleared). Use with `#[serde(default, deserialize_with = "tool::nullable")]`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// A [`nullable`] argument as the domain's [`crate::write::Patch`].
pub fn patch<T>(value: Option<Option<T>>) -> crate::write::Patch<T> {
    match value {
        None => crate::write::Patch::Unchanged,
        Some(None) => crate::write::Patch::Clear,
        Some(Some(value)) => crate::write::Patch::Set(value),
    }
}
