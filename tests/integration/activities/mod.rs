//! Activities: logging one about contacts, companies, deals and leads (and the
//! `lastActivityAt` it moves, never back), validation and tenancy that write nothing, updates
//! and deletes through the write path with their events, and the lists — the workspace's and
//! each record's — paged newest first in a fixed number of statements.

mod list;
mod log;

use serde_json::{json, Value};

use crate::support::builders::{
    CompanyBuilder, ContactBuilder, DealBuilder, LeadBuilder, PipelineBuilder, ACTIVITY_FIELDS,
};
use crate::support::TestApp;

fn log_activity_query() -> String {
    format!("mutation($input: LogActivityInput!) {{ logActivity(input: $input) {{ replayed dryRun activity {{ {ACTIVITY_FIELDS} }} }} }}")
}

fn update_activity_query() -> String {
    format!("mutation($input: UpdateActivityInput!) {{ updateActivity(input: $input) {{ replayed dryRun activity {{ {ACTIVITY_FIELDS} }} }} }}")
}

async fn activity_count(app: &TestApp) -> i64 {
    app.count("SELECT count(*) AS n FROM activities").await
}

/// One record of each kind an activity can be about.
struct Records {
    contact: String,
    company: String,
    deal: String,
    lead: String,
}

async fn records(app: &TestApp) -> Records {
    PipelineBuilder::new("Sales").create(app).await;
    let company = CompanyBuilder::new("Acme").create_id(app).await;
    Records {
        contact: ContactBuilder::new("Ada Lovelace")
            .company(&company)
            .create_id(app)
            .await,
        deal: DealBuilder::new("Acme renewal")
            .company(&company)
            .create_id(app)
            .await,
        lead: LeadBuilder::new("Priya Raman").create(app).await["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        company,
    }
}

/// `lastActivityAt` of each record, in the order contact, company, deal, lead.
async fn stamps(app: &TestApp, r: &Records) -> [Value; 4] {
    let response = app
        .gql(
            "query($c: ID!, $co: ID!, $d: ID!, $l: ID!) {
                contact(id: $c) { lastActivityAt } company(id: $co) { lastActivityAt }
                deal(id: $d) { lastActivityAt } lead(id: $l) { lastActivityAt } }",
            json!({ "c": r.contact, "co": r.company, "d": r.deal, "l": r.lead }),
        )
        .await;
    let data = response.data();
    ["contact", "company", "deal", "lead"].map(|k| data[k]["lastActivityAt"].clone())
}

/// An RFC 3339 time from a response, for comparing instants whatever their offset notation.
fn instant(value: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(
        value.as_str().unwrap_or_else(|| panic!("no time: {value}")),
    )
    .unwrap()
    .to_utc()
}
