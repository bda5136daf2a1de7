//! Journal entries: drafts and postings, gap-free numbers under concurrency, reversals
//! linked both ways, and bad input refused with the field named and nothing written.

use serde_json::{json, Value};

use super::{create_entry, entry_count, post_entry, reverse_entry, totals_drift};
use crate::support::builders::{account_ids, JournalEntryBuilder};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn entries_are_drafted_posted_and_numbered() {
    let app = TestApp::spawn().await;
    let ids = account_ids(&app, &app.admin_key).await;
    let posted = JournalEntryBuilder::on("2026-12-01")
        .memo("Cash sale")
        .debit(&ids["1000"], "120.5")
        .credit(&ids["4000"], "100")
        .credit(&ids["2100"], "20.50")
        .posted()
        .create(&app)
        .await;
    assert_eq!(posted["number"], 1);
    assert_eq!(posted["status"], "POSTED");
    assert!(posted["postedAt"].is_string());
    let lines = posted["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["debit"], "120.50");
    assert_eq!(lines[0]["credit"], "0.00");
    assert_eq!(lines[2]["account"]["code"], "2100");
    assert_eq!(lines[2]["lineNo"], 3);

    let draft = JournalEntryBuilder::on("2026-12-02")
        .debit(&ids["1010"], "10")
        .credit(&ids["1000"], "10")
        .create(&app)
        .await;
    assert_eq!(draft["status"], "DRAFT");
    assert_eq!(draft["number"], Value::Null);
    let response = post_entry(&app, &draft["id"]).await;
    let now_posted = &response.data()["postJournalEntry"]["journalEntry"];
    assert_eq!(now_posted["number"], 2);
    assert_eq!(now_posted["lines"].as_array().unwrap().len(), 2);
    let again = post_entry(&app, &draft["id"]).await;
    assert_eq!(again.error_code(), "CONFLICT");

    // A dry run posts nothing and takes no number.
    let input = JournalEntryBuilder::on("2026-12-03")
        .debit(&ids["1000"], "1")
        .credit(&ids["4000"], "1")
        .posted()
        .input();
    let mut dry = input.clone();
    dry["dryRun"] = json!(true);
    let dry = create_entry(&app, dry).await;
    assert_eq!(dry.data()["createJournalEntry"]["dryRun"], true);
    assert_eq!(entry_count(&app).await, 2);
    let real = create_entry(&app, input).await;
    assert_eq!(
        real.data()["createJournalEntry"]["journalEntry"]["number"],
        3
    );

    // Listed newest date first; refetched by node.
    let listed = app
        .gql("{ journalEntries(first: 10, filter: {status: POSTED}) { totalCount edges { node { number date } } } }", json!({}))
        .await;
    let listed = &listed.data()["journalEntries"];
    assert_eq!(listed["totalCount"], 3);
    assert_eq!(listed["edges"][0]["node"]["date"], "2026-12-03");
    let node = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on JournalEntry { number memo } } }",
            json!({"id": posted["id"]}),
        )
        .await;
    assert_eq!(node.data()["node"]["memo"], "Cash sale");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_postings_get_numbers_without_gaps_or_duplicates() {
    let app = TestApp::spawn_with(|c| c.pool_size = 16).await;
    let ids = account_ids(&app, &app.admin_key).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let mut input = JournalEntryBuilder::on("2026-12-01")
            .debit(&ids["1000"], &format!("{}.00", i + 1))
            .credit(&ids["4000"], &format!("{}.00", i + 1))
            .posted()
            .input();
        // Four of them roll back after taking a number: they must leave no gap.
        if i % 5 == 4 {
            input["dryRun"] = json!(true);
        }
        tasks.push(app.gql_spawned(&super::create_entry_query(), json!({ "input": input })));
    }
    for task in tasks {
        let body = task.await.unwrap();
        assert!(body.get("errors").is_none(), "{body}");
    }
    let numbers = app
        .count(
            "SELECT count(DISTINCT number) AS n FROM journal_entries WHERE number BETWEEN 1 AND 16",
        )
        .await;
    assert_eq!(numbers, 16);
    assert_eq!(entry_count(&app).await, 16);
    assert_eq!(
        app.count("SELECT max(number) AS n FROM journal_entries")
            .await,
        16
    );
    assert_eq!(totals_drift(&app).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reversal_mirrors_the_entry_and_links_both_ways() {
    let app = TestApp::spawn().await;
    let ids = account_ids(&app, &app.admin_key).await;
    let original = JournalEntryBuilder::on("2026-12-01")
        .debit(&ids["1100"], "300")
        .credit(&ids["4000"], "300")
        .posted()
        .create(&app)
        .await;
    let response = reverse_entry(&app, &original["id"], "2026-12-05").await;
    let reversal = &response.data()["reverseJournalEntry"]["journalEntry"];
    assert_eq!(reversal["number"], 2);
    assert_eq!(reversal["date"], "2026-12-05");
    assert_eq!(reversal["status"], "POSTED");
    assert_eq!(reversal["reverses"]["id"], original["id"]);
    assert_eq!(reversal["memo"], "Reversal of journal entry 1");
    assert_eq!(
        reversal["lines"][0]["credit"], "300.00",
        "the debit became a credit"
    );
    assert_eq!(reversal["lines"][1]["debit"], "300.00");
    let back = app
        .gql("query($id: ID!) { node(id: $id) { ... on JournalEntry { reversedBy { id number } } } }", json!({"id": original["id"]}))
        .await;
    assert_eq!(back.data()["node"]["reversedBy"]["id"], reversal["id"]);

    let twice = reverse_entry(&app, &original["id"], "2026-12-06").await;
    assert_eq!(twice.error_code(), "CONFLICT");
    assert_eq!(
        twice.body["errors"][0]["extensions"]["existingId"],
        reversal["id"]
    );
    let draft = JournalEntryBuilder::on("2026-12-01")
        .debit(&ids["1000"], "1")
        .credit(&ids["4000"], "1")
        .create(&app)
        .await;
    assert_eq!(
        reverse_entry(&app, &draft["id"], "2026-12-06")
            .await
            .error_code(),
        "CONFLICT"
    );

    let balance = app
        .gql("query($id: ID!) { node(id: $id) { ... on AccountingAccount { balance(asOf: \"2026-12-31\", currency: \"USD\") { debit credit balance } } } }", json!({"id": ids["1100"]}))
        .await;
    let balance = &balance.data()["node"]["balance"];
    assert_eq!(balance["debit"], "300.00");
    assert_eq!(balance["credit"], "300.00");
    assert_eq!(balance["balance"], "0.00");
}

/// Each bad input: its code, its field, and nothing written.
#[tokio::test(flavor = "multi_thread")]
async fn bad_entries_are_refused_naming_the_field_and_write_nothing() {
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
    let line = |account: &str, currency: &str, debit: Option<&str>, credit: Option<&str>| json!({"accountId": account, "currency": currency, "debit": debit, "credit": credit});
    let cash = ids["1000"].as_str();
    let revenue = ids["4000"].as_str();
    let cases = [
        (
            "unbalanced",
            vec![
                line(cash, "USD", Some("10"), None),
                line(revenue, "USD", None, Some("9.99")),
            ],
            "BAD_USER_INPUT",
            "input.lines",
        ),
        (
            "balanced in total but not per currency",
            vec![
                line(cash, "USD", Some("10"), None),
                line(revenue, "EUR", None, Some("10")),
            ],
            "BAD_USER_INPUT",
            "input.lines",
        ),
        (
            "debit and credit on one line",
            vec![
                line(cash, "USD", Some("10"), None),
                line(revenue, "USD", None, Some("10")),
                line(cash, "USD", Some("5"), Some("5")),
            ],
            "BAD_USER_INPUT",
            "input.lines[2].credit",
        ),
        (
            "a negative debit",
            vec![
                line(cash, "USD", Some("10"), None),
                line(revenue, "USD", None, Some("10")),
                line(cash, "USD", Some("-1"), None),
            ],
            "BAD_USER_INPUT",
            "input.lines[2].debit",
        ),
        (
            "0.001 USD",
            vec![
                line(cash, "USD", Some("0.001"), None),
                line(revenue, "USD", None, Some("0.001")),
            ],
            "BAD_USER_INPUT",
            "input.lines[0].debit",
        ),
        (
            "1.5 JPY",
            vec![
                line(cash, "JPY", Some("1.5"), None),
                line(revenue, "JPY", None, Some("1.5")),
            ],
            "BAD_USER_INPUT",
            "input.lines[0].debit",
        ),
        (
            "an archived account",
            vec![
                line(&ids["1200"], "USD", Some("1"), None),
                line(revenue, "USD", None, Some("1")),
            ],
            "BAD_USER_INPUT",
            "input.lines[0].accountId",
        ),
        (
            "another workspace's account",
            vec![
                line(cash, "USD", Some("1"), None),
                line(&foreign["4000"], "USD", None, Some("1")),
            ],
            "BAD_USER_INPUT",
            "input.lines[1].accountId",
        ),
        (
            "a single line",
            vec![line(cash, "USD", Some("1"), None)],
            "BAD_USER_INPUT",
            "input.lines",
        ),
    ];
    for (case, lines, code, field) in cases {
        for status in ["DRAFT", "POSTED"] {
            let response = create_entry(
                &app,
                json!({"date": "2026-12-01", "status": status, "lines": lines}),
            )
            .await;
            assert_eq!(response.error_code(), code, "{case}: {}", response.body);
            assert_eq!(
                response.body["errors"][0]["extensions"]["field"], field,
                "{case}"
            );
            assert_eq!(response.body["data"], Value::Null, "{case}");
        }
    }
    // KWD has three decimals: 0.001 is fine there.
    let kwd = create_entry(
        &app,
        json!({"date": "2026-12-01", "status": "POSTED", "lines": [line(cash, "KWD", Some("0.001"), None), line(revenue, "KWD", None, Some("0.001"))]}),
    )
    .await;
    assert_eq!(
        kwd.data()["createJournalEntry"]["journalEntry"]["lines"][0]["debit"],
        "0.001"
    );
    assert_eq!(entry_count(&app).await, 1, "only the KWD entry was written");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM journal_lines").await,
        2
    );

    // A draft whose account was archived since cannot be posted.
    let draft = JournalEntryBuilder::on("2026-12-01")
        .debit(&ids["1010"], "5")
        .credit(&ids["4100"], "5")
        .create(&app)
        .await;
    app.gql(
        "mutation($id: ID!) { archiveAccountingAccount(input: {id: $id}) { accountingAccount { id } } }",
        json!({"id": ids["4100"]}),
    )
    .await
    .data();
    let refused = post_entry(&app, &draft["id"]).await;
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        refused.body["errors"][0]["extensions"]["field"],
        "input.lines[1].accountId"
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM journal_entries WHERE status = 'posted'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn postings_need_crm_write_and_replay_idempotently() {
    let app = TestApp::spawn().await;
    let ids = account_ids(&app, &app.admin_key).await;
    let reader = app.key_with(&[dealgraph::auth::Scope::CrmRead]).await;
    let builder = JournalEntryBuilder::on("2026-12-01")
        .debit(&ids["1000"], "7")
        .credit(&ids["4000"], "7")
        .posted();
    let refused = app
        .gql_as(
            &reader,
            &super::create_entry_query(),
            json!({ "input": builder.clone().with_key(&reader).input() }),
        )
        .await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    let read = app
        .gql_as(
            &reader,
            "{ trialBalance(asOf: \"2026-12-31\") { totals { currency } } }",
            json!({}),
        )
        .await;
    assert_eq!(read.data()["trialBalance"]["totals"], json!([]));

    let mut input = builder.input();
    input["idempotencyKey"] = json!("entry-1");
    let first = create_entry(&app, input.clone()).await;
    let replay = create_entry(&app, input).await;
    let first = &first.data()["createJournalEntry"];
    let replay = &replay.data()["createJournalEntry"];
    assert_eq!(replay["replayed"], true);
    assert_eq!(replay["journalEntry"]["id"], first["journalEntry"]["id"]);
    assert_eq!(replay["journalEntry"]["number"], 1);
    assert_eq!(entry_count(&app).await, 1);
}

const UPDATE_ENTRY: &str = "mutation($input: UpdateJournalEntryInput!) { updateJournalEntry(input: $input) { journalEntry { id date memo status version lines { lineNo debit credit account { code } } } } }";
const DELETE_ENTRY: &str = "mutation($id: ID!, $dry: Boolean! = false) { deleteJournalEntry(input: {id: $id, dryRun: $dry}) { dryRun journalEntry { id status } } }";

#[tokio::test(flavor = "multi_thread")]
async fn a_draft_is_edited_and_deleted_and_is_checked_again_as_a_whole() {
    let app = TestApp::spawn().await;
    let ids = account_ids(&app, &app.admin_key).await;
    let draft = JournalEntryBuilder::on("2026-12-01")
        .debit(&ids["1000"], "100")
        .credit(&ids["4000"], "100")
        .memo("First try")
        .create(&app)
        .await;
    let id = draft["id"].as_str().unwrap();
    let line = |code: &str, side: &str, amount: &str| json!({"accountId": ids[code], "currency": "USD", side: amount});

    let edited = app
        .gql(
            UPDATE_ENTRY,
            json!({"input": {"id": id, "expectedVersion": 1, "date": "2026-12-05",
                   "lines": [line("1000", "debit", "120"), line("4100", "credit", "120")]}}),
        )
        .await;
    let edited = &edited.data()["updateJournalEntry"]["journalEntry"];
    assert_eq!(edited["date"], "2026-12-05");
    assert_eq!(edited["memo"], "First try");
    assert_eq!(edited["status"], "DRAFT");
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["lines"][0]["debit"], "120.00");
    assert_eq!(edited["lines"][1]["account"]["code"], "4100");
    let dated = format!("SELECT count(*) AS n FROM journal_lines WHERE entry_id = '{id}' AND entry_date = '2026-12-05'");
    assert_eq!(app.count(&dated).await, 2);

    // Only the memo: the lines stay, and move with a new date.
    let memo_only = app
        .gql(
            UPDATE_ENTRY,
            json!({"input": {"id": id, "memo": null, "date": "2026-12-06"}}),
        )
        .await;
    let memo_only = &memo_only.data()["updateJournalEntry"]["journalEntry"];
    assert!(memo_only["memo"].is_null());
    assert_eq!(memo_only["lines"].as_array().unwrap().len(), 2);
    let moved = format!("SELECT count(*) AS n FROM journal_lines WHERE entry_id = '{id}' AND entry_date = '2026-12-06'");
    assert_eq!(app.count(&moved).await, 2);

    // An edit that would unbalance it, or a stale version, writes nothing.
    let unbalanced = app
        .gql(
            UPDATE_ENTRY,
            json!({"input": {"id": id, "lines": [line("1000", "debit", "120"), line("4100", "credit", "119")]}}),
        )
        .await;
    assert_eq!(unbalanced.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        unbalanced.body["errors"][0]["extensions"]["field"],
        "input.lines"
    );
    let stale = app
        .gql(
            UPDATE_ENTRY,
            json!({"input": {"id": id, "expectedVersion": 1, "memo": "x"}}),
        )
        .await;
    assert_eq!(stale.error_code(), "STALE_OBJECT");
    let unchanged = format!("SELECT count(*) AS n FROM journal_entries WHERE id = '{id}' AND version = 3 AND memo IS NULL");
    assert_eq!(app.count(&unchanged).await, 1);
    let lines = format!("SELECT count(*) AS n FROM journal_lines WHERE entry_id = '{id}' AND (debit = 120 OR credit = 120)");
    assert_eq!(app.count(&lines).await, 2);

    let dry = app.gql(DELETE_ENTRY, json!({"id": id, "dry": true})).await;
    assert_eq!(dry.data()["deleteJournalEntry"]["dryRun"], true);
    assert_eq!(entry_count(&app).await, 1);
    let deleted = app.gql(DELETE_ENTRY, json!({"id": id})).await;
    assert_eq!(
        deleted.data()["deleteJournalEntry"]["journalEntry"]["id"],
        id
    );
    assert_eq!(entry_count(&app).await, 0);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM journal_lines").await,
        0
    );
    let audited = "SELECT count(*) AS n FROM audit_events WHERE action IN ('journal_entry.update', 'journal_entry.delete') AND outcome = 'succeeded' AND NOT dry_run";
    assert_eq!(app.count(audited).await, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_posted_entry_is_neither_edited_nor_deleted() {
    let app = TestApp::spawn().await;
    let ids = account_ids(&app, &app.admin_key).await;
    let posted = JournalEntryBuilder::on("2026-12-01")
        .debit(&ids["1000"], "100")
        .credit(&ids["4000"], "100")
        .posted()
        .create(&app)
        .await;
    let id = posted["id"].as_str().unwrap();
    let edit = app
        .gql(
            UPDATE_ENTRY,
            json!({"input": {"id": id, "memo": "Changed"}}),
        )
        .await;
    let delete = app.gql(DELETE_ENTRY, json!({"id": id})).await;
    for refused in [edit, delete] {
        assert_eq!(refused.error_code(), "CONFLICT");
        assert_eq!(refused.body["errors"][0]["extensions"]["field"], "input.id");
        let message = refused.error_message();
        assert!(
            message.contains("POSTED") && message.contains("reverse"),
            "{message}"
        );
    }
    let same =
        format!("SELECT count(*) AS n FROM journal_entries WHERE id = '{id}' AND memo IS NULL");
    assert_eq!(app.count(&same).await, 1);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM journal_lines").await,
        2
    );
    assert_eq!(totals_drift(&app).await, 0);
}
