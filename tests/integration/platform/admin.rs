//! The pipeline board at /admin: served from the binary with a strict policy, compressed,
//! cached by content hash, and working in a real browser against the public API only.

use std::time::Duration;

use dealgraph::auth::Scope;
use dealgraph::seed::{self, SeedOptions};

use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn the_board_is_served_locally_compressed_and_cached_by_content_hash() {
    let app = TestApp::spawn().await;
    let page = app.http.get(app.url("/admin")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("admin-missing"),
        "built without the board: {html}"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    let assets: Vec<String> = html
        .split("/admin/assets/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or("").to_owned())
        .collect();
    assert!(
        assets.iter().any(|a| a.ends_with(".js")) && assets.iter().any(|a| a.ends_with(".css")),
        "{html}"
    );

    let mut compressed_total = 0;
    for asset in &assets {
        // Names carry a content hash: a year of caching is safe.
        assert!(asset.contains('-'), "{asset} has no content hash");
        let url = app.url(&format!("/admin/assets/{asset}"));
        let plain = app
            .http
            .get(&url)
            .header("accept-encoding", "identity")
            .send()
            .await
            .unwrap();
        assert_eq!(plain.status(), 200);
        assert!(plain.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable"));
        assert!(plain.headers().get("content-encoding").is_none());
        let plain_len = plain.bytes().await.unwrap().len();
        for coding in ["br", "gzip"] {
            let response = app
                .http
                .get(&url)
                .header("accept-encoding", coding)
                .send()
                .await
                .unwrap();
            assert_eq!(response.headers()["content-encoding"], coding, "{asset}");
            assert_eq!(response.headers()["vary"], "accept-encoding");
            let len = response.bytes().await.unwrap().len();
            assert!(
                len < plain_len,
                "{asset}: {coding} {len} ≥ plain {plain_len}"
            );
            if coding == "br" {
                compressed_total += len;
            }
        }
    }
    // The issue's budget for the first load: under 300 KB of compressed JS and CSS.
    assert!(
        compressed_total < 300 * 1024,
        "first load is {compressed_total} bytes"
    );
    let missing = app
        .http
        .get(app.url("/admin/assets/app-NOPE.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

/// tests/browser/admin.mjs in headless Chromium against a seeded workspace: sign-in, counts,
/// drag, live moves across two browser contexts, a refused move, a loss with its reason, a
/// keyboard move, the deal panel, the disqualify dialog, a phone-width layout and a
/// read-only key. `DEALGRAPH_ADMIN_SHOTS=docs` saves the screenshots into docs/;
/// `DEALGRAPH_ADMIN_DEALS` sets the seed size (board benchmark).
#[tokio::test(flavor = "multi_thread")]
async fn the_board_works_in_headless_chromium() {
    let app = TestApp::spawn().await;
    let deals = std::env::var("DEALGRAPH_ADMIN_DEALS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    seed(&app, deals).await;
    let read_only = app.key_with(&[Scope::CrmRead]).await;
    let shots = std::env::var("DEALGRAPH_ADMIN_SHOTS")
        .unwrap_or_else(|_| concat!(env!("CARGO_TARGET_TMPDIR"), "/admin-shots").into());
    run_in_chromium(
        "admin.mjs",
        &[
            "--base",
            &app.url(""),
            "--key",
            &app.admin_key,
            "--ro-key",
            &read_only,
            "--shots",
            &shots,
        ],
    )
    .await;
}

/// tests/browser/admin_live.mjs: offline and back, then a dropped socket; both times the
/// offline banner shows and goes, and the moves made meanwhile appear without the board
/// loading itself again (it resumed from its cursor).
#[tokio::test(flavor = "multi_thread")]
async fn the_board_resumes_after_a_network_drop_from_its_last_event() {
    let app = TestApp::spawn().await;
    run_live_scenario(&app, &["--scenario", "drop"]).await;
}

/// tests/browser/admin_live.mjs with events kept for 2 s: offline for longer, the board's
/// cursor is refused when it reconnects, and it loads itself again instead of breaking.
#[tokio::test(flavor = "multi_thread")]
async fn the_board_resyncs_when_its_cursor_is_older_than_the_events_kept() {
    let retention = Duration::from_secs(2);
    let app = TestApp::spawn_with(|c| c.events.retention = retention).await;
    let retention_ms = retention.as_millis().to_string();
    run_live_scenario(
        &app,
        &["--scenario", "expired", "--retention-ms", &retention_ms],
    )
    .await;
}

async fn run_live_scenario(app: &TestApp, scenario: &[&str]) {
    seed(app, 60).await;
    let base = app.url("");
    let mut args = vec!["--base", &base, "--key", &app.admin_key];
    args.extend_from_slice(scenario);
    run_in_chromium("admin_live.mjs", &args).await;
}

async fn seed(app: &TestApp, deals: u32) {
    let mut conn = app.pool.get().await.unwrap();
    seed::seed_workspace(&mut conn, app.workspace_id, SeedOptions::new(deals, 7))
        .await
        .unwrap();
}

/// Runs a script of tests/browser/ with node, failing the test unless it reports success.
/// Needs Debian's `chromium` (`./dev test` installs it) or `CHROMIUM`.
async fn run_in_chromium(script: &str, args: &[&str]) {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "headless Chromium is needed for this test: `apt-get install chromium` (./dev test does it), or set CHROMIUM"
    );
    let script = format!("{}/tests/browser/{script}", env!("CARGO_MANIFEST_DIR"));
    let output = tokio::process::Command::new("node")
        .arg(&script)
        .args(args)
        .args(["--chromium", &chromium])
        .output()
        .await
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "browser test {script} failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("\"ok\":true"), "{stdout}");
}
