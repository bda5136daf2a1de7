//! The response as the GraphQL spec and the GraphQL-over-HTTP draft describe it: a failed
//! field is `null` in place and a null non-null field nulls its nearest nullable parent; fields
//! come in the order requested; request errors (variables, scopes) have no `data` and a 4xx
//! status, everything else is a 200 with `data`. Over HTTP and over the WebSocket alike.

use async_graphql::Value as Ordered;
use dealgraph::auth::Scope;
use serde_json::{json, Value};

use crate::support::builders::{stage_ids, CompanyBuilder, DealBuilder, PipelineBuilder};
use crate::support::ws::{WsClient, TRANSPORT_WS};
use crate::support::TestApp;

/// A POST as `key`; the status, the body as JSON and the body with its key order kept
/// (serde_json's `Value` sorts keys; the engine's `Value` keeps them as they came).
async fn post(
    app: &TestApp,
    key: &str,
    accept: &str,
    query: &str,
    variables: Value,
) -> (u16, Value, Ordered) {
    let response = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(key)
        .header("accept", accept)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: {text}"));
    let ordered: Ordered = serde_json::from_str(&text).expect("ordered body");
    (status, body, ordered)
}

async fn gql(app: &TestApp, query: &str, variables: Value) -> (u16, Value, Ordered) {
    post(
        app,
        &app.admin_key,
        "application/graphql-response+json",
        query,
        variables,
    )
    .await
}

/// The value at `path` (`data.deals.nodes.0`) of an ordered body.
fn at<'v>(value: &'v Ordered, path: &str) -> &'v Ordered {
    path.split('.').fold(value, |value, step| match value {
        Ordered::Object(map) => map
            .get(step)
            .unwrap_or_else(|| panic!("no {step} in {value}")),
        Ordered::List(items) => &items[step.parse::<usize>().expect("an index")],
        _ => panic!("{path}: {step} is in a scalar ({value})"),
    })
}

fn assert_keys(body: &Ordered, path: &str, expected: &[&str]) {
    let Ordered::Object(map) = at(body, path) else {
        panic!("{path} is not an object in {body}");
    };
    let keys: Vec<&str> = map.keys().map(|k| k.as_str()).collect();
    assert_eq!(keys, expected, "key order of {path} in {body}");
}

fn error_paths(body: &Value) -> Vec<Value> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {body}"))
        .iter()
        .map(|e| e["path"].clone())
        .collect()
}

