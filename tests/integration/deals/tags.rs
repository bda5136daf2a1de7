//! Deal tags.

use serde_json::json;

use crate::support::builders::{DealBuilder, PipelineBuilder};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn deal_tags_are_unique_and_filterable() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let a = DealBuilder::new("A").create(&app).await;
    DealBuilder::new("B").create(&app).await;
    let tag = app.gql("mutation { createDealTag(input: {name: \"Hot\", color: \"#ff0000\"}) { tag { id name } } }", json!({})).await;
    let tag_id = tag.data()["createDealTag"]["tag"]["id"].clone();
    let dup = app
        .gql(
            "mutation { createDealTag(input: {name: \"hot\"}) { tag { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(dup.error_code(), "CONFLICT");
    let tag_deal = "mutation($d: ID!, $t: ID!) { tagDeal(input: {dealId: $d, tagId: $t}) { deal { tags { name } } } }";
    let tagged = app
        .gql(tag_deal, json!({ "d": a["id"], "t": tag_id }))
        .await;
    assert_eq!(
        tagged.data()["tagDeal"]["deal"]["tags"],
        json!([{ "name": "Hot" }])
    );
    app.gql(tag_deal, json!({ "d": a["id"], "t": tag_id }))
        .await
        .data();
    let filtered = app
        .gql(
            "query($t: ID!) { deals(filter: {tagId: $t}) { totalCount nodes { title } } }",
            json!({ "t": tag_id }),
        )
        .await;
    assert_eq!(filtered.data()["deals"]["totalCount"], 1);
    assert_eq!(filtered.data()["deals"]["nodes"][0]["title"], "A");
    let untag = "mutation($d: ID!, $t: ID!) { untagDeal(input: {dealId: $d, tagId: $t}) { deal { tags { name } } } }";
    assert_eq!(
        app.gql(untag, json!({ "d": a["id"], "t": tag_id }))
            .await
            .data()["untagDeal"]["deal"]["tags"],
        json!([])
    );
}
