//! Deals: create, update, moves with a lossless history, links, tags, lists.

use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

use crate::pipelines::{pipeline, pipeline_as, stage_ids};
use crate::support::TestApp;

const DEAL_FIELDS: &str = "id title amount currency closeProbability closeProbabilityIsSet status wonAt lostAt lostReason version valuePeriod customFields expectedCloseDate stage { id name } pipeline { id }";

fn create_deal_query() -> String {
    format!("mutation($input: CreateDealInput!) {{ createDeal(input: $input) {{ deal {{ {DEAL_FIELDS} }} }} }}")
}

fn move_query() -> String {
    format!("mutation($input: MoveDealInput!) {{ moveDeal(input: $input) {{ stageChange {{ sequence fromStageId toStageId amount currency }} deal {{ {DEAL_FIELDS} }} }} }}")
}

async fn create_deal(app: &TestApp, input: Value) -> Value {
    let response = app
        .gql(&create_deal_query(), json!({ "input": input }))
        .await;
    response.data()["createDeal"]["deal"].clone()
}

async fn move_deal(
    app: &TestApp,
    deal: &Value,
    stage: &str,
    reason: Option<&str>,
) -> crate::support::GqlResponse {
    app.gql(
        &move_query(),
        json!({ "input": { "dealId": deal["id"], "stageId": stage, "lostReason": reason } }),
    )
    .await
}

