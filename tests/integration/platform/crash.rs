//! A server killed mid-write (kill -9 of the real binary): its idempotency key is free again
//! as soon as PostgreSQL has ended the dead server's session, so a retry proceeds at once and
//! the write exists exactly once; while the first request is alive, a duplicate is refused.

use std::process::Stdio;
use std::time::Duration;

use diesel::sql_types::Integer;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::support::builders::{stage_ids, PipelineBuilder};
use crate::support::locks::RowLock;
use crate::support::{GqlResponse, TestApp};

const CREATE_DEAL: &str = "mutation($input: CreateDealInput!) { createDeal(input: $input) { replayed deal { id title } } }";

/// `dealgraph serve` as a child process on `database_url`, on a free port.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    async fn start(database_url: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dealgraph"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start dealgraph serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let address = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.expect("read stdout") {
                if let Some(rest) = line.strip_prefix("dealgraph listening on http://") {
                    return rest.split_whitespace().next().map(str::to_owned);
                }
            }
            None
        })
        .await
        .expect("the server did not start within 60 s")
        .expect("the server exited before listening");
        Server { child, address }
    }

    async fn gql(&self, key: &str, query: &str, variables: Value) -> GqlResponse {
        let response = reqwest::Client::new()
            .post(format!("http://{}/graphql", self.address))
            .bearer_auth(key)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request");
        GqlResponse::read(response).await
    }

    /// kill -9: no shutdown, no rollback sent; the process is gone when this returns.
    async fn kill_9(mut self) {
        self.child.start_kill().expect("SIGKILL");
        self.child.wait().await.expect("reap the server");
    }
}

#[derive(diesel::QueryableByName)]
struct Pid {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_the_server_was_killed_mid_write_proceeds_at_once() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let first_stage = stage_ids(&sales)[0].clone();
    let input = json!({ "input": { "title": "Crash-proof renewal", "amount": "1200", "stageId": first_stage, "idempotencyKey": "renewal-1" } });

    // Hold the stage row: the write blocks inside its transaction when it inserts the deal
    // (its foreign key check waits), after it has claimed its idempotency key.
    let locker = RowLock::hold(&app.database_url, "stages", &first_stage).await;

    let server = Server::start(&app.database_url).await;
    let blocked = {
        let (address, key, input) = (server.address.clone(), app.admin_key.clone(), input.clone());
        tokio::spawn(async move {
            // Never answered: the server dies first.
            let _ = reqwest::Client::new()
                .post(format!("http://{address}/graphql"))
                .bearer_auth(key)
                .json(&json!({ "query": CREATE_DEAL, "variables": input }))
                .send()
                .await;
        })
    };
    let mut observer = app.pool.get().await.unwrap();
    let waiting_on_us = locker.waiters_sql();
    app.wait_for_count(&waiting_on_us, 1, "the write never blocked")
        .await;
    let orphan: Pid = diesel::sql_query(format!(
        "SELECT pid FROM pg_stat_activity WHERE {} = ANY(pg_blocking_pids(pid))",
        locker.pid
    ))
    .get_result(&mut observer)
    .await
    .unwrap();

    // While the first request is alive, a duplicate is told it is in progress.
    let duplicate = server.gql(&app.admin_key, CREATE_DEAL, input.clone()).await;
    assert_eq!(duplicate.error_code(), "CONFLICT", "{}", duplicate.body);
    assert!(
        duplicate.error_message().contains("in progress"),
        "{}",
        duplicate.body
    );

    server.kill_9().await;
    let _ = blocked.await;
    // Release the row: the dead server's session finishes its statement, finds its client
    // gone and ends, and PostgreSQL rolls its transaction back.
    drop(locker);
    app.wait_for_count(
        &format!(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE pid = {}",
            orphan.pid
        ),
        0,
        "the killed server's session never ended",
    )
    .await;

    let restarted = Server::start(&app.database_url).await;
    let retry = restarted
        .gql(&app.admin_key, CREATE_DEAL, input.clone())
        .await;
    assert_eq!(retry.data()["createDeal"]["replayed"], false);
    let again = restarted.gql(&app.admin_key, CREATE_DEAL, input).await;
    assert_eq!(again.data()["createDeal"]["replayed"], true);
    assert_eq!(
        again.data()["createDeal"]["deal"]["id"],
        retry.data()["createDeal"]["deal"]["id"]
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM deals WHERE title = 'Crash-proof renewal'")
            .await,
        1
    );
    restarted.kill_9().await;
}
