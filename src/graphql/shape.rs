//! A response in the shape the GraphQL spec gives it. async-graphql resolves an object's fields
//! concurrently and keeps them in the order they finished, leaves a field that failed out of
//! its object, and never nulls the parent of a failed non-null field. This pass, run on the
//! finished response, puts every object's fields in the order the query selected them,
//! `null` where a field failed, and nulls the nearest nullable parent of a non-null field
//! that is null. It works in place: no copy of the tree (a board is some 100 KB).

use std::cell::RefCell;
use std::collections::HashMap;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    Directive, ExecutableDocument, Field, OperationDefinition, OperationType, Selection,
    SelectionSet,
};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{Name, PathSegment, Positioned, Response, ServerError, Value, Variables};

/// Everything the pass needs besides the response itself.
pub struct Shape<'a> {
    pub registry: &'a Registry,
    pub document: &'a ExecutableDocument,
    pub variables: &'a Variables,
    /// The concrete type of each object at an abstract position (`node(id:)`), by response
    /// path (`a.0.b`); a value does not say which type it is.
    pub runtime_types: &'a HashMap<String, String>,
}

/// One response key of an object: the field it names and every selection merged under it.
pub struct Entry<'a> {
    pub key: &'a Name,
    pub name: &'a str,
    /// The field's type (`[Deal!]!`); `None` for `__typename` and unknown fields.
    ty: Option<&'a str>,
    /// True when the field's type names an object, interface or union.
    composite: bool,
    sets: Vec<&'a SelectionSet>,
    /// The entries of this field's objects, shared by every object this entry belongs to
    /// (a board's 350 deals collect their `stage`'s fields once).
    child: RefCell<Memo<'a>>,
}

/// A step of the path to the value being shaped, borrowed from the document.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The entries of the objects at one position of the query, computed for the first and
/// reused for the rest: they share their selections and, unless abstract, their type.
type Memo<'a> = Option<(&'a str, Vec<Entry<'a>>)>;

/// No concrete types noted: for a shape of the query alone, before anything ran.
static NO_RUNTIME_TYPES: std::sync::LazyLock<HashMap<String, String>> =
    std::sync::LazyLock::new(HashMap::new);

impl<'a> Shape<'a> {
    /// The shape of the query alone, for what needs no response: the checks before it runs,
    /// and a response whose abstract positions each select `__typename`.
    pub fn untyped(
        registry: &'a Registry,
        document: &'a ExecutableDocument,
        variables: &'a Variables,
    ) -> Self {
        Shape {
            registry,
            document,
            variables,
            runtime_types: &NO_RUNTIME_TYPES,
        }
    }

    /// Shapes `response`, the result of `operation`: its data becomes null when a non-null
    /// root field is null. The response's errors tell apart an object whose every field
    /// failed, which comes back from the engine as null.
    pub fn apply(&self, operation: &'a OperationDefinition, response: &mut Response) {
        let Some(root) = root_type(self.registry, operation.ty) else {
            return;
        };
        let mut walk = Walk {
            shape: self,
            errors: &response.errors,
            path: Vec::new(),
        };
        let selection = &operation.selection_set.node;
        if !walk.object(&mut response.data, root, &[selection], &mut None) {
            response.data = Value::Null;
        }
    }

