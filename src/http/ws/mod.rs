//! GraphQL over WebSocket at /graphql/ws: the graphql-transport-ws protocol and the legacy
//! subscriptions-transport-ws one (subprotocol `graphql-ws`). Written here rather than taken
//! from async-graphql because its implementation does not follow the protocol's close codes
//! (4400, 4401, 4403, 4408, 4409, 4429) and sends no server pings.

mod connection;
mod operation;

use std::time::Duration;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use serde_json::{json, Value};

use self::connection::Connection;
use super::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// `graphql-transport-ws` (the graphql-ws library).
    TransportWs,
    /// `graphql-ws` (the legacy subscriptions-transport-ws library).
    Legacy,
}

impl Protocol {
    /// An operation's `error` message: the errors list, or (legacy) its first error.
    fn error_message(self, id: &str, errors: Value) -> Value {
        let payload = match self {
            Protocol::TransportWs => errors,
            Protocol::Legacy => errors.get(0).cloned().unwrap_or(Value::Null),
        };
        json!({ "type": "error", "id": id, "payload": payload })
    }

    fn name(self) -> &'static str {
        match self {
            Protocol::TransportWs => "graphql-transport-ws",
            Protocol::Legacy => "graphql-ws",
        }
    }
}

/// Close codes of the graphql-transport-ws protocol.
mod close {
    pub const BAD_MESSAGE: u16 = 4400;
    pub const UNAUTHORIZED: u16 = 4401;
    pub const FORBIDDEN: u16 = 4403;
    pub const INIT_TIMEOUT: u16 = 4408;
    pub const DUPLICATE_SUBSCRIBER: u16 = 4409;
    pub const TOO_MANY_INITS: u16 = 4429;
    pub const GOING_AWAY: u16 = 1001;
    pub const KEEPALIVE_TIMEOUT: u16 = 1011;
}

/// Bytes read from a connection's socket at a time.
const READ_BUFFER_SIZE: usize = 4 * 1024;

/// How long a closing connection waits for the client to acknowledge the close frame.
const CLOSE_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(2);

/// WebSocket settings.
#[derive(Debug, Clone, Copy)]
pub struct WsSettings {
    pub init_timeout: Duration,
    pub ping_interval: Duration,
    /// Operations running at once on one connection.
    pub max_subscriptions: usize,
    /// Open connections per API key.
    pub max_connections_per_key: usize,
    /// How often the keys of open connections are re-checked, so a revoked key's
    /// subscriptions end (one statement per interval for all of them).
    pub revalidate_interval: Duration,
    /// How long one write may wait for the client to read. A client that stops reading
    /// fills the socket's buffers; after this long the connection is dropped, freeing its
    /// slot (its subscriptions can resume from their last cursor).
    pub write_timeout: Duration,
}

impl Default for WsSettings {
    fn default() -> Self {
        Self {
            init_timeout: Duration::from_secs(10),
            ping_interval: Duration::from_secs(15),
            max_subscriptions: 100,
            max_connections_per_key: 50,
            revalidate_interval: Duration::from_secs(3),
            write_timeout: Duration::from_secs(10),
        }
    }
}

pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !state.origins.allows_websocket(&headers) {
        return super::cors::websocket_refused(&headers);
    }
    let offered = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let offered: Vec<&str> = offered.split(',').map(str::trim).collect();
    let protocol = if offered.contains(&"graphql-transport-ws") || !offered.contains(&"graphql-ws")
    {
        Protocol::TransportWs
    } else {
        Protocol::Legacy
    };
    // A key sent on the upgrade request (scripts can, browsers cannot) is a fallback for one
    // missing from `connection_init`.
    let header_key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let tasks = state.tasks.clone();
    // Clients send a few small messages; tungstenite zero-fills its whole read buffer (128 KiB
    // by default) before every read attempt, which cost more CPU than anything else per
    // delivered event and 128 KiB of memory per connection. Larger messages still arrive:
    // the buffer grows to fit a frame.
    ws.read_buffer_size(READ_BUFFER_SIZE)
        .protocols([protocol.name()])
        .on_upgrade(move |socket| {
            let connection = Connection::new(state, protocol, socket, header_key, request_id);
            async move {
                tasks.spawn(connection.run());
            }
        })
}
