//! GraphQL over WebSocket at /graphql/ws: the graphql-transport-ws protocol and the legacy
//! subscriptions-transport-ws one (subprotocol `graphql-ws`). Written here rather than taken
//! from async-graphql because its implementation does not follow the protocol's close codes
//! (4400, 4401, 4403, 4408, 4409, 4429) and sends no server pings.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use futures_util::{FutureExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::ws_keys::KeySlot;
use super::AppState;
use crate::auth::ops::authenticate;
use crate::auth::Actor;
use crate::graphql::errors::ensure_codes;
use crate::graphql::event_loaders::SubscriptionShape;

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

enum Outgoing {
    Text(String),
    /// A subscription's stream ended (by itself) and its id is free again.
    Finished {
        id: String,
        generation: u64,
    },
}

struct Connection {
    state: AppState,
    protocol: Protocol,
    socket: WebSocket,
    header_key: Option<String>,
    request_id: Option<String>,
    actor: Option<Actor>,
    /// This connection's place in its key's count; its token is cancelled when the key is
    /// found revoked.
    slot: Option<KeySlot>,
    init_received: bool,
    subscriptions: HashMap<String, (u64, JoinHandle<()>)>,
    next_generation: u64,
    outgoing_tx: mpsc::Sender<Outgoing>,
    outgoing_rx: mpsc::Receiver<Outgoing>,
    last_heard: Instant,
    /// A write timed out: the client stopped reading, and nothing more can be sent.
    stalled: bool,
}

enum Step {
    Continue,
    Close(u16, String),
}

impl Connection {
    fn new(
        state: AppState,
        protocol: Protocol,
        socket: WebSocket,
        header_key: Option<String>,
        request_id: Option<String>,
    ) -> Self {
        // Bounded: a client that does not read stalls its own subscriptions, never the server.
        let (outgoing_tx, outgoing_rx) = mpsc::channel(64);
        Self {
            state,
            protocol,
            socket,
            header_key,
            request_id,
            actor: None,
            slot: None,
            init_received: false,
            subscriptions: HashMap::new(),
            next_generation: 0,
            outgoing_tx,
            outgoing_rx,
            last_heard: Instant::now(),
            stalled: false,
        }
    }

    async fn run(mut self) {
        let settings = self.state.ws;
        let init_deadline = tokio::time::sleep(settings.init_timeout);
        tokio::pin!(init_deadline);
        let mut pings = tokio::time::interval_at(
            tokio::time::Instant::now() + settings.ping_interval,
            settings.ping_interval,
        );
        let shutdown = self.state.shutdown.clone();
        let step = loop {
            // Before `connection_init` there is no key, and nothing to revoke.
            let revoked = self
                .slot
                .as_ref()
                .map(|slot| slot.revoked.clone())
                .unwrap_or_default();
            let step = tokio::select! {
                incoming = self.socket.recv() => match incoming {
                    Some(Ok(message)) => {
                        self.last_heard = Instant::now();
                        self.on_message(message).await
                    }
                    _ => break None,
                },
                Some(outgoing) = self.outgoing_rx.recv() => self.on_outgoing(outgoing).await,
                () = &mut init_deadline, if self.actor.is_none() && !self.init_received => {
                    Step::Close(close::INIT_TIMEOUT, "Connection initialisation timeout".into())
                }
                _ = pings.tick() => self.on_ping_tick(settings.ping_interval).await,
                () = revoked.cancelled() => Step::Close(close::FORBIDDEN, "API key revoked".into()),
                () = shutdown.cancelled() => Step::Close(close::GOING_AWAY, "server shutting down".into()),
            };
            if self.stalled {
                tracing::info!("dropping a WebSocket connection whose client stopped reading");
                metrics::counter!("dealgraph_ws_stalled_connections_total").increment(1);
                break None;
            }
            if let Step::Close(code, reason) = step {
                break Some((code, reason));
            }
        };
        for (_, (_, task)) in self.subscriptions.drain() {
            task.abort();
        }
        if let Some((code, reason)) = step {
            let frame = CloseFrame {
                code,
                reason: Utf8Bytes::from(reason),
            };
            if self.write(Message::Close(Some(frame))).await {
                // Finish the closing handshake: dropping the socket with unread client data
                // would reset the connection and the client could lose our close frame.
                let drain = async {
                    while let Some(Ok(message)) = self.socket.recv().await {
                        if matches!(message, Message::Close(_)) {
                            break;
                        }
                    }
                };
                let _ = tokio::time::timeout(CLOSE_HANDSHAKE_TIMEOUT, drain).await;
            }
        }
    }

