//! GraphiQL at /graphiql: served entirely by dealgraph, usable with no internet.

use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn the_page_and_its_assets_are_served_locally_with_a_strict_policy() {
    let app = TestApp::spawn().await;
    let page = app.http.get(app.url("/graphiql")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("//unpkg") && !html.contains("cdn"), "{html}");
    let assets: Vec<&str> = html.split("/graphiql/assets/").skip(1).map(|rest| rest.split(['"', '?']).next().unwrap_or("")).collect();
    assert!(assets.len() >= 5, "{html}");
    for asset in assets {
        let response = app.http.get(app.url(&format!("/graphiql/assets/{asset}"))).send().await.unwrap();
        assert_eq!(response.status(), 200, "{asset}");
        let body = response.text().await.unwrap();
        assert!(body.len() > 100, "{asset} is suspiciously small");
    }
    let missing = app.http.get(app.url("/graphiql/assets/nope.js")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}
