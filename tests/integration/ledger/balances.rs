//! Balances: the trial balance (zero totals per currency, at any date), an account's balance
//! on its normal side, an account's ledger with a running balance that agrees across pages,
//! and the daily totals always equal to the sum of the posted lines.

use serde_json::{json, Value};

use super::{reverse_entry, totals_drift};
use crate::support::builders::{account_ids, JournalEntryBuilder};
use crate::support::TestApp;

const TRIAL_BALANCE: &str = "query($asOf: NaiveDate!, $c: String) { trialBalance(asOf: $asOf, currency: $c) { asOf rows { account { code } currency debit credit balance } totals { currency debit credit balance } } }";

async fn trial_balance(app: &TestApp, as_of: &str, currency: Option<&str>) -> Value {
    let response = app
        .gql(TRIAL_BALANCE, json!({"asOf": as_of, "c": currency}))
        .await;
    response.data()["trialBalance"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_trial_balance_balances_per_currency_at_every_date() {
    let app = TestApp::spawn().await;
    let ids = account_ids(&app, &app.admin_key).await;
    JournalEntryBuilder::on("2026-11-01")
        .debit(&ids["1100"], "1200")
        .credit(&ids["4000"], "1000")
        .credit(&ids["2100"], "200")
        .posted()
        .create(&app)
        .await;
    JournalEntryBuilder::on("2026-11-15")
        .debit(&ids["1010"], "1200")
        .credit(&ids["1100"], "1200")
        .currency("JPY")
        .debit(&ids["1100"], "5000")
        .credit(&ids["4100"], "5000")
        .posted()
        .create(&app)
        .await;
    // A draft counts nowhere.
    JournalEntryBuilder::on("2026-11-02")
        .debit(&ids["1000"], "999")
        .credit(&ids["4000"], "999")
        .create(&app)
        .await;

    let early = trial_balance(&app, "2026-11-10", None).await;
    assert_eq!(
        early["rows"],
        json!([
            {"account": {"code": "1100"}, "currency": "USD", "debit": "1200.00", "credit": "0.00", "balance": "1200.00"},
            {"account": {"code": "2100"}, "currency": "USD", "debit": "0.00", "credit": "200.00", "balance": "-200.00"},
            {"account": {"code": "4000"}, "currency": "USD", "debit": "0.00", "credit": "1000.00", "balance": "-1000.00"},
        ])
    );
    assert_eq!(
        early["totals"],
        json!([{"currency": "USD", "debit": "1200.00", "credit": "1200.00", "balance": "0.00"}])
    );

    let later = trial_balance(&app, "2026-12-31", None).await;
    assert_eq!(later["rows"].as_array().unwrap().len(), 6, "{later}");
    assert_eq!(
        later["totals"],
        json!([
            {"currency": "JPY", "debit": "5000", "credit": "5000", "balance": "0"},
            {"currency": "USD", "debit": "2400.00", "credit": "2400.00", "balance": "0.00"},
        ])
    );
    let yen = trial_balance(&app, "2026-12-31", Some("jpy")).await;
    assert_eq!(yen["rows"].as_array().unwrap().len(), 2);
    let bad = app
        .gql(TRIAL_BALANCE, json!({"asOf": "2026-12-31", "c": "XYZ"}))
        .await;
    assert_eq!(bad.error_code(), "BAD_USER_INPUT");

    // Balances on the normal side, through one statement for all accounts of a page.
    let balances = app
        .gql(
            "{ accountingAccounts(first: 20) { edges { node { code balance(asOf: \"2026-12-31\", currency: \"USD\") { balance } } } } }",
            json!({}),
        )
        .await;
    let by_code: Vec<(String, String)> = balances.data()["accountingAccounts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["code"].as_str().unwrap().to_owned(),
                e["node"]["balance"]["balance"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let balance_of = |code: &str| by_code.iter().find(|(c, _)| c == code).unwrap().1.clone();
    assert_eq!(balance_of("1010"), "1200.00", "asset: debit side");
    assert_eq!(balance_of("1100"), "0.00");
    assert_eq!(balance_of("4000"), "1000.00", "revenue: credit side");
    assert_eq!(balance_of("2100"), "200.00");
    assert_eq!(balance_of("1000"), "0.00", "the draft does not count");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_accounts_ledger_runs_its_balance_across_pages() {
    let app = TestApp::spawn().await;
    let ids = account_ids(&app, &app.admin_key).await;
    for (day, amount) in [
        ("01", "10"),
        ("02", "20"),
        ("02", "30"),
        ("03", "40"),
        ("05", "50"),
    ] {
        JournalEntryBuilder::on(&format!("2026-12-{day}"))
            .debit(&ids["1000"], amount)
            .credit(&ids["4000"], amount)
            .posted()
            .create(&app)
            .await;
    }
    const LEDGER: &str = "query($a: ID!, $from: NaiveDate, $to: NaiveDate, $after: String) { ledgerLines(accountId: $a, from: $from, to: $to, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { runningBalance line { date debit credit } entry { number } } } } }";
    let mut running = Vec::new();
    let mut after = Value::Null;
    loop {
        let response = app
            .gql(LEDGER, json!({"a": ids["4000"], "after": after}))
            .await;
        let page = response.data()["ledgerLines"].clone();
        assert_eq!(page["totalCount"], 5);
        for edge in page["edges"].as_array().unwrap() {
            running.push(edge["node"]["runningBalance"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    // Revenue grows on the credit side.
    assert_eq!(running, ["10.00", "30.00", "60.00", "100.00", "150.00"]);

    // From a date: the running balance starts from everything before it.
    let response = app
        .gql(
            LEDGER,
            json!({"a": ids["1000"], "from": "2026-12-03", "to": "2026-12-04"}),
        )
        .await;
    let page = &response.data()["ledgerLines"];
    assert_eq!(page["totalCount"], 1);
    assert_eq!(page["edges"][0]["node"]["runningBalance"], "100.00");
    assert_eq!(page["edges"][0]["node"]["entry"]["number"], 4);

    let (_, other_key) = app.other_workspace().await;
    let foreign = app
        .gql_as(&other_key, LEDGER, json!({"a": ids["1000"]}))
        .await;
    assert_eq!(foreign.error_code(), "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread")]
async fn daily_totals_always_equal_the_sum_of_posted_lines() {
    let app = TestApp::spawn().await;
    let ids = account_ids(&app, &app.admin_key).await;
    let codes = ["1000", "1010", "1100", "2100", "4000", "4100"];
    let mut posted = Vec::new();
    for i in 0..24usize {
        let debit = &ids[codes[i % codes.len()]];
        let credit = &ids[codes[(i * 7 + 1) % codes.len()]];
        if debit == credit {
            continue;
        }
        let mut builder = JournalEntryBuilder::on(&format!("2026-11-{:02}", 1 + i % 5))
            .currency(if i % 3 == 0 { "EUR" } else { "USD" })
            .debit(debit, &format!("{}.{:02}", i + 1, i))
            .credit(credit, &format!("{}.{:02}", i + 1, i));
        if i % 4 != 3 {
            builder = builder.posted();
        }
        let entry = builder.create(&app).await;
        if entry["status"] == "POSTED" {
            posted.push(entry);
        } else if i % 8 == 7 {
            super::post_entry(&app, &entry["id"]).await.data();
        }
    }
    for entry in posted.iter().step_by(3) {
        reverse_entry(&app, &entry["id"], "2026-11-20").await.data();
    }
    assert_eq!(totals_drift(&app).await, 0);
    // Raw SQL attempts leave them equal too.
    let mut conn = app.pool.get().await.unwrap();
    for sql in [
        "UPDATE journal_lines SET debit = debit * 2 WHERE debit > 0",
        "DELETE FROM journal_entries",
        "UPDATE ledger_daily_totals SET credit = credit + 1",
        "INSERT INTO ledger_daily_totals SELECT workspace_id, account_id, currency, day + 1, 1, 1, 1 FROM ledger_daily_totals",
    ] {
        use diesel_async::RunQueryDsl;
        assert!(diesel::sql_query(sql).execute(&mut conn).await.is_err(), "{sql}");
    }
    drop(conn);
    assert_eq!(totals_drift(&app).await, 0);
    let totals = trial_balance(&app, "2026-12-31", None).await["totals"].clone();
    for total in totals.as_array().unwrap() {
        assert_eq!(total["debit"], total["credit"], "{total}");
    }
}

/// A page of entries with their lines, accounts, balances and reversals costs the same number
/// of statements for 2 entries as for 12.
#[tokio::test(flavor = "multi_thread")]
async fn listing_entries_with_relations_runs_a_fixed_number_of_statements() {
    // No poll during the measurement: the listener's reads would count too.
    let app =
        TestApp::spawn_with(|c| c.events.poll_interval = std::time::Duration::from_secs(3600))
            .await;
    let ids = account_ids(&app, &app.admin_key).await;
    const ENTRIES: &str = "{ journalEntries(first: 50) { totalCount edges { node { number reversedBy { number } reverses { number } lines { debit account { code parent { code } balance(asOf: \"2026-12-31\", currency: \"USD\") { balance } } } } } } }";
    let mut counts = Vec::new();
    for (round, entries) in [(0, 2), (1, 10)] {
        for i in 0..entries {
            let entry = JournalEntryBuilder::on("2026-12-01")
                .debit(&ids[["1000", "1010", "1100"][i % 3]], "10")
                .credit(&ids[["4000", "4100"][i % 2]], "10")
                .posted()
                .create(&app)
                .await;
            if i == 0 {
                reverse_entry(&app, &entry["id"], "2026-12-02").await.data();
            }
        }
        let before = app.statements.get();
        let response = app.gql(ENTRIES, json!({})).await;
        let after = app.statements.get();
        let listed = response.data()["journalEntries"]["totalCount"]
            .as_i64()
            .unwrap();
        assert_eq!(listed, if round == 0 { 3 } else { 14 });
        counts.push(after - before);
    }
    assert_eq!(counts[0], counts[1], "statements: {counts:?}");
}
