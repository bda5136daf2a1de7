//! Real-time benchmark: commit-to-delivery latency and throughput of `dealStageChanged` with
//! 1, 100 and 1,000 concurrent WebSocket subscribers, against a release server on loopback.
//!
//!     cargo bench --bench events                          # 1, 100, 1000 subscribers
//!     cargo bench --bench events -- --subscribers 100 --moves 300 --rate 100
//!     cargo bench --bench events -- --subscribers 100 --stalled 500   # + clients that never read
//!
//! It starts `target/release/dealgraph serve` on its own managed PostgreSQL (under
//! target/bench-events), makes a workspace, a pipeline and deals through the API, opens the
//! subscribers, moves deals at a fixed rate, and checks that every subscriber got every event
//! exactly once and in order. Commit-to-delivery latency is measured from the event's
//! `occurredAt` (stamped as the write's last step, just before its commit; same machine, same
//! clock), and send-to-delivery from sending the `moveDeal` request.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

/// (deal, sequence) → when its `moveDeal` request was sent.
type SendTimes = HashMap<(String, i64), Instant>;

struct Args {
    subscribers: Vec<usize>,
    moves: usize,
    rate: u64,
    deals: usize,
    /// Extra subscribers that never read a message (through a tiny receive buffer).
    stalled: usize,
}

fn args() -> Args {
    let mut args = Args {
        subscribers: vec![1, 100, 1000],
        moves: 300,
        rate: 100,
        deals: 50,
        stalled: 0,
    };
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < raw.len() {
        let value = raw.get(i + 1).cloned().unwrap_or_default();
        match raw[i].as_str() {
            "--subscribers" => {
                args.subscribers = value.split(',').filter_map(|s| s.parse().ok()).collect()
            }
            "--moves" => args.moves = value.parse().unwrap_or(args.moves),
            "--rate" => args.rate = value.parse().unwrap_or(args.rate),
            "--deals" => args.deals = value.parse().unwrap_or(args.deals),
            "--stalled" => args.stalled = value.parse().unwrap_or(0),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    args
}

fn raise_fd_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if let Ok((_, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        let _ = setrlimit(Resource::RLIMIT_NOFILE, hard.min(65_536), hard);
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn rss_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Memory in all TCP socket buffers of the machine (kernel, not in any process's RSS):
/// where the data for clients that do not read waits.
fn tcp_buffers_kb() -> u64 {
    std::fs::read_to_string("/proc/net/sockstat")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("TCP:"))?;
            let mut words = line.split_whitespace();
            words.find(|w| *w == "mem")?;
            words.next()?.parse::<u64>().ok()
        })
        .map_or(0, |pages| pages * 4)
}

struct Server {
    child: tokio::process::Child,
    url: String,
    key: String,
}

async fn start_server(binary: &str) -> Server {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-events");
    let _ = std::fs::remove_dir_all(root);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = tokio::process::Command::new(binary)
        .args([
            "serve",
            "--data-dir",
            root,
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--pool-size",
            "16",
        ])
        .env("DEALGRAPH_WS_MAX_CONNECTIONS_PER_KEY", "5000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start the release server (cargo build --release first)");
    let mut child = child;
    // The first start prints the demo workspace's admin key.
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let mut key = String::new();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(k) = line.split_whitespace().find(|w| w.starts_with("dg_")) {
            key = k.to_owned();
        }
        if line.contains("listening on") {
            break;
        }
    }
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    assert!(!key.is_empty(), "no API key printed");
    Server {
        child,
        url: format!("127.0.0.1:{port}"),
        key,
    }
}

async fn gql(http: &reqwest::Client, server: &Server, query: &str, variables: Value) -> Value {
    let response: Value = http
        .post(format!("http://{}/graphql", server.url))
        .bearer_auth(&server.key)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(response.get("errors").is_none(), "{response}");
    response["data"].clone()
}

/// One delivery: the deal, its history sequence, when it arrived, and commit-to-delivery.
struct Delivery {
    deal: String,
    sequence: i64,
    at: Instant,
    since_commit_ms: f64,
}

/// The WebSocket upgrade request for graphql-transport-ws.
fn ws_request(url: &str) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut request = format!("ws://{url}/graphql/ws")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    request
}

