//! Most HTTP requests run on a second copy of the schema that has no extension at all.
//!
//! As soon as a schema has one extension, async-graphql passes every field of every response
//! through it: a registry lookup of the parent type and the field, a boxed future, and two
//! type names formatted for every list item. The rules of [`super::execution`] need hooks only
//! around a request, except one: noting the concrete type of objects at abstract positions
//! (`node(id:)`, a timeline), which [`super::shape`] needs to order their fields.
//!
//! So [`Schemas::admits`] runs the rules' request checks itself, before anything executes:
//! the same [`RequestChecks`] the extension makes (the alias limit, the input boundary, the
//! variables, the key's scopes). A request that passes all
//! of them, and where every object at an abstract position selects `__typename` (from which
//! the shape pass reads its type), runs on the plain copy; its response is shaped here as the
//! extension would shape it. Everything else runs on the ruled
//! copy, which reports a refusal exactly as before (in the spec's order: variables, validation,
//! scopes, boundary) and audits a refused write. Subscriptions always take the ruled copy: their
//! events share loaders through its `execute` hook.

use std::sync::{Arc, OnceLock};

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{Request, Response, SchemaEnv, Variables};

use super::admission::RequestChecks;
use super::documents::operation;
use super::limits::MAX_RECURSIVE_DEPTH;
use super::shape::{fragment_applies, root_type, Shape};
use super::DealgraphSchema;
use crate::auth::Actor;

/// The schema twice: with the rules as its one extension, and without any.
#[derive(Clone)]
pub struct Schemas {
    /// Subscriptions, and every request [`Schemas::admits`] does not admit.
    pub ruled: DealgraphSchema,
    /// The same types and data, no extension.
    plain: DealgraphSchema,
    /// The schema's registry, which async-graphql hands out only to extensions: the ruled
    /// copy's extension keeps it at its first request ([`Schemas::prime`]).
    env: Arc<OnceLock<SchemaEnv>>,
}

/// A request the plain copy may run, with what shaping its response takes.
pub struct Admitted {
    document: Arc<ExecutableDocument>,
    variables: Variables,
}

impl Schemas {
    pub(super) fn new(
        ruled: DealgraphSchema,
        plain: DealgraphSchema,
        env: Arc<OnceLock<SchemaEnv>>,
    ) -> Self {
        Schemas { ruled, plain, env }
    }

    /// Runs one trivial request on the ruled copy, so that the registry is known before the
    /// first client's request.
    pub async fn prime(&self) {
        let response = self.ruled.execute("{ __typename }").await;
        debug_assert!(response.errors.is_empty());
    }

    /// Whether `document`'s operation `name`, with `variables`, passes every request check of
    /// the rules for `actor`, and its response's objects can be told apart without the
    /// extension; then it may run plain.
    pub fn admits(
        &self,
        document: &Arc<ExecutableDocument>,
        name: Option<&str>,
        variables: &Variables,
        actor: &Actor,
    ) -> Option<Admitted> {
        let env = self.env.get()?;
        let registry = &env.registry;
        let operation = operation(document, name)?;
        // Checked first: the walks below recurse once per level.
        if !nested_within(document, MAX_RECURSIVE_DEPTH) {
            return None;
        }
        let root = root_type(registry, operation.ty)?;
        let typed = Concrete {
            registry,
            document,
            visited: Vec::new(),
            walked: 0,
        }
        .set(root, &operation.selection_set.node);
        let checks = RequestChecks {
            registry,
            document,
            variables,
        };
        if !typed || !checks.all_pass(operation, actor) {
            return None;
        }
        Some(Admitted {
            document: document.clone(),
            variables: variables.clone(),
        })
    }

    /// Runs `request` on the plain copy when admitted, else on the ruled one.
    pub async fn execute(&self, request: Request, admitted: Option<Admitted>) -> Response {
        // Boxed: the engine's futures are large, and only one of the two runs.
        let (Some(admitted), Some(env)) = (admitted, self.env.get()) else {
            return Box::pin(self.ruled.execute(request)).await;
        };
        let name = request.operation_name.clone();
        let mut response = Box::pin(self.plain.execute(request)).await;
        if let Some(operation) = operation(&admitted.document, name.as_deref()) {
            Shape::untyped(&env.registry, &admitted.document, &admitted.variables)
                .apply(operation, &mut response);
        }
        response
    }
}

/// True when no selection set of the document, as written, is nested deeper than `limit`.
fn nested_within(document: &ExecutableDocument, limit: usize) -> bool {
    fn within(set: &SelectionSet, limit: usize) -> bool {
        limit > 0
            && set.items.iter().all(|item| match &item.node {
                Selection::Field(field) => within(&field.node.selection_set.node, limit - 1),
                Selection::InlineFragment(fragment) => {
                    within(&fragment.node.selection_set.node, limit - 1)
                }
                Selection::FragmentSpread(_) => true,
            })
    }
    document
        .operations
        .iter()
        .all(|(_, op)| within(&op.node.selection_set.node, limit))
        && document
            .fragments
            .values()
            .all(|f| within(&f.node.selection_set.node, limit))
}

