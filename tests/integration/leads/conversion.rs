//! Converting a lead: the seed walk-through (a website lead becomes a contact, a company and a
//! Proposal deal), linking existing records, company de-duplication by domain, free-mail
//! addresses, the conflicts and bad input that write nothing; other workspaces, dry runs,
//! replays and scopes in `guarantees`; the `leadConversions` list in `list`.

mod guarantees;
mod list;

use serde_json::{json, Value};

use super::{mark_converted, update_lead_query, DELETE_LEAD};
use crate::support::builders::{
    CompanyBuilder, ContactBuilder, LeadBuilder, PipelineBuilder, Stage,
};
use crate::support::ws::{WsClient, TRANSPORT_WS};
use crate::support::{GqlResponse, TestApp};

const CONVERT: &str = "mutation($input: ConvertLeadInput!) { convertLead(input: $input) {
    replayed dryRun
    conversion { id contactCreated companyCreated ownerId reason convertedBy convertedAt
        lead { id } contact { id } company { id } deal { id } }
    lead { id status convertedAt version }
    statusChange { sequence fromStatus toStatus reason }
    contact { id name email phone title lifecycleStage companyId ownerId }
    company { id name domain website }
    deal { id title amount currency ownerId stage { name } company { id }
        contacts { role contact { id } } stageChanges { totalCount } }
} }";

async fn convert(app: &TestApp, input: Value) -> GqlResponse {
    app.gql(CONVERT, json!({ "input": input })).await
}

/// The rows a conversion writes, so a refused one can be shown to have written none.
async fn written_rows(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "contacts",
        "companies",
        "deals",
        "deal_contacts",
        "stage_changes",
        "lead_conversions",
        "lead_status_changes",
        "outbox_events",
    ] {
        counts.push(
            app.count(&format!("SELECT count(*) AS n FROM {table}"))
                .await,
        );
    }
    counts.push(
        app.count("SELECT count(*) AS n FROM leads WHERE status = 'converted'")
            .await,
    );
    counts
}

async fn events_of(app: &TestApp, event_type: &str) -> i64 {
    app.count(&format!(
        "SELECT count(*) AS n FROM outbox_events WHERE event_type = '{event_type}'"
    ))
    .await
}

