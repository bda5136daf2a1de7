//! Logs (tracing) and metrics (Prometheus text at /metrics).

use std::sync::OnceLock;
use std::time::Instant;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Human,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Installs the global tracing subscriber; `RUST_LOG` overrides the default `info` level.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// The process's metrics recorder. Installed once per process (tests build many apps).
#[derive(Clone)]
pub struct Metrics {
    handle: PrometheusHandle,
}

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

impl Metrics {
    pub fn install() -> anyhow::Result<Self> {
        let handle = HANDLE.get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), LATENCY_BUCKETS)
                .ok()?
                .install_recorder()
                .ok()
        });
        let handle = handle
            .clone()
            .ok_or_else(|| anyhow::anyhow!("cannot install the metrics recorder"))?;
        Ok(Self { handle })
    }

    /// One GraphQL request over HTTP: by operation type and outcome, with its latency.
    pub fn graphql_request(
        &self,
        operation: &'static str,
        outcome: &'static str,
        started: Instant,
    ) {
        metrics::counter!("dealgraph_graphql_requests_total", "operation" => operation, "outcome" => outcome).increment(1);
        metrics::histogram!("dealgraph_graphql_request_duration_seconds", "operation" => operation)
            .record(started.elapsed().as_secs_f64());
    }

    pub fn http_request(&self, method: &str, status: u16, started: Instant) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        metrics::counter!("dealgraph_http_requests_total", "method" => method.to_owned(), "status" => class).increment(1);
        metrics::histogram!("dealgraph_http_request_duration_seconds")
            .record(started.elapsed().as_secs_f64());
    }

    pub fn pool_status(&self, size: usize, available: usize, max_size: usize, waiting: usize) {
        metrics::gauge!("dealgraph_db_pool_connections", "state" => "open").set(size as f64);
        metrics::gauge!("dealgraph_db_pool_connections", "state" => "idle").set(available as f64);
        metrics::gauge!("dealgraph_db_pool_connections", "state" => "max").set(max_size as f64);
        metrics::gauge!("dealgraph_db_pool_waiting").set(waiting as f64);
    }

    pub fn render(&self) -> String {
        self.handle.render()
    }
}
