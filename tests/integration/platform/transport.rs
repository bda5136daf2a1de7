//! The transport's defences: CORS for configured browser origins, the Origin check of
//! WebSocket upgrades, and HTTP connections bounded in time and number. Misbehaving clients
//! are raw TCP sockets; a healthy client keeps being served meanwhile.

use std::time::{Duration, Instant};

use dealgraph::http::cors::AllowedOrigins;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::TestApp;

const APP_ORIGIN: &str = "https://app.example.com";

fn with_app_origin(config: &mut dealgraph::Config) {
    config.cors_origins = AllowedOrigins::new([APP_ORIGIN.to_owned()]);
}

fn cors_headers(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers
        .keys()
        .map(|name| name.as_str().to_owned())
        .filter(|name| name.starts_with("access-control-"))
        .collect()
}

fn vary(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(", ")
        .to_ascii_lowercase()
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.http
        .request(reqwest::Method::OPTIONS, app.url("/graphql"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type, x-request-id",
        )
        .send()
        .await
        .unwrap()
}

async fn post_from(app: &TestApp, origin: &str) -> reqwest::Response {
    app.http
        .post(app.url("/graphql"))
        .header("origin", origin)
        .bearer_auth(&app.admin_key)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn preflights_and_responses_carry_cors_headers_only_for_allowed_origins() {
    let app = TestApp::spawn_with(with_app_origin).await;

    let allowed = preflight(&app, APP_ORIGIN).await;
    assert_eq!(allowed.status(), 204);
    let headers = allowed.headers();
    assert_eq!(headers["access-control-allow-origin"], APP_ORIGIN);
    let methods = headers["access-control-allow-methods"].to_str().unwrap();
    assert!(
        methods.contains("GET") && methods.contains("POST"),
        "{methods}"
    );
    let allowed_headers = headers["access-control-allow-headers"].to_str().unwrap();
    for name in ["authorization", "content-type", "x-request-id"] {
        assert!(allowed_headers.contains(name), "{allowed_headers}");
    }
    assert!(vary(headers).contains("origin"), "{headers:?}");

    let refused = preflight(&app, "https://evil.example").await;
    assert_ne!(refused.status(), 204);
    assert_eq!(cors_headers(refused.headers()), Vec::<String>::new());

    let response = post_from(&app, APP_ORIGIN).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        APP_ORIGIN
    );
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap();
    assert!(exposed.contains("x-request-id"), "{exposed}");
    assert!(vary(response.headers()).contains("origin"));

    // Another origin is served (a key is a key) but its page may not read the answer.
    let response = post_from(&app, "https://evil.example").await;
    assert_eq!(response.status(), 200);
    assert_eq!(cors_headers(response.headers()), Vec::<String>::new());
    assert!(vary(response.headers()).contains("origin"));
}

#[tokio::test(flavor = "multi_thread")]
async fn without_configured_origins_no_page_of_another_origin_gets_cors_headers() {
    let app = TestApp::spawn().await;
    let response = preflight(&app, APP_ORIGIN).await;
    assert_eq!(cors_headers(response.headers()), Vec::<String>::new());
    let response = post_from(&app, APP_ORIGIN).await;
    assert_eq!(cors_headers(response.headers()), Vec::<String>::new());
}

/// The status of a WebSocket upgrade sent with `origin` (101 when it was accepted).
async fn upgrade_status(app: &TestApp, origin: Option<&str>) -> u16 {
    let mut request = app.ws_url().into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, response)) => response.status().as_u16(),
        Err(tungstenite::Error::Http(response)) => {
            let body = String::from_utf8_lossy(response.body().as_deref().unwrap_or_default())
                .into_owned();
            assert!(body.contains("FORBIDDEN"), "{body}");
            response.status().as_u16()
        }
        Err(other) => panic!("upgrade failed: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn websockets_from_pages_of_other_origins_are_refused() {
    let app = TestApp::spawn().await;
    let own = format!("http://{}", app.address);
    // Scripts (no Origin) and our own pages (GraphiQL) connect; other sites' pages do not.
    assert_eq!(upgrade_status(&app, None).await, 101);
    assert_eq!(upgrade_status(&app, Some(&own)).await, 101);
    assert_eq!(
        upgrade_status(&app, Some("https://evil.example")).await,
        403
    );
    assert_eq!(upgrade_status(&app, Some(APP_ORIGIN)).await, 403);
    let other_port = format!("http://127.0.0.1:{}", app.address.port() + 1);
    assert_eq!(upgrade_status(&app, Some(&other_port)).await, 403);

    let app = TestApp::spawn_with(with_app_origin).await;
    assert_eq!(upgrade_status(&app, Some(APP_ORIGIN)).await, 101);
    assert_eq!(
        upgrade_status(&app, Some(&format!("http://{}", app.address))).await,
        101
    );
    assert_eq!(
        upgrade_status(&app, Some("https://evil.example")).await,
        403
    );
}

// --- HTTP connection bounds ---------------------------------------------------------

/// The bounds of the test servers below: short, so that each test takes about a second.
const BOUND: Duration = Duration::from_millis(500);
/// How much later than its bound a connection may close on a busy test machine.
const SLACK: Duration = Duration::from_millis(1500);

