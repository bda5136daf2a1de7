//! One HTTP attempt: POST the signed body, follow no redirect, wait at most the timeout for
//! the answer and read at most the first 2 KiB of its body.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{redirect, Client, Url};

use super::address::{is_private, GuardedResolver};
use super::rules::parse_retry_after;

/// How much of a response body is kept in the delivery log.
pub const BODY_CAP: usize = 2048;

/// What a receiver did with an attempt.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: Option<u16>,
    pub latency: Duration,
    pub body: Option<String>,
    pub error: Option<String>,
    pub retry_after: Option<Duration>,
}

impl Answer {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    pub fn gone(&self) -> bool {
        self.status == Some(410)
    }
}

/// The client every attempt of the process shares (connection reuse per endpoint).
pub fn client(timeout: Duration, allow_private: bool) -> anyhow::Result<Client> {
    Ok(Client::builder()
        .redirect(redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout)
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver { allow_private }))
        .user_agent(concat!("dealgraph-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// The headers of a Standard Webhooks request.
pub struct Signed<'a> {
    pub message_id: &'a str,
    pub timestamp: i64,
    pub signature: &'a str,
}

/// POSTs `body` to `url`.
pub async fn post(
    client: &Client,
    url: &str,
    body: String,
    signed: Signed<'_>,
    allow_private: bool,
) -> Answer {
    let started = Instant::now();
    let failed = |error: String| Answer {
        status: None,
        latency: started.elapsed(),
        body: None,
        error: Some(error),
        retry_after: None,
    };
    let url = match Url::parse(url) {
        Ok(url) => url,
        Err(e) => return failed(format!("invalid URL: {e}")),
    };
    // The resolver guards names; an address written in the URL is checked here.
    let literal = url
        .host_str()
        .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
        .and_then(|h| h.parse().ok());
    if !allow_private && literal.is_some_and(is_private) {
        return failed("the URL points at a private address".into());
    }
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for (name, value) in [
        ("webhook-id", signed.message_id.to_owned()),
        ("webhook-timestamp", signed.timestamp.to_string()),
        ("webhook-signature", signed.signature.to_owned()),
    ] {
        match HeaderValue::from_str(&value) {
            Ok(value) => {
                headers.insert(name, value);
            }
            Err(_) => return failed(format!("invalid {name} header")),
        }
    }
    let response = client.post(url).headers(headers).body(body).send().await;
    let mut response = match response {
        Ok(response) => response,
        Err(err) => return failed(describe(&err)),
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, Utc::now()));
    let mut kept = Vec::new();
    let mut error = None;
    // Read only up to the cap, then drop the connection's rest.
    while kept.len() < BODY_CAP {
        match response.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(err) => {
                error = Some(describe(&err));
                break;
            }
        }
    }
    kept.truncate(BODY_CAP);
    let body = String::from_utf8_lossy(&kept).into_owned();
    Answer {
        status: Some(status),
        latency: started.elapsed(),
        body: Some(body),
        error,
        retry_after,
    }
}

/// An error without the URL (it is in the endpoint already) and with its cause.
fn describe(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_redirect() {
        "redirect"
    } else {
        "request failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    if cause.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {cause}")
    }
}
