//! The lead-to-cash walk-through end to end through the HTTP API, with the README's own
//! queries: a website lead for Priya at Northstar Studio → contact, company and a USD 18,000
//! deal in "Proposal Sent" → won → a USD 9,000 milestone invoice (one service line, 0 % tax)
//! → issued → paid in full → PAID; the journal holds the issue and payment postings, the
//! trial balance is zero, receivable is back to 0 and revenue is 9,000; every step is audited
//! with its before and after.

use serde_json::{json, Value};

use super::balances;
use crate::support::TestApp;

/// The `query` and `variables` of the README step containing `marker`, placeholders filled.
fn readme_step(marker: &str, ids: &[(&str, &Value)]) -> (String, Value) {
    let readme = include_str!("../../../README.md");
    let section = readme
        .split("## Walk-through: lead to cash")
        .nth(1)
        .expect("the walk-through section");
    let line = section
        .lines()
        .find(|line| line.starts_with("gql '") && line.contains(marker))
        .unwrap_or_else(|| panic!("no step with {marker}"));
    let mut body = line["gql '".len()..line.len() - 1].to_owned();
    for (placeholder, id) in ids {
        body = body.replace(placeholder, id.as_str().expect("an id"));
    }
    let body: Value = serde_json::from_str(&body).expect("the step is JSON");
    (
        body["query"].as_str().expect("query").to_owned(),
        body.get("variables").cloned().unwrap_or(json!({})),
    )
}

async fn step(app: &TestApp, marker: &str, ids: &[(&str, &Value)]) -> Value {
    let (query, variables) = readme_step(marker, ids);
    app.gql(&query, variables).await.data().clone()
}

/// The audit event of `action` on `entity`: its before and after.
async fn audited(app: &TestApp, action: &str, entity: &Value) -> (Value, Value) {
    let response = app
        .gql(
            "query($e: ID, $a: String) { auditEvents(entityId: $e, action: $a, first: 5) { edges { node { outcome before after } } } }",
            json!({"e": entity, "a": action}),
        )
        .await;
    let edges = response.data()["auditEvents"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    // Oldest first is the write itself (a replayed webhook is audited too, after it).
    let node = &edges
        .last()
        .unwrap_or_else(|| panic!("no {action} on {entity}"))["node"];
    assert_eq!(node["outcome"], "SUCCEEDED", "{node}");
    (node["before"].clone(), node["after"].clone())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lead_to_cash_walk_through_works_as_written() {
    let app = TestApp::spawn().await;
    let pipeline = step(&app, "createPipeline", &[]).await;
    let stages = pipeline["createPipeline"]["pipeline"]["stages"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(stages[1]["name"], "Proposal Sent");
    let won_stage = stages.iter().find(|s| s["kind"] == "WON").unwrap()["id"].clone();

    let lead = step(&app, "createLead", &[]).await;
    let lead_id = lead["createLead"]["lead"]["id"].clone();
    let converted = step(&app, "convertLead", &[("LEAD_ID", &lead_id)]).await;
    let c = &converted["convertLead"];
    assert_eq!(c["deal"]["stage"]["name"], "Proposal Sent");
    let (deal, contact, company) = (
        c["deal"]["id"].clone(),
        c["contact"]["id"].clone(),
        c["company"]["id"].clone(),
    );

    let won = step(
        &app,
        "moveDeal",
        &[("DEAL_ID", &deal), ("WON_STAGE_ID", &won_stage)],
    )
    .await;
    assert_eq!(won["moveDeal"]["deal"]["status"], "WON");

    let ids = [
        ("COMPANY_ID", &company),
        ("CONTACT_ID", &contact),
        ("DEAL_ID", &deal),
    ];
    let created = step(&app, "createInvoice", &ids).await;
    let invoice = created["createInvoice"]["invoice"].clone();
    assert_eq!(invoice["status"], "DRAFT");
    assert_eq!(invoice["currency"], "USD");
    assert_eq!(invoice["total"], "9000.00");
    let invoice_id = invoice["id"].clone();

    let issued = step(&app, "issueInvoice", &[("INVOICE_ID", &invoice_id)]).await;
    let issued = &issued["issueInvoice"]["invoice"];
    assert_eq!(issued["number"], "INV-000001");
    assert_eq!(issued["status"], "ISSUED");
    assert_eq!(issued["amountDue"], "9000.00");
    assert_eq!(issued["journalEntry"]["number"], 1);

    let paid = step(&app, "recordPayment", &[("INVOICE_ID", &invoice_id)]).await;
    let paid = &paid["recordPayment"];
    assert_eq!(paid["duplicate"], false);
    assert_eq!(paid["invoice"]["status"], "PAID");
    assert_eq!(paid["invoice"]["amountDue"], "0.00");
    let payment_id = paid["payment"]["id"].clone();
    // The bank's webhook, sent again, records nothing new.
    let again = step(&app, "recordPayment", &[("INVOICE_ID", &invoice_id)]).await;
    assert_eq!(again["recordPayment"]["duplicate"], true);
    assert_eq!(again["recordPayment"]["payment"]["id"], payment_id);

    let books = step(&app, "journalEntries", &[("DEAL_ID", &deal)]).await;
    let entries = books["journalEntries"]["nodes"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let memos: Vec<&str> = entries
        .iter()
        .map(|e| e["memo"].as_str().unwrap())
        .collect();
    assert!(memos.contains(&"Invoice INV-000001 issued"), "{memos:?}");
    assert!(
        memos.contains(&"Payment for invoice INV-000001"),
        "{memos:?}"
    );
    assert_eq!(books["trialBalance"]["totals"][0]["balance"], "0.00");
    assert_eq!(
        books["deal"]["invoicedAmount"],
        json!([{"amount": "9000.00", "currency": "USD"}])
    );
    assert_eq!(
        books["deal"]["paidAmount"],
        json!([{"amount": "9000.00", "currency": "USD"}])
    );
    let (accounts, _) = balances(&app, "USD").await;
    assert_eq!(accounts["1100"], "0.00", "receivable back to 0");
    assert_eq!(
        accounts["4000"], "-9000.00",
        "revenue 9,000 (a credit balance)"
    );
    assert_eq!(accounts["1010"], "9000.00", "in the bank");

    // Every step audited with its before and after.
    for (action, entity) in [("lead.convert", &lead_id), ("deal.move", &deal)] {
        let (before, after) = audited(&app, action, entity).await;
        assert!(
            before.is_object() && after.is_object(),
            "{action}: {before} → {after}"
        );
    }
    let (before, after) = audited(&app, "invoice.create", &invoice_id).await;
    assert!(before.is_null());
    assert_eq!(after["invoice"]["status"], "draft");
    let (before, after) = audited(&app, "invoice.issue", &invoice_id).await;
    assert_eq!(before["status"], "draft");
    assert_eq!(after["invoice"]["status"], "issued");
    assert_eq!(after["invoice"]["number"], "INV-000001");
    let (before, after) = audited(&app, "payment.record", &payment_id).await;
    assert_eq!(before["status"], "issued");
    assert_eq!(after["invoice"]["status"], "paid");
    assert_eq!(after["payment"]["provider_reference_id"], "txn-0001");
}