fn priya() -> LeadBuilder {
    LeadBuilder::new("Priya Raman")
        .email("priya@northstar.example")
        .company_name("Northstar Studio")
        .source("WEBSITE")
        .phone("+44 20 7946 0000")
        .title("Founder")
        .owner("ana")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_walk_through_makes_priya_a_contact_a_company_and_a_proposal_deal() {
    let app = TestApp::spawn_with(|c| {
        c.events.poll_interval = std::time::Duration::from_millis(200);
    })
    .await;
    PipelineBuilder::new("Sales").create(&app).await;
    let lead = priya().create(&app).await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query":
        "subscription { events(types: [LEAD_CONVERTED, CONTACT_CREATED, COMPANY_CREATED, DEAL_CREATED]) { typeName entityId payload } }" } }))
        .await;
    // As the other subscription tests do: give the server a moment to join the fan-out.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;

    let response = convert(
        &app,
        json!({ "leadId": lead["id"], "reason": "asked for a proposal",
            "contact": { "create": {} },
            "deal": { "title": "Website redesign", "stageKey": "proposal", "amount": "18000", "currency": "USD" } }),
    )
    .await;
    let done = &response.data()["convertLead"];
    assert_eq!(done["lead"]["status"], "CONVERTED");
    assert!(done["lead"]["convertedAt"].is_string());
    assert_eq!(done["statusChange"]["toStatus"], "CONVERTED");
    assert_eq!(done["statusChange"]["reason"], "asked for a proposal");
    let contact = &done["contact"];
    assert_eq!(contact["name"], "Priya Raman");
    assert_eq!(contact["email"], "priya@northstar.example");
    assert_eq!(contact["phone"], "+44 20 7946 0000");
    assert_eq!(contact["title"], "Founder");
    assert_eq!(contact["ownerId"], "ana");
    assert_eq!(contact["lifecycleStage"], "OPPORTUNITY");
    let company = &done["company"];
    assert_eq!(company["name"], "Northstar Studio");
    assert_eq!(company["domain"], "northstar.example");
    assert_eq!(contact["companyId"], company["id"]);
    let deal = &done["deal"];
    assert_eq!(deal["title"], "Website redesign");
    assert_eq!(deal["amount"], "18000.00");
    assert_eq!(deal["currency"], "USD");
    assert_eq!(deal["stage"]["name"], "Proposal");
    assert_eq!(deal["ownerId"], "ana", "the lead's owner by default");
    assert_eq!(deal["company"]["id"], company["id"]);
    assert_eq!(
        deal["contacts"],
        json!([{ "role": "decision_maker", "contact": { "id": contact["id"] } }])
    );
    assert_eq!(deal["stageChanges"]["totalCount"], 1);
    let conversion = &done["conversion"];
    assert_eq!(conversion["contactCreated"], true);
    assert_eq!(conversion["companyCreated"], true);
    assert_eq!(conversion["ownerId"], "ana");
    assert_eq!(conversion["deal"]["id"], deal["id"]);

    // Read back: the lead, its conversion and history, through the loaders and `node`.
    let read = app
        .gql(
            "query($id: ID!, $c: ID!) { lead(id: $id) { status statusChanges { fromStatus toStatus }
                conversion { id reason contact { name } company { domain } deal { title stageChanges { edges { node { toStage { name } } } } } } }
              node(id: $c) { __typename id } }",
            json!({ "id": lead["id"], "c": conversion["id"] }),
        )
        .await;
    let read_lead = &read.data()["lead"];
    assert_eq!(read_lead["status"], "CONVERTED");
    assert_eq!(
        read_lead["statusChanges"],
        json!([{ "fromStatus": "NEW", "toStatus": "CONVERTED" }])
    );
    assert_eq!(read_lead["conversion"]["id"], conversion["id"]);
    assert_eq!(read_lead["conversion"]["contact"]["name"], "Priya Raman");
    assert_eq!(
        read_lead["conversion"]["deal"]["stageChanges"]["edges"][0]["node"]["toStage"]["name"],
        "Proposal"
    );
    assert_eq!(read.data()["node"]["__typename"], "LeadConversion");

    let mut seen = Vec::new();
    for _ in 0..4 {
        let message = ws.next_json().await;
        seen.push(
            message["payload"]["data"]["events"]["typeName"]
                .as_str()
                .unwrap_or_else(|| panic!("{message}"))
                .to_owned(),
        );
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "company.created",
            "contact.created",
            "deal.created",
            "lead.converted"
        ]
    );
    for (kind, n) in [
        ("lead.converted", 1),
        ("lead.status_changed", 1),
        ("deal.contact_linked", 1),
    ] {
        assert_eq!(events_of(&app, kind).await, n, "{kind}");
    }
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'lead.convert' AND outcome = 'succeeded'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_contact_and_company_are_linked_not_created() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let company = CompanyBuilder::new("Northstar").create(&app).await;
    let contact = ContactBuilder::new("Priya R.")
        .email("priya@elsewhere.example")
        .lifecycle_stage("MQL")
        .create(&app)
        .await;
    let lead = priya().create(&app).await;
    let done = convert(
        &app,
        json!({ "leadId": lead["id"], "contact": { "existingId": contact["id"] },
            "company": { "existingId": company["id"] } }),
    )
    .await;
    let done = &done.data()["convertLead"];
    assert_eq!(done["contact"]["id"], contact["id"]);
    assert_eq!(
        done["contact"]["name"], "Priya R.",
        "a linked contact keeps its values"
    );
    assert_eq!(
        done["contact"]["companyId"], company["id"],
        "it joins the company"
    );
    assert_eq!(done["contact"]["lifecycleStage"], "SQL", "no deal: SQL");
    assert_eq!(done["company"]["id"], company["id"]);
    assert_eq!(done["deal"], Value::Null);
    assert_eq!(done["conversion"]["contactCreated"], false);
    assert_eq!(done["conversion"]["companyCreated"], false);
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 1);
    assert_eq!(app.count("SELECT count(*) AS n FROM companies").await, 1);
    assert_eq!(events_of(&app, "contact.created").await, 1);
    assert_eq!(events_of(&app, "contact.updated").await, 1);
    assert_eq!(events_of(&app, "lead.converted").await, 1);

    // A customer converted again (from another lead) stays a customer and keeps its company.
    let customer = ContactBuilder::new("Old friend")
        .company(&company["id"])
        .lifecycle_stage("CUSTOMER")
        .create(&app)
        .await;
    let second = LeadBuilder::new("Old friend").create(&app).await;
    let again = convert(
        &app,
        json!({ "leadId": second["id"], "contact": { "existingId": customer["id"] },
            "deal": { "title": "Renewal" } }),
    )
    .await;
    let again = &again.data()["convertLead"];
    assert_eq!(again["contact"]["lifecycleStage"], "CUSTOMER");
    assert_eq!(
        again["company"]["id"], company["id"],
        "without `company`, a linked contact's own company"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_company_holding_the_leads_domain_is_linked_never_duplicated() {
    let app = TestApp::spawn().await;
    let existing = CompanyBuilder::new("Northstar Studio Ltd")
        .domain("northstar.example")
        .create(&app)
        .await;
    let by_email = priya().create(&app).await;
    let done = convert(&app, json!({ "leadId": by_email["id"] })).await;
    let done = &done.data()["convertLead"];
    assert_eq!(done["company"]["id"], existing["id"]);
    assert_eq!(done["conversion"]["companyCreated"], false);
    assert_eq!(done["contact"]["companyId"], existing["id"]);

    let by_website = LeadBuilder::new("Sam")
        .email("sam@gmail.com")
        .website("https://www.Northstar.example/about")
        .company_name("Northstar")
        .create(&app)
        .await;
    let done = convert(&app, json!({ "leadId": by_website["id"] })).await;
    assert_eq!(done.data()["convertLead"]["company"]["id"], existing["id"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM companies").await, 1);

    // Asking to create a company whose domain another company has: CONFLICT naming it.
    let third = LeadBuilder::new("Kim")
        .email("kim@northstar.example")
        .company_name("Northstar")
        .create(&app)
        .await;
    let before = written_rows(&app).await;
    let refused = convert(
        &app,
        json!({ "leadId": third["id"], "company": { "create": { "industry": "Design" } } }),
    )
    .await;
    assert_eq!(refused.error_code(), "CONFLICT", "{}", refused.body);
    let extensions = &refused.body["errors"][0]["extensions"];
    assert_eq!(extensions["field"], "input.company.create.domain");
    assert_eq!(extensions["existingId"], existing["id"]);
    assert_eq!(written_rows(&app).await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_free_mail_lead_gets_a_company_without_a_domain_or_none() {
    let app = TestApp::spawn().await;
    CompanyBuilder::new("Google")
        .domain("gmail.com")
        .create(&app)
        .await;
    let lead = LeadBuilder::new("Priya")
        .email("priya.studio@gmail.com")
        .company_name("Northstar Studio")
        .create(&app)
        .await;
    let done = convert(&app, json!({ "leadId": lead["id"] })).await;
    let company = &done.data()["convertLead"]["company"];
    assert_eq!(
        company["name"], "Northstar Studio",
        "a new company, not gmail.com's"
    );
    assert_eq!(company["domain"], Value::Null);
    assert_eq!(
        done.data()["convertLead"]["conversion"]["companyCreated"],
        true
    );

    let alone = LeadBuilder::new("Solo")
        .email("solo@gmail.com")
        .create(&app)
        .await;
    let done = convert(&app, json!({ "leadId": alone["id"] })).await;
    assert_eq!(done.data()["convertLead"]["company"], Value::Null);
    assert_eq!(
        done.data()["convertLead"]["contact"]["companyId"],
        Value::Null
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn converted_and_disqualified_leads_are_conflicts() {
    let app = TestApp::spawn().await;
    let lead = priya().create(&app).await;
    let first = convert(&app, json!({ "leadId": lead["id"] })).await;
    let conversion_id = first.data()["convertLead"]["conversion"]["id"].clone();
    let dropped = LeadBuilder::new("Gone").create(&app).await;
    app.gql(
        "mutation($id: ID!) { disqualifyLead(input: {id: $id, reason: \"no budget\"}) { lead { status } } }",
        json!({ "id": dropped["id"] }),
    )
    .await
    .data();
    let before = written_rows(&app).await;
    let twice = convert(&app, json!({ "leadId": lead["id"] })).await;
    assert_eq!(twice.error_code(), "CONFLICT");
    assert_eq!(
        twice.body["errors"][0]["extensions"]["existingId"],
        conversion_id
    );
    assert!(twice
        .error_message()
        .contains(conversion_id.as_str().unwrap()));

    // The converted lead is read-only.
    let update = app
        .gql(
            &update_lead_query(),
            json!({ "input": { "id": lead["id"], "title": "CEO" } }),
        )
        .await;
    assert_eq!(update.error_code(), "CONFLICT");
    let delete = app
        .gql(DELETE_LEAD, json!({ "input": { "id": lead["id"] } }))
        .await;
    assert_eq!(delete.error_code(), "CONFLICT");

    let disqualified = convert(&app, json!({ "leadId": dropped["id"] })).await;
    assert_eq!(disqualified.error_code(), "CONFLICT");
    assert!(disqualified.error_message().contains("DISQUALIFIED"));
    assert_eq!(written_rows(&app).await, before);

    // A lead marked converted without a conversion record (as older data may be) is still
    // refused.
    let marked = LeadBuilder::new("Marked").create(&app).await;
    mark_converted(&app, &marked).await;
    let refused = convert(&app, json!({ "leadId": marked["id"] })).await;
    assert_eq!(refused.error_code(), "CONFLICT");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_names_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let other = CompanyBuilder::new("Other").create(&app).await;
    let theirs = ContactBuilder::new("Taken")
        .company(&other["id"])
        .create(&app)
        .await;
    let holder = ContactBuilder::new("Holder")
        .email("PRIYA@northstar.example")
        .create(&app)
        .await;
    let mine = CompanyBuilder::new("Mine").create(&app).await;
    let lead = priya().create(&app).await;
    let id = &lead["id"];
    let before = written_rows(&app).await;
    for (input, code, field) in [
        (
            json!({ "leadId": id, "contact": { "existingId": theirs["id"] }, "company": { "existingId": mine["id"] } }),
            "BAD_USER_INPUT",
            "input.contact.existingId",
        ),
        (
            json!({ "leadId": id, "contact": { "create": { "email": "fresh@northstar.example" } },
                "deal": { "title": "Website redesign", "stageKey": "no-such-stage" } }),
            "BAD_USER_INPUT",
            "input.deal.stageKey",
        ),
        (
            json!({ "leadId": id, "contact": {} }),
            "BAD_USER_INPUT",
            "input.contact",
        ),
        (
            json!({ "leadId": id, "company": { "existingId": mine["id"], "create": {} } }),
            "BAD_USER_INPUT",
            "input.company",
        ),
        (
            json!({ "leadId": id, "contact": { "create": { "email": "fresh@x.example" } },
                "deal": { "title": " " } }),
            "BAD_USER_INPUT",
            "input.deal.title",
        ),
        (
            json!({ "leadId": id, "contact": { "create": { "email": "fresh@x.example" } },
                "deal": { "title": "Yen", "amount": "1.5", "currency": "JPY" } }),
            "BAD_USER_INPUT",
            "input.deal.amount",
        ),
        (
            json!({ "leadId": id, "contact": { "create": { "email": "nope@" } } }),
            "BAD_USER_INPUT",
            "input.contact.create.email",
        ),
        (
            json!({ "leadId": id }),
            "CONFLICT",
            "input.contact.create.email",
        ),
    ] {
        let refused = convert(&app, input.clone()).await;
        assert_eq!(refused.error_code(), code, "{input}: {}", refused.body);
        assert_eq!(
            refused.body["errors"][0]["extensions"]["field"], field,
            "{input}: {}",
            refused.body
        );
    }
    let duplicate = convert(&app, json!({ "leadId": id })).await;
    assert_eq!(
        duplicate.body["errors"][0]["extensions"]["existingId"], holder["id"],
        "a duplicate e-mail names the contact holding it"
    );
    assert_eq!(written_rows(&app).await, before, "nothing was written");

    // A custom stage key of a non-default pipeline, found by pipelineId.
    let custom = PipelineBuilder::new("Studio")
        .stages([
            Stage::new("Brief").key("brief"),
            Stage::new("Pitch").key("pitch"),
            Stage::won("Signed"),
            Stage::lost("Passed"),
        ])
        .create(&app)
        .await;
    let done = convert(
        &app,
        json!({ "leadId": id, "contact": { "existingId": holder["id"] },
            "deal": { "title": "Pitch", "pipelineId": custom["id"], "stageKey": "pitch", "contactRole": "champion" } }),
    )
    .await;
    let deal = &done.data()["convertLead"]["deal"];
    assert_eq!(deal["stage"]["name"], "Pitch");
    assert_eq!(deal["contacts"][0]["role"], "champion");
    let _ = sales;
}