    async fn on_ping_tick(&mut self, interval: Duration) -> Step {
        if self.last_heard.elapsed() > interval * 2 {
            return Step::Close(
                close::KEEPALIVE_TIMEOUT,
                "keep-alive timeout: no pong received".into(),
            );
        }
        // A WebSocket ping is answered by every client (browsers do it themselves); the
        // protocol-level message keeps proxies and the client libraries' timers happy too.
        self.write(Message::Ping(Default::default())).await;
        let keepalive = match self.protocol {
            Protocol::TransportWs => json!({ "type": "ping" }),
            Protocol::Legacy => json!({ "type": "ka" }),
        };
        if self.actor.is_some() || self.protocol == Protocol::TransportWs {
            self.send(keepalive).await;
        }
        Step::Continue
    }

    async fn send(&mut self, message: Value) {
        self.write(Message::Text(Utf8Bytes::from(message.to_string())))
            .await;
    }

    /// Sends one frame, waiting at most `write_timeout` for the client to make room; true
    /// when it was sent. A closed socket is noticed by the reading side of the loop.
    async fn write(&mut self, message: Message) -> bool {
        if self.stalled {
            return false;
        }
        let send = self.socket.send(message);
        tokio::pin!(send);
        // Almost every write completes at once; only one that has to wait gets a timer.
        if let Some(sent) = (&mut send).now_or_never() {
            return sent.is_ok();
        }
        match tokio::time::timeout(self.state.ws.write_timeout, send).await {
            Ok(sent) => sent.is_ok(),
            Err(_) => {
                self.stalled = true;
                false
            }
        }
    }

    async fn on_outgoing(&mut self, outgoing: Outgoing) -> Step {
        match outgoing {
            Outgoing::Text(text) => {
                self.write(Message::Text(Utf8Bytes::from(text))).await;
            }
            Outgoing::Finished { id, generation } => {
                if self
                    .subscriptions
                    .get(&id)
                    .is_some_and(|(g, _)| *g == generation)
                {
                    self.subscriptions.remove(&id);
                }
            }
        }
        Step::Continue
    }

