//! Invoices: amounts by the one rounding rule, gap-free numbers at issue, drafts edited with
//! expectedVersion, issued ones refused, credit notes, the list with its filters, the
//! relations of deals, companies and contacts, and a fixed statement count.

use serde_json::{json, Value};

use super::{customer, issue, pay_usd};
use crate::support::builders::{
    ContactBuilder, DealBuilder, InvoiceBuilder, PipelineBuilder, INVOICE_FIELDS,
};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn amounts_round_per_line_then_sum_and_numbers_come_at_issue_without_gaps() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    let draft = InvoiceBuilder::for_company(&company)
        .currency("USD")
        .line_with(json!({"name": "Stickers", "kind": "PRODUCT", "quantity": "3", "unitAmount": "0.335", "taxRate": "0.0825"}))
        .line_with(json!({"name": "Stickers", "kind": "PRODUCT", "quantity": "3", "unitAmount": "0.335", "taxRate": "0.0825"}))
        .line_with(json!({"name": "Design", "quantity": "2", "unitAmount": "500", "discount": "100.50"}))
        .create(&app)
        .await;
    // 3 × 0.335 = 1.005 → 1.01, tax 0.083325 → 0.08, per line; 2 × 500 − 100.50 = 899.50.
    assert_eq!(draft["status"], "DRAFT");
    assert_eq!(draft["number"], Value::Null);
    assert_eq!(draft["lines"][0]["subtotal"], "1.01");
    assert_eq!(draft["lines"][0]["tax"], "0.08");
    assert_eq!(draft["subtotal"], "901.52");
    assert_eq!(draft["tax"], "0.16");
    assert_eq!(draft["total"], "901.68");
    assert_eq!(draft["amountDue"], "901.68");

    let issued = issue(&app, &draft["id"]).await;
    let issued = &issued.data()["issueInvoice"]["invoice"];
    assert_eq!(issued["number"], "INV-000001");
    assert_eq!(issued["status"], "ISSUED");
    assert!(issued["issueDate"].is_string());
    assert_eq!(issued["dueDate"], issued["issueDate"]);

    // A given number is kept; generated ones go on without a gap (a refused issue takes none).
    let own = InvoiceBuilder::for_company(&company)
        .number("NS-2026-7")
        .line("Hosting", "1", "10")
        .issued()
        .create(&app)
        .await;
    assert_eq!(own["number"], "NS-2026-7");
    let empty = InvoiceBuilder::for_company(&company).create(&app).await;
    assert_eq!(
        issue(&app, &empty["id"]).await.error_code(),
        "BAD_USER_INPUT"
    );
    let next = InvoiceBuilder::for_company(&company)
        .line("Hosting", "1", "10")
        .payment_terms(30)
        .issue_date("2026-12-01")
        .issued()
        .create(&app)
        .await;
    assert_eq!(next["number"], "INV-000002");
    assert_eq!(next["dueDate"], "2026-12-31");
}

#[tokio::test(flavor = "multi_thread")]
async fn only_drafts_are_edited_and_with_the_expected_version() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    let draft = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "100")
        .create(&app)
        .await;
    let update = format!("mutation($input: UpdateInvoiceInput!) {{ updateInvoice(input: $input) {{ invoice {{ {INVOICE_FIELDS} memo }} }} }}");
    let changed = app
        .gql(
            &update,
            json!({"input": {"id": draft["id"], "expectedVersion": 1, "memo": "Milestone 1",
                   "lines": [{"name": "Design", "quantity": "2", "unitAmount": "150", "taxRate": "0.1"}]}}),
        )
        .await;
    let changed = &changed.data()["updateInvoice"]["invoice"];
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["memo"], "Milestone 1");
    assert_eq!(changed["lines"].as_array().unwrap().len(), 1);
    assert_eq!(changed["total"], "330.00");

    let stale = app
        .gql(
            &update,
            json!({"input": {"id": draft["id"], "expectedVersion": 1, "memo": "x"}}),
        )
        .await;
    assert_eq!(stale.error_code(), "STALE_OBJECT");

    issue(&app, &draft["id"]).await.data();
    let frozen = app
        .gql(
            &update,
            json!({"input": {"id": draft["id"], "memo": "late edit"}}),
        )
        .await;
    assert_eq!(frozen.error_code(), "CONFLICT");
    assert_eq!(frozen.body["errors"][0]["extensions"]["field"], "input.id");
    assert!(
        frozen.error_message().contains("credit note"),
        "{}",
        frozen.body
    );
    let after = app
        .gql(
            "query($id: ID!) { invoice(id: $id) { memo total } }",
            json!({"id": draft["id"]}),
        )
        .await;
    assert_eq!(after.data()["invoice"]["memo"], "Milestone 1");
}

