//! The chart of accounts: the default chart, creating, editing, grouping, archiving and
//! deleting accounts, and codes unique per workspace.

use serde_json::{json, Value};

use crate::support::builders::{account_ids, JournalEntryBuilder};
use crate::support::TestApp;

const ACCOUNT: &str =
    "id code name type normalSide description role archived version parent { code }";

async fn create_account(app: &TestApp, input: Value) -> crate::support::GqlResponse {
    app.gql(
        &format!("mutation($input: CreateAccountingAccountInput!) {{ createAccountingAccount(input: $input) {{ accountingAccount {{ {ACCOUNT} }} }} }}"),
        json!({ "input": input }),
    )
    .await
}

async fn list(app: &TestApp, filter: Value) -> Vec<Value> {
    let response = app
        .gql(
            &format!("query($f: AccountingAccountFilter) {{ accountingAccounts(filter: $f, first: 100) {{ totalCount edges {{ node {{ {ACCOUNT} }} }} }} }}"),
            json!({ "f": filter }),
        )
        .await;
    let connection = &response.data()["accountingAccounts"];
    let nodes: Vec<Value> = connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert_eq!(connection["totalCount"], json!(nodes.len()));
    nodes
}

fn codes(accounts: &[Value]) -> Vec<&str> {
    accounts
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_workspace_starts_with_the_default_chart() {
    let app = TestApp::spawn().await;
    let all = list(&app, json!(null)).await;
    assert_eq!(
        codes(&all),
        ["1000", "1010", "1100", "1200", "2100", "2200", "4000", "4100", "4900", "6100"]
    );
    let receivable = &all[2];
    assert_eq!(receivable["name"], "Accounts receivable");
    assert_eq!(receivable["type"], "ASSET");
    assert_eq!(receivable["normalSide"], "DEBIT");
    assert_eq!(receivable["role"], "accounts_receivable");
    assert_eq!(all[4]["normalSide"], "CREDIT", "sales tax payable");

    assert_eq!(
        codes(&list(&app, json!({"type": "REVENUE"})).await),
        ["4000", "4100", "4900"]
    );
    assert_eq!(
        codes(&list(&app, json!({"search": "RECEIV"})).await),
        ["1100"]
    );
    assert_eq!(codes(&list(&app, json!({"search": "61"})).await), ["6100"]);
    assert_eq!(
        list(&app, json!({"search": "%"})).await.len(),
        0,
        "% is literal"
    );

    // Another workspace has its own chart, and sees nothing of this one's.
    let (_, other_key) = app.other_workspace().await;
    let others = account_ids(&app, &other_key).await;
    let ours = account_ids(&app, &app.admin_key).await;
    assert_eq!(others.len(), 10);
    assert!(others.values().all(|id| !ours.values().any(|o| o == id)));
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_are_created_grouped_edited_and_codes_stay_unique() {
    let app = TestApp::spawn().await;
    let ids = account_ids(&app, &app.admin_key).await;
    let created = create_account(
        &app,
        json!({"code": "1300", "name": "Prepaid expenses", "type": "ASSET", "parentId": ids["1000"]}),
    )
    .await;
    let prepaid = created.data()["createAccountingAccount"]["accountingAccount"].clone();
    assert_eq!(prepaid["parent"]["code"], "1000");
    assert_eq!(prepaid["role"], Value::Null);

    // A duplicate code: CONFLICT naming the field and the holder, nothing written.
    let duplicate = create_account(
        &app,
        json!({"code": "1100", "name": "Again", "type": "ASSET"}),
    )
    .await;
    assert_eq!(duplicate.error_code(), "CONFLICT");
    let error = &duplicate.body["errors"][0];
    assert_eq!(error["extensions"]["field"], "input.code");
    assert_eq!(error["extensions"]["existingId"], ids["1100"].as_str());
    // The same code in another workspace is fine.
    let (_, other_key) = app.other_workspace().await;
    app.gql_as(
        &other_key,
        "mutation { createAccountingAccount(input: {code: \"1300\", name: \"Prepaid\", type: ASSET}) { accountingAccount { id } } }",
        json!({}),
    )
    .await
    .data();

    // One level of grouping only.
    let nested = create_account(
        &app,
        json!({"code": "1310", "name": "Prepaid rent", "type": "ASSET", "parentId": prepaid["id"]}),
    )
    .await;
    assert_eq!(nested.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        nested.body["errors"][0]["extensions"]["field"],
        "input.parentId"
    );
    // Another workspace's account is no parent here.
    let others = account_ids(&app, &other_key).await;
    let foreign = create_account(
        &app,
        json!({"code": "1320", "name": "X", "type": "ASSET", "parentId": others["1000"]}),
    )
    .await;
    assert_eq!(foreign.error_code(), "NOT_FOUND");
    let spaced = create_account(&app, json!({"code": "13 20", "name": "X", "type": "ASSET"})).await;
    assert_eq!(
        spaced.body["errors"][0]["extensions"]["field"],
        "input.code"
    );
    assert_eq!(
        list(&app, json!(null)).await.len(),
        11,
        "only the prepaid account was added"
    );

    let updated = app
        .gql(
            &format!("mutation($input: UpdateAccountingAccountInput!) {{ updateAccountingAccount(input: $input) {{ accountingAccount {{ {ACCOUNT} }} }} }}"),
            json!({"input": {"id": prepaid["id"], "expectedVersion": 1, "name": "Prepaid costs", "parentId": null, "description": "Paid ahead"}}),
        )
        .await;
    let updated = &updated.data()["updateAccountingAccount"]["accountingAccount"];
    assert_eq!(updated["name"], "Prepaid costs");
    assert_eq!(updated["parent"], Value::Null);
    assert_eq!(updated["description"], "Paid ahead");
    assert_eq!(updated["version"], 2);
    let renumbered = app
        .gql(
            "mutation($id: ID!) { updateAccountingAccount(input: {id: $id, code: \"1010\"}) { accountingAccount { id } } }",
            json!({"id": prepaid["id"]}),
        )
        .await;
    assert_eq!(renumbered.error_code(), "CONFLICT");
    assert_eq!(
        renumbered.body["errors"][0]["extensions"]["existingId"],
        ids["1010"].as_str()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_with_postings_is_archived_never_deleted() {
    let app = TestApp::spawn().await;
    let ids = account_ids(&app, &app.admin_key).await;
    JournalEntryBuilder::on("2026-12-01")
        .debit(&ids["1000"], "50.00")
        .credit(&ids["4000"], "50.00")
        .posted()
        .create(&app)
        .await;
    const DELETE: &str = "mutation($id: ID!) { deleteAccountingAccount(input: {id: $id}) { accountingAccount { code } } }";
    // Refused by the database's account guard, reported as CONFLICT without SQL.
    let refused = app.gql(DELETE, json!({"id": ids["1000"]})).await;
    assert_eq!(refused.error_code(), "CONFLICT");
    let message = refused.error_message();
    assert!(
        message.contains("has postings") && message.contains("archive"),
        "{message}"
    );
    assert!(
        !message.to_lowercase().contains("sql") && !message.contains("trigger"),
        "{message}"
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM accounting_accounts WHERE code = '1000'")
            .await,
        1
    );

    // An account nothing was posted to may go.
    let deleted = app.gql(DELETE, json!({"id": ids["6100"]})).await;
    assert_eq!(
        deleted.data()["deleteAccountingAccount"]["accountingAccount"]["code"],
        "6100"
    );

    // Archived: out of the open list, in the archived one, and closed to postings.
    const ARCHIVE: &str = "mutation($id: ID!, $a: Boolean! = true) { archiveAccountingAccount(input: {id: $id, archived: $a}) { accountingAccount { archived version } } }";
    let archived = app.gql(ARCHIVE, json!({"id": ids["1000"]})).await;
    assert_eq!(
        archived.data()["archiveAccountingAccount"]["accountingAccount"]["archived"],
        true
    );
    assert!(!codes(&list(&app, json!({"archived": false})).await).contains(&"1000"));
    assert_eq!(
        codes(&list(&app, json!({"archived": true})).await),
        ["1000"]
    );
    let reopened = app
        .gql(ARCHIVE, json!({"id": ids["1000"], "a": false}))
        .await;
    assert_eq!(
        reopened.data()["archiveAccountingAccount"]["accountingAccount"]["archived"],
        false
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_accounts_type_is_fixed_once_something_is_posted_to_it() {
    let app = TestApp::spawn().await;
    let ids = account_ids(&app, &app.admin_key).await;
    const RETYPE: &str = "mutation($id: ID!, $type: AccountingAccountType!) { updateAccountingAccount(input: {id: $id, type: $type}) { accountingAccount { type version } } }";
    // A draft is not a posting: the type may still change.
    JournalEntryBuilder::on("2026-12-01")
        .debit(&ids["1000"], "50.00")
        .credit(&ids["6100"], "50.00")
        .create(&app)
        .await;
    let retyped = app
        .gql(RETYPE, json!({"id": ids["6100"], "type": "EQUITY"}))
        .await;
    assert_eq!(
        retyped.data()["updateAccountingAccount"]["accountingAccount"]["type"],
        "EQUITY"
    );

    JournalEntryBuilder::on("2026-12-01")
        .debit(&ids["1000"], "50.00")
        .credit(&ids["4000"], "50.00")
        .posted()
        .create(&app)
        .await;
    let version = "SELECT version::bigint AS n FROM accounting_accounts WHERE code = '4000'";
    let before = app.count(version).await;
    let refused = app
        .gql(RETYPE, json!({"id": ids["4000"], "type": "LIABILITY"}))
        .await;
    assert_eq!(refused.error_code(), "CONFLICT");
    assert_eq!(
        refused.body["errors"][0]["extensions"]["field"],
        "input.type"
    );
    let message = refused.error_message();
    assert!(
        message.contains("has postings") && message.contains("REVENUE"),
        "{message}"
    );
    assert_eq!(app.count(version).await, before);
    let still = "SELECT count(*) AS n FROM accounting_accounts WHERE code = '4000' AND account_type = 'revenue'";
    assert_eq!(app.count(still).await, 1);
}
