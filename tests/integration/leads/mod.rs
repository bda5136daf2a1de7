//! Leads: writes through the write path, validation, uniqueness among open leads, the
//! lifecycle and its history, the read-only converted lead, the filtered, keyset-paged
//! list, and the conversion into a contact, a company and a deal.

mod conversion;
mod counts;
mod lead;
mod lifecycle;
mod list;
mod seeded;
mod walkthrough;

use serde_json::Value;

use crate::support::builders::LEAD_FIELDS;
use crate::support::TestApp;

fn create_lead_query() -> String {
    format!("mutation($input: CreateLeadInput!) {{ createLead(input: $input) {{ replayed dryRun lead {{ {LEAD_FIELDS} }} }} }}")
}

fn update_lead_query() -> String {
    format!("mutation($input: UpdateLeadInput!) {{ updateLead(input: $input) {{ replayed dryRun lead {{ {LEAD_FIELDS} }} }} }}")
}

const DELETE_LEAD: &str = "mutation($input: DeleteLeadInput!) { deleteLead(input: $input) { replayed dryRun lead { id name version } } }";

async fn lead_count(app: &TestApp) -> i64 {
    app.count("SELECT count(*) AS n FROM leads").await
}

/// Marks a lead converted directly in the table, as `convertLead` will: the lead-side rules
/// (read-only, not counted for e-mail uniqueness) must hold for any converted lead.
async fn mark_converted(app: &TestApp, lead: &Value) {
    use diesel_async::RunQueryDsl;
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query(format!(
        "UPDATE leads SET status = 'converted', converted_at = now() WHERE id = '{}'",
        lead["id"].as_str().unwrap()
    ))
    .execute(&mut conn)
    .await
    .unwrap();
}
