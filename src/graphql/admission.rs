//! What a request must pass before any of it runs: at most [`MAX_ALIASES`] aliases, inputs
//! within the boundary ([`super::boundary`]), variables that coerce to the types the
//! operation declares, and a key that holds the scope every root field needs. A failure is a
//! request error — no `data`, nothing executed — as the GraphQL spec and the GraphQL-over-HTTP
//! draft ask; over HTTP it is a 400 or a 403.

use async_graphql::parser::types::{ExecutableDocument, OperationDefinition};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{ErrorExtensionValues, Pos, ServerError, ServerResult, Value, Variables};

use super::boundary::{self, Refusals};
use super::limits::{check_aliases, MAX_ALIASES};
use super::scopes::required_scope;
use super::shape::{root_type, Shape};
use crate::auth::{Actor, Scope};
use crate::error::ErrorCode;

/// Every check of a whole request, grouped by the step of async-graphql's pipeline after
/// which the extension ([`super::execution`]) reports its findings; [`super::direct`] runs a
/// request without the extension only when [`RequestChecks::all_pass`]. A new request-wide
/// check goes into one of the steps here, so that both paths make it.
pub(super) struct RequestChecks<'a> {
    pub(super) registry: &'a Registry,
    pub(super) document: &'a ExecutableDocument,
    pub(super) variables: &'a Variables,
}

impl<'a> RequestChecks<'a> {
    /// Once parsed: more aliases than the limit is a request error at once; what the input
    /// boundary refuses is reported (and audited) after validation.
    pub(super) fn after_parsing(&self) -> ServerResult<Option<Refusals>> {
        check_aliases(self.document, MAX_ALIASES)?;
        Ok(boundary::check(
            self.registry,
            self.document,
            self.variables,
        ))
    }

    /// Before validation, whose argument rule would report a bad variable without naming it:
    /// the variables, coerced to `operation`'s definitions.
    pub(super) fn before_validation(&self, operation: &OperationDefinition) -> Vec<ServerError> {
        check_variables(self.registry, operation, self.variables)
    }

    /// Once the document is valid: the root fields of `operation` the key may not run.
    pub(super) fn after_validation(
        &self,
        operation: &'a OperationDefinition,
        actor: &Actor,
    ) -> Vec<(&'a str, Scope)> {
        let shape = Shape::untyped(self.registry, self.document, self.variables);
        refused_fields(&shape, operation, actor)
    }

    /// Whether no step refuses `operation` for `actor`.
    pub(super) fn all_pass(&self, operation: &'a OperationDefinition, actor: &Actor) -> bool {
        matches!(self.after_parsing(), Ok(None))
            && self.before_validation(operation).is_empty()
            && self.after_validation(operation, actor).is_empty()
    }
}

/// Coerces the request's variables to `operation`'s variable definitions; one error per
/// variable that does not fit, naming it.
fn check_variables(
    registry: &Registry,
    operation: &OperationDefinition,
    variables: &Variables,
) -> Vec<ServerError> {
    let mut errors = Vec::new();
    for definition in &operation.variable_definitions {
        let name = definition.node.name.node.as_str();
        let ty = definition.node.var_type.node.to_string();
        let mut path = format!("${name}");
        let problem = match variables.get(name) {
            None if definition.node.default_value.is_some() || !ty.ends_with('!') => None,
            None => Some(format!("is required (type `{ty}`) but was not given")),
            Some(value) => coerce(registry, &ty, value, &mut path).err(),
        };
        if let Some(problem) = problem {
            let message = if path.len() > name.len() + 1 {
                format!("variable `${name}`: `{path}` {problem}")
            } else {
                format!("variable `${name}` {problem}")
            };
            errors.push(bad_input(message, definition.pos, &path));
        }
    }
    errors
}

