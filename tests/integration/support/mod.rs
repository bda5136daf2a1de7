//! Test support: `TestApp` runs the real router on a real socket against its own database;
//! clients for GraphQL over HTTP and over WebSocket keep tests short, and `builders` make a
//! test's data in one line each.

pub mod builders;
pub mod cluster;
pub mod locks;
pub mod ws;

use std::net::SocketAddr;
use std::time::Duration;

use dealgraph::auth::{ops, Scope};
use dealgraph::db::DbPool;
use dealgraph::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

pub struct TestApp {
    pub address: SocketAddr,
    pub pool: DbPool,
    pub database_url: String,
    pub workspace_id: Uuid,
    /// An admin key of the test's workspace.
    pub admin_key: String,
    pub shutdown: CancellationToken,
    pub tasks: tokio_util::task::TaskTracker,
    pub http: reqwest::Client,
    /// SQL statements run by this app's pool, for statement-count tests.
    pub statements: dealgraph::db::StatementCounter,
    database_name: Option<String>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns an app on a fresh database, with `tweak` applied to its config.
    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let (name, url) = cluster::create_test_database().await;
        let mut app = Self::spawn_on(&url, tweak).await;
        app.database_name = Some(name);
        app
    }

    /// Spawns another app (an "instance") on an existing database.
    pub async fn spawn_on(database_url: &str, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Config {
            database_url: Some(database_url.to_owned()),
            pool_size: 4,
            ..Config::default()
        };
        // Batched `lastUsedAt` writes would land inside statement counts, and so would the
        // webhook worker's polls: the webhook tests switch it on (`webhooks::fast`).
        config.key_cache.touch_interval = Duration::from_secs(3600);
        config.webhooks.deliver = false;
        tweak(&mut config);
        let statements = dealgraph::db::StatementCounter::default();
        let pool = dealgraph::db::pool_counting(database_url, config.pool_size, statements.clone())
            .expect("pool");
        let app = dealgraph::app(&config, pool.clone(), database_url)
            .await
            .expect("app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let shutdown = app.shutdown.clone();
        let stop = shutdown.clone();
        let server = tokio::spawn(dealgraph::http::serve::run(
            listener,
            app.router,
            config.http,
            async move { stop.cancelled().await },
        ));
        let mut conn = pool.get().await.expect("connection");
        let (workspace, key) = ops::create_workspace(&mut conn, "Test workspace", "test admin")
            .await
            .expect("workspace");
        drop(conn);
        TestApp {
            address,
            pool,
            database_url: database_url.to_owned(),
            workspace_id: workspace.id,
            admin_key: key.secret.expect("secret"),
            shutdown,
            tasks: app.tasks,
            http: reqwest::Client::new(),
            statements,
            database_name: None,
            server: Some(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/graphql/ws", self.address)
    }

    /// A key with `scopes` in this app's workspace, made by the operator path.
    pub async fn key_with(&self, scopes: &[Scope]) -> String {
        let mut conn = self.pool.get().await.expect("connection");
        let input = ops::NewKeyInput {
            name: "test key".into(),
            scopes: scopes.to_vec(),
        };
        let key = ops::create_api_key_as_operator(&mut conn, self.workspace_id, input)
            .await
            .expect("key");
        key.secret.expect("secret")
    }

    /// A second workspace on the same database, with its admin key.
    pub async fn other_workspace(&self) -> (Uuid, String) {
        let mut conn = self.pool.get().await.expect("connection");
        let (workspace, key) = ops::create_workspace(&mut conn, "Other workspace", "other admin")
            .await
            .expect("workspace");
        (workspace.id, key.secret.expect("secret"))
    }

    /// POSTs a GraphQL request as `key`, asking for `application/graphql-response+json`.
    pub async fn gql_as(&self, key: &str, query: &str, variables: Value) -> GqlResponse {
        let response = self
            .http
            .post(self.url("/graphql"))
            .bearer_auth(key)
            .header("accept", "application/graphql-response+json")
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request");
        GqlResponse::read(response).await
    }

    /// As the admin key.
    pub async fn gql(&self, query: &str, variables: Value) -> GqlResponse {
        self.gql_as(&self.admin_key.clone(), query, variables).await
    }

    /// Sends a GraphQL request as the admin key on a task of its own, for a request the test
    /// expects to block (on a row it holds) while it goes on; the task gives the response
    /// body.
    pub fn gql_spawned(&self, query: &str, variables: Value) -> tokio::task::JoinHandle<Value> {
        let request = self
            .http
            .post(self.url("/graphql"))
            .bearer_auth(&self.admin_key)
            .json(&json!({ "query": query, "variables": variables }));
        tokio::spawn(async move {
            request
                .send()
                .await
                .expect("request")
                .json::<Value>()
                .await
                .expect("response body")
        })
    }

    /// The SQL statements `query` (as the admin key, which must succeed) runs: the least of
    /// three runs. A run that opens a new pooled connection also counts that connection's
    /// setup statements, the events listener's read of what the test's writes just published
    /// may land inside a run, and on a loaded machine the loads of sibling fields may fall
    /// into two loader batches instead of one; none of it is the query's own cost.
    pub async fn statements_of(&self, query: &str, variables: Value) -> u64 {
        self.measured(query, variables).await.0
    }

    /// `statements_of`, with the data of the run that ran the fewest.
    pub async fn measured(&self, query: &str, variables: Value) -> (u64, Value) {
        let mut least = (u64::MAX, Value::Null);
        for _ in 0..3 {
            let before = self.statements.get();
            let response = self.gql(query, variables.clone()).await;
            let count = self.statements.get() - before;
            if count < least.0 {
                least = (count, response.data().clone());
            }
        }
        least
    }

    /// Runs `sql` (a `SELECT count(*) AS n ...`) on the test database.
    pub async fn count(&self, sql: &str) -> i64 {
        use diesel_async::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.pool.get().await.expect("connection");
        let row: Count = diesel::sql_query(sql)
            .get_result(&mut conn)
            .await
            .expect("count query");
        row.n
    }

    /// Polls `sql` (a count) every 20 ms until it is `expected`, for at most 10 s: for
    /// waiting on another session's state (a lock waited on, a session ended).
    pub async fn wait_for_count(&self, sql: &str, expected: i64, what: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while self.count(sql).await != expected {
            assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The server's `/metrics` page, as text.
    pub async fn metrics(&self) -> String {
        self.http
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("GET /metrics")
            .text()
            .await
            .expect("metrics text")
    }

    /// The payloads of the outbox events of `event_type`, oldest first.
    pub async fn event_payloads(&self, event_type: &str) -> Vec<Value> {
        use diesel_async::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Payload {
            #[diesel(sql_type = diesel::sql_types::Jsonb)]
            payload: Value,
        }
        let mut conn = self.pool.get().await.expect("connection");
        let rows: Vec<Payload> = diesel::sql_query(
            "SELECT payload FROM outbox_events WHERE event_type = $1 ORDER BY position",
        )
        .bind::<diesel::sql_types::Text, _>(event_type)
        .load(&mut conn)
        .await
        .expect("event payloads");
        rows.into_iter().map(|row| row.payload).collect()
    }

    pub async fn stop(&mut self) {
        self.shutdown.cancel();
        self.tasks.close();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.tasks.wait()).await;
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
        self.pool.close();
        if let Some(name) = self.database_name.take() {
            cluster::drop_test_database(name);
        }
    }
}

/// A GraphQL HTTP response: status, headers and the JSON body.
#[derive(Debug)]
pub struct GqlResponse {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl GqlResponse {
    pub async fn read(response: reqwest::Response) -> GqlResponse {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("non-JSON body ({status}): {text}"));
        GqlResponse {
            status,
            headers,
            body,
        }
    }

    /// `data`, asserting there were no errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// The first error's `extensions.code`.
    pub fn error_code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {}", self.body))
    }

    pub fn error_message(&self) -> &str {
        self.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no error message in {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}
