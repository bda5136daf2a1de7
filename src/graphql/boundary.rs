//! The input boundary: every argument of every request — written in the document or sent as
//! a variable, in a query, a mutation or a subscription, over HTTP or WebSocket — is checked
//! here once, against the schema's types, before anything runs. What it refuses:
//!
//! - text PostgreSQL cannot store: U+0000 (NUL), the one character a UTF-8 database refuses
//!   in `text` and `jsonb` (lone surrogates cannot reach us: they are not valid JSON strings
//!   nor GraphQL string escapes, so parsing refuses them first);
//! - enum values written as string literals (`valuePeriod: "MONTHLY"`), which the GraphQL
//!   spec makes a validation error (variables are JSON, so there a string is an enum value);
//! - dates and times that are not strict ISO 8601 (`scalars::check_text`).
//!
//! Refusals are validation errors (no `data`), `BAD_USER_INPUT` with `extensions.field`
//! naming the argument path (`input.stages[1].name`). A refused mutation is still audited, as
//! `request.refused` with its field and arguments: the write was attempted.

use async_graphql::extensions::ExtensionContext;
use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{Pos, ServerError, Variables};
/// A value as the document writes it: a literal, or a `$variable` to look up.
use async_graphql_value::Value;

use super::scalars;
use crate::auth::Actor;
use crate::db::DbPool;
use crate::error::{AppError, ErrorCode};
use crate::write::{record_refusal, Refusal};

/// What a document and its variables break, found while the document is parsed; nothing
/// when they break nothing. Reported at validation ([`super::execution`]), so a document that
/// is invalid anyway gets the engine's own errors first.
pub(super) fn check(
    registry: &Registry,
    document: &ExecutableDocument,
    variables: &Variables,
) -> Option<Refusals> {
    let refusals = Refusals::of(registry, document, variables);
    (!refusals.errors.is_empty()).then_some(refusals)
}

/// What a document and its variables break.
#[derive(Default)]
pub(super) struct Refusals {
    errors: Vec<(AppError, Pos)>,
    /// Mutation fields refused, with their arguments as sent (variables filled in).
    mutations: Vec<(String, serde_json::Value, String)>,
}

impl Refusals {
    fn of(registry: &Registry, document: &ExecutableDocument, variables: &Variables) -> Refusals {
        let mut walk = Walk {
            registry,
            variables,
            found: Refusals::default(),
        };
        for (_, operation) in document.operations.iter() {
            let operation = &operation.node;
            for definition in &operation.variable_definitions {
                if let Some(default) = &definition.node.default_value {
                    let ty = definition.node.var_type.node.to_string();
                    let path = format!("${}", definition.node.name.node);
                    let value = default.node.clone().into_value();
                    walk.value(&value, Some(&ty), &path, true, default.pos);
                }
            }
            let root = match operation.ty {
                OperationType::Query => Some(&registry.query_type),
                OperationType::Mutation => registry.mutation_type.as_ref(),
                OperationType::Subscription => registry.subscription_type.as_ref(),
            };
            walk.selections(root.map(String::as_str), &operation.selection_set.node);
        }
        for fragment in document.fragments.values() {
            let on = fragment.node.type_condition.node.on.node.as_str();
            walk.selections(Some(on), &fragment.node.selection_set.node);
        }
        let mut found = walk.found;
        // A variable used twice is refused once.
        let mut seen = std::collections::HashSet::new();
        found
            .errors
            .retain(|(err, _)| seen.insert(err.client_message()));
        found
    }

    /// The validation errors, once each refused mutation field is audited.
    pub(super) async fn report(self, ctx: &ExtensionContext<'_>) -> Vec<ServerError> {
        if let (Some(pool), Some(actor)) = (ctx.data_opt::<DbPool>(), ctx.data_opt::<Actor>()) {
            self.audit(pool, actor).await;
        }
        self.errors
            .into_iter()
            .map(|(err, pos)| async_graphql::Error::from(err).into_server_error(pos))
            .collect()
    }

    /// Audits each refused mutation field.
    async fn audit(&self, pool: &DbPool, actor: &Actor) {
        for (field, arguments, message) in &self.mutations {
            let refusal = Refusal {
                field,
                arguments: Some(arguments),
                code: ErrorCode::BadUserInput,
                message,
            };
            record_refusal(pool, actor, &refusal).await;
        }
    }
}

/// A walk over the document's selections and argument values, with the schema's type of
/// each value where the schema knows it.
struct Walk<'a> {
    registry: &'a Registry,
    variables: &'a Variables,
    found: Refusals,
}

