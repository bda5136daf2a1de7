//! A WebSocket test client speaking either GraphQL subprotocol.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const TRANSPORT_WS: &str = "graphql-transport-ws";
pub const LEGACY_WS: &str = "graphql-ws";

pub struct WsClient {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub protocol: String,
}

/// What the server sent next.
#[derive(Debug)]
pub enum Received {
    Json(Value),
    Closed(Option<u16>, String),
}

impl WsClient {
    pub async fn connect(url: &str, protocol: &str) -> WsClient {
        let mut request = url.into_client_request().expect("request");
        request
            .headers_mut()
            .insert("sec-websocket-protocol", protocol.parse().expect("header"));
        let (stream, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("connect");
        let protocol = response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        WsClient { stream, protocol }
    }

    /// Connects through a socket with a tiny receive buffer, for clients that stop reading:
    /// the server's writes then block after a few messages instead of filling megabytes of
    /// kernel buffers first.
    pub async fn connect_small_buffer(url: &str, protocol: &str) -> WsClient {
        let mut request = url.into_client_request().expect("request");
        request
            .headers_mut()
            .insert("sec-websocket-protocol", protocol.parse().expect("header"));
        let host = request.uri().authority().expect("host").as_str().to_owned();
        let address = tokio::net::lookup_host(host)
            .await
            .expect("resolve")
            .next()
            .expect("an address");
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
        let tcp = socket.connect(address).await.expect("connect");
        let (stream, _) = tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(tcp))
            .await
            .expect("handshake");
        WsClient {
            stream,
            protocol: protocol.to_owned(),
        }
    }

    /// Connects and completes `connection_init` with `key`, expecting an ack.
    pub async fn connect_authed(url: &str, protocol: &str, key: &str) -> WsClient {
        let mut client = Self::connect(url, protocol).await;
        client.send_init(key).await;
        let ack = client.next_json().await;
        assert_eq!(ack["type"], "connection_ack", "expected an ack, got {ack}");
        client
    }

    /// Sends `connection_init` with `key`; the caller reads the answer.
    pub async fn send_init(&mut self, key: &str) {
        self.send(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {key}") } }))
            .await;
    }

    pub async fn send(&mut self, message: Value) {
        self.stream
            .send(Message::text(message.to_string()))
            .await
            .expect("send");
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.stream
            .send(Message::text(text.to_owned()))
            .await
            .expect("send");
    }

    /// The next JSON message or close, skipping protocol pings.
    pub async fn receive(&mut self) -> Received {
        loop {
            let next = tokio::time::timeout(Duration::from_secs(10), self.stream.next())
                .await
                .expect("timed out waiting for the server");
            match next {
                Some(Ok(Message::Text(text))) => {
                    let value: Value =
                        serde_json::from_str(text.as_str()).expect("server sent JSON");
                    if value["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    if value["type"] == "ka" {
                        continue;
                    }
                    return Received::Json(value);
                }
                Some(Ok(Message::Close(frame))) => {
                    return match frame {
                        Some(frame) => {
                            Received::Closed(Some(frame.code.into()), frame.reason.to_string())
                        }
                        None => Received::Closed(None, String::new()),
                    }
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Received::Closed(None, String::new()),
            }
        }
    }

    pub async fn next_json(&mut self) -> Value {
        match self.receive().await {
            Received::Json(value) => value,
            Received::Closed(code, reason) => {
                panic!("expected a message, the server closed ({code:?} {reason})")
            }
        }
    }

    /// Asserts the server closes the connection with `code`.
    pub async fn expect_close(&mut self, code: u16) -> String {
        match self.receive().await {
            Received::Closed(Some(got), reason) => {
                assert_eq!(got, code, "closed with {got} ({reason}), expected {code}");
                reason
            }
            other => panic!("expected close {code}, got {other:?}"),
        }
    }

    /// Starts the closing handshake with `code` and returns the server's answering close
    /// frame's code, or `None` when the server dropped the connection without one.
    pub async fn close_handshake(&mut self, code: u16) -> Option<u16> {
        use tokio_tungstenite::tungstenite::protocol::CloseFrame;
        let frame = CloseFrame {
            code: code.into(),
            reason: "bye".into(),
        };
        self.stream
            .send(Message::Close(Some(frame)))
            .await
            .expect("send close");
        loop {
            let next = tokio::time::timeout(Duration::from_secs(10), self.stream.next())
                .await
                .expect("timed out waiting for the server's close");
            match next {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| f.code.into()),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Reads raw frames, answering nothing; for keep-alive tests.
    pub async fn raw_next(&mut self) -> Option<Message> {
        tokio::time::timeout(Duration::from_secs(10), self.stream.next())
            .await
            .ok()
            .flatten()
            .and_then(Result::ok)
    }
}
