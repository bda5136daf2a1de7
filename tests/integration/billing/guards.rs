//! The rules the database keeps by itself, tried with raw SQL through the application's own
//! connection pool (the role the server uses): an issued invoice and its lines are frozen,
//! stored amounts must match the lines and payments at commit, payments never change, and a
//! void invoice cannot get payments.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::RunQueryDsl;

use super::{customer, pay_usd};
use crate::support::builders::InvoiceBuilder;
use crate::support::TestApp;

/// Runs `sql` alone (autocommit, so deferred checks run too) and returns the refusal's
/// constraint name.
async fn refused(app: &TestApp, sql: &str) -> String {
    let mut conn = app.pool.get().await.unwrap();
    match diesel::sql_query(sql).execute(&mut conn).await {
        Ok(n) => panic!("{sql} succeeded ({n} rows)"),
        Err(DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, info)) => {
            info.constraint_name().unwrap_or_default().to_owned()
        }
        Err(other) => panic!("{sql}: unexpected {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_sql_cannot_change_an_issued_invoice_its_lines_or_its_payments() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    let invoice = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "100")
        .issued()
        .create(&app)
        .await;
    let id = invoice["id"].as_str().unwrap();
    let paid = pay_usd(&app, &invoice["id"], "30").await;
    let payment = paid.data()["recordPayment"]["payment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ws = app.workspace_id;
    let attempts = [
        (format!("UPDATE invoices SET memo = 'edited' WHERE id = '{id}'"), "invoice_issued"),
        (format!("UPDATE invoices SET total = 1, subtotal = 1, amount_due = 1 - amount_paid WHERE id = '{id}'"), "invoice_issued"),
        (format!("UPDATE invoices SET status = 'draft', amount_paid = 0, amount_due = total WHERE id = '{id}'"), "invoice_issued"),
        (format!("DELETE FROM invoices WHERE id = '{id}'"), "invoice_issued"),
        (format!("UPDATE invoice_lines SET name = 'Other' WHERE invoice_id = '{id}'"), "invoice_issued"),
        (format!("DELETE FROM invoice_lines WHERE invoice_id = '{id}'"), "invoice_issued"),
        (format!(
            "INSERT INTO invoice_lines (workspace_id, id, invoice_id, line_no, kind, name, quantity, unit_amount, subtotal, tax, total)
             VALUES ('{ws}', gen_random_uuid(), '{id}', 2, 'service', 'Extra', 1, 5, 5, 0, 5)"
        ), "invoice_issued"),
        (format!("UPDATE payments SET amount = 1000, applied_amount = 1000 WHERE id = '{payment}'"), "payment_recorded"),
        (format!("DELETE FROM payments WHERE id = '{payment}'"), "payment_recorded"),
        // Paid amounts follow the payments: a raw status change with made-up amounts fails at commit.
        (format!("UPDATE invoices SET status = 'paid', amount_paid = 100, amount_due = 0 WHERE id = '{id}'"), "invoice_amount_paid"),
    ];
    for (sql, constraint) in &attempts {
        assert_eq!(refused(&app, sql).await, *constraint, "{sql}");
    }
    let after = app
        .gql(
            "query($id: ID!) { invoice(id: $id) { memo status total amountPaid lines { name } } }",
            serde_json::json!({"id": id}),
        )
        .await;
    let after = &after.data()["invoice"];
    assert_eq!(after["status"], "PARTIALLY_PAID");
    assert_eq!(after["total"], "100.00");
    assert_eq!(after["amountPaid"], "30.00");
    assert_eq!(after["lines"][0]["name"], "Design");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_drafts_stored_amounts_must_follow_its_lines() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    let draft = InvoiceBuilder::for_company(&company)
        .line("Design", "2", "10.005")
        .create(&app)
        .await;
    let id = draft["id"].as_str().unwrap();
    // 2 × 10.005 = 20.01; a line claiming 20.00 breaks the rule.
    assert_eq!(
        refused(
            &app,
            &format!(
                "UPDATE invoice_lines SET subtotal = 20, total = 20 WHERE invoice_id = '{id}'"
            )
        )
        .await,
        "invoice_line_amounts"
    );
    // The header must be the sum of its lines (checked at commit).
    assert_eq!(
        refused(
            &app,
            &format!(
                "UPDATE invoices SET subtotal = 1, total = 1, amount_due = 1 WHERE id = '{id}'"
            )
        )
        .await,
        "invoice_amounts"
    );
    // A line change that keeps the rule and the sums in step passes, in one transaction.
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query(format!(
        "WITH l AS (UPDATE invoice_lines SET quantity = 1, subtotal = 10.01, total = 10.01 WHERE invoice_id = '{id}')
         UPDATE invoices SET subtotal = 10.01, total = 10.01, amount_due = 10.01 WHERE id = '{id}'"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
}