async fn history(app: &TestApp, deal_id: &Value) -> Vec<Value> {
    let response = app
        .gql(
            "query($id: ID!) { deal(id: $id) { stageChanges(first: 100) { totalCount nodes { sequence fromStageId toStageId fromPipelineId toPipelineId amount currency actorKeyId } } } }",
            json!({ "id": deal_id }),
        )
        .await;
    let mut nodes = response.data()["deal"]["stageChanges"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    nodes.reverse();
    nodes
}

/// Every change's `from` is the previous change's `to`, and sequences are 1, 2, 3, …
fn assert_chain(changes: &[Value]) {
    for (i, change) in changes.iter().enumerate() {
        assert_eq!(change["sequence"], i + 1, "{changes:?}");
        if i == 0 {
            assert!(change["fromStageId"].is_null());
        } else {
            assert_eq!(
                change["fromStageId"],
                changes[i - 1]["toStageId"],
                "broken chain at {i}: {changes:?}"
            );
        }
    }
}

async fn contact(app: &TestApp, workspace: uuid::Uuid, name: &str) -> String {
    let id = uuid::Uuid::now_v7();
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query(format!(
        "INSERT INTO contacts (workspace_id, id, name) VALUES ('{workspace}', '{id}', '{name}')"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    id.to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deal_without_a_stage_lands_in_the_default_pipelines_first_stage() {
    let app = TestApp::spawn().await;
    let none = app
        .gql(
            &create_deal_query(),
            json!({ "input": { "title": "Early" } }),
        )
        .await;
    assert_eq!(none.error_code(), "BAD_USER_INPUT");
    let sales = pipeline(&app, "Sales").await;
    let deal = create_deal(&app, json!({ "title": "Acme renewal", "amount": "1200.5" })).await;
    assert_eq!(deal["stage"]["id"], sales["stages"][0]["id"]);
    assert_eq!(deal["pipeline"]["id"], sales["id"]);
    assert_eq!(deal["amount"], "1200.50");
    assert_eq!(deal["currency"], "USD", "the workspace's default currency");
    assert_eq!(deal["closeProbability"], "0.1", "follows the stage");
    assert_eq!(deal["closeProbabilityIsSet"], false);
    assert_eq!(deal["status"], "OPEN");
    let changes = history(&app, &deal["id"]).await;
    assert_eq!(changes.len(), 1);
    assert_chain(&changes);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'deal.created'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_deal_input_names_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    pipeline(&app, "Sales").await;
    let (_, other_key) = app.other_workspace().await;
    let foreign = pipeline_as(&app, &other_key, "Theirs").await;
    let cases = [
        (
            json!({ "title": "x", "amount": "-5" }),
            "BAD_USER_INPUT",
            "input.amount",
        ),
        (
            json!({ "title": "x", "amount": "10", "closeProbability": "1.5" }),
            "BAD_USER_INPUT",
            "input.closeProbability",
        ),
        (
            json!({ "title": "x", "amount": "10", "currency": "USX" }),
            "BAD_USER_INPUT",
            "input.currency",
        ),
        (
            json!({ "title": "x", "amount": "12.345", "currency": "JPY" }),
            "BAD_USER_INPUT",
            "input.amount",
        ),
        (
            json!({ "title": "x".repeat(10_000) }),
            "BAD_USER_INPUT",
            "input.title",
        ),
        (
            json!({ "title": "x", "customFields": [1, 2] }),
            "BAD_USER_INPUT",
            "input.customFields",
        ),
        (
            json!({ "title": "x", "customFields": "plan=pro" }),
            "BAD_USER_INPUT",
            "input.customFields",
        ),
        (
            json!({ "title": "x", "description": "d".repeat(20_001) }),
            "BAD_USER_INPUT",
            "input.description",
        ),
        (
            json!({ "title": "x", "stageId": stage_ids(&foreign)[0] }),
            "NOT_FOUND",
            "",
        ),
        (
            json!({ "title": "x", "stageId": uuid::Uuid::now_v7() }),
            "NOT_FOUND",
            "",
        ),
        (
            json!({ "title": "x", "companyId": uuid::Uuid::now_v7() }),
            "NOT_FOUND",
            "",
        ),
    ];
    for (input, code, field) in cases {
        let response = app
            .gql(&create_deal_query(), json!({ "input": input }))
            .await;
        assert_eq!(response.error_code(), code, "{input}: {}", response.body);
        if !field.is_empty() {
            assert_eq!(
                response.body["errors"][0]["extensions"]["field"], field,
                "{}",
                response.body
            );
        }
    }
    // A JSON number is refused for money: it would pass through a float.
    let float = app
        .gql(
            &create_deal_query(),
            json!({ "input": { "title": "x", "amount": 10.1 } }),
        )
        .await;
    assert_eq!(float.error_code(), "BAD_USER_INPUT");
    assert_eq!(app.count("SELECT count(*) AS n FROM deals").await, 0);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM stage_changes").await,
        0
    );
    // The foreign stage's error looks exactly like a missing one.
    let a = app
        .gql(
            &create_deal_query(),
            json!({ "input": { "title": "x", "stageId": stage_ids(&foreign)[0] } }),
        )
        .await;
    assert!(
        a.error_message().starts_with("stage ") && a.error_message().ends_with(" was not found")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn moves_stamp_outcomes_and_build_a_chain() {
    let app = TestApp::spawn().await;
    let sales = pipeline(&app, "Sales").await;
    let ids = stage_ids(&sales);
    let deal = create_deal(
        &app,
        json!({ "title": "Big one", "amount": "5000", "currency": "EUR" }),
    )
    .await;

    let moved = move_deal(&app, &deal, &ids[2], None).await;
    let payload = &moved.data()["moveDeal"];
    assert_eq!(payload["stageChange"]["sequence"], 2);
    assert_eq!(payload["stageChange"]["amount"], "5000.00");
    assert_eq!(payload["stageChange"]["currency"], "EUR");
    assert_eq!(payload["deal"]["closeProbability"], "0.5");

    let won = move_deal(&app, &deal, &ids[4], None).await;
    assert!(won.data()["moveDeal"]["deal"]["wonAt"].is_string());
    assert_eq!(won.data()["moveDeal"]["deal"]["status"], "WON");

    let no_reason = move_deal(&app, &deal, &ids[5], None).await;
    assert_eq!(no_reason.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        no_reason.body["errors"][0]["extensions"]["field"],
        "input.lostReason"
    );
    let lost = move_deal(&app, &deal, &ids[5], Some("went with a competitor")).await;
    let lost_deal = &lost.data()["moveDeal"]["deal"];
    assert!(lost_deal["lostAt"].is_string());
    assert!(lost_deal["wonAt"].is_null());
    assert_eq!(lost_deal["lostReason"], "went with a competitor");

    let reopened = move_deal(&app, &deal, &ids[1], None).await;
    let reopened = &reopened.data()["moveDeal"]["deal"];
    assert!(
        reopened["lostAt"].is_null()
            && reopened["wonAt"].is_null()
            && reopened["lostReason"].is_null()
    );

    // Moving to the current stage changes nothing and records nothing.
    let version = reopened["version"].clone();
    let same = move_deal(&app, &deal, &ids[1], None).await;
    assert!(same.data()["moveDeal"]["stageChange"].is_null());
    assert_eq!(same.data()["moveDeal"]["deal"]["version"], version);

    let changes = history(&app, &deal["id"]).await;
    assert_eq!(changes.len(), 5);
    assert_chain(&changes);
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM outbox_events WHERE event_type = 'deal.stage_changed'"
        )
        .await,
        4
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'deal.won'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM outbox_events WHERE event_type = 'deal.lost'")
            .await,
        1
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'deal.move' AND outcome = 'succeeded'").await, 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn win_lose_and_moves_to_another_pipeline() {
    let app = TestApp::spawn().await;
    let sales = pipeline(&app, "Sales").await;
    let partners = pipeline(&app, "Partners").await;
    let deal = create_deal(&app, json!({ "title": "Cross" })).await;
    let moved = move_deal(&app, &deal, &stage_ids(&partners)[1], None).await;
    assert_eq!(
        moved.data()["moveDeal"]["deal"]["pipeline"]["id"],
        partners["id"]
    );
    let won = app
        .gql(
            "mutation($id: ID!) { winDeal(input: {dealId: $id}) { deal { status stage { id } } } }",
            json!({ "id": deal["id"] }),
        )
        .await;
    assert_eq!(
        won.data()["winDeal"]["deal"]["stage"]["id"],
        stage_ids(&partners)[4]
    );
    let blank = app.gql("mutation($id: ID!) { loseDeal(input: {dealId: $id, reason: \" \"}) { deal { status } } }", json!({ "id": deal["id"] })).await;
    assert_eq!(
        blank.body["errors"][0]["extensions"]["field"],
        "input.reason"
    );
    let lost = app.gql("mutation($id: ID!) { loseDeal(input: {dealId: $id, reason: \"budget\"}) { deal { status lostReason } } }", json!({ "id": deal["id"] })).await;
    assert_eq!(lost.data()["loseDeal"]["deal"]["status"], "LOST");
    let changes = history(&app, &deal["id"]).await;
    assert_chain(&changes);
    assert_eq!(changes[1]["fromPipelineId"], sales["id"]);
    assert_eq!(changes[1]["toPipelineId"], partners["id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_moves_of_one_deal_keep_the_history_a_chain() {
    let app = TestApp::spawn_with(|c| c.pool_size = 8).await;
    let sales = pipeline(&app, "Sales").await;
    let ids = stage_ids(&sales);
    let deal = create_deal(&app, json!({ "title": "Contended" })).await;
    let moves = (0..40).map(|i| {
        let stage = ids[i % 4].clone();
        let app = &app;
        let deal = &deal;
        async move { move_deal(app, deal, &stage, None).await }
    });
    let results = futures_util::future::join_all(moves).await;
    for result in &results {
        assert!(result.body.get("errors").is_none(), "{}", result.body);
    }
    let recorded = results
        .iter()
        .filter(|r| !r.body["data"]["moveDeal"]["stageChange"].is_null())
        .count();
    let changes = history(&app, &deal["id"]).await;
    assert_eq!(changes.len(), recorded + 1);
    assert_chain(&changes);
    let current = app
        .gql(
            "query($id: ID!) { deal(id: $id) { stage { id } } }",
            json!({ "id": deal["id"] }),
        )
        .await;
    assert_eq!(
        current.data()["deal"]["stage"]["id"],
        changes.last().unwrap()["toStageId"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn updates_are_partial_versioned_and_probability_follows_the_stage_until_set() {
    let app = TestApp::spawn().await;
    let sales = pipeline(&app, "Sales").await;
    let deal = create_deal(&app, json!({ "title": "Upd", "amount": "100", "customFields": { "plan": "pro" }, "expectedCloseDate": "2026-12-31" })).await;
    let update = format!("mutation($input: UpdateDealInput!) {{ updateDeal(input: $input) {{ deal {{ {DEAL_FIELDS} description ownerId }} }} }}");
    let set = app.gql(&update, json!({ "input": { "id": deal["id"], "closeProbability": "0.9", "ownerId": "u1", "expectedVersion": 1 } })).await;
    let d = &set.data()["updateDeal"]["deal"];
    assert_eq!(d["closeProbability"], "0.9");
    assert_eq!(d["closeProbabilityIsSet"], true);
    assert_eq!(d["customFields"]["plan"], "pro", "absent fields stay");
    assert_eq!(d["expectedCloseDate"], "2026-12-31");
    assert_eq!(d["version"], 2);

    let stale = app
        .gql(
            &update,
            json!({ "input": { "id": deal["id"], "title": "Nope", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(stale.error_code(), "STALE_OBJECT");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM deals WHERE title = 'Nope'")
            .await,
        0
    );

    let reset = app.gql(&update, json!({ "input": { "id": deal["id"], "closeProbability": null, "expectedCloseDate": null, "ownerId": null } })).await;
    let d = &reset.data()["updateDeal"]["deal"];
    assert_eq!(d["closeProbability"], sales["stages"][0]["probability"]);
    assert!(d["expectedCloseDate"].is_null() && d["ownerId"].is_null());

    let yen = app
        .gql(
            &update,
            json!({ "input": { "id": deal["id"], "currency": "JPY", "amount": "100.5" } }),
        )
        .await;
    assert_eq!(yen.body["errors"][0]["extensions"]["field"], "input.amount");
    let yen = app
        .gql(
            &update,
            json!({ "input": { "id": deal["id"], "currency": "JPY" } }),
        )
        .await;
    assert_eq!(yen.data()["updateDeal"]["deal"]["amount"], "100");
}

#[tokio::test(flavor = "multi_thread")]
async fn contacts_are_linked_with_roles_and_never_across_workspaces() {
    let app = TestApp::spawn().await;
    pipeline(&app, "Sales").await;
    let deal = create_deal(&app, json!({ "title": "Linked" })).await;
    let alice = contact(&app, app.workspace_id, "Alice").await;
    let (other_ws, _) = app.other_workspace().await;
    let mallory = contact(&app, other_ws, "Mallory").await;
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
async fn deal_tags_are_unique_and_filterable() {
    let app = TestApp::spawn().await;
    pipeline(&app, "Sales").await;
    let a = create_deal(&app, json!({ "title": "A" })).await;
    create_deal(&app, json!({ "title": "B" })).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn deal_lists_filter_order_and_page_with_keyset_cursors() {
    let app = TestApp::spawn().await;
    let sales = pipeline(&app, "Sales").await;
    let ids = stage_ids(&sales);
    for i in 0..25 {
        let close = if i % 5 == 0 {
            Value::Null
        } else {
            json!(format!("2027-01-{:02}", (i % 28) + 1))
        };
        create_deal(
            &app,
            json!({ "title": format!("Deal {i:02}"), "amount": format!("{}", (i * 37) % 1000), "ownerId": if i % 2 == 0 { "even" } else { "odd" },
                    "customFields": { "segment": if i % 3 == 0 { "smb" } else { "ent" } }, "expectedCloseDate": close, "stageId": ids[i % 3] }),
        )
        .await;
    }
    let query = "query($f: DealFilterInput, $o: DealOrderInput, $after: String, $first: Int) { deals(filter: $f, orderBy: $o, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { title amount expectedCloseDate } } }";
    for order in [
        json!(null),
        json!({ "field": "AMOUNT", "direction": "ASC" }),
        json!({ "field": "EXPECTED_CLOSE_DATE", "direction": "ASC" }),
        json!({ "field": "CREATED_AT", "direction": "DESC" }),
    ] {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = app
                .gql(query, json!({ "o": order, "after": after, "first": 7 }))
                .await;
            let data = &page.data()["deals"];
            assert_eq!(data["totalCount"], 25);
            for node in data["nodes"].as_array().unwrap() {
                seen.push(node.clone());
            }
            if data["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = data["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        let titles: std::collections::HashSet<_> = seen
            .iter()
            .map(|n| n["title"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(titles.len(), 25, "every deal exactly once for {order}");
        if order["field"] == "AMOUNT" {
            let amounts: Vec<f64> = seen
                .iter()
                .map(|n| n["amount"].as_str().unwrap().parse().unwrap())
                .collect();
            assert!(amounts.windows(2).all(|w| w[0] <= w[1]), "{amounts:?}");
        }
        if order["field"] == "EXPECTED_CLOSE_DATE" {
            assert!(
                seen.last().unwrap()["expectedCloseDate"].is_null(),
                "deals without a date come last"
            );
        }
    }
    let count = |filter: Value| {
        let app = &app;
        async move {
            app.gql(query, json!({ "f": filter })).await.data()["deals"]["totalCount"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(count(json!({ "ownerId": "even" })).await, 13);
    assert_eq!(count(json!({ "stageId": ids[0] })).await, 9);
    assert_eq!(
        count(json!({ "customField": { "key": "segment", "value": "smb" } })).await,
        9
    );
    assert_eq!(
        count(json!({ "amountMin": "500", "amountMax": "900" })).await,
        11
    );
    assert_eq!(count(json!({ "search": "deal 1" })).await, 10);
    assert_eq!(count(json!({ "status": "OPEN" })).await, 25);
    assert_eq!(
        count(json!({ "expectedCloseFrom": "2027-01-10", "expectedCloseTo": "2027-01-20" })).await,
        9
    );
    let bad = app.gql(query, json!({ "after": "bm9wZQ" })).await;
    assert_eq!(bad.body["errors"][0]["extensions"]["field"], "after");
    let wrong_order = app.gql(query, json!({ "first": 1 })).await;
    let cursor = wrong_order.data()["deals"]["pageInfo"]["endCursor"].clone();
    let mismatch = app
        .gql(
            query,
            json!({ "after": cursor, "o": { "field": "AMOUNT" } }),
        )
        .await;
    assert_eq!(mismatch.error_code(), "BAD_USER_INPUT");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workspace_never_sees_another_workspaces_deals() {
    let app = TestApp::spawn().await;
    pipeline(&app, "Sales").await;
    let deal = create_deal(&app, json!({ "title": "Secret" })).await;
    let (_, other) = app.other_workspace().await;
    pipeline_as(&app, &other, "Theirs").await;
    let get = app
        .gql_as(
            &other,
            "query($id: ID!) { deal(id: $id) { id } }",
            json!({ "id": deal["id"] }),
        )
        .await;
    assert!(get.data()["deal"].is_null());
    let list = app
        .gql_as(&other, "{ deals { totalCount } }", json!({}))
        .await;
    assert_eq!(list.data()["deals"]["totalCount"], 0);
    let stage = app
        .gql_as(
            &other,
            "query($id: ID!) { moveDeal(input: {dealId: $id, stageId: $id}) { deal { id } } }",
            json!({ "id": deal["id"] }),
        )
        .await;
    assert!(stage.body.get("errors").is_some());
    let mv = app
        .gql_as(&other, "mutation($id: ID!, $s: ID!) { moveDeal(input: {dealId: $id, stageId: $s}) { deal { id } } }", json!({ "id": deal["id"], "s": deal["stage"]["id"] }))
        .await;
    assert_eq!(mv.error_code(), "NOT_FOUND");
    let reader = app.key_with(&[dealgraph::auth::Scope::CrmRead]).await;
    let forbidden = app
        .gql_as(
            &reader,
            "mutation { createDeal(input: {title: \"x\"}) { deal { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(forbidden.error_code(), "FORBIDDEN");
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_moves_write_nothing_and_idempotent_creates_replay() {
    let app = TestApp::spawn().await;
    let sales = pipeline(&app, "Sales").await;
    let deal = create_deal(&app, json!({ "title": "Dry" })).await;
    let dry = app.gql(&move_query(), json!({ "input": { "dealId": deal["id"], "stageId": stage_ids(&sales)[3], "dryRun": true } })).await;
    assert_eq!(dry.data()["moveDeal"]["stageChange"]["sequence"], 2);
    assert_eq!(history(&app, &deal["id"]).await.len(), 1);
    let input = json!({ "input": { "title": "Once", "idempotencyKey": "deal-1" } });
    let first = app.gql("mutation($input: CreateDealInput!) { createDeal(input: $input) { replayed deal { id } } }", input.clone()).await;
    let second = app.gql("mutation($input: CreateDealInput!) { createDeal(input: $input) { replayed deal { id } } }", input).await;
    assert_eq!(second.data()["createDeal"]["replayed"], true);
    assert_eq!(
        first.data()["createDeal"]["deal"]["id"],
        second.data()["createDeal"]["deal"]["id"]
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM deals WHERE title = 'Once'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn node_refetches_any_object_by_id_within_the_workspace() {
    let app = TestApp::spawn().await;
    let sales = pipeline(&app, "Sales").await;
    let deal = create_deal(&app, json!({ "title": "Findable" })).await;
    let query = "query($id: ID!) { node(id: $id) { __typename id ... on Deal { title } ... on Pipeline { name } ... on Stage { name } } }";
    let found = app.gql(query, json!({ "id": deal["id"] })).await;
    assert_eq!(found.data()["node"]["__typename"], "Deal");
    assert_eq!(found.data()["node"]["title"], "Findable");
    let found = app.gql(query, json!({ "id": sales["id"] })).await;
    assert_eq!(found.data()["node"]["name"], "Sales");
    let found = app
        .gql(query, json!({ "id": sales["stages"][1]["id"] }))
        .await;
    assert_eq!(found.data()["node"]["__typename"], "Stage");
    let (_, other) = app.other_workspace().await;
    let hidden = app.gql_as(&other, query, json!({ "id": deal["id"] })).await;
    assert!(hidden.data()["node"].is_null());
    let missing = app.gql(query, json!({ "id": uuid::Uuid::now_v7() })).await;
    assert!(missing.data()["node"].is_null());
}

#[tokio::test(flavor = "multi_thread")]
async fn contacts_and_companies_show_their_deals() {
    let app = TestApp::spawn().await;
    pipeline(&app, "Sales").await;
    let company = uuid::Uuid::now_v7();
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query(format!(
        "INSERT INTO companies (workspace_id, id, name) VALUES ('{}', '{company}', 'Initech')",
        app.workspace_id
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    drop(conn);
    let a = create_deal(&app, json!({ "title": "First", "companyId": company })).await;
    create_deal(&app, json!({ "title": "Second", "companyId": company })).await;
    let bob = contact(&app, app.workspace_id, "Bob").await;
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

#[tokio::test(flavor = "multi_thread")]
async fn a_deal_idle_longer_than_its_stages_rotting_days_is_rotting() {
    let app = TestApp::spawn().await;
    let sales = pipeline(&app, "Sales").await;
    let stage = &stage_ids(&sales)[0];
    app.gql(
        "mutation($id: ID!) { updateStage(input: {id: $id, rottingDays: 14}) { stage { id } } }",
        json!({ "id": stage }),
    )
    .await
    .data();
    let fresh = create_deal(&app, json!({ "title": "Fresh" })).await;
    let stale = create_deal(&app, json!({ "title": "Stale" })).await;
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query(format!(
        "UPDATE deals SET entered_stage_at = now() - interval '15 days' WHERE id = '{}'",
        stale["id"].as_str().unwrap()
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    let query = "query($id: ID!) { deal(id: $id) { isRotting timeInStage } }";
    let fresh = app.gql(query, json!({ "id": fresh["id"] })).await;
    assert_eq!(fresh.data()["deal"]["isRotting"], false);
    assert!(fresh.data()["deal"]["timeInStage"].as_i64().unwrap() < 60);
    let stale = app.gql(query, json!({ "id": stale["id"] })).await;
    assert_eq!(stale.data()["deal"]["isRotting"], true);
    assert!(stale.data()["deal"]["timeInStage"].as_i64().unwrap() >= 15 * 86_400);
}