/// Finds whether the shape pass can tell the concrete type of every object of the response.
/// Without the extension nothing records it, so an object at an abstract position must
/// select `__typename` (as Apollo's and urql's clients do everywhere).
struct Concrete<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
    /// Fragments already walked, with the type they were walked on: a fragment spread
    /// twice is walked once, so spreads cannot multiply the work.
    visited: Vec<(&'a str, &'a str)>,
    /// Selection sets walked, for the test that spreads cannot multiply them.
    walked: usize,
}

impl<'a> Concrete<'a> {
    /// True when `set`, selected on `parent`, and every set beneath it either sit on an object
    /// type or select `__typename` themselves. Unknown fields and fragments that do not apply
    /// answer false: the ruled copy reports them.
    fn set(&mut self, parent: &'a MetaType, set: &'a SelectionSet) -> bool {
        self.walked += 1;
        if parent.is_abstract() && !selects_typename(set) {
            return false;
        }
        set.items.iter().all(|item| match &item.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                if name == "__typename" {
                    return true;
                }
                let Some(ty) = parent.field_by_name(name).map(|f| f.ty.as_str()) else {
                    return false;
                };
                match self.registry.types.get(MetaTypeName::concrete_typename(ty)) {
                    Some(child) if child.is_composite() => {
                        self.set(child, &field.node.selection_set.node)
                    }
                    Some(_) => true,
                    None => false,
                }
            }
            Selection::InlineFragment(fragment) => {
                let set = &fragment.node.selection_set.node;
                match fragment.node.type_condition.as_ref() {
                    None => self.set(parent, set),
                    Some(condition) => self.on(&condition.node.on.node, parent, set),
                }
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                if self.visited.contains(&(name, parent.name())) {
                    return true;
                }
                self.visited.push((name, parent.name()));
                let Some(fragment) = self.document.fragments.get(name) else {
                    return false;
                };
                let condition = &fragment.node.type_condition.node.on.node;
                self.on(condition, parent, &fragment.node.selection_set.node)
            }
        })
    }

    /// A fragment on `condition` selected on `parent`: on an object it applies to, its fields
    /// are the object's; on an abstract position, they belong to the condition's type.
    fn on(&mut self, condition: &str, parent: &'a MetaType, set: &'a SelectionSet) -> bool {
        let Some(on) = self.registry.types.get(condition) else {
            return false;
        };
        if parent.is_abstract() {
            self.set(on, set)
        } else {
            fragment_applies(self.registry, condition, parent) && self.set(parent, set)
        }
    }
}