/// Input coercion of one value to `ty` (spec §3.10, §3.11, §5.8.5).
fn coerce(registry: &Registry, ty: &str, value: &Value, path: &mut String) -> Result<(), String> {
    match MetaTypeName::create(ty) {
        MetaTypeName::NonNull(inner) => match value {
            Value::Null => Err(format!("must not be null (type `{ty}`)")),
            _ => coerce(registry, inner, value, path),
        },
        MetaTypeName::List(inner) => match value {
            Value::Null => Ok(()),
            Value::List(items) => {
                for (index, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{index}]"));
                    coerce(registry, inner, item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            // A single value is a list of one.
            _ => coerce(registry, inner, value, path),
        },
        MetaTypeName::Named(_) if *value == Value::Null => Ok(()),
        MetaTypeName::Named(name) => match registry.types.get(name) {
            Some(MetaType::Scalar { is_valid, .. }) => {
                let valid = match name {
                    // Int is 32-bit (spec §3.5.1), whatever Rust type reads it.
                    "Int" => {
                        matches!(value, Value::Number(n) if n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()))
                    }
                    "Float" => matches!(value, Value::Number(_)),
                    "ID" => {
                        matches!(value, Value::String(_))
                            || matches!(value, Value::Number(n) if n.is_i64())
                    }
                    _ => is_valid.as_ref().is_none_or(|valid| valid(value)),
                };
                if valid {
                    Ok(())
                } else {
                    Err(format!("is not a valid `{name}`: {value}"))
                }
            }
            Some(MetaType::Enum { enum_values, .. }) => match value {
                Value::String(v) if enum_values.contains_key(v.as_str()) => Ok(()),
                Value::Enum(v) if enum_values.contains_key(v.as_str()) => Ok(()),
                _ => {
                    let allowed: Vec<&str> = enum_values.keys().map(String::as_str).collect();
                    Err(format!(
                        "is not a value of `{name}` ({value}); expected one of {}",
                        allowed.join(", ")
                    ))
                }
            },
            Some(MetaType::InputObject {
                input_fields,
                oneof,
                ..
            }) => {
                let Value::Object(fields) = value else {
                    return Err(format!("must be an object of type `{name}`, not {value}"));
                };
                if let Some(unknown) = fields
                    .keys()
                    .find(|k| !input_fields.contains_key(k.as_str()))
                {
                    return Err(format!("has no field `{unknown}` (type `{name}`)"));
                }
                if *oneof && fields.values().filter(|v| **v != Value::Null).count() != 1 {
                    return Err(format!("must set exactly one field of `{name}`"));
                }
                for field in input_fields.values() {
                    let len = path.len();
                    path.push('.');
                    path.push_str(&field.name);
                    match fields.get(field.name.as_str()) {
                        Some(value) => coerce(registry, &field.ty, value, path)?,
                        None if field.ty.ends_with('!') && field.default_value.is_none() => {
                            return Err(format!(
                                "is required (type `{}`) but was not given",
                                field.ty
                            ));
                        }
                        None => {}
                    }
                    path.truncate(len);
                }
                Ok(())
            }
            // Validation has made sure a variable's type is an input type.
            _ => Ok(()),
        },
    }
}

/// The root fields of `operation` this key may not run, with the scope each needs.
fn refused_fields<'a>(
    shape: &Shape<'a>,
    operation: &'a OperationDefinition,
    actor: &Actor,
) -> Vec<(&'a str, Scope)> {
    let Some(root) = root_type(shape.registry, operation.ty) else {
        return Vec::new();
    };
    shape
        .collect(root, &[&operation.selection_set.node])
        .into_iter()
        .filter_map(|entry| {
            let scope = required_scope(operation.ty, entry.name)?;
            (!actor.has(scope)).then_some((entry.name, scope))
        })
        .collect()
}

/// The request error for refused root fields: FORBIDDEN, naming the scope and the fields.
pub fn forbidden(refused: &[(&str, Scope)]) -> ServerError {
    let scope = refused
        .iter()
        .map(|(_, s)| *s)
        .max()
        .unwrap_or(Scope::CrmRead);
    let fields: Vec<String> = refused.iter().map(|(f, _)| format!("`{f}`")).collect();
    let mut error = ServerError::new(
        format!(
            "this API key lacks the `{scope}` scope, which {} needs",
            fields.join(", ")
        ),
        None,
    );
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", ErrorCode::Forbidden.as_str());
    error.extensions = Some(ext);
    error
}

fn bad_input(message: String, pos: Pos, field: &str) -> ServerError {
    let mut error = ServerError::new(message, Some(pos));
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", ErrorCode::BadUserInput.as_str());
    ext.set("field", field);
    error.extensions = Some(ext);
    error
}