fn short_timeouts(config: &mut dealgraph::Config) {
    config.http.header_read_timeout = BOUND;
    config.http.body_read_timeout = BOUND;
    config.http.write_timeout = BOUND;
    config.http.idle_timeout = Duration::from_secs(30);
}

/// A healthy request, answered quickly while other clients misbehave.
async fn assert_healthy(app: &TestApp) {
    let started = Instant::now();
    let response = reqwest::Client::new()
        .get(app.url("/healthz"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(500),
        "a healthy request took {took:?}"
    );
}

/// Sends `bytes` one at a time, `every` apart, until the server closes the connection.
fn drip(mut writer: tokio::net::tcp::OwnedWriteHalf, bytes: Vec<u8>, every: Duration) {
    tokio::spawn(async move {
        for byte in bytes.into_iter().cycle() {
            tokio::time::sleep(every).await;
            if writer.write_all(&[byte]).await.is_err() {
                return;
            }
        }
    });
}

/// Reads until the server closes the connection; what was read. Panics if it is still
/// open after `within`.
async fn read_until_closed(
    reader: &mut tokio::net::tcp::OwnedReadHalf,
    within: Duration,
) -> Vec<u8> {
    let mut received = Vec::new();
    let closed = tokio::time::timeout(within, async {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "the connection was still open after {within:?}; received {}",
        String::from_utf8_lossy(&received)
    );
    received
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_dripping_its_request_head_is_dropped_after_the_header_timeout() {
    let app = TestApp::spawn_with(short_timeouts).await;
    let stream = TcpStream::connect(app.address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    writer
        .write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    drip(writer, b"X-Slow: y\r\n".to_vec(), Duration::from_millis(50));
    assert_healthy(&app).await;
    read_until_closed(&mut reader, BOUND + SLACK).await;
    let took = started.elapsed();
    assert!(
        took >= BOUND - Duration::from_millis(100),
        "closed after {took:?}"
    );
    assert_healthy(&app).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_dripping_its_request_body_is_dropped_after_the_body_timeout() {
    let app = TestApp::spawn_with(short_timeouts).await;
    let stream = TcpStream::connect(app.address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {}\r\nContent-Length: 1000\r\n\r\n",
        app.address, app.admin_key
    );
    writer.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    drip(writer, b" ".to_vec(), Duration::from_millis(50));
    assert_healthy(&app).await;
    let answer = read_until_closed(&mut reader, BOUND + SLACK).await;
    let took = started.elapsed();
    assert!(
        took >= BOUND - Duration::from_millis(100),
        "closed after {took:?}"
    );
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("did not arrive within 500 ms"), "{answer}");
    assert_healthy(&app).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_stops_reading_a_large_response_is_dropped_after_the_write_timeout() {
    let app = TestApp::spawn_with(short_timeouts).await;
    // A tiny receive window, so the server's writes block soon.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(app.address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    // The GraphiQL bundle: about 1 MB, more than the socket buffers hold.
    let request = format!(
        "GET /graphiql/assets/graphiql.min.js HTTP/1.1\r\nHost: {}\r\n\r\n",
        app.address
    );
    writer.write_all(request.as_bytes()).await.unwrap();
    // Not reading now: once the buffers are full the server's write waits, then gives up.
    let stalled = Instant::now();
    for _ in 0..3 {
        assert_healthy(&app).await;
        tokio::time::sleep(BOUND / 3).await;
    }
    tokio::time::sleep((BOUND + Duration::from_millis(300)).saturating_sub(stalled.elapsed()))
        .await;
    let received = read_until_closed(&mut reader, SLACK).await;
    let head_end = received
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&received[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("content-length");
    let body = received.len() - head_end - 4;
    assert!(
        body < length,
        "the whole response ({length} bytes) was delivered"
    );
    assert_healthy(&app).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let app = TestApp::spawn_with(|config| {
        config.http.idle_timeout = BOUND;
    })
    .await;
    let stream = TcpStream::connect(app.address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n", app.address);
    // Requests closer together than the idle timeout keep the connection, for longer
    // than the timeout in all.
    for _ in 0..4 {
        writer.write_all(request.as_bytes()).await.unwrap();
        let mut buf = [0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(5), reader.read(&mut buf))
            .await
            .expect("an answer")
            .unwrap();
        assert!(
            buf[..n].starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&buf[..n])
        );
        tokio::time::sleep(BOUND / 2).await;
    }
    // Then silence: the server closes the connection.
    let idle = Instant::now();
    read_until_closed(&mut reader, BOUND + SLACK).await;
    let took = idle.elapsed();
    assert!(
        took >= BOUND / 2 - Duration::from_millis(100),
        "closed after {took:?}"
    );
    assert_healthy(&app).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let app = TestApp::spawn_with(|config| config.http.max_connections = 2).await;
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n", app.address);
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(app.address).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut buf = [0u8; 4096];
        let n = stream.read(&mut buf).await.unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
        held.push(stream);
    }
    // Both slots are taken by kept-alive connections: a third client is not served.
    let waiting = reqwest::Client::new()
        .get(app.url("/healthz"))
        .timeout(BOUND)
        .send()
        .await;
    assert!(
        waiting.is_err(),
        "a third connection was served: {waiting:?}"
    );
    // One closes: the next client gets its slot at once.
    drop(held.pop());
    assert_healthy(&app).await;
}
