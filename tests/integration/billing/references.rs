//! A deal, company or contact that an invoice names is part of the books: deleting it is a
//! CONFLICT that says so, never an internal error, and nothing is deleted.

use serde_json::json;

use super::customer;
use crate::support::builders::{ContactBuilder, DealBuilder, InvoiceBuilder, PipelineBuilder};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn a_deal_company_or_contact_with_invoices_is_not_deleted() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let company = customer(&app).await;
    let contact = ContactBuilder::new("Priya")
        .company(&company)
        .create_id(&app)
        .await;
    let deal = DealBuilder::new("Website redesign")
        .amount("18000")
        .currency("USD")
        .company(&company)
        .create_id(&app)
        .await;
    // A draft is enough: it names them too.
    InvoiceBuilder::for_company(&company)
        .contact(&contact)
        .deal(&deal)
        .line("Milestone 1", "1", "9000")
        .create(&app)
        .await;
    // (A refused write is audited as refused, so the audit trail is not among these.)
    let tables = ["deals", "companies", "contacts", "outbox_events"];
    let mut before = Vec::new();
    for table in tables {
        before.push(
            app.count(&format!("SELECT count(*) AS n FROM {table}"))
                .await,
        );
    }
    for (mutation, id, what) in [
        ("deleteDeal", &deal, "deal"),
        ("deleteCompany", &company, "company"),
        ("deleteContact", &contact, "contact"),
    ] {
        let response = app
            .gql(
                &format!(
                    "mutation($id: ID!) {{ {mutation}(input: {{id: $id}}) {{ __typename }} }}"
                ),
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            response.error_code(),
            "CONFLICT",
            "{mutation}: {response:?}"
        );
        let message = response.error_message();
        assert!(
            message.contains(what) && message.contains("invoice"),
            "{mutation}: {message}"
        );
    }
    let mut after = Vec::new();
    for table in tables {
        after.push(
            app.count(&format!("SELECT count(*) AS n FROM {table}"))
                .await,
        );
    }
    assert_eq!(before, after, "a refused delete wrote nothing");
}
