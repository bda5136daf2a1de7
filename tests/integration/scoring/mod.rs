//! Scoring: rules managed through the write path; leads scored when created or changed;
//! `scoreLead`, `scoreLeads` (a fixed number of statements however many leads) and
//! `rescoreAll` for leads and contacts; `lead.scored` only for real changes.

mod rules;
mod scores;

use serde_json::{json, Value};

use crate::support::builders::SCORING_RULE_FIELDS;
use crate::support::{GqlResponse, TestApp};

async fn create_rule(app: &TestApp, input: Value) -> GqlResponse {
    let mutation = format!("mutation($input: CreateScoringRuleInput!) {{ createScoringRule(input: $input) {{ scoringRule {{ {SCORING_RULE_FIELDS} }} }} }}");
    app.gql(&mutation, json!({ "input": input })).await
}

async fn rule_count(app: &TestApp) -> i64 {
    app.count("SELECT count(*) AS n FROM scoring_rules").await
}
