//! One operation of a connection: its results forwarded to the connection as they come.

use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::connection::Outgoing;
use super::Protocol;
use crate::graphql::errors::ensure_codes;
use crate::http::AppState;

/// A `next` (or legacy `data`) message.
#[derive(serde::Serialize)]
struct ResultMessage<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    id: &'a str,
    payload: &'a async_graphql::Response,
}

/// Runs one operation and forwards its results. A request that fails before execution
/// (syntax, validation) gets an `error` message and no `complete`, as the protocol says.
pub(super) async fn run_operation(
    state: AppState,
    protocol: Protocol,
    id: String,
    generation: u64,
    request: async_graphql::Request,
    outgoing: mpsc::Sender<Outgoing>,
) {
    let mut stream = state.schema.ruled.execute_stream(request);
    let mut first = true;
    while let Some(mut response) = stream.next().await {
        ensure_codes(&mut response);
        let request_error = first
            && response.data == async_graphql::Value::Null
            && !response.errors.is_empty()
            && response.errors.iter().all(|e| e.path.is_empty());
        first = false;
        let message = if request_error {
            let errors = serde_json::to_value(&response.errors).unwrap_or(Value::Null);
            protocol.error_message(&id, errors).to_string()
        } else {
            let kind = if protocol == Protocol::TransportWs {
                "next"
            } else {
                "data"
            };
            // Serialized straight to text: this runs once per subscriber per event.
            serde_json::to_string(&ResultMessage {
                kind,
                id: &id,
                payload: &response,
            })
            .unwrap_or_else(|_| protocol.error_message(&id, json!([{ "message": "could not encode the result", "extensions": { "code": "INTERNAL" } }])).to_string())
        };
        if outgoing.send(Outgoing::Text(message)).await.is_err() {
            return;
        }
        if request_error {
            let _ = outgoing.send(Outgoing::Finished { id, generation }).await;
            return;
        }
    }
    let _ = outgoing
        .send(Outgoing::Text(
            json!({ "type": "complete", "id": id }).to_string(),
        ))
        .await;
    let _ = outgoing.send(Outgoing::Finished { id, generation }).await;
}
