//! Billing settings: automatic postings and the accounts billing posts to, chosen per
//! workspace among its open accounts of the right type, through the write path.

use dealgraph::auth::Scope;
use serde_json::{json, Value};

use super::{customer, pay};
use crate::support::builders::{account_ids, InvoiceBuilder};
use crate::support::{GqlResponse, TestApp};

const SETTINGS: &str = "autoPost version updatedAt receivableAccount { code } servicesRevenueAccount { code } productRevenueAccount { code } salesTaxAccount { code } customerCreditAccount { code } cashAccount { code } bankAccount { code } undepositedFundsAccount { code }";

async fn update(app: &TestApp, input: Value) -> GqlResponse {
    app.gql(
        &format!("mutation($input: UpdateBillingSettingsInput!) {{ updateBillingSettings(input: $input) {{ replayed dryRun billingSettings {{ {SETTINGS} }} }} }}"),
        json!({ "input": input }),
    )
    .await
}

async fn current(app: &TestApp) -> Value {
    let response = app
        .gql(
            &format!("{{ billingSettings {{ {SETTINGS} }} }}"),
            json!({}),
        )
        .await;
    response.data()["billingSettings"].clone()
}

const VERSION: &str = "SELECT coalesce((SELECT version::bigint FROM billing_settings), 0) AS n";

#[tokio::test(flavor = "multi_thread")]
async fn a_chosen_bank_account_takes_the_payments_and_null_goes_back_to_the_default() {
    let app = TestApp::spawn().await;
    let defaults = current(&app).await;
    assert_eq!(defaults["autoPost"], true);
    assert_eq!(defaults["version"], 0);
    assert!(defaults["updatedAt"].is_null());
    let codes: Vec<&str> = [
        "receivableAccount",
        "servicesRevenueAccount",
        "productRevenueAccount",
        "salesTaxAccount",
        "customerCreditAccount",
        "cashAccount",
        "bankAccount",
        "undepositedFundsAccount",
    ]
    .iter()
    .map(|field| defaults[field]["code"].as_str().unwrap())
    .collect();
    assert_eq!(
        codes,
        ["1100", "4000", "4100", "2100", "2200", "1000", "1010", "1200"]
    );

    let created = app
        .gql(
            "mutation { createAccountingAccount(input: {code: \"1020\", name: \"Second bank\", type: ASSET}) { accountingAccount { id } } }",
            json!({}),
        )
        .await;
    let second_bank = created.data()["createAccountingAccount"]["accountingAccount"]["id"].clone();
    let dry = update(&app, json!({"bankAccountId": second_bank, "dryRun": true})).await;
    assert_eq!(
        dry.data()["updateBillingSettings"]["billingSettings"]["bankAccount"]["code"],
        "1020"
    );
    assert_eq!(app.count(VERSION).await, 0);

    let input =
        json!({"bankAccountId": second_bank, "expectedVersion": 0, "idempotencyKey": "bank-1"});
    let changed = update(&app, input.clone()).await;
    let changed = &changed.data()["updateBillingSettings"];
    assert_eq!(changed["billingSettings"]["bankAccount"]["code"], "1020");
    assert_eq!(changed["billingSettings"]["cashAccount"]["code"], "1000");
    assert_eq!(changed["billingSettings"]["version"], 1);
    let replayed = update(&app, input).await;
    assert_eq!(replayed.data()["updateBillingSettings"]["replayed"], true);
    assert_eq!(app.count(VERSION).await, 1);
    let audited = "SELECT count(*) AS n FROM audit_events WHERE action = 'billing_settings.update' AND outcome = 'succeeded' AND NOT dry_run";
    assert_eq!(app.count(audited).await, 1);

    let company = customer(&app).await;
    let invoice = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "500")
        .issued()
        .create(&app)
        .await;
    pay(&app, json!({"invoiceId": invoice["id"], "amount": "500", "currency": "USD", "method": "BANK_TRANSFER"}))
        .await
        .data();
    let posted = format!(
        "SELECT count(*) AS n FROM journal_lines WHERE account_id = '{}' AND debit = 500",
        second_bank.as_str().unwrap()
    );
    assert_eq!(app.count(&posted).await, 1);

    let reset = update(&app, json!({"bankAccountId": null, "expectedVersion": 1})).await;
    assert_eq!(
        reset.data()["updateBillingSettings"]["billingSettings"]["bankAccount"]["code"],
        "1010"
    );
    assert_eq!(current(&app).await["version"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn unsuitable_accounts_are_refused_naming_the_field_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let ids = account_ids(&app, &app.admin_key).await;
    let (_, other_key) = app.other_workspace().await;
    let foreign = account_ids(&app, &other_key).await;
    app.gql(
        "mutation($id: ID!) { archiveAccountingAccount(input: {id: $id}) { accountingAccount { id } } }",
        json!({"id": ids["1200"]}),
    )
    .await
    .data();
    let cases = [
        (
            "cashAccountId",
            ids["4000"].clone(),
            "BAD_USER_INPUT",
            "is a REVENUE; this needs an ASSET account",
        ),
        (
            "salesTaxAccountId",
            ids["1000"].clone(),
            "BAD_USER_INPUT",
            "is an ASSET; this needs a LIABILITY account",
        ),
        (
            "undepositedFundsAccountId",
            ids["1200"].clone(),
            "BAD_USER_INPUT",
            "is archived",
        ),
        (
            "bankAccountId",
            foreign["1010"].clone(),
            "BAD_USER_INPUT",
            "this workspace has no accounting account",
        ),
        (
            "receivableAccountId",
            "not-an-id".to_owned(),
            "BAD_USER_INPUT",
            "",
        ),
    ];
    for (field, id, code, says) in cases {
        let refused = update(&app, json!({ field: id, "autoPost": false })).await;
        assert_eq!(refused.error_code(), code, "{field}");
        assert_eq!(
            refused.body["errors"][0]["extensions"]["field"],
            format!("input.{field}")
        );
        assert!(
            refused.error_message().contains(says),
            "{}",
            refused.error_message()
        );
    }
    let stale = update(&app, json!({"autoPost": false, "expectedVersion": 3})).await;
    assert_eq!(stale.error_code(), "STALE_OBJECT");
    let read_key = app.key_with(&[Scope::CrmRead]).await;
    let forbidden = app
        .gql_as(&read_key, "mutation { updateBillingSettings(input: {autoPost: false}) { billingSettings { autoPost } } }", json!({}))
        .await;
    assert_eq!(forbidden.error_code(), "FORBIDDEN");

    assert_eq!(app.count(VERSION).await, 0);
    assert_eq!(current(&app).await["autoPost"], true);
}