/// Whether `set` itself selects `__typename`, under any alias and unconditionally.
fn selects_typename(set: &SelectionSet) -> bool {
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => {
            field.node.name.node == "__typename" && field.node.directives.is_empty()
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Scope;
    use crate::graphql::execution::SpecExtension;
    use crate::graphql::limits::MAX_ALIASES;
    use crate::graphql::SchemaSettings;

    async fn schemas() -> Schemas {
        let settings = SchemaSettings { production: true };
        let env = Arc::default();
        let ruled = super::super::plain_builder(settings)
            .extension(SpecExtension::keeping_env(Arc::clone(&env)))
            .finish();
        let schemas = Schemas::new(ruled, super::super::plain_builder(settings).finish(), env);
        schemas.prime().await;
        schemas
    }

    fn key(scopes: &[Scope]) -> Actor {
        Actor {
            workspace_id: uuid::Uuid::nil(),
            key_id: uuid::Uuid::nil(),
            scopes: scopes.to_vec(),
            request_id: None,
            channel: crate::audit::Channel::Graphql,
        }
    }

    /// Whether `query` (with `variables`, as JSON) would run on the plain copy for `scopes`.
    fn plain(schemas: &Schemas, query: &str, variables: &str, scopes: &[Scope]) -> bool {
        let document = Arc::new(async_graphql::parser::parse_query(query).unwrap());
        let variables = Variables::from_json(serde_json::from_str(variables).unwrap());
        schemas
            .admits(&document, None, &variables, &key(scopes))
            .is_some()
    }

    const BOARD: &str = "query Board($id: ID!) { pipeline(id: $id) { stages { name \
        deals(first: 50) { totalCount nodes { id title amount currency closeProbability \
        isRotting company { name } tags { name } contacts { role contact { name email } } } } } } }";

    #[tokio::test]
    async fn the_screens_run_plain_and_whatever_the_rules_would_report_runs_ruled() {
        let schemas = schemas().await;
        let read = &[Scope::CrmRead];
        let id = r#"{"id": "8d5c4d0e-94a4-4c57-9d1c-1f2f2a2b3c4d"}"#;
        assert!(plain(&schemas, BOARD, id, read), "the board");
        assert!(plain(
            &schemas,
            "{ contact(id: \"x\") { timeline(first: 5) { nodes { __typename ... on Activity { subject } } } } }",
            "{}",
            read
        ));
        assert!(plain(
            &schemas,
            "mutation { createContact(input: {name: \"Ada\"}) { contact { id } } }",
            "{}",
            &[Scope::CrmWrite]
        ));

        // Refusals: each is reported by the ruled copy, in the rules' order and words.
        assert!(plain(
            &schemas,
            "{ apiKeys { nodes { id } } }",
            "{}",
            &[Scope::Admin]
        ));
        let valid_id = r#"{"id": "8d5c4d0e-94a4-4c57-9d1c-1f2f2a2b3c4d"}"#;
        let by_id = "query Board($id: ID!) { pipeline(id: $id) { id } }";
        assert!(plain(&schemas, by_id, valid_id, read));
        let refused = [
            (
                "mutation { createContact(input: {name: \"Ada\"}) { contact { id } } }",
                "{}",
            ),
            ("{ apiKeys { nodes { id } } }", "{}"),
            ("{ contact(id: \"a\\u0000b\") { id } }", "{}"),
            (
                "query Board($id: ID!) { pipeline(id: $id) { id } }",
                r#"{"id": 5.5}"#,
            ),
            ("query Board($id: ID!) { pipeline(id: $id) { id } }", "{}"),
        ];
        let aliases: String = (0..=MAX_ALIASES)
            .map(|n| format!("a{n}: viewer {{ effectiveScopes }} "))
            .collect();
        let aliases = format!("{{ {aliases} }}");
        for (query, variables) in refused.into_iter().chain([(aliases.as_str(), "{}")]) {
            assert!(!plain(&schemas, query, variables, read), "{query}");
            // The ruled copy refuses it as a whole, before anything runs (no database here).
            let request = Request::new(query)
                .variables(Variables::from_json(
                    serde_json::from_str(variables).unwrap(),
                ))
                .data(key(read));
            let response = schemas.ruled.execute(request).await;
            assert_eq!(response.data, async_graphql::Value::Null, "{query}");
            assert!(!response.errors.is_empty(), "{query}");
        }

        // Objects whose type only the extension could note.
        assert!(!plain(
            &schemas,
            "{ node(id: \"x\") { id ... on Deal { title } } }",
            "{}",
            read
        ));
        assert!(!plain(
            &schemas,
            "{ contact(id: \"x\") { timeline(first: 5) { nodes { ... on Activity { subject } } } } }",
            "{}",
            read
        ));
        assert!(plain(
            &schemas,
            "{ node(id: \"x\") { __typename id } }",
            "{}",
            read
        ));

        // Left to the engine to report, on the ruled copy.
        assert!(!plain(&schemas, "{ noSuchField }", "{}", read));
        let nested = |levels: usize| {
            let query = format!("{{ a {}{} }}", "{ a ".repeat(levels), "}".repeat(levels));
            nested_within(
                &async_graphql::parser::parse_query(&query).unwrap(),
                MAX_RECURSIVE_DEPTH,
            )
        };
        assert!(nested(MAX_RECURSIVE_DEPTH - 2));
        assert!(!nested(MAX_RECURSIVE_DEPTH));
    }

    #[tokio::test]
    async fn fragments_that_spread_each_other_are_walked_once() {
        let schemas = schemas().await;
        let registry = &schemas.env.get().unwrap().registry;
        let walked = |query: &str| {
            let document = async_graphql::parser::parse_query(query).unwrap();
            let operation = operation(&document, None).unwrap();
            let mut walk = Concrete {
                registry,
                document: &document,
                visited: Vec::new(),
                walked: 0,
            };
            walk.set(
                root_type(registry, operation.ty).unwrap(),
                &operation.selection_set.node,
            );
            walk.walked
        };
        // Each fragment spreads the next twice: walked naively, 2^30 sets.
        let mut query = String::from("{ viewer { ...F0 } }\n");
        for n in 0..30 {
            query.push_str(&format!(
                "fragment F{n} on Viewer {{ ...F{m} ...F{m} }}\n",
                m = n + 1
            ));
        }
        query.push_str("fragment F30 on Viewer { workspace { id } }\n");
        assert_eq!(walked(&query), 34);
        // A cycle, which validation refuses: the walk ends.
        let cycle =
            "{ viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A }";
        assert_eq!(walked(cycle), 4);
    }
}
