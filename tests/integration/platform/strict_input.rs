//! Input read to the letter: enum values are not strings in a document, and dates and times
//! are strict ISO 8601 (RFC 3339), whether written in the document or sent as variables.

use serde_json::{json, Value};

use crate::support::builders::PipelineBuilder;
use crate::support::{GqlResponse, TestApp};

const CREATE_DEAL: &str =
    "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id valuePeriod expectedCloseDate } } }";

/// A refusal of the request as a whole: 400, no `data`, BAD_USER_INPUT naming `field`.
fn assert_refused(response: &GqlResponse, field: &str) {
    assert_eq!(response.status, 400, "{}", response.body);
    assert!(
        response.body.get("data").is_none_or(Value::is_null),
        "{}",
        response.body
    );
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    assert_eq!(response.body["errors"][0]["extensions"]["field"], field);
    assert!(
        response.error_message().contains(field),
        "{}",
        response.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn enum_values_written_as_strings_are_validation_errors() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;

    let quoted = app
        .gql(
            r#"mutation { createDeal(input: {title: "Acme", valuePeriod: "MONTHLY"}) { deal { id } } }"#,
            json!({}),
        )
        .await;
    assert_refused(&quoted, "input.valuePeriod");
    assert!(quoted.error_message().contains("MONTHLY, not \"MONTHLY\""));
    let filter = app
        .gql(
            r#"{ deals(filter: {status: "OPEN"}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_refused(&filter, "filter.status");
    let in_list = app
        .gql(
            r#"mutation { createApiKey(input: {name: "k", scopes: ["CRM_READ"]}) { secret } }"#,
            json!({}),
        )
        .await;
    assert_refused(&in_list, "input.scopes[0]");
    assert_eq!(app.count("SELECT count(*) AS n FROM deals").await, 0);
    assert_eq!(app.count("SELECT count(*) AS n FROM api_keys").await, 1);

    // Unquoted in the document, and strings in JSON variables, are enum values.
    let literal = app
        .gql(
            r#"mutation { createDeal(input: {title: "Acme", valuePeriod: MONTHLY}) { deal { valuePeriod } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        literal.data()["createDeal"]["deal"]["valuePeriod"],
        "MONTHLY"
    );
    let variable = app
        .gql(
            CREATE_DEAL,
            json!({ "input": { "title": "Globex", "valuePeriod": "ANNUAL" } }),
        )
        .await;
    assert_eq!(
        variable.data()["createDeal"]["deal"]["valuePeriod"],
        "ANNUAL"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dates_and_times_must_be_strict_iso_8601() {
    let app = TestApp::spawn().await;
    let pipeline = PipelineBuilder::new("Sales").create(&app).await;

    for lax in ["2026-1-1", "0000-01-01", "+10000-01-01", "2026-02-30"] {
        let refused = app
            .gql(
                CREATE_DEAL,
                json!({ "input": { "title": "Acme", "expectedCloseDate": lax } }),
            )
            .await;
        assert_refused(&refused, "input.expectedCloseDate");
    }
    let literal = app
        .gql(
            r#"{ deals(filter: {expectedCloseFrom: "2026-1-1"}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_refused(&literal, "filter.expectedCloseFrom");
    assert_eq!(app.count("SELECT count(*) AS n FROM deals").await, 0);

    let win_rate = "query($p: ID!, $from: DateTime!, $to: DateTime!) { winRate(pipelineId: $p, from: $from, to: $to) { closed } }";
    for lax in [
        "2026-01-01 00:00:00Z",
        "2026-01-01T00:00:00",
        "+10000-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
    ] {
        let refused = app
            .gql(
                win_rate,
                json!({ "p": pipeline["id"], "from": lax, "to": "2027-01-01T00:00:00Z" }),
            )
            .await;
        assert_refused(&refused, "from");
    }

    let created = app
        .gql(
            CREATE_DEAL,
            json!({ "input": { "title": "Acme", "expectedCloseDate": "2026-03-31" } }),
        )
        .await;
    assert_eq!(
        created.data()["createDeal"]["deal"]["expectedCloseDate"],
        "2026-03-31"
    );
    let counted = app
        .gql(
            win_rate,
            json!({ "p": pipeline["id"], "from": "2026-01-01T00:00:00+02:00", "to": "2027-01-01T00:00:00.5Z" }),
        )
        .await;
    assert_eq!(counted.data()["winRate"]["closed"], 0);
}
