//! MCP at `/mcp`, driven by the official SDK's client (rmcp, streamable HTTP) against the real
//! server: the tool list and its schemas, each tool's call, keys and scopes, idempotency, dry
//! runs and the audit trail.

mod access;
mod billing;
mod calls;
mod guarantees;
mod tools;

use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{RoleClient, ServiceExt};
use serde_json::Value;

use crate::support::TestApp;

pub type Client = RunningService<RoleClient, ()>;

/// An MCP session with `app` as `key`: initialize done, ready for calls.
pub async fn connect(app: &TestApp, key: &str) -> Client {
    let config = StreamableHttpClientTransportConfig::with_uri(app.url("/mcp")).auth_header(key);
    ().serve(StreamableHttpClientTransport::from_config(config))
        .await
        .expect("MCP client connects")
}

/// Calls tool `name` with `arguments` (a JSON object).
pub async fn call(client: &Client, name: &'static str, arguments: Value) -> CallToolResult {
    let Value::Object(arguments) = arguments else {
        panic!("tool arguments are an object");
    };
    client
        .call_tool(CallToolRequestParams::new(name).with_arguments(arguments))
        .await
        .unwrap_or_else(|err| panic!("{name}: {err}"))
}

/// The structured result of a call that must succeed.
pub fn ok(result: CallToolResult) -> Value {
    let body = result.structured_content.clone().unwrap_or(Value::Null);
    assert_ne!(result.is_error, Some(true), "tool error: {body}");
    body
}

/// The error body (`code`, `message`, `field`) of a call that must fail.
pub fn failed(result: CallToolResult) -> Value {
    assert_eq!(result.is_error, Some(true), "expected a tool error");
    result.structured_content.expect("structured error")
}

/// `body[key]["id"]` as a string.
pub fn id_of(body: &Value, key: &str) -> String {
    body[key]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no {key}.id in {body}"))
        .to_owned()
}