impl Walk<'_> {
    /// The fields of a selection set on `parent` (unknown when the document names a type or
    /// field the schema lacks; validation reports that, the walk still checks the text).
    fn selections(&mut self, parent: Option<&str>, set: &SelectionSet) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => self.field(parent, &field.node),
                Selection::InlineFragment(fragment) => {
                    let on = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .map(|condition| condition.node.on.node.as_str())
                        .or(parent);
                    self.selections(on, &fragment.node.selection_set.node);
                }
                // Walked once, with its definition.
                Selection::FragmentSpread(_) => {}
            }
        }
    }

    fn field(&mut self, parent: Option<&str>, field: &Field) {
        let meta = parent
            .and_then(|parent| self.registry.types.get(parent))
            .and_then(|ty| ty.field_by_name(field.name.node.as_str()));
        let before = self.found.errors.len();
        for (name, value) in &field.arguments {
            let ty = meta
                .and_then(|meta| meta.args.get(name.node.as_str()))
                .map(|arg| arg.ty.as_str());
            self.value(&value.node, ty, name.node.as_str(), true, value.pos);
        }
        let is_mutation = parent.is_some() && parent == self.registry.mutation_type.as_deref();
        if is_mutation && self.found.errors.len() > before {
            let message = self.found.errors[before].0.client_message();
            let arguments = self.arguments_as_sent(field);
            self.found
                .mutations
                .push((field.name.node.to_string(), arguments, message));
        }
        let child = meta.map(|meta| MetaTypeName::concrete_typename(&meta.ty));
        self.selections(child, &field.selection_set.node);
    }

    /// `value` at `path`, of type `ty` (`[Scope!]!`; `None` when the schema has no type for
    /// it). `literal`: written in the document rather than sent as a variable.
    fn value(&mut self, value: &Value, ty: Option<&str>, path: &str, literal: bool, pos: Pos) {
        if let Value::Variable(name) = value {
            if let Some(sent) = self.variables.get(name) {
                self.value(&sent.clone().into_value(), ty, path, false, pos);
            }
            return;
        }
        match ty.map(MetaTypeName::create) {
            Some(MetaTypeName::NonNull(inner)) => {
                self.value(value, Some(inner), path, literal, pos)
            }
            Some(MetaTypeName::List(item)) => match value {
                Value::List(items) => {
                    for (index, value) in items.iter().enumerate() {
                        let path = format!("{path}[{index}]");
                        self.value(value, Some(item), &path, literal, pos);
                    }
                }
                // A single value where a list is expected is a list of one.
                single => self.value(single, Some(item), path, literal, pos),
            },
            Some(MetaTypeName::Named(name)) => self.named(value, name, path, literal, pos),
            None => self.untyped(value, path, pos),
        }
    }

    fn named(&mut self, value: &Value, ty: &str, path: &str, literal: bool, pos: Pos) {
        match (self.registry.types.get(ty), value) {
            (Some(MetaType::InputObject { input_fields, .. }), Value::Object(fields)) => {
                for (name, value) in fields {
                    let field_ty = input_fields.get(name.as_str()).map(|f| f.ty.as_str());
                    self.value(value, field_ty, &format!("{path}.{name}"), literal, pos);
                }
            }
            (Some(MetaType::Enum { .. }), Value::String(text)) if literal => {
                if self.storable(text, path, pos) {
                    self.refuse(path, enum_literal(ty, text), pos);
                }
            }
            (Some(MetaType::Scalar { .. }), Value::String(text)) => {
                if self.storable(text, path, pos) {
                    if let Err(message) = scalars::check_text(ty, text) {
                        self.refuse(path, message, pos);
                    }
                }
            }
            // JSON scalars, mistyped values (validation reports those), unknown types.
            _ => self.untyped(value, path, pos),
        }
    }

    /// Any value whose type is unknown or free-form (`JSON`): every string and key in it.
    fn untyped(&mut self, value: &Value, path: &str, pos: Pos) {
        match value {
            Value::String(text) => {
                self.storable(text, path, pos);
            }
            Value::List(items) => {
                for (index, value) in items.iter().enumerate() {
                    self.untyped(value, &format!("{path}[{index}]"), pos);
                }
            }
            Value::Object(fields) => {
                for (key, value) in fields {
                    // Keys of JSON values come from the client as any text: quote them.
                    let path = format!("{path}[{:?}]", key.as_str());
                    if self.storable(key, &path, pos) {
                        self.untyped(value, &path, pos);
                    }
                }
            }
            Value::Variable(name) => {
                if let Some(sent) = self.variables.get(name) {
                    self.untyped(&sent.clone().into_value(), path, pos);
                }
            }
            _ => {}
        }
    }

    /// True when PostgreSQL can store `text`; otherwise refuses it.
    fn storable(&mut self, text: &str, path: &str, pos: Pos) -> bool {
        if text.contains('\0') {
            self.refuse(path, "must not contain the NUL character (U+0000)", pos);
            return false;
        }
        true
    }

    fn refuse(&mut self, path: &str, message: impl Into<String>, pos: Pos) {
        self.found
            .errors
            .push((AppError::bad_input(path, message), pos));
    }

    /// A mutation field's arguments with its variables filled in, for the audit trail.
    fn arguments_as_sent(&self, field: &Field) -> serde_json::Value {
        let arguments = field
            .arguments
            .iter()
            .map(|(name, value)| {
                let value = value
                    .node
                    .clone()
                    .into_const_with(|variable| {
                        Ok::<_, std::convert::Infallible>(
                            self.variables.get(&variable).cloned().unwrap_or_default(),
                        )
                    })
                    .ok()
                    .and_then(|value| value.into_json().ok())
                    .unwrap_or_default();
                (name.node.to_string(), value)
            })
            .collect();
        serde_json::Value::Object(arguments)
    }
}

