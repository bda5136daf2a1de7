//! GraphiQL at /graphiql: served entirely by dealgraph, usable with no internet.

use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn the_page_and_its_assets_are_served_locally_with_a_strict_policy() {
    let app = TestApp::spawn().await;
    let page = app.http.get(app.url("/graphiql")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("http://")
            && !html.contains("https://")
            && !html.contains("//unpkg")
            && !html.contains("cdn"),
        "{html}"
    );
    let assets: Vec<&str> = html
        .split("/graphiql/assets/")
        .skip(1)
        .map(|rest| rest.split(['"', '?']).next().unwrap_or(""))
        .collect();
    assert!(assets.len() >= 5, "{html}");
    for asset in assets {
        let response = app
            .http
            .get(app.url(&format!("/graphiql/assets/{asset}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{asset}");
        let body = response.text().await.unwrap();
        assert!(body.len() > 100, "{asset} is suspiciously small");
    }
    let missing = app
        .http
        .get(app.url("/graphiql/assets/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

/// Headless Chromium loads the page with no failed or outside requests, runs a query over
/// HTTP, then types a subscription and runs it at once, before GraphiQL's debounced re-parse
/// (which still holds the named query): it must go over /graphql/ws, never as a POST. Needs Debian's `chromium` (`./dev test` installs it).
#[tokio::test(flavor = "multi_thread")]
async fn graphiql_runs_a_query_and_a_subscription_in_headless_chromium() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "headless Chromium is needed for this test: `apt-get install chromium` (./dev test does it), or set CHROMIUM"
    );
    let app = TestApp::spawn().await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/graphiql.mjs");
    let screenshot = concat!(env!("CARGO_TARGET_TMPDIR"), "/graphiql.png");
    let output = tokio::process::Command::new("node")
        .arg(script)
        .args(["--url", &app.url("/graphiql"), "--key", &app.admin_key])
        .args([
            "--query",
            "query Viewer { viewer { workspace { name } } }",
            "--expect",
            "Test workspace",
        ])
        .args([
            "--subscription",
            "subscription { serverTime(intervalMs: 200) }",
            "--expect-sub",
            "serverTime",
        ])
        .args(["--chromium", &chromium, "--screenshot", screenshot])
        .output()
        .await
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("\"ok\":true"), "{stdout}");
}
