//! A deal's contacts (with roles) and company, seen from both sides.

use serde_json::json;

use crate::support::builders::{CompanyBuilder, ContactBuilder, DealBuilder, PipelineBuilder};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn contacts_are_linked_with_roles_and_never_across_workspaces() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Linked").create(&app).await;
    let alice = ContactBuilder::new("Alice").create_id(&app).await;
    let (_, other_key) = app.other_workspace().await;
    let mallory = ContactBuilder::new("Mallory")
        .with_key(&other_key)
        .create_id(&app)
        .await;
    let link = "mutation($input: LinkDealContactInput!) { linkDealContact(input: $input) { dealContact { contactId role } } }";
    let linked = app
        .gql(
            link,
            json!({ "input": { "dealId": deal["id"], "contactId": alice, "role": "champion" } }),
        )
        .await;
    assert_eq!(
        linked.data()["linkDealContact"]["dealContact"]["role"],
        "champion"
    );
    let relinked = app.gql(link, json!({ "input": { "dealId": deal["id"], "contactId": alice, "role": "decision_maker" } })).await;
    assert_eq!(
        relinked.data()["linkDealContact"]["dealContact"]["role"],
        "decision_maker"
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM deal_contacts").await,
        1
    );
    let foreign = app
        .gql(
            link,
            json!({ "input": { "dealId": deal["id"], "contactId": mallory } }),
        )
        .await;
    assert_eq!(foreign.error_code(), "NOT_FOUND");

    let on_deal = app
        .gql(
            "query($id: ID!) { deal(id: $id) { contacts { contactId role } } }",
            json!({ "id": deal["id"] }),
        )
        .await;
    assert_eq!(
        on_deal.data()["deal"]["contacts"],
        json!([{ "contactId": alice, "role": "decision_maker" }])
    );
    let unlink = "mutation($input: UnlinkDealContactInput!) { unlinkDealContact(input: $input) { dealContact { contactId } } }";
    app.gql(
        unlink,
        json!({ "input": { "dealId": deal["id"], "contactId": alice } }),
    )
    .await
    .data();
    let again = app
        .gql(
            unlink,
            json!({ "input": { "dealId": deal["id"], "contactId": alice } }),
        )
        .await;
    assert_eq!(again.error_code(), "NOT_FOUND");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM deal_contacts").await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn contacts_and_companies_show_their_deals() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let company = CompanyBuilder::new("Initech").create_id(&app).await;
    let a = DealBuilder::new("First")
        .company(&company)
        .create(&app)
        .await;
    DealBuilder::new("Second")
        .company(&company)
        .create(&app)
        .await;
    let bob = ContactBuilder::new("Bob").create_id(&app).await;
    app.gql(
        "mutation($d: ID!, $c: ID!) { linkDealContact(input: {dealId: $d, contactId: $c, role: \"end_user\"}) { dealContact { role } } }",
        json!({ "d": a["id"], "c": bob }),
    )
    .await
    .data();
    let deal = app.gql("query($id: ID!) { deal(id: $id) { company { name } contacts { role contact { name } } } }", json!({ "id": a["id"] })).await;
    assert_eq!(deal.data()["deal"]["company"]["name"], "Initech");
    assert_eq!(deal.data()["deal"]["contacts"][0]["contact"]["name"], "Bob");
    let person = app
        .gql(
            "query($id: ID!) { contact(id: $id) { deals { role deal { title } } } }",
            json!({ "id": bob }),
        )
        .await;
    assert_eq!(
        person.data()["contact"]["deals"],
        json!([{ "role": "end_user", "deal": { "title": "First" } }])
    );
    let org = app
        .gql(
            "query($id: ID!) { company(id: $id) { deals(first: 10) { title } } }",
            json!({ "id": company }),
        )
        .await;
    let titles: Vec<&str> = org.data()["company"]["deals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Second", "First"]);
}
