//! `tools/list`: every tool is there, with a strict schema, its scope and its hints.

use serde_json::{json, Value};

use super::{call, connect, failed};
use crate::support::TestApp;

const TOOLS: [&str; 26] = [
    "context_for_person",
    "convert_lead",
    "create_accounting_account",
    "create_company",
    "create_contact",
    "create_deal",
    "create_deal_stage",
    "create_invoice",
    "create_journal_entry",
    "create_lead",
    "create_pipeline",
    "create_task",
    "get_pipeline_summary",
    "list_accounting_accounts",
    "list_deal_stages",
    "list_invoices",
    "list_journal_entries",
    "list_leads",
    "list_pipelines",
    "list_tasks",
    "log_activity",
    "move_deal",
    "record_payment",
    "search_companies",
    "search_contacts",
    "update_deal",
];

/// Every object schema in `schema` (the root, nested ones and `$defs`) refuses properties it
/// does not list.
fn assert_strict(tool: &str, schema: &Value) {
    match schema {
        Value::Object(map) => {
            if map.get("type") == Some(&json!("object")) || map.contains_key("properties") {
                assert_eq!(
                    map.get("additionalProperties"),
                    Some(&json!(false)),
                    "{tool}: an object schema takes unknown properties: {schema}"
                );
            }
            map.values().for_each(|v| assert_strict(tool, v));
        }
        Value::Array(items) => items.iter().for_each(|v| assert_strict(tool, v)),
        _ => {}
    }
}

#[tokio::test]
async fn every_tool_is_listed_with_a_strict_schema_its_scope_and_hints() {
    let app = TestApp::spawn().await;
    let client = connect(&app, &app.admin_key).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    names.sort_unstable();
    assert_eq!(names, TOOLS);

    for tool in &tools {
        let name = tool.name.as_ref();
        let schema = Value::Object((*tool.input_schema).clone());
        assert_eq!(schema["type"], "object", "{name}");
        assert_strict(name, &schema);
        let annotations = tool.annotations.as_ref().expect("annotations");
        let scopes = &tool.meta.as_ref().expect("_meta").0["dealgraph/requiredScopes"];
        let read_only = name.starts_with("list_")
            || name.starts_with("search_")
            || name.starts_with("get_")
            || name == "context_for_person";
        assert_eq!(annotations.read_only_hint, Some(read_only), "{name}");
        if read_only {
            assert_eq!(scopes, &json!(["crm:read"]), "{name}");
        } else {
            assert_eq!(scopes, &json!(["crm:write"]), "{name}");
            let properties = &schema["properties"];
            assert!(
                properties.get("idempotency_key").is_some(),
                "{name} has no idempotency_key"
            );
            assert!(properties.get("dry_run").is_some(), "{name} has no dry_run");
        }
        let destructive = matches!(
            name,
            "convert_lead" | "create_journal_entry" | "record_payment"
        );
        assert_eq!(annotations.destructive_hint, Some(destructive), "{name}");
    }
    client.cancel().await.ok();
}

#[tokio::test]
async fn an_unknown_or_mistyped_argument_is_bad_user_input_naming_it() {
    let app = TestApp::spawn().await;
    let client = connect(&app, &app.admin_key).await;

    let error = failed(
        call(
            &client,
            "create_company",
            json!({ "name": "Acme", "colour": "red" }),
        )
        .await,
    );
    assert_eq!(error["code"], "BAD_USER_INPUT");
    assert!(
        error["message"].as_str().unwrap().contains("colour"),
        "{error}"
    );

    let error = failed(
        call(
            &client,
            "create_deal",
            json!({ "title": "X", "amount": 12.5 }),
        )
        .await,
    );
    assert_eq!(error["code"], "BAD_USER_INPUT");
    assert_eq!(error["field"], "amount", "{error}");

    let error = failed(
        call(
            &client,
            "create_deal",
            json!({ "title": "X", "currency": "EURO" }),
        )
        .await,
    );
    assert_eq!(error["code"], "BAD_USER_INPUT");
    assert_eq!(error["field"], "currency", "{error}");
    assert_eq!(app.count("SELECT count(*) AS n FROM deals").await, 0);

    // Refused at the door (the arguments did not fit) or by the domain: both audited.
    let refused = "SELECT count(*) AS n FROM audit_events WHERE action = 'request.refused' \
                   AND error_code = 'BAD_USER_INPUT' AND channel = 'mcp'";
    assert_eq!(app.count(refused).await, 2);
    let failed_write = "SELECT count(*) AS n FROM audit_events WHERE action = 'deal.create' \
                        AND outcome = 'failed' AND channel = 'mcp'";
    assert_eq!(app.count(failed_write).await, 1);
    client.cancel().await.ok();
}