/// One subscriber: connects, subscribes, then records every delivery.
async fn subscriber(url: String, key: String, expected: usize) -> Vec<Delivery> {
    let request = ws_request(&url);
    // A small read buffer: tungstenite zero-fills all of it before every read, and at the
    // default 128 KiB that would make this client, not the server, the bottleneck.
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), false)
        .await
        .unwrap();
    ws.send(Message::text(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {key}") } }).to_string())).await.unwrap();
    let query =
        "subscription { dealStageChanged { id occurredAt stageChange { sequence } deal { id } } }";
    let mut got = Vec::with_capacity(expected);
    let mut subscribed = false;
    while got.len() < expected {
        let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(30), ws.next()).await
        else {
            break;
        };
        let Message::Text(text) = message else {
            continue;
        };
        let value: Value = serde_json::from_str(text.as_str()).unwrap();
        match value["type"].as_str() {
            Some("connection_ack") if !subscribed => {
                subscribed = true;
                ws.send(Message::text(
                    json!({ "id": "1", "type": "subscribe", "payload": { "query": query } })
                        .to_string(),
                ))
                .await
                .unwrap();
            }
            Some("ping") => ws.send(Message::text(r#"{"type":"pong"}"#)).await.unwrap(),
            Some("next") => {
                let now = chrono::Utc::now();
                let event = &value["payload"]["data"]["dealStageChanged"];
                let committed = event["occurredAt"]
                    .as_str()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map_or(now, |t| t.with_timezone(&chrono::Utc));
                got.push(Delivery {
                    deal: event["deal"]["id"].as_str().unwrap_or("").to_owned(),
                    sequence: event["stageChange"]["sequence"].as_i64().unwrap_or(0),
                    at: Instant::now(),
                    since_commit_ms: (now - committed).num_microseconds().unwrap_or(0) as f64
                        / 1000.0,
                });
            }
            _ => {}
        }
    }
    got
}

type Socket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// A subscriber that never reads: it subscribes and then leaves every message unread, with a
/// 4 KiB receive buffer so the server's writes soon block.
async fn stalled_subscriber(url: String, key: String) -> Socket {
    let request = ws_request(&url);
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let tcp = socket.connect(url.parse().unwrap()).await.unwrap();
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(request, tcp, Some(config))
        .await
        .unwrap();
    ws.send(Message::text(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {key}") } }).to_string())).await.unwrap();
    let _ack = ws.next().await;
    let query =
        "subscription { dealStageChanged { id stageChange { sequence } deal { id title } } }";
    ws.send(Message::text(
        json!({ "id": "1", "type": "subscribe", "payload": { "query": query } }).to_string(),
    ))
    .await
    .unwrap();
    ws
}

/// A counter's value from the server's /metrics.
async fn metric(http: &reqwest::Client, server: &Server, name: &str) -> f64 {
    let text = http
        .get(format!("http://{}/metrics", server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap_or_default();
    text.lines()
        .filter(|line| line.starts_with(name))
        .filter_map(|line| line.split_whitespace().last()?.parse::<f64>().ok())
        .sum()
}

#[tokio::main]
async fn main() {
    raise_fd_limit();
    let args = args();
    let binary = std::env::var("DEALGRAPH_BIN").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/dealgraph").to_owned()
    });
    let mut server = start_server(&binary).await;
    let pid = server.child.id().unwrap();
    let http = reqwest::Client::new();
    let pipeline = gql(
        &http,
        &server,
        "mutation { createPipeline(input: {name: \"Bench\"}) { pipeline { stages { id } } } }",
        json!({}),
    )
    .await;
    let stages: Vec<String> = pipeline["createPipeline"]["pipeline"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .take(4)
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    let mut deals = Vec::new();
    for i in 0..args.deals {
        let deal = gql(&http, &server, "mutation($t: String!) { createDeal(input: {title: $t, amount: \"1000\"}) { deal { id } } }", json!({ "t": format!("Bench {i}") })).await;
        deals.push(
            deal["createDeal"]["deal"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let idle_rss = rss_kb(pid, "VmRSS:");
    let idle_tcp = tcp_buffers_kb();
    let mut stalled = Vec::new();
    for _ in 0..args.stalled {
        stalled.push(stalled_subscriber(server.url.clone(), server.key.clone()).await);
    }
    if args.stalled > 0 {
        println!(
            "{} more subscribers never read a message (server RSS with them connected: {:.1} MB; kernel TCP buffers before: {:.1} MB)",
            args.stalled,
            rss_kb(pid, "VmRSS:") as f64 / 1024.0,
            idle_tcp as f64 / 1024.0
        );
        println!();
    }
    println!("| subscribers | moves | delivered | lost | duplicated/out of order | events/s delivered | p50 send→deliver | p99 send→deliver | p50 commit→deliver | p99 commit→deliver | server RSS peak |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    // Each deal's history continues across runs: its next move gets the next sequence.
    let mut sequences: HashMap<String, i64> = deals.iter().map(|d| (d.clone(), 0)).collect();
    for &subscribers in &args.subscribers {
        let handles: Vec<_> = (0..subscribers)
            .map(|_| {
                tokio::spawn(subscriber(
                    server.url.clone(),
                    server.key.clone(),
                    args.moves,
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(500 + subscribers as u64 * 2)).await;
        let sent: Arc<Mutex<SendTimes>> = Arc::default();
        let peak = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let tcp_peak = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let sampler = {
            let peak = peak.clone();
            let tcp_peak = tcp_peak.clone();
            tokio::spawn(async move {
                loop {
                    peak.fetch_max(rss_kb(pid, "VmRSS:"), std::sync::atomic::Ordering::Relaxed);
                    tcp_peak.fetch_max(tcp_buffers_kb(), std::sync::atomic::Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            })
        };
        let period = Duration::from_micros(1_000_000 / args.rate.max(1));
        let started = Instant::now();
        let mut ticker = tokio::time::interval(period);
        for i in 0..args.moves {
            ticker.tick().await;
            let deal = deals[i % deals.len()].clone();
            let seq = sequences.entry(deal.clone()).or_insert(1);
            *seq = if *seq == 0 { 2 } else { *seq + 1 };
            let key = (deal.clone(), *seq);
            let stage = stages[(i / deals.len() + 1) % stages.len()].clone();
            let t0 = Instant::now();
            gql(&http, &server, "mutation($d: ID!, $s: ID!) { moveDeal(input: {dealId: $d, stageId: $s}) { stageChange { sequence } } }", json!({ "d": deal, "s": stage })).await;
            sent.lock().await.insert(key, t0);
        }
        let mut send_lat = Vec::new();
        let mut commit_lat = Vec::new();
        let (mut delivered, mut lost, mut disorder) = (0usize, 0usize, 0usize);
        let mut last_delivery = started;
        let sent = sent.lock().await.clone();
        for handle in handles {
            let got = handle.await.unwrap();
            delivered += got.len();
            lost += args.moves.saturating_sub(got.len());
            let mut last_seq: HashMap<&str, i64> = HashMap::new();
            for delivery in &got {
                let previous = last_seq
                    .insert(delivery.deal.as_str(), delivery.sequence)
                    .unwrap_or(0);
                if delivery.sequence <= previous {
                    disorder += 1;
                }
                if let Some(t0) = sent.get(&(delivery.deal.clone(), delivery.sequence)) {
                    send_lat.push(delivery.at.duration_since(*t0).as_secs_f64() * 1000.0);
                }
                commit_lat.push(delivery.since_commit_ms);
                last_delivery = last_delivery.max(delivery.at);
            }
        }
        sampler.abort();
        if args.stalled > 0 {
            println!(
                "kernel TCP buffers (whole machine) peaked at {:.1} MB during this run",
                tcp_peak.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1024.0
            );
        }
        send_lat.sort_by(|a, b| a.total_cmp(b));
        commit_lat.sort_by(|a, b| a.total_cmp(b));
        let seconds = last_delivery
            .duration_since(started)
            .as_secs_f64()
            .max(0.001);
        println!(
            "| {subscribers} | {} | {delivered} | {lost} | {disorder} | {:.0} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} MB |",
            args.moves,
            delivered as f64 / seconds,
            percentile(&send_lat, 50.0),
            percentile(&send_lat, 99.0),
            percentile(&commit_lat, 50.0),
            percentile(&commit_lat, 99.0),
            peak.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1024.0,
        );
    }
    println!();
    println!(
        "server idle RSS before the runs: {:.1} MB",
        idle_rss as f64 / 1024.0
    );
    if args.stalled > 0 {
        // A stalled connection is dropped once a write has waited the write timeout (10 s
        // by default) on its full buffers; give the last ones time to get there.
        let waited = Instant::now();
        let mut dropped = 0;
        while waited.elapsed() < Duration::from_secs(30) && dropped < args.stalled as u64 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            dropped = metric(&http, &server, "dealgraph_ws_stalled_connections_total").await as u64;
        }
        println!(
            "after {:.0} s more: kernel TCP buffers {:.1} MB",
            waited.elapsed().as_secs_f64(),
            tcp_buffers_kb() as f64 / 1024.0
        );
        println!(
            "connections dropped for not reading: {dropped} of {}; server RSS after the runs: {:.1} MB",
            args.stalled,
            rss_kb(pid, "VmRSS:") as f64 / 1024.0
        );
    }
    drop(stalled);
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    let _ = tokio::time::timeout(Duration::from_secs(15), server.child.wait()).await;
}