    async fn on_message(&mut self, message: Message) -> Step {
        let text = match message {
            Message::Text(text) => text,
            Message::Binary(_) => {
                return Step::Close(
                    close::BAD_MESSAGE,
                    "binary messages are not supported".into(),
                )
            }
            Message::Close(_) => return Step::Close(1000, "normal closure".into()),
            Message::Ping(_) | Message::Pong(_) => return Step::Continue,
        };
        let Ok(Value::Object(message)) = serde_json::from_str::<Value>(text.as_str()) else {
            return Step::Close(
                close::BAD_MESSAGE,
                "invalid message: not a JSON object".into(),
            );
        };
        let Some(kind) = message
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return Step::Close(close::BAD_MESSAGE, "invalid message: missing `type`".into());
        };
        match (self.protocol, kind.as_str()) {
            (_, "connection_init") => self.on_init(message.get("payload")).await,
            (Protocol::TransportWs, "ping") => {
                self.send(json!({ "type": "pong" })).await;
                Step::Continue
            }
            (Protocol::TransportWs, "pong") => Step::Continue,
            (Protocol::TransportWs, "subscribe") | (Protocol::Legacy, "start") => {
                let Some(id) = message
                    .get("id")
                    .and_then(Value::as_str)
                    .filter(|id| !id.is_empty())
                else {
                    return Step::Close(
                        close::BAD_MESSAGE,
                        format!("invalid message: `{kind}` needs an `id`"),
                    );
                };
                let Some(payload) = message.get("payload").filter(|p| p.is_object()) else {
                    return Step::Close(
                        close::BAD_MESSAGE,
                        format!("invalid message: `{kind}` needs a `payload` object"),
                    );
                };
                self.on_subscribe(id.to_owned(), payload.clone()).await
            }
            (Protocol::TransportWs, "complete") | (Protocol::Legacy, "stop") => {
                let Some(id) = message.get("id").and_then(Value::as_str) else {
                    return Step::Close(
                        close::BAD_MESSAGE,
                        format!("invalid message: `{kind}` needs an `id`"),
                    );
                };
                if let Some((_, task)) = self.subscriptions.remove(id) {
                    task.abort();
                    if self.protocol == Protocol::Legacy {
                        self.send(json!({ "type": "complete", "id": id })).await;
                    }
                }
                Step::Continue
            }
            (Protocol::Legacy, "connection_terminate") => {
                Step::Close(1000, "terminated by the client".into())
            }
            _ => Step::Close(close::BAD_MESSAGE, format!("invalid message type {kind:?}")),
        }
    }

    async fn on_init(&mut self, payload: Option<&Value>) -> Step {
        if self.init_received {
            return Step::Close(
                close::TOO_MANY_INITS,
                "Too many initialisation requests".into(),
            );
        }
        self.init_received = true;
        let from_payload = payload
            .and_then(|p| p.get("authorization").or_else(|| p.get("Authorization")))
            .and_then(Value::as_str);
        let authorization = from_payload
            .map(str::to_owned)
            .or_else(|| self.header_key.clone());
        match authenticate(
            &self.state.pool,
            authorization.as_deref(),
            self.request_id.clone(),
        )
        .await
        {
            Ok(actor) => {
                let max = self.state.ws.max_connections_per_key;
                let Some(slot) = self.state.ws_keys.join(actor.key_id, max) else {
                    let limit = self.state.ws.max_connections_per_key;
                    return Step::Close(
                        close::TOO_MANY_INITS,
                        format!("Too many connections for this API key (at most {limit})"),
                    );
                };
                self.slot = Some(slot);
                self.actor = Some(actor);
                self.send(json!({ "type": "connection_ack" })).await;
                Step::Continue
            }
            Err(err) => {
                if self.protocol == Protocol::Legacy {
                    let message = json!({ "type": "connection_error", "payload": { "message": err.client_message() } });
                    self.send(message).await;
                }
                Step::Close(close::FORBIDDEN, "Forbidden".into())
            }
        }
    }

    async fn on_subscribe(&mut self, id: String, payload: Value) -> Step {
        let Some(actor) = self.actor.clone() else {
            return Step::Close(close::UNAUTHORIZED, "Unauthorized".into());
        };
        if let Some((_, task)) = self.subscriptions.get(&id) {
            if !task.is_finished() {
                return Step::Close(
                    close::DUPLICATE_SUBSCRIBER,
                    format!("Subscriber for {id} already exists"),
                );
            }
        }
        if self.subscriptions.len() >= self.state.ws.max_subscriptions {
            let limit = self.state.ws.max_subscriptions;
            self.send_errors(&id, json!([{ "message": format!("at most {limit} operations may run at once on one connection"), "extensions": { "code": "BAD_USER_INPUT" } }])).await;
            return Step::Continue;
        }
        let request: async_graphql::Request = match serde_json::from_value(payload) {
            Ok(request) => request,
            Err(e) => {
                return Step::Close(
                    close::BAD_MESSAGE,
                    format!("invalid subscribe payload: {e}"),
                )
            }
        };
        let generation = self.next_generation;
        self.next_generation += 1;
        let task = tokio::spawn(run_operation(
            self.state.clone(),
            self.protocol,
            id.clone(),
            generation,
            {
                let shape = SubscriptionShape::of(&request, &actor);
                crate::graphql::with_request_data(request, &self.state.pool, actor, false)
                    .data(shape)
            },
            self.outgoing_tx.clone(),
        ));
        self.subscriptions.insert(id, (generation, task));
        Step::Continue
    }

    async fn send_errors(&mut self, id: &str, errors: Value) {
        self.send(self.protocol.error_message(id, errors)).await;
    }
}

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
async fn run_operation(
    state: AppState,
    protocol: Protocol,
    id: String,
    generation: u64,
    request: async_graphql::Request,
    outgoing: mpsc::Sender<Outgoing>,
) {
    let mut stream = state.schema.execute_stream(request);
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
