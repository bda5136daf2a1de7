//! Every tool, called the way an agent would: a pipeline and its stages, a company, a contact,
//! a deal moved and summarised, a lead converted, an activity, a task, the person's context,
//! and the ledger. Each result is checked against what the database (or GraphQL) holds.

use serde_json::{json, Value};

use super::{call, connect, id_of, ok, Client};
use crate::support::TestApp;

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().expect("items")
}

#[tokio::test]
async fn pipelines_stages_companies_contacts_and_deals_through_their_tools() {
    let app = TestApp::spawn().await;
    let client = connect(&app, &app.admin_key).await;

    let created = ok(call(
        &client,
        "create_pipeline",
        json!({ "name": "Sales", "idempotency_key": "p1" }),
    )
    .await);
    let pipeline_id = id_of(&created, "pipeline");
    assert_eq!(created["stages"].as_array().unwrap().len(), 6);
    let pipelines = ok(call(&client, "list_pipelines", json!({})).await);
    assert_eq!(items(&pipelines).len(), 1);
    assert_eq!(items(&pipelines)[0]["pipeline"]["id"], pipeline_id.as_str());

    let stage = ok(call(
        &client,
        "create_deal_stage",
        json!({ "pipeline_id": pipeline_id, "name": "Demo", "key": "demo", "probability": "0.3", "position": 1, "idempotency_key": "s1" }),
    )
    .await);
    let demo_id = id_of(&stage, "stage");
    let stages = ok(call(
        &client,
        "list_deal_stages",
        json!({ "pipeline_id": pipeline_id }),
    )
    .await);
    let names: Vec<&str> = items(&stages)
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Lead in",
            "Demo",
            "Qualified",
            "Proposal",
            "Negotiation",
            "Won",
            "Lost"
        ]
    );

    let company = ok(call(&client, "create_company", json!({ "name": "Acme", "domain": "https://www.Acme.example/about", "idempotency_key": "c1" })).await);
    let company_id = id_of(&company, "company");
    assert_eq!(company["company"]["domain"], "acme.example");
    let companies = ok(call(&client, "search_companies", json!({ "query": "acm" })).await);
    assert_eq!(companies["total_count"], 1);

    let contact = ok(call(
        &client,
        "create_contact",
        json!({ "first_name": "Ann", "last_name": "Lee", "email": "ann@acme.example", "company_id": company_id, "lifecycle_stage": "sql" }),
    )
    .await);
    assert_eq!(contact["contact"]["name"], "Ann Lee");
    ok(call(
        &client,
        "create_contact",
        json!({ "name": "Bob Acme", "email": "bob@acme.example" }),
    )
    .await);
    // Pages: one at a time, the second through the first's cursor.
    let first = ok(call(
        &client,
        "search_contacts",
        json!({ "query": "acme", "limit": 1 }),
    )
    .await);
    assert_eq!(first["total_count"], 2);
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let second = ok(call(
        &client,
        "search_contacts",
        json!({ "query": "acme", "limit": 1, "after": cursor }),
    )
    .await);
    assert_eq!(items(&second).len(), 1);
    assert_ne!(items(&second)[0]["id"], items(&first)[0]["id"]);
    assert_eq!(second["next_cursor"], Value::Null);

    let deal = ok(call(
        &client,
        "create_deal",
        json!({ "title": "Acme renewal", "amount": "12000", "currency": "EUR", "company_id": company_id, "expected_close_date": "2027-03-31", "idempotency_key": "d1" }),
    )
    .await);
    let deal_id = id_of(&deal, "deal");
    let updated = ok(call(
        &client,
        "update_deal",
        json!({ "deal_id": deal_id, "amount": "15000.50", "expected_close_date": null, "expected_version": deal["deal"]["version"], "idempotency_key": "d2" }),
    )
    .await);
    assert_eq!(updated["deal"]["expected_close_date"], Value::Null);
    let moved = ok(call(
        &client,
        "move_deal",
        json!({ "deal_id": deal_id, "stage_id": demo_id, "idempotency_key": "m1" }),
    )
    .await);
    assert_eq!(moved["deal"]["stage_id"], demo_id.as_str());
    assert_eq!(moved["stage_change"]["to_stage_id"], demo_id.as_str());
    let history = "SELECT count(*) AS n FROM stage_changes";
    assert_eq!(
        app.count(history).await,
        2,
        "created in a stage, then moved"
    );

    let summary = ok(call(
        &client,
        "get_pipeline_summary",
        json!({ "pipeline_id": pipeline_id }),
    )
    .await);
    assert_eq!(summary["totals"]["deal_count"], 1);
    let eur = &summary["totals"]["currencies"][0];
    assert_eq!(eur["currency"], "EUR");
    assert_eq!(
        eur["total"].as_str().unwrap().parse::<f64>().unwrap(),
        15000.5
    );
    let demo = summary["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"]["name"] == "Demo")
        .unwrap();
    assert_eq!(demo["totals"]["deal_count"], 1);
    client.cancel().await.ok();
}