    /// The response keys `selection` gives an object of type `object`, in order, with the
    /// fields merged under each (`@skip`/`@include` and type conditions applied).
    pub fn collect(&self, object: &'a MetaType, sets: &[&'a SelectionSet]) -> Vec<Entry<'a>> {
        let mut entries = Vec::new();
        let mut visited = Vec::new();
        for set in sets {
            self.collect_set(object, set, &mut entries, &mut visited);
        }
        entries
    }

    fn collect_set(
        &self,
        object: &'a MetaType,
        set: &'a SelectionSet,
        entries: &mut Vec<Entry<'a>>,
        visited: &mut Vec<&'a str>,
    ) {
        for selection in &set.items {
            if self.skipped(selection.node.directives()) {
                continue;
            }
            match &selection.node {
                Selection::Field(field) => self.add_field(object, field, entries),
                Selection::InlineFragment(fragment) => {
                    let condition = fragment.node.type_condition.as_ref();
                    if condition.is_none_or(|c| self.applies(&c.node.on.node, object)) {
                        self.collect_set(
                            object,
                            &fragment.node.selection_set.node,
                            entries,
                            visited,
                        );
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if visited.contains(&name) {
                        continue;
                    }
                    visited.push(name);
                    let Some(fragment) = self.document.fragments.get(name) else {
                        continue;
                    };
                    if self.applies(&fragment.node.type_condition.node.on.node, object) {
                        self.collect_set(
                            object,
                            &fragment.node.selection_set.node,
                            entries,
                            visited,
                        );
                    }
                }
            }
        }
    }

    fn add_field(
        &self,
        object: &'a MetaType,
        field: &'a Positioned<Field>,
        entries: &mut Vec<Entry<'a>>,
    ) {
        let key = &field.node.response_key().node;
        let set = &field.node.selection_set.node;
        if let Some(entry) = entries.iter_mut().find(|e| e.key == key) {
            entry.sets.push(set);
            return;
        }
        let name = field.node.name.node.as_str();
        let ty = object.field_by_name(name).map(|f| f.ty.as_str());
        let composite = ty.is_some_and(|ty| {
            self.registry
                .types
                .get(MetaTypeName::concrete_typename(ty))
                .is_some_and(MetaType::is_composite)
        });
        entries.push(Entry {
            key,
            name,
            ty,
            composite,
            sets: vec![set],
            child: RefCell::new(None),
        });
    }

    /// Whether a fragment on `condition` applies to an object of type `object`.
    fn applies(&self, condition: &str, object: &MetaType) -> bool {
        fragment_applies(self.registry, condition, object)
    }

    /// `@skip`/`@include`, decided as the engine decides them (a missing variable is false).
    fn skipped(&self, directives: &[Positioned<Directive>]) -> bool {
        directives.iter().any(|directive| {
            let include = match directive.node.name.node.as_str() {
                "skip" => false,
                "include" => true,
                _ => return false,
            };
            let condition = directive.node.get_argument("if").map(|value| {
                match value
                    .node
                    .clone()
                    .into_const_with(|name| self.variables.get(&name).cloned().ok_or(()))
                {
                    Ok(Value::Boolean(b)) => b,
                    _ => false,
                }
            });
            condition.is_some_and(|condition| condition != include)
        })
    }
}

/// One walk over a response.
struct Walk<'s, 'a> {
    shape: &'s Shape<'a>,
    errors: &'s [ServerError],
    path: Vec<Step<'a>>,
}

