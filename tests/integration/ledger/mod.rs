//! The ledger: the chart of accounts, journal entries (drafts, postings, reversals, gap-free
//! numbers), the rules the database itself keeps (also against raw SQL through the
//! application's own role), balances from the daily totals, and the ledger's events.

mod accounts;
mod balances;
mod entries;
mod events;
mod guards;
mod scale;

use serde_json::{json, Value};

use crate::support::builders::JOURNAL_ENTRY_FIELDS;
use crate::support::TestApp;

fn create_entry_query() -> String {
    format!("mutation($input: CreateJournalEntryInput!) {{ createJournalEntry(input: $input) {{ replayed dryRun journalEntry {{ {JOURNAL_ENTRY_FIELDS} }} }} }}")
}

async fn create_entry(app: &TestApp, input: Value) -> crate::support::GqlResponse {
    app.gql(&create_entry_query(), json!({ "input": input }))
        .await
}

async fn post_entry(app: &TestApp, id: &Value) -> crate::support::GqlResponse {
    app.gql(
        &format!("mutation($id: ID!) {{ postJournalEntry(input: {{id: $id}}) {{ journalEntry {{ {JOURNAL_ENTRY_FIELDS} }} }} }}"),
        json!({ "id": id }),
    )
    .await
}

async fn reverse_entry(app: &TestApp, id: &Value, date: &str) -> crate::support::GqlResponse {
    app.gql(
        &format!("mutation($id: ID!, $date: NaiveDate) {{ reverseJournalEntry(input: {{id: $id, date: $date}}) {{ journalEntry {{ {JOURNAL_ENTRY_FIELDS} reverses {{ id number }} }} }} }}"),
        json!({ "id": id, "date": date }),
    )
    .await
}

async fn entry_count(app: &TestApp) -> i64 {
    app.count("SELECT count(*) AS n FROM journal_entries").await
}

/// Rows of `ledger_daily_totals` that differ from the sum of their posted lines (or posted
/// lines no row counts): always zero.
async fn totals_drift(app: &TestApp) -> i64 {
    let mut conn = app.pool.get().await.unwrap();
    dealgraph::ledger::model::balance::totals_drift(&mut conn)
        .await
        .unwrap()
}