async fn converted_lead(client: &Client) -> (Value, String) {
    ok(call(client, "create_pipeline", json!({ "name": "Sales" })).await);
    let lead = ok(call(
        client,
        "create_lead",
        json!({ "name": "Priya Raman", "email": "priya@northstar.example", "company_name": "Northstar Studio", "website": "https://northstar.example", "source": "website", "idempotency_key": "l1" }),
    )
    .await);
    assert_eq!(lead["lead"]["source"], "website");
    let leads = ok(call(
        client,
        "list_leads",
        json!({ "query": "priya", "status": "new" }),
    )
    .await);
    assert_eq!(leads["total_count"], 1);
    let converted = ok(call(
        client,
        "convert_lead",
        json!({
            "lead_id": id_of(&lead, "lead"),
            "reason": "Asked for a proposal",
            "deal": { "title": "Website redesign", "stage_key": "proposal", "amount": "18000", "currency": "USD" },
            "idempotency_key": "conv-1",
        }),
    )
    .await);
    assert_eq!(converted["lead"]["status"], "converted");
    assert_eq!(converted["company"]["domain"], "northstar.example");
    assert_eq!(converted["deal"]["title"], "Website redesign");
    let contact_id = id_of(&converted, "contact");
    (converted, contact_id)
}

#[tokio::test]
async fn a_lead_is_converted_followed_up_and_its_person_seen_in_context() {
    let app = TestApp::spawn().await;
    let client = connect(&app, &app.admin_key).await;
    let (converted, contact_id) = converted_lead(&client).await;
    let deal_id = id_of(&converted, "deal");

    let activity = ok(call(
        &client,
        "log_activity",
        json!({ "type": "call", "subject": "Scope call", "contact_id": contact_id, "deal_id": deal_id, "metadata": { "minutes": 30 }, "idempotency_key": "a1" }),
    )
    .await);
    assert_eq!(activity["activity"]["activity_type"], "call");
    let task = ok(call(
        &client,
        "create_task",
        json!({ "title": "Send the revised scope", "due_at": "2026-12-08T09:00:00Z", "priority": "high", "contact_id": contact_id, "idempotency_key": "t1" }),
    )
    .await);
    ok(call(
        &client,
        "create_task",
        json!({ "title": "Done already", "status": "done", "contact_id": contact_id }),
    )
    .await);
    let tasks = ok(call(
        &client,
        "list_tasks",
        json!({ "contact_id": contact_id, "status": "todo" }),
    )
    .await);
    assert_eq!(tasks["total_count"], 1);
    assert_eq!(items(&tasks)[0]["id"], task["task"]["id"]);

    let context = ok(call(
        &client,
        "context_for_person",
        json!({ "email": "PRIYA@northstar.example" }),
    )
    .await);
    assert_eq!(context["person"]["kind"], "contact");
    assert_eq!(context["person"]["contact"]["id"], contact_id.as_str());
    assert_eq!(context["company"]["domain"], "northstar.example");
    let deals = context["open_deals"].as_array().unwrap();
    assert_eq!(deals.len(), 1);
    assert_eq!(deals[0]["id"], deal_id.as_str());
    let subjects: Vec<&str> = context["recent_activities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["subject"].as_str())
        .collect();
    assert!(subjects.contains(&"Scope call"), "{subjects:?}");
    let open_tasks: Vec<&str> = context["open_tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(open_tasks, ["Send the revised scope"]);

    // A person known only as a lead.
    ok(call(
        &client,
        "create_lead",
        json!({ "name": "Sam", "email": "sam@globex.example" }),
    )
    .await);
    let context = ok(call(
        &client,
        "context_for_person",
        json!({ "email": "sam@globex.example" }),
    )
    .await);
    assert_eq!(context["person"]["kind"], "lead");
    assert_eq!(context["person"]["lead"]["source"], "mcp");
    assert_eq!(context["open_deals"], json!([]));
    client.cancel().await.ok();
}

#[tokio::test]
async fn accounts_and_journal_entries_through_the_ledger_tools() {
    let app = TestApp::spawn().await;
    let client = connect(&app, &app.admin_key).await;
    let account = ok(call(
        &client,
        "create_accounting_account",
        json!({ "code": "1250", "name": "Petty cash", "type": "asset", "idempotency_key": "acc-1" }),
    )
    .await);
    let cash_id = id_of(&account, "account");
    let assets = ok(call(
        &client,
        "list_accounting_accounts",
        json!({ "type": "asset", "limit": 100 }),
    )
    .await);
    assert!(items(&assets).iter().any(|a| a["code"] == "1250"));
    let revenue = ok(call(
        &client,
        "list_accounting_accounts",
        json!({ "type": "revenue", "limit": 1 }),
    )
    .await);
    let revenue_id = items(&revenue)[0]["id"].as_str().unwrap().to_owned();

    let entry = ok(call(
        &client,
        "create_journal_entry",
        json!({
            "date": "2026-11-30",
            "memo": "Cash sale",
            "status": "posted",
            "lines": [
                { "account_id": cash_id, "currency": "EUR", "debit": "250.00" },
                { "account_id": revenue_id, "currency": "EUR", "credit": "250.00" },
            ],
            "idempotency_key": "je-1",
        }),
    )
    .await);
    assert_eq!(entry["entry"]["status"], "posted");
    assert_eq!(entry["lines"].as_array().unwrap().len(), 2);
    let entries = ok(call(
        &client,
        "list_journal_entries",
        json!({ "status": "posted", "from": "2026-11-01" }),
    )
    .await);
    assert_eq!(entries["total_count"], 1);
    assert_eq!(items(&entries)[0]["memo"], "Cash sale");

    let unbalanced = super::failed(
        call(
            &client,
            "create_journal_entry",
            json!({
                "date": "2026-11-30",
                "lines": [
                    { "account_id": cash_id, "currency": "EUR", "debit": "10" },
                    { "account_id": revenue_id, "currency": "EUR", "credit": "9" },
                ],
            }),
        )
        .await,
    );
    assert_eq!(unbalanced["code"], "BAD_USER_INPUT");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM journal_entries").await,
        1
    );
    client.cancel().await.ok();
}
