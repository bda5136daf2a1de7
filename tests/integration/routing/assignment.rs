//! New unowned leads and deals get the owner of the first rule whose conditions all hold, in
//! their creation's transaction: one owner, or the next of a rotation that concurrent
//! creations never share a slot of.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::owner;
use crate::support::builders::{
    CompanyBuilder, DealBuilder, LeadBuilder, PipelineBuilder, RoutingRuleBuilder, LEAD_FIELDS,
};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn round_robin_hands_out_owners_in_turn() {
    let app = TestApp::spawn().await;
    RoutingRuleBuilder::lead("Everyone", 0)
        .round_robin(&["ana", "ben", "cai"])
        .create(&app)
        .await;
    let mut owners = Vec::new();
    for i in 0..5 {
        let lead = LeadBuilder::new(&format!("Lead {i}")).create(&app).await;
        owners.push(owner(&lead).unwrap().to_owned());
    }
    assert_eq!(owners, ["ana", "ben", "cai", "ana", "ben"]);
    let rules = super::rules_of(&app, "LEAD").await;
    assert_eq!(rules[0]["nextOwnerId"], "cai");
    assert_eq!(
        rules[0]["version"], 1,
        "taking a slot is no edit of the rule"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_creations_never_share_a_slot() {
    let app = TestApp::spawn_with(|config| config.pool_size = 8).await;
    RoutingRuleBuilder::lead("Everyone", 0)
        .round_robin(&["ana", "ben", "cai", "dev"])
        .create(&app)
        .await;
    let mutation = format!(
        "mutation($input: CreateLeadInput!) {{ createLead(input: $input) {{ lead {{ {LEAD_FIELDS} }} }} }}"
    );
    let creations = (0..16).map(|i| {
        let (app, mutation) = (&app, &mutation);
        async move {
            let response = app
                .gql(
                    mutation,
                    json!({ "input": { "name": format!("Lead {i}") } }),
                )
                .await;
            response.data()["createLead"]["lead"]["ownerId"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    });
    let owners = futures_util::future::join_all(creations).await;
    let mut per_owner: HashMap<String, i32> = HashMap::new();
    for owner in owners {
        *per_owner.entry(owner).or_default() += 1;
    }
    let expected: HashMap<String, i32> = ["ana", "ben", "cai", "dev"]
        .iter()
        .map(|o| (o.to_string(), 4))
        .collect();
    assert_eq!(per_owner, expected, "16 slots, 4 owners: each exactly 4");
    assert_eq!(
        app.count("SELECT next_slot AS n FROM routing_rules").await,
        16
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_matching_rule_wins_and_no_match_leaves_the_lead_unowned() {
    let app = TestApp::spawn().await;
    RoutingRuleBuilder::lead("Web", 1)
        .condition(json!({ "field": "SOURCE", "operator": "EQUALS", "value": "WEBSITE" }))
        .owner("web-team")
        .create(&app)
        .await;
    RoutingRuleBuilder::lead("VIP", 0)
        .condition(json!({ "field": "TAG", "operator": "EQUALS", "value": "vip" }))
        .owner("vip-team")
        .create(&app)
        .await;
    let vip_from_web = LeadBuilder::new("A")
        .source("WEBSITE")
        .tags(&["VIP"])
        .create(&app)
        .await;
    assert_eq!(
        owner(&vip_from_web),
        Some("vip-team"),
        "position 0 is tried first"
    );
    let from_web = LeadBuilder::new("B").source("WEBSITE").create(&app).await;
    assert_eq!(owner(&from_web), Some("web-team"));
    let referral = LeadBuilder::new("C").source("REFERRAL").create(&app).await;
    assert_eq!(owner(&referral), None);
    let owned = LeadBuilder::new("D")
        .source("WEBSITE")
        .owner("me")
        .create(&app)
        .await;
    assert_eq!(owner(&owned), Some("me"), "an owner given is kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn lead_conditions_on_country_custom_fields_and_tags() {
    let app = TestApp::spawn().await;
    RoutingRuleBuilder::lead("DACH", 0)
        .condition(json!({ "field": "COUNTRY", "operator": "IN", "value": ["de", "AT", "CH"] }))
        .owner("dach")
        .create(&app)
        .await;
    RoutingRuleBuilder::lead("Enterprise plans", 1)
        .condition(json!({ "field": "CUSTOM_FIELD", "key": "plan", "operator": "IN", "value": ["enterprise", "pro"] }))
        .owner("enterprise")
        .create(&app)
        .await;
    RoutingRuleBuilder::lead("Has budget", 2)
        .condition(json!({ "field": "CUSTOM_FIELD", "key": "budget", "operator": "EXISTS" }))
        .owner("budget")
        .create(&app)
        .await;
    RoutingRuleBuilder::lead("Events", 3)
        .condition(json!({ "field": "TAG", "operator": "IN", "value": ["webinar", "expo"] }))
        .owner("events")
        .create(&app)
        .await;
    let cases = [
        (json!({ "country": "de" }), &[][..], Some("dach")),
        (
            json!({ "country": "FR", "plan": "pro" }),
            &[],
            Some("enterprise"),
        ),
        (json!({ "plan": "free", "budget": 0 }), &[], Some("budget")),
        (json!({ "budget": null }), &["Expo"][..], Some("events")),
        (json!({ "country": "FR" }), &["newsletter"][..], None),
    ];
    for (i, (custom_fields, tags, expected)) in cases.into_iter().enumerate() {
        let lead = LeadBuilder::new(&format!("Lead {i}"))
            .custom_fields(custom_fields.clone())
            .tags(tags)
            .create(&app)
            .await;
        assert_eq!(owner(&lead), expected, "{custom_fields} {tags:?}");
    }
}

async fn deal_owner(app: &TestApp, deal: &Value) -> Option<String> {
    let response = app
        .gql(
            "query($id: ID!) { deal(id: $id) { ownerId } }",
            json!({ "id": deal["id"] }),
        )
        .await;
    response.data()["deal"]["ownerId"]
        .as_str()
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread")]
async fn deal_conditions_on_amount_pipeline_and_company_country() {
    let app = TestApp::spawn().await;
    let sales = PipelineBuilder::new("Sales").create(&app).await;
    let partners = PipelineBuilder::new("Partners").create(&app).await;
    RoutingRuleBuilder::deal("Partner deals", 0)
        .condition(json!({ "field": "PIPELINE", "operator": "EQUALS", "value": partners["id"] }))
        .owner("partner-desk")
        .create(&app)
        .await;
    RoutingRuleBuilder::deal("Big euro deals", 1)
        .condition(
            json!({ "field": "AMOUNT", "operator": "GTE", "value": "10000", "currency": "EUR" }),
        )
        .owner("closer")
        .create(&app)
        .await;
    RoutingRuleBuilder::deal("Small euro deals", 2)
        .condition(
            json!({ "field": "AMOUNT", "operator": "LTE", "value": "500", "currency": "EUR" }),
        )
        .owner("self-serve")
        .create(&app)
        .await;
    RoutingRuleBuilder::deal("Japan", 3)
        .condition(json!({ "field": "COUNTRY", "operator": "EQUALS", "value": "JP" }))
        .owner("tokyo")
        .create(&app)
        .await;
    let japanese = CompanyBuilder::new("Kaisha")
        .country("JP")
        .create_id(&app)
        .await;
    let partner_stage = partners["stages"][0]["id"].clone();
    let sales_stage = sales["stages"][0]["id"].clone();
    let cases = [
        (
            DealBuilder::new("Via partner")
                .amount("20000")
                .currency("EUR")
                .stage(&partner_stage),
            Some("partner-desk"),
        ),
        (
            DealBuilder::new("Big")
                .amount("10000")
                .currency("EUR")
                .stage(&sales_stage),
            Some("closer"),
        ),
        (
            DealBuilder::new("Big, dollars")
                .amount("90000")
                .currency("USD")
                .stage(&sales_stage),
            None,
        ),
        (
            DealBuilder::new("Small").amount("500").currency("EUR"),
            Some("self-serve"),
        ),
        (
            DealBuilder::new("Middle").amount("5000").currency("EUR"),
            None,
        ),
        (
            DealBuilder::new("Tokyo")
                .amount("5000")
                .currency("JPY")
                .company(&japanese),
            Some("tokyo"),
        ),
        (
            DealBuilder::new("Owned")
                .amount("20000")
                .currency("EUR")
                .owner("me"),
            Some("me"),
        ),
    ];
    for (builder, expected) in cases {
        let deal = builder.create(&app).await;
        assert_eq!(
            deal_owner(&app, &deal).await.as_deref(),
            expected,
            "{}",
            deal["title"]
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_routed_owner_is_in_the_creations_audit_and_event_and_dry_runs_give_slots_back() {
    let app = TestApp::spawn().await;
    RoutingRuleBuilder::lead("Everyone", 0)
        .round_robin(&["ana", "ben"])
        .create(&app)
        .await;
    let mutation = format!(
        "mutation($input: CreateLeadInput!) {{ createLead(input: $input) {{ dryRun lead {{ {LEAD_FIELDS} }} }} }}"
    );
    let dry = app
        .gql(
            &mutation,
            json!({ "input": { "name": "Dry", "dryRun": true } }),
        )
        .await;
    assert_eq!(owner(&dry.data()["createLead"]["lead"]), Some("ana"));
    let lead = LeadBuilder::new("Real").create(&app).await;
    assert_eq!(
        owner(&lead),
        Some("ana"),
        "the dry run's slot was rolled back"
    );

    let created = app.event_payloads("lead.created").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["ownerId"], "ana");
    let audited = app
        .count(&format!(
            "SELECT count(*) AS n FROM audit_events WHERE action = 'lead.create' AND dry_run = false \
             AND after->>'owner_id' = 'ana' AND entity_id = '{}'",
            lead["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(audited, 1);
}
