//! The command line against a real database: workspace and key administration.

use std::process::Command;

use serde_json::json;

use crate::support::TestApp;

fn dealgraph(args: &[&str], database_url: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_dealgraph"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run dealgraph");
    assert!(
        output.status.success(),
        "dealgraph {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

fn value<'a>(output: &'a str, name: &str) -> &'a str {
    output
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name}= in {output}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn workspace_and_api_key_commands_make_working_keys() {
    let app = TestApp::spawn().await;
    let url = app.database_url.clone();
    let created = tokio::task::spawn_blocking(move || {
        dealgraph(&["workspace", "create", "Acme Sales"], &url)
    })
    .await
    .unwrap();
    let workspace_id = value(&created, "workspace_id").to_owned();
    let admin_key = value(&created, "api_key").to_owned();
    let viewer = app
        .gql_as(
            &admin_key,
            "{ viewer { workspace { id name } apiKey { scopes } } }",
            json!({}),
        )
        .await;
    assert_eq!(viewer.data()["viewer"]["workspace"]["name"], "Acme Sales");
    assert_eq!(viewer.data()["viewer"]["workspace"]["id"], workspace_id);

    let url = app.database_url.clone();
    let ws = workspace_id.clone();
    let key = tokio::task::spawn_blocking(move || {
        dealgraph(
            &[
                "api-key",
                "create",
                "--workspace",
                &ws,
                "--scopes",
                "crm:read,crm:write",
                "--name",
                "etl",
            ],
            &url,
        )
    })
    .await
    .unwrap();
    let reader = value(&key, "api_key").to_owned();
    let viewer = app
        .gql_as(&reader, "{ viewer { apiKey { name scopes } } }", json!({}))
        .await;
    assert_eq!(
        viewer.data()["viewer"]["apiKey"]["scopes"],
        json!(["CRM_READ", "CRM_WRITE"])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn api_key_create_rejects_unknown_scopes_and_workspaces() {
    let app = TestApp::spawn().await;
    let url = app.database_url.clone();
    let outputs = tokio::task::spawn_blocking(move || {
        let bad_scope = Command::new(env!("CARGO_BIN_EXE_dealgraph"))
            .args([
                "api-key",
                "create",
                "--workspace",
                &uuid::Uuid::now_v7().to_string(),
                "--scopes",
                "root",
            ])
            .env("DATABASE_URL", &url)
            .output()
            .unwrap();
        let bad_workspace = Command::new(env!("CARGO_BIN_EXE_dealgraph"))
            .args([
                "api-key",
                "create",
                "--workspace",
                &uuid::Uuid::now_v7().to_string(),
                "--scopes",
                "admin",
            ])
            .env("DATABASE_URL", &url)
            .output()
            .unwrap();
        (bad_scope, bad_workspace)
    })
    .await
    .unwrap();
    assert!(!outputs.0.status.success());
    assert!(String::from_utf8_lossy(&outputs.0.stderr).contains("unknown scope"));
    assert!(!outputs.1.status.success());
    assert!(String::from_utf8_lossy(&outputs.1.stderr).contains("was not found"));
}
