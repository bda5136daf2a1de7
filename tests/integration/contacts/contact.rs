//! A contact: its lifecycle with audit and events, e-mail uniqueness and shape.

use serde_json::json;

use super::{create_contact_query, field, update_contact, CONTACT_BY_ID, DELETE_CONTACT};
use crate::support::builders::{CompanyBuilder, ContactBuilder};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn contacts_are_created_read_updated_and_deleted_with_audit_and_events() {
    let app = TestApp::spawn().await;
    let acme = CompanyBuilder::new("Acme")
        .domain("acme.com")
        .create(&app)
        .await;
    let ada = ContactBuilder::first_last("Ada", "Lovelace")
        .email("ada@example.com")
        .company(&acme["id"])
        .lifecycle_stage("MQL")
        .lead_score(10)
        .tags(&["vip"])
        .custom_fields(json!({ "plan": "pro" }))
        .owner("user-7")
        .create(&app)
        .await;
    assert_eq!(ada["name"], "Ada Lovelace");
    assert_eq!(ada["company"]["name"], "Acme");
    assert_eq!(ada["companyId"], acme["id"]);
    assert_eq!(ada["lifecycleStage"], "MQL");
    assert_eq!(ada["tags"], json!(["vip"]));
    assert_eq!(ada["customFields"], json!({ "plan": "pro" }));
    assert_eq!(ada["version"], 1);
    let stored = app
        .count("SELECT count(*) AS n FROM contacts WHERE lifecycle_stage = 'mql'")
        .await;
    assert_eq!(stored, 1, "the stage is stored in lower case");

    let read = app.gql(CONTACT_BY_ID, json!({ "id": ada["id"] })).await;
    assert_eq!(read.data()["contact"]["name"], "Ada Lovelace");

    let updated = update_contact(
        &app,
        json!({ "id": ada["id"], "title": "Analyst", "expectedVersion": 1 }),
    )
    .await;
    let updated = &updated.data()["updateContact"]["contact"];
    assert_eq!(updated["title"], "Analyst");
    assert_eq!(updated["version"], 2);
    assert_ne!(updated["updatedAt"], ada["updatedAt"]);

    let deleted = app
        .gql(
            DELETE_CONTACT,
            json!({ "input": { "id": ada["id"], "expectedVersion": 2 } }),
        )
        .await;
    assert_eq!(
        deleted.data()["deleteContact"]["contact"]["name"],
        "Ada Lovelace"
    );
    let gone = app.gql(CONTACT_BY_ID, json!({ "id": ada["id"] })).await;
    assert!(gone.data()["contact"].is_null());
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 0);

    for action in ["contact.create", "contact.update", "contact.delete"] {
        let audited = app
            .count(&format!(
                "SELECT count(*) AS n FROM audit_events WHERE action = '{action}' AND outcome = 'succeeded' AND entity_id = '{}'",
                ada["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(audited, 1, "{action}");
    }
    // Before and after are the row.
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'contact.update' AND before->>'title' IS NULL AND after->>'title' = 'Analyst' AND (after->>'version')::int = 2").await, 1);
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'contact.delete' AND before->>'name' = 'Ada Lovelace' AND after IS NULL").await, 1);
    for event in ["contact.created", "contact.updated", "contact.deleted"] {
        let published = app
            .count(&format!(
                "SELECT count(*) AS n FROM outbox_events WHERE event_type = '{event}'"
            ))
            .await;
        assert_eq!(published, 1, "{event}");
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'contact.updated' AND payload->'changed' = '[\"title\"]'").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_email_in_another_case_is_a_conflict_naming_the_existing_contact() {
    let app = TestApp::spawn().await;
    let ada = ContactBuilder::new("Ada")
        .email("ada@example.com")
        .create(&app)
        .await;
    let duplicate = app
        .gql(
            &create_contact_query(),
            json!({ "input": { "name": "Ada again", "email": "ADA@Example.COM" } }),
        )
        .await;
    assert_eq!(duplicate.error_code(), "CONFLICT");
    assert_eq!(field(&duplicate), "input.email");
    assert_eq!(
        duplicate.body["errors"][0]["extensions"]["existingId"],
        ada["id"]
    );
    let message = duplicate.error_message();
    assert!(
        !message.contains("duplicate key") && !message.contains("contacts_email_unique"),
        "{message}"
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 1);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'contact.created'")
            .await,
        1
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'contact.create' AND outcome = 'failed' AND error_code = 'CONFLICT'").await, 1);

    // Changing another contact's e-mail to a taken one is refused the same way.
    let grace = ContactBuilder::new("Grace").create(&app).await;
    let taken = update_contact(
        &app,
        json!({ "id": grace["id"], "email": "Ada@example.com" }),
    )
    .await;
    assert_eq!(taken.error_code(), "CONFLICT");
    assert_eq!(field(&taken), "input.email");
    assert_eq!(
        taken.body["errors"][0]["extensions"]["existingId"],
        ada["id"]
    );
    let grace_now = app.gql(CONTACT_BY_ID, json!({ "id": grace["id"] })).await;
    assert_eq!(grace_now.data()["contact"]["version"], 1);

    // A contact keeps its own address when re-saving it in another case.
    let same = update_contact(&app, json!({ "id": ada["id"], "email": "ADA@example.com" })).await;
    assert_eq!(
        same.data()["updateContact"]["contact"]["email"],
        "ADA@example.com"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn email_shape_is_checked() {
    let app = TestApp::spawn().await;
    for bad in ["ada", "ada@example", "ada @example.com", "ada@@example.com"] {
        let response = app
            .gql(
                &create_contact_query(),
                json!({ "input": { "name": "Ada", "email": bad } }),
            )
            .await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT", "{bad}");
        assert_eq!(field(&response), "input.email");
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 0);
}
