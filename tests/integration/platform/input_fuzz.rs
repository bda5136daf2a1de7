//! No 500 from input: every string-carrying argument and input field of every root field —
//! found by introspecting the schema, so a new domain is covered without editing this file —
//! gets each awkward value, and the server answers with a result or a clean refusal.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::support::builders::{
    stage_ids, CompanyBuilder, ContactBuilder, DealBuilder, PipelineBuilder,
};
use crate::support::ws::{Received, WsClient, TRANSPORT_WS};
use crate::support::{GqlResponse, TestApp};

const INTROSPECTION: &str = "
    { __schema {
        queryType { name } mutationType { name } subscriptionType { name }
        types { name kind
          fields { name args { name defaultValue type { ...T } } }
          inputFields { name defaultValue type { ...T } }
          enumValues { name } } } }
    fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";

/// Scalars that travel as JSON strings (or hold them, like `JSON`).
const STRING_SCALARS: &[&str] = &["String", "ID", "JSON", "Decimal", "NaiveDate", "DateTime"];

/// Stands for a lone UTF-16 surrogate, which only raw JSON text can carry.
const SURROGATE: &str = "@@lone-surrogate@@";

/// The awkward values, by name. `nul` must be refused naming the field; the others may be
/// accepted or refused, never with a 5xx or an INTERNAL error.
fn awkward_values() -> Vec<(&'static str, String)> {
    vec![
        ("nul", "before\u{0}after".to_owned()),
        ("lone surrogate", SURROGATE.to_owned()),
        // Just under the 256 KiB body limit, so it reaches the resolvers over HTTP.
        ("200 KB", "é".repeat(100_000)),
        (
            "right-to-left",
            "\u{202E}evil\u{202C} עברית العربية \u{200F}".to_owned(),
        ),
        (
            "zero-width",
            "a\u{200B}b\u{200C}c\u{200D}d\u{FEFF}".to_owned(),
        ),
        ("emoji", "👩‍👩‍👧‍👦 🚀 🏳️‍🌈".to_owned()),
    ]
}

#[derive(Clone, Debug)]
enum Ty {
    NonNull(Box<Ty>),
    List(Box<Ty>),
    Named(String),
}

impl Ty {
    fn of(value: &Value) -> Ty {
        let inner = || Box::new(Ty::of(&value["ofType"]));
        match value["kind"].as_str() {
            Some("NON_NULL") => Ty::NonNull(inner()),
            Some("LIST") => Ty::List(inner()),
            _ => Ty::Named(value["name"].as_str().expect("a type name").to_owned()),
        }
    }

    fn render(&self) -> String {
        match self {
            Ty::NonNull(inner) => format!("{}!", inner.render()),
            Ty::List(inner) => format!("[{}]", inner.render()),
            Ty::Named(name) => name.clone(),
        }
    }

    fn named(&self) -> &str {
        match self {
            Ty::NonNull(inner) | Ty::List(inner) => inner.named(),
            Ty::Named(name) => name,
        }
    }
}

#[derive(Clone, Debug)]
struct InputValue {
    name: String,
    ty: Ty,
    has_default: bool,
}

impl InputValue {
    fn of(value: &Value) -> InputValue {
        InputValue {
            name: value["name"].as_str().expect("a name").to_owned(),
            ty: Ty::of(&value["type"]),
            has_default: !value["defaultValue"].is_null(),
        }
    }

    fn required(&self) -> bool {
        matches!(self.ty, Ty::NonNull(_)) && !self.has_default
    }
}

