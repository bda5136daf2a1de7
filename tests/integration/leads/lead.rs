//! A lead's writes: create with defaults, validation that names the field and writes nothing,
//! one open lead per e-mail address, partial updates, dry runs, replays, versions, and the
//! converted lead that no longer changes.

use serde_json::json;

use super::{create_lead_query, lead_count, mark_converted, update_lead_query, DELETE_LEAD};
use crate::support::builders::LeadBuilder;
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_is_created_new_with_defaults_and_found_by_id_and_node() {
    let app = TestApp::spawn().await;
    let created = app
        .gql(
            &create_lead_query(),
            json!({ "input": {
                "name": "Priya Raman", "email": "Priya@Northstar.example", "companyName": "Northstar Studio",
                "website": "https://northstar.example", "source": "WEBSITE", "tags": ["inbound", "design"],
                "customFields": { "budget": "18k" }, "phone": "+44 20 7946 0000", "title": "Founder"
            } }),
        )
        .await;
    let lead = &created.data()["createLead"]["lead"];
    assert_eq!(lead["status"], "NEW");
    assert_eq!(lead["source"], "WEBSITE");
    assert_eq!(lead["score"], 0);
    assert_eq!(lead["ownerId"], json!(null));
    assert_eq!(lead["version"], 1);
    assert_eq!(lead["tags"], json!(["inbound", "design"]));
    assert_eq!(lead["customFields"]["budget"], "18k");

    let plain = LeadBuilder::new("Sam").create(&app).await;
    assert_eq!(plain["source"], "MANUAL");

    let by_id = app
        .gql(
            "query($id: ID!) { lead(id: $id) { name companyName } node(id: $id) { __typename id } }",
            json!({ "id": lead["id"] }),
        )
        .await;
    assert_eq!(by_id.data()["lead"]["companyName"], "Northstar Studio");
    assert_eq!(by_id.data()["node"]["__typename"], "Lead");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'lead.created'")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'lead.create' AND outcome = 'succeeded'")
            .await,
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_names_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    for (input, field) in [
        (json!({ "name": "  " }), "input.name"),
        (json!({ "name": "P", "email": "priya@" }), "input.email"),
        (json!({ "name": "P", "score": 101 }), "input.score"),
        (json!({ "name": "P", "score": -1 }), "input.score"),
        (json!({ "name": "P", "tags": [""] }), "input.tags"),
        (
            json!({ "name": "P", "customFields": [1] }),
            "input.customFields",
        ),
    ] {
        let refused = app
            .gql(&create_lead_query(), json!({ "input": input }))
            .await;
        assert_eq!(refused.error_code(), "BAD_USER_INPUT", "{input}");
        assert_eq!(
            refused.body["errors"][0]["extensions"]["field"], field,
            "{input}: {}",
            refused.body
        );
    }
    // An unknown source is not a LeadSource at all.
    let unknown = app
        .gql(
            &create_lead_query(),
            json!({ "input": { "name": "P", "source": "FAX" } }),
        )
        .await;
    assert!(unknown.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("FAX"));
    assert_eq!(lead_count(&app).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_open_lead_per_email_address() {
    let app = TestApp::spawn().await;
    let first = LeadBuilder::new("Priya")
        .email("priya@northstar.example")
        .create(&app)
        .await;
    let duplicate = app
        .gql(
            &create_lead_query(),
            json!({ "input": { "name": "Priya again", "email": "PRIYA@northstar.example" } }),
        )
        .await;
    assert_eq!(duplicate.error_code(), "CONFLICT");
    assert_eq!(
        duplicate.body["errors"][0]["extensions"]["field"],
        "input.email"
    );
    assert_eq!(
        duplicate.body["errors"][0]["extensions"]["existingId"],
        first["id"]
    );
    assert_eq!(lead_count(&app).await, 1);

    // Once converted, the address is free for a new lead: the same person may come back.
    mark_converted(&app, &first).await;
    LeadBuilder::new("Priya, returning")
        .email("priya@northstar.example")
        .create(&app)
        .await;
    // Other workspaces have their own leads.
    let (_, their_key) = app.other_workspace().await;
    LeadBuilder::new("Priya elsewhere")
        .email("priya@northstar.example")
        .with_key(&their_key)
        .create(&app)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn updates_are_partial_versioned_dry_runnable_and_replayed() {
    let app = TestApp::spawn().await;
    let lead = LeadBuilder::new("Priya")
        .email("priya@northstar.example")
        .company_name("Northstar")
        .create(&app)
        .await;
    let dry = app
        .gql(
            &update_lead_query(),
            json!({ "input": { "id": lead["id"], "title": "Founder", "dryRun": true } }),
        )
        .await;
    assert_eq!(dry.data()["updateLead"]["dryRun"], true);
    assert_eq!(dry.data()["updateLead"]["lead"]["title"], "Founder");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM leads WHERE title IS NOT NULL")
            .await,
        0
    );

    let input = json!({ "input": {
        "id": lead["id"], "expectedVersion": 1, "title": "Founder", "companyName": null,
        "score": 40, "idempotencyKey": "lead-upd-1"
    } });
    let updated = app.gql(&update_lead_query(), input.clone()).await;
    let after = &updated.data()["updateLead"]["lead"];
    assert_eq!(after["title"], "Founder");
    assert_eq!(after["companyName"], json!(null));
    assert_eq!(after["email"], "priya@northstar.example");
    assert_eq!(after["score"], 40);
    assert_eq!(after["version"], 2);
    let replay = app.gql(&update_lead_query(), input).await;
    assert_eq!(replay.data()["updateLead"]["replayed"], true);
    assert_eq!(replay.data()["updateLead"]["lead"]["version"], 2);

    let stale = app
        .gql(
            &update_lead_query(),
            json!({ "input": { "id": lead["id"], "expectedVersion": 1, "name": "P" } }),
        )
        .await;
    assert_eq!(stale.error_code(), "STALE_OBJECT");
    let too_high = app
        .gql(
            &update_lead_query(),
            json!({ "input": { "id": lead["id"], "score": 101 } }),
        )
        .await;
    assert_eq!(
        too_high.body["errors"][0]["extensions"]["field"],
        "input.score"
    );
    let no_name = app
        .gql(
            &update_lead_query(),
            json!({ "input": { "id": lead["id"], "name": null } }),
        )
        .await;
    assert_eq!(
        no_name.body["errors"][0]["extensions"]["field"],
        "input.name"
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM leads WHERE version = 2")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_converted_lead_is_read_only() {
    let app = TestApp::spawn().await;
    let lead = LeadBuilder::new("Priya").create(&app).await;
    mark_converted(&app, &lead).await;
    let update = app
        .gql(
            &update_lead_query(),
            json!({ "input": { "id": lead["id"], "title": "CEO" } }),
        )
        .await;
    assert_eq!(update.error_code(), "CONFLICT");
    assert!(
        update.error_message().contains("converted"),
        "{}",
        update.body
    );
    let delete = app
        .gql(DELETE_LEAD, json!({ "input": { "id": lead["id"] } }))
        .await;
    assert_eq!(delete.error_code(), "CONFLICT");
    assert_eq!(lead_count(&app).await, 1);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM leads WHERE version = 1")
            .await,
        1
    );

    // An open lead may be deleted; the deletion is published.
    let open = LeadBuilder::new("Sam").create(&app).await;
    let deleted = app
        .gql(DELETE_LEAD, json!({ "input": { "id": open["id"] } }))
        .await;
    assert_eq!(deleted.data()["deleteLead"]["lead"]["name"], "Sam");
    assert_eq!(lead_count(&app).await, 1);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'lead.deleted'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_key_reads_and_another_workspace_sees_nothing() {
    use dealgraph::auth::Scope;
    let app = TestApp::spawn().await;
    let lead = LeadBuilder::new("Priya").create(&app).await;
    let reader = app.key_with(&[Scope::CrmRead]).await;
    let listed = app
        .gql_as(&reader, "{ leads { totalCount } }", json!({}))
        .await;
    assert_eq!(listed.data()["leads"]["totalCount"], 1);
    let refused = app
        .gql_as(
            &reader,
            &create_lead_query(),
            json!({ "input": { "name": "Sam" } }),
        )
        .await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    assert_eq!(lead_count(&app).await, 1);

    let (_, their_key) = app.other_workspace().await;
    let theirs = app
        .gql_as(
            &their_key,
            "query($id: ID!) { lead(id: $id) { id } leads { totalCount } }",
            json!({ "id": lead["id"] }),
        )
        .await;
    assert_eq!(theirs.data()["lead"], json!(null));
    assert_eq!(theirs.data()["leads"]["totalCount"], 0);
    let update = app
        .gql_as(
            &their_key,
            &update_lead_query(),
            json!({ "input": { "id": lead["id"], "name": "Taken" } }),
        )
        .await;
    assert_eq!(update.error_code(), "NOT_FOUND");
}