#[tokio::test(flavor = "multi_thread")]
async fn credit_notes_lower_the_amount_due_and_void_needs_no_payments() {
    let app = TestApp::spawn().await;
    let company = customer(&app).await;
    let invoice = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "1000")
        .issued()
        .create(&app)
        .await;
    let credit = app
        .gql(
            "mutation($input: CreateCreditNoteInput!) { createCreditNote(input: $input) { creditNote { number kind status total creditedInvoice { id } journalEntry { lines { account { code } debit credit } } } invoice { status amountCredited amountDue creditNotes { number } } } }",
            json!({"input": {"invoiceId": invoice["id"], "lines": [{"name": "Discount agreed", "quantity": "1", "unitAmount": "250"}]}}),
        )
        .await;
    let data = &credit.data()["createCreditNote"];
    assert_eq!(data["creditNote"]["number"], "CN-000001");
    assert_eq!(data["creditNote"]["kind"], "CREDIT_NOTE");
    assert_eq!(data["creditNote"]["creditedInvoice"]["id"], invoice["id"]);
    assert_eq!(data["invoice"]["status"], "PARTIALLY_PAID");
    assert_eq!(data["invoice"]["amountCredited"], "250.00");
    assert_eq!(data["invoice"]["amountDue"], "750.00");
    assert_eq!(data["invoice"]["creditNotes"][0]["number"], "CN-000001");
    // The credit note posts the mirror of an issue: Dr revenue, Cr receivable.
    let lines = &data["creditNote"]["journalEntry"]["lines"];
    assert_eq!(lines[0]["account"]["code"], "1100");
    assert_eq!(lines[0]["credit"], "250.00");
    assert_eq!(lines[1]["account"]["code"], "4000");
    assert_eq!(lines[1]["debit"], "250.00");

    // Crediting more than is due is refused; voiding a credited invoice too.
    let too_much = app
        .gql(
            "mutation($input: CreateCreditNoteInput!) { createCreditNote(input: $input) { creditNote { id } } }",
            json!({"input": {"invoiceId": invoice["id"], "lines": [{"name": "x", "quantity": "1", "unitAmount": "750.01"}]}}),
        )
        .await;
    assert_eq!(too_much.error_code(), "BAD_USER_INPUT");
    let void = "mutation($id: ID!) { voidInvoice(input: {id: $id}) { invoice { status voidedAt journalEntry { id reversedBy { number memo } } } } }";
    assert_eq!(
        app.gql(void, json!({"id": invoice["id"]}))
            .await
            .error_code(),
        "CONFLICT"
    );

    // A fresh invoice voids, and its issue posting is reversed.
    let other = InvoiceBuilder::for_company(&company)
        .line("Design", "1", "80")
        .issued()
        .create(&app)
        .await;
    let voided = app.gql(void, json!({"id": other["id"]})).await;
    let voided = &voided.data()["voidInvoice"]["invoice"];
    assert_eq!(voided["status"], "VOID");
    assert!(voided["journalEntry"]["reversedBy"]["number"].is_number());
    let paid = pay_usd(&app, &other["id"], "80").await;
    assert_eq!(paid.error_code(), "CONFLICT");
    assert_eq!(
        paid.body["errors"][0]["extensions"]["field"],
        "input.invoiceId"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invoices_are_listed_filtered_and_hang_off_deals_companies_and_contacts() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let company = customer(&app).await;
    let contact = ContactBuilder::new("Priya")
        .company(&company)
        .create_id(&app)
        .await;
    let deal = DealBuilder::new("Website redesign")
        .amount("18000")
        .currency("EUR")
        .create_id(&app)
        .await;
    // The deal's currency is the invoice's default.
    let first = InvoiceBuilder::for_company(&company)
        .contact(&contact)
        .deal(&deal)
        .line("Milestone 1", "1", "9000")
        .issued()
        .create(&app)
        .await;
    assert_eq!(first["currency"], "EUR");
    let second = InvoiceBuilder::for_company(&company)
        .deal(&deal)
        .line("Milestone 2", "1", "9000")
        .issue_date("2020-01-01")
        .issued()
        .create(&app)
        .await;
    InvoiceBuilder::for_company(&company)
        .currency("USD")
        .line("Draft work", "1", "5")
        .create(&app)
        .await;
    let eur_payment = super::pay(
        &app,
        json!({"invoiceId": first["id"], "amount": "4000", "currency": "EUR", "method": "CARD"}),
    )
    .await;
    eur_payment.data();

    let list = "query($f: InvoiceFilterInput) { invoices(filter: $f, first: 10) { totalCount edges { node { number } } } }";
    let count = |v: &Value| v["invoices"]["totalCount"].as_i64().unwrap();
    let all = app.gql(list, json!({"f": null})).await;
    assert_eq!(count(all.data()), 3);
    let by_status = app.gql(list, json!({"f": {"status": "DRAFT"}})).await;
    assert_eq!(count(by_status.data()), 1);
    let by_deal = app
        .gql(list, json!({"f": {"dealId": deal, "currency": "EUR"}}))
        .await;
    assert_eq!(count(by_deal.data()), 2);
    let overdue = app.gql(list, json!({"f": {"overdue": true}})).await;
    assert_eq!(
        overdue.data()["invoices"]["edges"][0]["node"]["number"],
        second["number"]
    );
    assert_eq!(count(overdue.data()), 1);
    let by_contact = app.gql(list, json!({"f": {"contactId": contact}})).await;
    assert_eq!(count(by_contact.data()), 1);
    let issued_2020 = app
        .gql(
            list,
            json!({"f": {"issuedFrom": "2020-01-01", "issuedTo": "2020-12-31"}}),
        )
        .await;
    assert_eq!(count(issued_2020.data()), 1);

    let relations = app
        .gql(
            "query($d: ID!, $c: ID!, $p: ID!) {
               deal(id: $d) { invoices(first: 5) { totalCount } invoicedAmount { amount currency } paidAmount { amount currency } }
               company: node(id: $c) { ... on Company { invoices { totalCount } } }
               contact: node(id: $p) { ... on Contact { invoices { totalCount edges { node { number } } } } } }",
            json!({"d": deal, "c": company, "p": contact}),
        )
        .await;
    let data = relations.data();
    assert_eq!(data["deal"]["invoices"]["totalCount"], 2);
    assert_eq!(
        data["deal"]["invoicedAmount"],
        json!([{"amount": "18000.00", "currency": "EUR"}])
    );
    assert_eq!(
        data["deal"]["paidAmount"],
        json!([{"amount": "4000.00", "currency": "EUR"}])
    );
    assert_eq!(data["company"]["invoices"]["totalCount"], 3);
    assert_eq!(
        data["contact"]["invoices"]["edges"][0]["node"]["number"],
        first["number"]
    );
    let node = app
        .gql(
            "query($id: ID!) { node(id: $id) { __typename ... on Invoice { number } } }",
            json!({"id": first["id"]}),
        )
        .await;
    assert_eq!(node.data()["node"]["__typename"], "Invoice");
}

