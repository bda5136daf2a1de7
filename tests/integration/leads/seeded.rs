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

#[tokio::test(flavor = "multi_thread")]
async fn seeded_conversions_activities_and_tasks_agree_with_their_records() {
    let (app, report) = seeded(1000).await;
    let ws = app.workspace_id;
    let count = |sql: String| {
        let app = &app;
        async move { app.count(&sql).await }
    };
    // One conversion per converted lead, into the contact it became and that contact's
    // company; some came with a deal.
    assert_eq!(report.rows("lead_conversions"), 150);
    assert_eq!(
        count(format!(
            "SELECT count(*) AS n FROM lead_conversions v
             JOIN leads l ON l.id = v.lead_id AND l.status = 'converted'
             JOIN contacts c ON c.id = v.contact_id AND c.email = l.email
                            AND c.company_id = v.company_id
             WHERE v.workspace_id = '{ws}' AND v.converted_at = l.converted_at"
        ))
        .await,
        150
    );
    assert!(
        count(format!(
            "SELECT count(*) AS n FROM lead_conversions
             WHERE workspace_id = '{ws}' AND deal_id IS NOT NULL"
        ))
        .await
            >= 10
    );
    // Activities: about one per deal, some on leads; every deal's and lead's lastActivityAt
    // is its newest activity's time (null without one), as logging them would have left it.
    assert!(
        report.rows("activities") >= 800,
        "{}",
        report.rows("activities")
    );
    for table in ["deals", "leads"] {
        let link = &table[..table.len() - 1];
        assert_eq!(
            count(format!(
                "SELECT count(*) AS n FROM {table} r WHERE r.workspace_id = '{ws}'
                 AND r.last_activity_at IS DISTINCT FROM
                     (SELECT max(a.occurred_at) FROM activities a WHERE a.{link}_id = r.id)"
            ))
            .await,
            0,
            "{table}"
        );
    }
    // Activities happen while the record is active: after it came in, never in the future.
    assert_eq!(
        count(format!(
            "SELECT count(*) AS n FROM activities a
             LEFT JOIN deals d ON d.id = a.deal_id LEFT JOIN leads l ON l.id = a.lead_id
             WHERE a.workspace_id = '{ws}'
               AND (a.occurred_at < coalesce(d.created_at, l.created_at) OR a.occurred_at > '2026-06-01T00:00:00Z')"
        ))
        .await,
        0
    );
    // Open follow-ups on open deals and worked leads, some overdue, none on closed records.
    let tasks = report.rows("tasks") as i64;
    assert!(tasks >= 200, "{tasks}");
    // Overdue as of the day the dataset is anchored to (2026-06-01).
    let overdue = count(format!(
        "SELECT count(*) AS n FROM tasks WHERE workspace_id = '{ws}'
         AND due_at < '2026-06-01T00:00:00Z'"
    ))
    .await;
    assert!(overdue >= 20 && overdue < tasks, "{overdue} of {tasks}");
    assert_eq!(
        count(format!(
            "SELECT count(*) AS n FROM tasks t JOIN deals d ON d.id = t.deal_id
             WHERE t.workspace_id = '{ws}' AND (d.won_at IS NOT NULL OR d.lost_at IS NOT NULL)"
        ))
        .await,
        0
    );
    // And the API reads them: a deal's next task and its timeline.
    let deal = count(format!(
        "SELECT count(*) AS n FROM deals d WHERE d.workspace_id = '{ws}'
         AND EXISTS (SELECT 1 FROM tasks t WHERE t.deal_id = d.id)
         AND EXISTS (SELECT 1 FROM activities a WHERE a.deal_id = d.id)"
    ))
    .await;
    assert!(deal > 0);
}
