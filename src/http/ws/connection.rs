//! One WebSocket connection: its handshake, its operations, keep-alive pings, revocation and
//! the close codes of the protocol; the connection's loop is a single task, so its state
//! needs no locks.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::FutureExt;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::operation::run_operation;
use super::{close, Protocol, CLOSE_HANDSHAKE_TIMEOUT};
use crate::auth::Actor;
use crate::graphql::event_loaders::SubscriptionShape;
use crate::http::ws_keys::KeySlot;
use crate::http::AppState;

pub(super) enum Outgoing {
    Text(String),
    /// A subscription's stream ended (by itself) and its id is free again.
    Finished {
        id: String,
        generation: u64,
    },
}

pub(super) struct Connection {
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
    /// The client started the closing handshake: it is answered, not started again.
    closed_by_client: bool,
}

enum Step {
    Continue,
    Close(u16, String),
}

impl Connection {
    pub(super) fn new(
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
            closed_by_client: false,
        }
    }

    pub(super) async fn run(mut self) {
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
            // Checked before anything else is read or written: once a key is revoked, its
            // connection starts no operation and sends no result any more.
            if revoked.is_cancelled() {
                break Some((close::FORBIDDEN, "API key revoked".into()));
            }
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
        if self.closed_by_client {
            // RFC 6455 §5.5.1: answer the client's Close with one. The WebSocket library
            // queued the answer (echoing the client's code) when it read the client's frame;
            // closing our side sends it.
            let close = futures_util::SinkExt::close(&mut self.socket);
            let _ = tokio::time::timeout(CLOSE_HANDSHAKE_TIMEOUT, close).await;
        } else if let Some((code, reason)) = step {
            let frame = CloseFrame {
                code,
                reason: Utf8Bytes::from(reason),
            };
            let sent = self.write(Message::Close(Some(frame))).await;
            // The connection is over for its key: a revocation waits for this, not for the
            // client's answer.
            self.slot = None;
            if sent {
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
            Message::Close(_) => {
                self.closed_by_client = true;
                return Step::Close(1000, "normal closure".into());
            }
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
        match self
            .state
            .verified_keys
            .authenticate(
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