fn enum_literal(ty: &str, text: &str) -> String {
    let is_name = !text.is_empty()
        && !text.starts_with(|c: char| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if is_name {
        format!("{ty} values are written without quotes: {text}, not \"{text}\"")
    } else {
        format!("{ty} values are written without quotes, not as the string {text:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::{schema_builder, SchemaSettings};
    use serde_json::json;

    /// The refusals of the boundary for a request: the errors naming a field (the engine's
    /// own validation errors name none; without a key, resolvers only say UNAUTHENTICATED).
    async fn refusals(query: &str, variables: serde_json::Value) -> Vec<(String, String)> {
        let schema = schema_builder(SchemaSettings { production: false }).finish();
        let request = async_graphql::Request::new(query).variables(Variables::from_json(variables));
        let response = schema.execute(request).await;
        response
            .errors
            .iter()
            .filter_map(|error| match error.extensions.as_ref()?.get("field")? {
                async_graphql::Value::String(field) => Some((field.clone(), error.message.clone())),
                _ => None,
            })
            .collect()
    }

    fn fields(found: &[(String, String)]) -> Vec<&str> {
        found.iter().map(|(field, _)| field.as_str()).collect()
    }

    #[tokio::test]
    async fn enum_values_written_as_strings_are_refused_in_documents_only() {
        let found = refusals(
            r#"{ deals(filter: {status: "OPEN"}) { totalCount } }"#,
            json!({}),
        )
        .await;
        assert_eq!(fields(&found), ["filter.status"]);
        assert!(found[0].1.contains("OPEN, not \"OPEN\""), "{found:?}");
        let in_list = refusals(
            r#"mutation { createApiKey(input: {name: "k", scopes: [CRM_READ, "ADMIN"]}) { secret } }"#,
            json!({}),
        ).await;
        assert_eq!(fields(&in_list), ["input.scopes[1]"]);
        let default = refusals(
            r#"query($p: DealStatus = "OPEN") { deals(filter: {status: $p}) { totalCount } }"#,
            json!({}),
        )
        .await;
        assert_eq!(fields(&default), ["$p"]);
        assert!(refusals(
            r#"query($f: DealFilterInput) { deals(filter: $f) { totalCount } }"#,
            json!({ "f": { "status": "OPEN" } }),
        )
        .await
        .is_empty());
        assert!(refusals(
            "{ deals(filter: {status: OPEN}) { totalCount } }",
            json!({})
        )
        .await
        .is_empty());
    }

    #[tokio::test]
    async fn nul_is_refused_in_literals_variables_and_json_keys() {
        let literal = refusals(
            r#"mutation { createContact(input: {firstName: "a\u0000b"}) { contact { id } } }"#,
            json!({}),
        )
        .await;
        assert_eq!(fields(&literal), ["input.firstName"]);
        let variable = refusals(
            "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
            json!({ "input": { "firstName": "a", "customFields": { "plan\u{0}": "x", "ok": ["\u{0}"] } } }),
        ).await;
        assert_eq!(
            fields(&variable),
            [
                "input.customFields[\"ok\"][0]",
                "input.customFields[\"plan\\0\"]"
            ]
        );
        let search = refusals(
            "query($s: String) { contacts(filter: {search: $s}) { totalCount } }",
            json!({ "s": "\u{0}" }),
        )
        .await;
        assert_eq!(fields(&search), ["filter.search"]);
    }

    #[tokio::test]
    async fn dates_must_be_strict_in_literals_and_variables() {
        let found = refusals(
            r#"query($to: NaiveDate!) { forecast(pipelineId: "0190a0a0-0000-7000-8000-000000000000", from: "2026-1-1", to: $to) { months { month } } }"#,
            json!({ "to": "+10000-01-01" }),
        ).await;
        assert_eq!(fields(&found), ["from", "to"]);
        assert!(refusals(
            r#"{ forecast(pipelineId: "0190a0a0-0000-7000-8000-000000000000", from: "2026-01-01", to: "2026-12-31") { months { month } } }"#,
            json!({})
        ).await
        .is_empty());
        let time = refusals(
            r#"{ winRate(pipelineId: "0190a0a0-0000-7000-8000-000000000000", from: "2026-01-01 00:00:00Z", to: "2026-02-01T00:00:00Z") { won } }"#,
            json!({}),
        ).await;
        assert_eq!(fields(&time), ["from"]);
    }
}