/// A pipeline with two deals, one of them at a company; returns (pipeline, deal ids).
async fn board(app: &TestApp) -> (Value, Vec<String>) {
    let pipeline = PipelineBuilder::new("Sales").create(app).await;
    let acme = CompanyBuilder::new("Acme").create_id(app).await;
    let first = DealBuilder::new("Acme renewal")
        .company(&acme)
        .create_id(app)
        .await;
    let second = DealBuilder::new("Globex pilot").create_id(app).await;
    (pipeline, vec![first, second])
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_nullable_field_is_null_in_its_place() {
    let app = TestApp::spawn().await;
    let (status, body, ordered) =
        gql(&app, r#"{ __typename deal(id: "nope") { id } }"#, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], json!({ "__typename": "Query", "deal": null }));
    assert_eq!(error_paths(&body), [json!(["deal"])]);
    assert_keys(&ordered, "data", &["__typename", "deal"]);

    // Even when it is the only field: `data` holds it, as null.
    let (status, body, _) = gql(&app, r#"{ deal(id: "nope") { id } }"#, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], json!({ "deal": null }));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_non_null_field_nulls_its_nearest_nullable_parent() {
    let app = TestApp::spawn().await;
    let (pipeline, deals) = board(&app).await;

    // deal (nullable) ← stageChanges (non-null): the deal is null.
    let (status, body, _) = gql(
        &app,
        "query($id: ID!) { __typename deal(id: $id) { id title stageChanges(first: 1000) { totalCount } } }",
        json!({ "id": deals[0] }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], json!({ "__typename": "Query", "deal": null }));
    assert_eq!(error_paths(&body), [json!(["deal", "stageChanges"])]);

    // pipeline (nullable) ← stages [Stage!]! ← a stage ← deals (non-null): three levels up.
    let (status, body, _) = gql(
        &app,
        "query($id: ID!) { pipeline(id: $id) { name stages { name deals(first: 1000) { totalCount } } } viewer { workspace { name } } }",
        json!({ "id": pipeline["id"] }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["pipeline"], Value::Null, "{body}");
    assert_eq!(
        body["data"]["viewer"]["workspace"]["name"],
        "Test workspace"
    );
    assert!(!error_paths(&body).is_empty());

    // company is nullable: the deal around it keeps its other fields.
    let (status, body, _) = gql(
        &app,
        "{ deals(orderBy: {field: CREATED_AT, direction: ASC}) { totalCount nodes { title company { name contacts(first: 1000) { totalCount } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"],
        json!({ "deals": { "totalCount": 2, "nodes": [
            { "title": "Acme renewal", "company": null },
            { "title": "Globex pilot", "company": null },
        ] } })
    );
    assert_eq!(
        error_paths(&body),
        [json!(["deals", "nodes", 0, "company", "contacts"])]
    );

    // deals (non-null) ← nodes [Deal!]! ← stageChanges (non-null): up to `data: null`, and a
    // response with data (even null) is a 200.
    let (status, body, _) = gql(
        &app,
        "{ __typename deals { nodes { id stageChanges(first: 1000) { totalCount } } } }",
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.get("data"), Some(&Value::Null), "{body}");
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(2));

    // Through an interface: node(id:) is nullable.
    let (status, body, _) = gql(
        &app,
        "query($id: ID!) { node(id: $id) { id ... on Deal { stageChanges(first: 1000) { totalCount } } } }",
        json!({ "id": deals[1] }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], json!({ "node": null }));
}

#[tokio::test(flavor = "multi_thread")]
async fn nulls_propagate_the_same_over_the_websocket() {
    let app = TestApp::spawn().await;
    let (_, deals) = board(&app).await;
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    let cases = [
        (
            r#"{ __typename deal(id: "nope") { id } }"#,
            json!({ "__typename": "Query", "deal": null }),
        ),
        (
            &*format!(
                r#"{{ title: __typename deal(id: "{}") {{ id stageChanges(first: 1000) {{ totalCount }} }} }}"#,
                deals[0]
            ),
            json!({ "title": "Query", "deal": null }),
        ),
        (
            "{ deals { nodes { stageChanges(first: 1000) { totalCount } } } }",
            Value::Null,
        ),
    ];
    for (n, (query, expected)) in cases.iter().enumerate() {
        let id = format!("q{n}");
        ws.send(json!({ "id": id, "type": "subscribe", "payload": { "query": query } }))
            .await;
        let next = ws.next_json().await;
        assert_eq!(next["type"], "next", "{next}");
        assert_eq!(next["id"], id.as_str());
        assert_eq!(
            next["payload"].get("data"),
            Some(expected),
            "{query}: {next}"
        );
        assert!(next["payload"]["errors"].is_array(), "{next}");
        assert_eq!(ws.next_json().await["type"], "complete");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fields_come_in_the_order_requested() {
    let app = TestApp::spawn().await;
    let (pipeline, deals) = board(&app).await;

    // A board page: prefetched relations (stage, stageChanges, company) among plain fields.
    let (_, _, body) = gql(
        &app,
        "{ deals { pageInfo { hasNextPage } nodes { stage { name id } stageChanges { totalCount nodes { sequence } } company { name } title id pipeline { name } } totalCount } }",
        json!({}),
    )
    .await;
    assert_keys(&body, "data.deals", &["pageInfo", "nodes", "totalCount"]);
    for n in ["0", "1"] {
        let node = format!("data.deals.nodes.{n}");
        assert_keys(
            &body,
            &node,
            &[
                "stage",
                "stageChanges",
                "company",
                "title",
                "id",
                "pipeline",
            ],
        );
        assert_keys(&body, &format!("{node}.stage"), &["name", "id"]);
        assert_keys(
            &body,
            &format!("{node}.stageChanges"),
            &["totalCount", "nodes"],
        );
    }

    // The same, reversed: the order follows the query, not the schema or the resolvers.
    let (_, _, body) = gql(
        &app,
        "{ deals { totalCount nodes { pipeline { name } id title company { name } stageChanges { nodes { sequence } totalCount } stage { id name } } } }",
        json!({}),
    )
    .await;
    assert_keys(&body, "data.deals", &["totalCount", "nodes"]);
    assert_keys(
        &body,
        "data.deals.nodes.0",
        &[
            "pipeline",
            "id",
            "title",
            "company",
            "stageChanges",
            "stage",
        ],
    );

    // Aliases, fragments, and a field selected twice (merged where it first appears).
    let (_, _, body) = gql(
        &app,
        "{ b: viewer { workspace { name id } } a: __typename ...F deals { ...D } deals { totalCount nodes { z: id stage { name } } } }
         fragment F on Query { pipelines { name id stages { name } } }
         fragment D on DealConnection { nodes { ... on Deal { title } id } }",
        json!({}),
    )
    .await;
    assert_keys(&body, "data", &["b", "a", "pipelines", "deals"]);
    assert_keys(&body, "data.b.workspace", &["name", "id"]);
    assert_keys(&body, "data.pipelines.0", &["name", "id", "stages"]);
    assert_keys(&body, "data.deals", &["nodes", "totalCount"]);
    assert_keys(&body, "data.deals.nodes.0", &["title", "id", "z", "stage"]);

    // Through an interface: the fragment of the object's own type counts, the other not.
    let (_, _, body) = gql(
        &app,
        "query($id: ID!) { node(id: $id) { ... on Pipeline { name } ... on Deal { stage { name } title } id __typename } }",
        json!({ "id": deals[0] }),
    )
    .await;
    assert_keys(&body, "data.node", &["stage", "title", "id", "__typename"]);
    // Without `__typename` the response cannot say the object's type: the schema's extension
    // notes it while resolving (`graphql::direct` sends such a request there).
    let (_, _, body) = gql(
        &app,
        "query($id: ID!) { node(id: $id) { ... on Pipeline { name } ... on Deal { stage { name } title } id } }",
        json!({ "id": deals[0] }),
    )
    .await;
    assert_keys(&body, "data.node", &["stage", "title", "id"]);

    // A mutation's payload.
    let (_, _, body) = gql(
        &app,
        "mutation($s: ID!) { createDeal(input: {title: \"Initech\", stageId: $s}) { replayed deal { version stage { name } title id } dryRun } }",
        json!({ "s": stage_ids(&pipeline)[1] }),
    )
    .await;
    assert_keys(&body, "data.createDeal", &["replayed", "deal", "dryRun"]);
    assert_keys(
        &body,
        "data.createDeal.deal",
        &["version", "stage", "title", "id"],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn variables_that_do_not_coerce_are_request_errors() {
    let app = TestApp::spawn().await;
    let keys_before = app.count("SELECT count(*) AS n FROM api_keys").await;
    let cases = [
        ("query($id: ID!) { deal(id: $id) { id } }", json!({}), "$id"),
        (
            "query($n: Int) { deals(first: $n) { totalCount } }",
            json!({ "n": "ten" }),
            "$n",
        ),
        (
            "query($n: Int) { deals(first: $n) { totalCount } }",
            json!({ "n": 1.5 }),
            "$n",
        ),
        (
            "query($s: DealStatus) { deals(filter: {status: $s}) { totalCount } }",
            json!({ "s": "SOLD" }),
            "$s",
        ),
        (
            "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }",
            json!({ "input": { "name": "x", "scopes": ["ROOT"] } }),
            "$input",
        ),
        (
            "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }",
            json!({ "input": { "scopes": ["ADMIN"] } }),
            "$input",
        ),
    ];
    for (query, variables, variable) in &cases {
        let (status, body, _) = gql(&app, query, variables.clone()).await;
        assert_eq!(status, 400, "{query} {variables}: {body}");
        assert!(body.get("data").is_none(), "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{body}"
        );
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(variable), "{message}");
        assert!(body["errors"][0].get("path").is_none(), "{body}");

        // The legacy media type keeps 200 for any well-formed request; still no data.
        let (status, body, _) = post(
            &app,
            &app.admin_key,
            "application/json",
            query,
            variables.clone(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("data").is_none(), "{body}");
    }
    assert_eq!(
        app.count("SELECT count(*) AS n FROM api_keys").await,
        keys_before
    );

    // Over the WebSocket a request error is an `error` message (graphql-transport-ws).
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    ws.send(json!({ "id": "v", "type": "subscribe", "payload": { "query": cases[0].0 } }))
        .await;
    let error = ws.next_json().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["payload"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scope_the_key_lacks_is_a_403_before_anything_runs() {
    let app = TestApp::spawn().await;
    let pipeline = PipelineBuilder::new("Sales").create(&app).await;
    let reader = app.key_with(&[Scope::CrmRead]).await;
    let mutation =
        "mutation($s: ID!) { createDeal(input: {title: \"Sneaky\", stageId: $s}) { deal { id } } }";
    let variables = json!({ "s": stage_ids(&pipeline)[0] });
    let (status, body, _) = post(
        &app,
        &reader,
        "application/graphql-response+json",
        mutation,
        variables.clone(),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("crm:write"),
        "{body}"
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM deals").await, 0);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_events WHERE action = 'request.refused' AND after->>'mutation' = 'createDeal' AND outcome = 'failed' AND error_code = 'FORBIDDEN'").await,
        1
    );

    // application/json: 200, still no data.
    let (status, body, _) = post(&app, &reader, "application/json", mutation, variables).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("data").is_none(), "{body}");

    // One admin field among reads refuses the whole operation.
    let (status, body, _) = post(
        &app,
        &reader,
        "application/graphql-response+json",
        "{ viewer { workspace { name } } apiKeys { totalCount } }",
        json!({}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body.get("data").is_none(), "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("apiKeys"),
        "{body}"
    );

    // A field error inside execution is a 200 with data.
    let (status, body, _) = post(
        &app,
        &reader,
        "application/graphql-response+json",
        r#"{ viewer { workspace { name } } deal(id: "nope") { id } }"#,
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["deal"], Value::Null);
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

    // Over the WebSocket: an `error` message, nothing written.
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &reader).await;
    ws.send(json!({ "id": "w", "type": "subscribe", "payload": { "query": "mutation { createDeal(input: {title: \"Sneaky\"}) { deal { id } } }" } })).await;
    let error = ws.next_json().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["payload"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(app.count("SELECT count(*) AS n FROM deals").await, 0);
}