impl<'a> Walk<'_, 'a> {
    /// Shapes the value of a position of type `ty`; false when it is null and may not be.
    fn value(
        &mut self,
        value: &mut Value,
        ty: &'a str,
        sets: &[&'a SelectionSet],
        memo: &mut Memo<'a>,
    ) -> bool {
        match MetaTypeName::create(ty) {
            MetaTypeName::NonNull(inner) => {
                self.value(value, inner, sets, memo);
                !matches!(value, Value::Null)
            }
            MetaTypeName::List(inner) => {
                if let Value::List(items) = value {
                    let mut nulled = false;
                    for (index, item) in items.iter_mut().enumerate() {
                        self.path.push(Step::Index(index));
                        nulled = !self.value(item, inner, sets, memo);
                        self.path.pop();
                        if nulled {
                            break;
                        }
                    }
                    if nulled {
                        *value = Value::Null;
                    }
                }
                true
            }
            MetaTypeName::Named(name) => {
                if let Some(object) = self.shape.registry.types.get(name) {
                    if object.is_composite() && !self.object(value, object, sets, memo) {
                        *value = Value::Null;
                    }
                }
                true
            }
        }
    }

    /// Shapes an object; false when one of its non-null fields is null, so it must be too.
    fn object(
        &mut self,
        value: &mut Value,
        declared: &'a MetaType,
        sets: &[&'a SelectionSet],
        memo: &mut Memo<'a>,
    ) -> bool {
        if matches!(value, Value::Null) {
            if !self.failed_beneath() {
                return true;
            }
            // The engine answers null for an object none of whose fields produced a value.
            *value = Value::Object(IndexMap::new());
        }
        let Value::Object(map) = value else {
            return true;
        };
        let object = if declared.is_abstract() {
            self.runtime_type(map, declared, sets)
                .and_then(|name| self.shape.registry.types.get(name))
                .unwrap_or(declared)
        } else {
            declared
        };
        if memo.as_ref().is_none_or(|(name, _)| *name != object.name()) {
            *memo = Some((object.name(), self.shape.collect(object, sets)));
        }
        let Some((_, entries)) = memo.as_ref() else {
            return true;
        };
        // Usually every field is there and in order: then nothing is looked up by name.
        let in_order =
            map.len() == entries.len() && map.keys().zip(entries.iter()).all(|(k, e)| k == e.key);
        if !in_order {
            // A field that failed is missing: it is null, in its place.
            for entry in entries {
                if !map.contains_key(entry.key) {
                    map.insert(entry.key.clone(), Value::Null);
                }
            }
            map.sort_by_cached_key(|key, _| {
                entries
                    .iter()
                    .position(|e| e.key == key)
                    .unwrap_or(usize::MAX)
            });
        }
        // Now the map's first entries are the entries', in the same order.
        for (entry, child) in entries.iter().zip(map.values_mut()) {
            let Some(ty) = entry.ty else {
                continue;
            };
            let fine = if entry.composite {
                self.path.push(Step::Key(entry.key.as_str()));
                let fine = self.value(child, ty, &entry.sets, &mut entry.child.borrow_mut());
                self.path.pop();
                fine
            } else {
                !(matches!(child, Value::Null) && ty.ends_with('!'))
            };
            if !fine {
                return false;
            }
        }
        true
    }

    /// True when an error was raised under the current path.
    fn failed_beneath(&self) -> bool {
        self.errors.iter().any(|error| {
            error.path.len() > self.path.len()
                && error
                    .path
                    .iter()
                    .zip(&self.path)
                    .all(|(a, b)| match (a, b) {
                        (PathSegment::Field(a), Step::Key(b)) => a == b,
                        (PathSegment::Index(a), Step::Index(b)) => a == b,
                        _ => false,
                    })
        })
    }

    fn runtime_type<'m>(
        &'m self,
        map: &'m IndexMap<Name, Value>,
        declared: &MetaType,
        sets: &[&'a SelectionSet],
    ) -> Option<&'m str> {
        let key = path_key(self.path.iter().map(|step| match step {
            Step::Key(key) => (*key).to_owned(),
            Step::Index(index) => index.to_string(),
        }));
        if let Some(name) = self.shape.runtime_types.get(&key) {
            return Some(name);
        }
        // An object that selected nothing but `__typename` ran no resolver to record it.
        let typenames =
            sets.iter()
                .flat_map(|set| &set.items)
                .filter_map(|item| match &item.node {
                    Selection::Field(f) if f.node.name.node == "__typename" => {
                        map.get(&f.node.response_key().node)
                    }
                    _ => None,
                });
        typenames.into_iter().find_map(|value| match value {
            Value::String(name) if declared.is_possible_type(name) => Some(name.as_str()),
            _ => None,
        })
    }
}

/// The type of an operation's root selection set.
pub fn root_type(registry: &Registry, operation: OperationType) -> Option<&MetaType> {
    let name = match operation {
        OperationType::Query => Some(registry.query_type.as_str()),
        OperationType::Mutation => registry.mutation_type.as_deref(),
        OperationType::Subscription => registry.subscription_type.as_deref(),
    };
    name.and_then(|name| registry.types.get(name))
}

/// Whether a fragment on `condition` applies to an object of type `object`.
pub fn fragment_applies(registry: &Registry, condition: &str, object: &MetaType) -> bool {
    condition == object.name()
        || registry
            .types
            .get(condition)
            .is_some_and(|c| c.is_possible_type(object.name()))
}

/// The key under which an abstract position's concrete type is recorded.
pub fn path_key(segments: impl Iterator<Item = String>) -> String {
    segments.collect::<Vec<_>>().join(".")
}

#[cfg(test)]
mod tests {
    use crate::graphql::{schema_builder, SchemaSettings};

    /// Without a key every CRM field fails: each is null in its place, in query order.
    #[tokio::test]
    async fn failed_fields_are_null_in_place_and_in_order() {
        let schema = schema_builder(SchemaSettings { production: false }).finish();
        let response = schema
            .execute(r#"{ deal(id: "nope") { id } __typename b: deal(id: "x") { id } }"#)
            .await;
        let data = serde_json::to_string(&response.data).unwrap_or_default();
        assert_eq!(data, r#"{"deal":null,"__typename":"Query","b":null}"#);
    }
}