/// The schema as introspection shows it: input objects, enums and each root's fields.
struct Schema {
    inputs: HashMap<String, Vec<InputValue>>,
    enums: HashMap<String, String>,
    roots: Vec<(&'static str, String, Vec<InputValue>)>,
}

impl Schema {
    async fn introspect(app: &TestApp) -> Schema {
        let response = app.gql(INTROSPECTION, json!({})).await;
        let schema = &response.data()["__schema"];
        let mut inputs = HashMap::new();
        let mut enums = HashMap::new();
        let mut fields_of = HashMap::new();
        for ty in schema["types"].as_array().expect("types") {
            let name = ty["name"].as_str().expect("name").to_owned();
            match ty["kind"].as_str() {
                Some("INPUT_OBJECT") => {
                    let fields = ty["inputFields"].as_array().expect("input fields");
                    inputs.insert(name, fields.iter().map(InputValue::of).collect());
                }
                Some("ENUM") => {
                    let first = ty["enumValues"][0]["name"].as_str().expect("a value");
                    enums.insert(name, first.to_owned());
                }
                Some("OBJECT") => {
                    fields_of.insert(name, ty["fields"].clone());
                }
                _ => {}
            }
        }
        let mut roots = Vec::new();
        for (operation, key) in [
            ("query", "queryType"),
            ("mutation", "mutationType"),
            ("subscription", "subscriptionType"),
        ] {
            let Some(root) = schema[key]["name"].as_str() else {
                continue;
            };
            for field in fields_of[root].as_array().expect("root fields") {
                let args = field["args"].as_array().expect("args");
                roots.push((
                    operation,
                    field["name"].as_str().expect("name").to_owned(),
                    args.iter().map(InputValue::of).collect(),
                ));
            }
        }
        Schema {
            inputs,
            enums,
            roots,
        }
    }

    /// Every path from `ty` down to a string-carrying scalar: input fields and list items.
    fn string_paths(&self, ty: &Ty, depth: usize) -> Vec<Vec<Step>> {
        match ty {
            Ty::NonNull(inner) => self.string_paths(inner, depth),
            Ty::List(inner) => self
                .string_paths(inner, depth)
                .into_iter()
                .map(|path| [vec![Step::Item], path].concat())
                .collect(),
            Ty::Named(name) if STRING_SCALARS.contains(&name.as_str()) => vec![vec![]],
            Ty::Named(name) => match self.inputs.get(name) {
                Some(fields) if depth < 5 => fields
                    .iter()
                    .flat_map(|field| {
                        self.string_paths(&field.ty, depth + 1)
                            .into_iter()
                            .map(|path| [vec![Step::Field(field.name.clone())], path].concat())
                    })
                    .collect(),
                _ => vec![],
            },
        }
    }

    /// A value for `ty` that passes the schema: required fields filled, writes dry runs.
    fn fill(&self, ty: &Ty, name: &str, fixtures: &Fixtures) -> Value {
        match ty {
            Ty::NonNull(inner) => self.fill(inner, name, fixtures),
            Ty::List(inner) => json!([self.fill(inner, name, fixtures)]),
            Ty::Named(scalar) => match scalar.as_str() {
                "ID" => json!(fixtures.id_for(name)),
                "String" => json!(match name {
                    "currency" => "EUR",
                    "role" => "champion",
                    _ => "Fuzz",
                }),
                "Int" => json!(1),
                "Float" => json!(1.0),
                "Boolean" => json!(false),
                "Decimal" => json!("1"),
                "NaiveDate" => json!("2026-01-01"),
                "DateTime" => json!("2026-01-01T00:00:00Z"),
                "JSON" => json!({}),
                other => {
                    if let Some(first) = self.enums.get(other) {
                        return json!(first);
                    }
                    let fields = self.inputs.get(other).cloned().unwrap_or_default();
                    let mut object = Map::new();
                    for field in &fields {
                        if field.name == "dryRun" {
                            object.insert(field.name.clone(), json!(true));
                        } else if field.required() {
                            let value = self.fill(&field.ty, &field.name, fixtures);
                            object.insert(field.name.clone(), value);
                        }
                    }
                    Value::Object(object)
                }
            },
        }
    }

