//! The seed's leads: about 30 % converted into the seeded contacts, the rest spread over the
//! other statuses, every one with the status history its status implies, and readable
//! through the API.

use chrono::NaiveDate;
use dealgraph::seed::{self, SeedOptions};
use serde_json::json;

use crate::support::TestApp;

async fn seeded(deals: u32) -> (TestApp, seed::SeedReport) {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().await.expect("connection");
    let options = SeedOptions {
        deals,
        seed: 5,
        as_of: Some(NaiveDate::from_ymd_opt(2026, 6, 1).expect("date")),
    };
    let report = seed::seed_workspace(&mut conn, app.workspace_id, options)
        .await
        .expect("seed");
    drop(conn);
    (app, report)
}

#[tokio::test(flavor = "multi_thread")]
async fn seeded_leads_are_converted_worked_or_disqualified_in_realistic_shares() {
    let (app, report) = seeded(1000).await;
    let ws = app.workspace_id;
    assert_eq!(report.rows("leads"), 500);
    let by_status = |status: &str| {
        format!(
            "SELECT count(*) AS n FROM leads WHERE workspace_id = '{ws}' AND status = '{status}'"
        )
    };
    assert_eq!(app.count(&by_status("converted")).await, 150);
    for status in ["new", "working", "qualified", "disqualified"] {
        let n = app.count(&by_status(status)).await;
        assert!((30..=140).contains(&n), "{status}: {n}");
    }
    // Each converted lead became a distinct contact: same e-mail, converted when the
    // contact was created, after the lead came in.
    assert_eq!(
        app.count(&format!(
            "SELECT count(DISTINCT c.id) AS n FROM leads l
             JOIN contacts c ON c.workspace_id = l.workspace_id AND c.email = l.email
             WHERE l.workspace_id = '{ws}' AND l.status = 'converted'
               AND l.converted_at = c.created_at AND l.created_at < l.converted_at
               AND l.qualified_at < l.converted_at AND l.company_name IS NOT NULL"
        ))
        .await,
        150
    );
    // Stamps agree with statuses; disqualified leads say why.
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM leads WHERE workspace_id = '{ws}' AND (
                 (status = 'disqualified') <> (disqualified_reason IS NOT NULL)
                 OR (status IN ('qualified', 'converted')) <> (qualified_at IS NOT NULL)
                 OR updated_at < created_at)"
        ))
        .await,
        0
    );
    // Some leads write from personal mailboxes, some are unowned (for routing), some scored.
    for condition in [
        "email LIKE '%@gmail.com' OR email LIKE '%@outlook.com' OR email LIKE '%@yahoo.com' \
         OR email LIKE '%@proton.me'",
        "owner_id IS NULL",
        "score >= 80",
        "cardinality(tags) > 0",
    ] {
        let n = app
            .count(&format!(
                "SELECT count(*) AS n FROM leads WHERE workspace_id = '{ws}' AND ({condition})"
            ))
            .await;
        assert!(n >= 10, "{condition}: {n}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_seeded_lead_history_is_a_chain_ending_in_its_status() {
    let (app, report) = seeded(300).await;
    let ws = app.workspace_id;
    assert!(report.rows("lead_status_changes") >= 150);
    // Sequences are 1..n, each change starts where the previous one ended (the first from
    // `new`), times strictly increase from the lead's creation, and the last change is the
    // lead's status; a lead without changes is still new.
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM (
                 SELECT c.lead_id, c.sequence, c.from_status, c.changed_at,
                        lag(c.to_status) OVER w AS previous_status,
                        lag(c.changed_at) OVER w AS previous_at,
                        row_number() OVER w AS position
                 FROM lead_status_changes c WHERE c.workspace_id = '{ws}'
                 WINDOW w AS (PARTITION BY c.lead_id ORDER BY c.sequence)
             ) x JOIN leads l ON l.id = x.lead_id
             WHERE x.sequence <> x.position
                OR x.from_status <> coalesce(x.previous_status, 'new')
                OR x.changed_at <= coalesce(x.previous_at, l.created_at - interval '1 microsecond')"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM leads l WHERE l.workspace_id = '{ws}' AND l.status <>
                 coalesce((SELECT c.to_status FROM lead_status_changes c WHERE c.lead_id = l.id
                           ORDER BY c.sequence DESC LIMIT 1), 'new')"
        ))
        .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_lists_and_searches_the_seeded_leads() {
    let (app, _) = seeded(200).await;
    let response = app
        .gql(
            r#"query { leads(first: 5, filter: {status: CONVERTED}, orderBy: SCORE) {
                totalCount
                nodes { status convertedAt statusChanges { toStatus } }
            } }"#,
            json!({}),
        )
        .await;
    let leads = &response.data()["leads"];
    assert_eq!(leads["totalCount"], 30);
    let first = &leads["nodes"][0];
    assert_eq!(first["status"], "CONVERTED");
    assert_eq!(first["statusChanges"].as_array().map(Vec::len), Some(3));
}
