//! The rules the database keeps by itself, tried with raw SQL through the application's own
//! connection pool (the same role the server uses): posted entries and their lines are
//! frozen, an unbalanced commit fails while a balanced one in several statements passes,
//! totals are written by postings only, and the currency list matches the application's.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AnsiTransactionManager, RunQueryDsl, TransactionManager};
use serde_json::Value;

use super::totals_drift;
use crate::support::builders::{account_ids, JournalEntryBuilder};
use crate::support::TestApp;

/// Runs `sql` alone (autocommit) and returns the refusal's constraint name and message.
async fn refused(app: &TestApp, sql: &str) -> (String, String) {
    let mut conn = app.pool.get().await.unwrap();
    match diesel::sql_query(sql).execute(&mut conn).await {
        Ok(n) => panic!("{sql} succeeded ({n} rows)"),
        Err(DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, info)) => (
            info.constraint_name().unwrap_or_default().to_owned(),
            info.message().to_owned(),
        ),
        Err(other) => panic!("{sql}: unexpected {other:?}"),
    }
}

async fn posted_entry(app: &TestApp) -> (Value, std::collections::HashMap<String, String>) {
    let ids = account_ids(app, &app.admin_key).await;
    let entry = JournalEntryBuilder::on("2026-12-01")
        .debit(&ids["1000"], "100")
        .credit(&ids["4000"], "100")
        .posted()
        .create(app)
        .await;
    (entry, ids)
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_sql_cannot_change_a_posted_entry() {
    let app = TestApp::spawn().await;
    let (entry, ids) = posted_entry(&app).await;
    let id = entry["id"].as_str().unwrap();
    let line = entry["lines"][0]["id"].as_str().unwrap();
    let attempts = [
        format!("UPDATE journal_lines SET debit = 1000 WHERE id = '{line}'"),
        format!("UPDATE journal_lines SET debit = debit + 1 WHERE entry_id = '{id}'"),
        format!("DELETE FROM journal_lines WHERE id = '{line}'"),
        format!("UPDATE journal_entries SET memo = 'edited' WHERE id = '{id}'"),
        format!("UPDATE journal_entries SET status = 'draft' WHERE id = '{id}'"),
        format!("DELETE FROM journal_entries WHERE id = '{id}'"),
        format!(
            "INSERT INTO journal_lines (workspace_id, id, entry_id, line_no, account_id, currency, debit, entry_date)
             VALUES ('{}', gen_random_uuid(), '{id}', 3, '{}', 'USD', 5, '2026-12-01')",
            app.workspace_id, ids["1000"]
        ),
    ];
    for sql in &attempts {
        let (constraint, message) = refused(&app, sql).await;
        assert_eq!(constraint, "journal_entry_posted", "{sql}");
        assert!(
            message.contains("posted journal entry") || message.contains("is posted"),
            "{message}"
        );
    }
    let (constraint, _) = refused(&app, "UPDATE ledger_daily_totals SET debit = 0").await;
    assert_eq!(constraint, "ledger_daily_totals_posted");
    let (constraint, _) = refused(
        &app,
        &format!(
            "DELETE FROM accounting_accounts WHERE id = '{}'",
            ids["1000"]
        ),
    )
    .await;
    assert_eq!(constraint, "accounting_account_has_postings");

    let after = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on JournalEntry { memo lines { debit credit } } } }",
            serde_json::json!({"id": id}),
        )
        .await;
    assert_eq!(after.data()["node"]["lines"][0]["debit"], "100.00");
    assert_eq!(after.data()["node"]["memo"], Value::Null);
    assert_eq!(totals_drift(&app).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn balance_is_checked_at_commit_and_lines_may_come_in_several_statements() {
    let app = TestApp::spawn().await;
    let ids = account_ids(&app, &app.admin_key).await;
    let ws = app.workspace_id;
    let mut conn = app.pool.get().await.unwrap();
    let entry = |id: &str| {
        format!("INSERT INTO journal_entries (workspace_id, id, entry_date) VALUES ('{ws}', '{id}', '2026-12-01')")
    };
    let line = |entry: &str, no: i32, account: &str, side: &str, amount: &str| {
        format!(
            "INSERT INTO journal_lines (workspace_id, id, entry_id, line_no, account_id, currency, {side}, entry_date)
             VALUES ('{ws}', gen_random_uuid(), '{entry}', {no}, '{account}', 'USD', {amount}, '2000-01-01')"
        )
    };
    let balanced = uuid::Uuid::now_v7().to_string();
    let unbalanced = uuid::Uuid::now_v7().to_string();

    // Balanced over three statements, then posted: commits, and is numbered.
    AnsiTransactionManager::begin_transaction(&mut *conn)
        .await
        .unwrap();
    for sql in [
        entry(&balanced),
        line(&balanced, 1, &ids["1000"], "debit", "40"),
        line(&balanced, 2, &ids["4000"], "credit", "25"),
        line(&balanced, 3, &ids["2100"], "credit", "15"),
        format!("UPDATE journal_entries SET status = 'posted' WHERE id = '{balanced}'"),
    ] {
        diesel::sql_query(sql).execute(&mut conn).await.unwrap();
    }
    AnsiTransactionManager::commit_transaction(&mut *conn)
        .await
        .unwrap();
    assert_eq!(
        app.count(&format!(
            "SELECT number AS n FROM journal_entries WHERE id = '{balanced}'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(&format!("SELECT count(*) AS n FROM journal_lines WHERE entry_id = '{balanced}' AND entry_date = '2026-12-01'")).await,
        3,
        "lines take their entry's date"
    );

    // Unbalanced: every statement passes, the commit fails, nothing stays.
    AnsiTransactionManager::begin_transaction(&mut *conn)
        .await
        .unwrap();
    for sql in [
        entry(&unbalanced),
        line(&unbalanced, 1, &ids["1000"], "debit", "40"),
        line(&unbalanced, 2, &ids["4000"], "credit", "39.99"),
    ] {
        diesel::sql_query(sql).execute(&mut conn).await.unwrap();
    }
    let commit = AnsiTransactionManager::commit_transaction(&mut *conn).await;
    let Err(DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, info)) = commit else {
        panic!("an unbalanced commit must fail: {commit:?}");
    };
    assert_eq!(info.constraint_name(), Some("journal_entry_balanced"));
    assert!(
        info.message().contains("must balance"),
        "{}",
        info.message()
    );
    // The application reports the same refusal as BAD_USER_INPUT, without SQL.
    let app_error: dealgraph::error::AppError =
        DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, info).into();
    assert_eq!(app_error.code().as_str(), "BAD_USER_INPUT");
    assert_eq!(app_error.field(), Some("input.lines"));
    drop(conn);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM journal_entries WHERE id = '{unbalanced}'"
        ))
        .await,
        0
    );

    // Amounts beyond the currency's minor units, and archived accounts, are refused too.
    let (constraint, _) = refused(&app, &line(&balanced, 9, &ids["1000"], "debit", "0.001")).await;
    assert!(
        constraint == "journal_line_minor_units" || constraint == "journal_entry_posted",
        "{constraint}"
    );
    let draft = uuid::Uuid::now_v7().to_string();
    let mut conn = app.pool.get().await.unwrap();
    AnsiTransactionManager::begin_transaction(&mut *conn)
        .await
        .unwrap();
    diesel::sql_query(entry(&draft))
        .execute(&mut conn)
        .await
        .unwrap();
    let cents = diesel::sql_query(line(&draft, 1, &ids["1000"], "debit", "0.001"))
        .execute(&mut conn)
        .await;
    let Err(DieselError::DatabaseError(_, info)) = cents else {
        panic!("0.001 USD must be refused: {cents:?}");
    };
    assert_eq!(info.constraint_name(), Some("journal_line_minor_units"));
    AnsiTransactionManager::rollback_transaction(&mut *conn)
        .await
        .unwrap();
    assert_eq!(totals_drift(&app).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_database_knows_every_currency_the_application_does() {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        code: String,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        minor_units: i32,
    }
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().await.unwrap();
    let rows: Vec<Row> = diesel::sql_query("SELECT code, minor_units FROM ledger_currencies")
        .load(&mut conn)
        .await
        .unwrap();
    let rows: Vec<(String, i32)> = rows.into_iter().map(|r| (r.code, r.minor_units)).collect();
    assert!(rows.len() > 150);
    for (code, units) in rows.iter() {
        assert_eq!(
            dealgraph::money::currency("c", code).ok(),
            Some(code.clone())
        );
        assert_eq!(
            i64::from(*units),
            dealgraph::money::minor_units(code),
            "{code}"
        );
    }
    let units = |code: &str| rows.iter().find(|(c, _)| c == code).map(|(_, u)| *u);
    assert_eq!(units("JPY"), Some(0));
    assert_eq!(units("USD"), Some(2));
    assert_eq!(units("KWD"), Some(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_sql_cannot_change_the_type_of_an_account_with_postings() {
    let app = TestApp::spawn().await;
    let (_, ids) = posted_entry(&app).await;
    let revenue = &ids["4000"];
    let (constraint, message) = refused(
        &app,
        &format!("UPDATE accounting_accounts SET account_type = 'expense' WHERE id = '{revenue}'"),
    )
    .await;
    assert_eq!(constraint, "accounting_account_type");
    assert!(message.contains("has postings"), "{message}");
    let still = format!(
        "SELECT count(*) AS n FROM accounting_accounts WHERE id = '{revenue}' AND account_type = 'revenue'"
    );
    assert_eq!(app.count(&still).await, 1);
}