    /// `base` (a value of `ty`) with `awkward` put at `path`.
    fn with_value(
        &self,
        base: Value,
        ty: &Ty,
        path: &[Step],
        awkward: &Value,
        fixtures: &Fixtures,
    ) -> Value {
        let Some((step, rest)) = path.split_first() else {
            return if ty.named() == "JSON" {
                json!({ "note": awkward })
            } else {
                awkward.clone()
            };
        };
        match (ty, step) {
            (Ty::NonNull(inner), _) => self.with_value(base, inner, path, awkward, fixtures),
            (Ty::List(inner), Step::Item) => {
                let item = base.get(0).cloned().unwrap_or(Value::Null);
                json!([self.with_value(item, inner, rest, awkward, fixtures)])
            }
            (Ty::Named(name), Step::Field(field)) => {
                let field_ty = self.inputs[name]
                    .iter()
                    .find(|f| &f.name == field)
                    .map(|f| f.ty.clone())
                    .expect("a field of the input");
                let mut object = base.as_object().cloned().unwrap_or_default();
                let current = object.remove(field).unwrap_or(Value::Null);
                // On the way to the value, an absent input gets its required fields.
                let current = if current.is_null() && !rest.is_empty() {
                    self.fill(&field_ty, field, fixtures)
                } else {
                    current
                };
                let value = self.with_value(current, &field_ty, rest, awkward, fixtures);
                object.insert(field.clone(), value);
                Value::Object(object)
            }
            _ => panic!("path {path:?} does not fit {ty:?}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Field(String),
    Item,
}

/// How the boundary names a path: `input.stages[0].name`.
fn field_path(argument: &str, path: &[Step]) -> String {
    let mut out = argument.to_owned();
    for step in path {
        match step {
            Step::Field(name) => {
                out.push('.');
                out.push_str(name);
            }
            Step::Item => out.push_str("[0]"),
        }
    }
    out
}

/// Real records for id arguments, so writes get past "not found" to their text.
struct Fixtures {
    pipeline: String,
    stages: Vec<String>,
    deal: String,
    contact: String,
    company: String,
    tag: String,
    root: String,
}

impl Fixtures {
    async fn create(app: &TestApp) -> Fixtures {
        let pipeline = PipelineBuilder::new("Fuzz pipeline").create(app).await;
        let stages = stage_ids(&pipeline);
        let company = CompanyBuilder::new("Fuzz company").create_id(app).await;
        let contact = ContactBuilder::new("Fuzz contact").create_id(app).await;
        let deal = DealBuilder::new("Fuzz deal").create_id(app).await;
        let tag = app
            .gql(
                "mutation { createDealTag(input: {name: \"fuzz\"}) { tag { id } } }",
                json!({}),
            )
            .await;
        Fixtures {
            pipeline: pipeline["id"].as_str().expect("id").to_owned(),
            stages,
            deal,
            contact,
            company,
            tag: tag.data()["createDealTag"]["tag"]["id"]
                .as_str()
                .expect("tag id")
                .to_owned(),
            root: String::new(),
        }
    }

    /// The id an argument or input field called `name` means, within root field `self.root`.
    fn id_for(&self, name: &str) -> String {
        let by_name = match name {
            "pipelineId" => Some(&self.pipeline),
            "stageId" | "stageIds" => Some(&self.stages[0]),
            "moveDealsTo" => Some(&self.stages[1]),
            "dealId" | "entityId" => Some(&self.deal),
            "contactId" => Some(&self.contact),
            "companyId" => Some(&self.company),
            "tagId" => Some(&self.tag),
            _ => None,
        };
        if let Some(id) = by_name {
            return id.clone();
        }
        let root = self.root.to_lowercase();
        let by_root = [
            ("tag", &self.tag),
            ("contact", &self.contact),
            ("company", &self.company),
            ("stage", &self.stages[0]),
            ("deal", &self.deal),
            ("pipeline", &self.pipeline),
        ];
        by_root
            .iter()
            .find(|(entity, _)| root.contains(entity))
            .map(|(_, id)| (*id).clone())
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
    }
}

/// One request of the fuzz: a root field with one awkward value at one place.
struct Case {
    operation: &'static str,
    field: String,
    document: String,
    variables: Value,
    /// Where the awkward value sits, as the boundary names it.
    path: String,
    value_name: &'static str,
}

fn cases(schema: &Schema, fixtures: &mut Fixtures, values: &[(&'static str, String)]) -> Vec<Case> {
    let mut cases = Vec::new();
    for (operation, field, args) in &schema.roots {
        fixtures.root = field.clone();
        let declared: Vec<String> = args
            .iter()
            .map(|arg| format!("${}: {}", arg.name, arg.ty.render()))
            .collect();
        let passed: Vec<String> = args
            .iter()
            .map(|arg| format!("{0}: ${0}", arg.name))
            .collect();
        let (declared, passed) = if args.is_empty() {
            (String::new(), String::new())
        } else {
            (
                format!("({})", declared.join(", ")),
                format!("({})", passed.join(", ")),
            )
        };
        let document = format!("{operation}{declared} {{ {field}{passed} {{ __typename }} }}");
        let base: Map<String, Value> = args
            .iter()
            .filter(|arg| arg.required())
            .map(|arg| (arg.name.clone(), schema.fill(&arg.ty, &arg.name, fixtures)))
            .collect();
        for arg in args {
            for path in schema.string_paths(&arg.ty, 0) {
                for (value_name, value) in values {
                    let start = base.get(&arg.name).cloned().unwrap_or_else(|| {
                        if path.is_empty() {
                            Value::Null
                        } else {
                            schema.fill(&arg.ty, &arg.name, fixtures)
                        }
                    });
                    let mut variables = base.clone();
                    let awkward = schema.with_value(start, &arg.ty, &path, &json!(value), fixtures);
                    variables.insert(arg.name.clone(), awkward);
                    cases.push(Case {
                        operation,
                        field: field.clone(),
                        document: document.clone(),
                        variables: Value::Object(variables),
                        path: field_path(&arg.name, &path),
                        value_name,
                    });
                }
            }
        }
    }
    cases
}

/// What went wrong with one answer, if anything.
fn judge(case: &Case, status: u16, body: &Value) -> Option<String> {
    let describe = || {
        format!(
            "{} {} with {} at {}: {status} {}",
            case.operation,
            case.field,
            case.value_name,
            case.path,
            shorten(body)
        )
    };
    if status >= 500 {
        return Some(describe());
    }
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    if errors
        .iter()
        .any(|e| e["extensions"]["code"] == "INTERNAL" || e["extensions"]["code"].is_null())
    {
        return Some(describe());
    }
    if case.value_name == "nul" {
        // Refused before anything ran, naming the field.
        let named = errors.iter().any(|e| {
            e["extensions"]["code"] == "BAD_USER_INPUT"
                && e["extensions"]["field"]
                    .as_str()
                    .is_some_and(|field| field.starts_with(&case.path))
                && e["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(&case.path))
        });
        if !named || !body["data"].is_null() {
            return Some(format!("not refused by field: {}", describe()));
        }
    }
    None
}

fn shorten(body: &Value) -> String {
    let text = body.to_string();
    text.chars().take(400).collect()
}

/// The request body as raw JSON text: a lone surrogate cannot be a Rust string.
fn body_text(case: &Case) -> String {
    json!({ "query": case.document, "variables": case.variables })
        .to_string()
        .replace(SURROGATE, "\\ud800")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_string_input_takes_every_awkward_value_without_a_500() {
    let app = TestApp::spawn().await;
    let schema = Schema::introspect(&app).await;
    let mut fixtures = Fixtures::create(&app).await;
    let cases = cases(&schema, &mut fixtures, &awkward_values());
    // Every domain's writes and reads are in: the list grows with the schema by itself.
    assert!(cases.len() > 300, "only {} cases", cases.len());
    for field in ["createContact", "createDeal", "contacts", "deals", "events"] {
        assert!(cases.iter().any(|c| c.field == field), "{field} not fuzzed");
    }

    let mut failures = Vec::new();
    for case in cases.iter().filter(|c| c.operation != "subscription") {
        let response = app
            .http
            .post(app.url("/graphql"))
            .bearer_auth(&app.admin_key)
            .header("content-type", "application/json")
            .body(body_text(case))
            .send()
            .await
            .expect("a response");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| json!({ "raw": text }));
        failures.extend(judge(case, status, &body));
    }

    // Subscriptions run over the WebSocket: the same boundary, the same refusals.
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    for (n, case) in cases
        .iter()
        .filter(|c| c.operation == "subscription" && c.value_name == "nul")
        .enumerate()
    {
        let id = format!("s{n}");
        ws.send(json!({ "id": id, "type": "subscribe", "payload": { "query": case.document, "variables": case.variables } }))
            .await;
        loop {
            match ws.receive().await {
                // What an earlier subscription that went live still sends.
                Received::Json(message) if message["id"] != id.as_str() => continue,
                Received::Json(message) if message["type"] == "error" => {
                    let body = json!({ "errors": message["payload"] });
                    failures.extend(judge(case, 200, &body));
                    break;
                }
                Received::Json(message) => {
                    failures.push(format!("{}: not refused: {message}", case.field));
                    ws.send(json!({ "id": id, "type": "complete" })).await;
                    break;
                }
                Received::Closed(code, reason) => {
                    panic!("{}: socket closed {code:?} {reason}", case.field)
                }
            }
        }
    }

    // Nothing was written: every write was a dry run or refused.
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 1);
    assert_eq!(app.count("SELECT count(*) AS n FROM deals").await, 1);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// 1 MB is over the HTTP body limit (a clean 413), and over the WebSocket, which has no such
/// limit, each field's own length rule answers.
#[tokio::test(flavor = "multi_thread")]
async fn a_one_megabyte_string_is_a_clean_answer_everywhere() {
    let app = TestApp::spawn().await;
    let schema = Schema::introspect(&app).await;
    let mut fixtures = Fixtures::create(&app).await;
    let values = [("1 MB", "m".repeat(1024 * 1024))];
    let cases: Vec<Case> = cases(&schema, &mut fixtures, &values)
        .into_iter()
        .filter(|c| c.operation != "subscription")
        .collect();

    let over_http = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&app.admin_key)
        .header("content-type", "application/json")
        .body(body_text(&cases[0]))
        .send()
        .await
        .expect("a response");
    let refused = GqlResponse::read(over_http).await;
    assert_eq!(refused.status, 413, "{}", refused.body);
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");

    let mut failures = Vec::new();
    let mut ws = WsClient::connect_authed(&app.ws_url(), TRANSPORT_WS, &app.admin_key).await;
    for (n, case) in cases.iter().enumerate() {
        let id = format!("m{n}");
        ws.send(json!({ "id": id, "type": "subscribe", "payload": { "query": case.document, "variables": case.variables } }))
            .await;
        loop {
            match ws.receive().await {
                Received::Json(message) if message["type"] == "complete" => break,
                Received::Json(message) => {
                    let body = match message["type"].as_str() {
                        Some("error") => json!({ "errors": message["payload"] }),
                        _ => message["payload"].clone(),
                    };
                    failures.extend(judge(case, 200, &body));
                    if message["type"] == "error" {
                        break;
                    }
                }
                Received::Closed(code, reason) => {
                    panic!("{}: socket closed {code:?} {reason}", case.field)
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A write refused at the boundary is still in the audit trail, its input stored with the NUL
/// escaped, and nothing else is written.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_write_is_audited_with_its_input_stored_safely() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&app.admin_key)
        .header("x-request-id", "req-nul-1")
        .json(&json!({
            "query": "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
            "variables": { "input": { "firstName": "Ada\u{0}", "customFields": { "note\u{0}": "x\u{0}" } } }
        }))
        .send()
        .await
        .expect("a response");
    let refused = GqlResponse::read(response).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.get("data").is_none_or(Value::is_null));
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
    let mut fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["extensions"]["field"].as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["input.customFields[\"note\\0\"]", "input.firstName"]
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM contacts").await, 0);

    let audit = app
        .gql(
            "{ auditEvents(action: \"request.refused\") { edges { node { outcome errorCode errorMessage requestId after } } } }",
            json!({}),
        )
        .await;
    let edges = audit.data()["auditEvents"]["edges"]
        .as_array()
        .expect("edges");
    assert_eq!(edges.len(), 1, "{}", audit.body);
    let event = &edges[0]["node"];
    assert_eq!(event["outcome"], "FAILED");
    assert_eq!(event["errorCode"], "BAD_USER_INPUT");
    assert_eq!(event["requestId"], "req-nul-1");
    assert!(event["errorMessage"]
        .as_str()
        .is_some_and(|m| m.contains("input.")));
    assert_eq!(event["after"]["mutation"], "createContact");
    assert_eq!(
        event["after"]["arguments"]["input"],
        json!({ "firstName": "Ada\\u0000", "customFields": { "note\\u0000": "x\\u0000" } })
    );
}

/// Text written in the document itself goes through the same boundary: an escaped NUL is
/// refused by field, a raw NUL or an escaped lone surrogate is a syntax error — never a 500.
#[tokio::test(flavor = "multi_thread")]
async fn awkward_text_written_in_the_document_is_refused_cleanly() {
    let app = TestApp::spawn().await;
    let escaped_nul = app
        .gql(
            r#"{ contacts(filter: {search: "a\u0000"}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(escaped_nul.status, 400, "{}", escaped_nul.body);
    assert_eq!(escaped_nul.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        escaped_nul.body["errors"][0]["extensions"]["field"],
        "filter.search"
    );
    for document in [
        r#"{ contacts(filter: {search: "a\ud800"}) { totalCount } }"#,
        "{ contacts(filter: {search: \"a\u{0}\"}) { totalCount } }",
        "{ viewer \u{0} { apiKey { id } } }",
    ] {
        let refused = app.gql(document, json!({})).await;
        assert_eq!(refused.status, 400, "{document:?}: {}", refused.body);
        assert_eq!(refused.error_code(), "BAD_USER_INPUT", "{document:?}");
    }
}