/// The invoices list with its lines, payments, customer and deal costs the same number of
/// statements for 2 invoices as for 12.
#[tokio::test(flavor = "multi_thread")]
async fn listing_invoices_with_relations_runs_a_fixed_number_of_statements() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let company = customer(&app).await;
    let deal = DealBuilder::new("Retainer")
        .amount("1200")
        .currency("USD")
        .create_id(&app)
        .await;
    let query = "{ invoices(first: 50) { totalCount edges { node { number total company { name } deal { title invoicedAmount { amount } } lines { name total } payments { amount } creditNotes { number } } } } }";
    let mut counts = Vec::new();
    for batch in [2, 10] {
        for _ in 0..batch {
            let invoice = InvoiceBuilder::for_company(&company)
                .deal(&deal)
                .line("Month", "1", "100")
                .issued()
                .create(&app)
                .await;
            pay_usd(&app, &invoice["id"], "40").await.data();
        }
        app.gql(query, json!({})).await.data();
        let mut least = u64::MAX;
        for _ in 0..3 {
            let before = app.statements.get();
            app.gql(query, json!({})).await.data();
            least = least.min(app.statements.get() - before);
        }
        counts.push(least);
    }
    eprintln!("invoices list statements (2 and 12 invoices): {counts:?}");
    assert_eq!(counts[0], counts[1], "statements: {counts:?}");
}
