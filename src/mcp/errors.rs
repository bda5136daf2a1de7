//! A failed tool call as an MCP tool error (`isError: true`), carrying the same codes as the
//! GraphQL API's `extensions.code`, so an agent can tell bad input from a missing record or a
//! conflict and act on it. Internal details are never shown, as in GraphQL.

use rmcp::model::CallToolResult;
use serde_json::{json, Value};

use crate::error::AppError;

pub fn tool_error(err: &AppError) -> CallToolResult {
    let mut body = json!({
        "code": err.code().as_str(),
        "message": err.client_message(),
    });
    if let Some(field) = err.field() {
        body["field"] = Value::String(argument_name(field));
    }
    if let AppError::Conflict {
        existing_id: Some(id),
        ..
    } = err
    {
        body["existing_id"] = Value::String(id.to_string());
    }
    if let AppError::Internal(detail) | AppError::Unavailable(detail) = err {
        tracing::error!(%detail, "an MCP tool call failed");
    }
    CallToolResult::structured_error(body)
}

/// The domain names fields as GraphQL inputs do (`input.companyId`); a tool's arguments are
/// snake_case at the top level (`company_id`), so the error names the argument the agent sent.
pub fn argument_name(field: &str) -> String {
    let field = field.strip_prefix("input.").unwrap_or(field);
    let mut name = String::with_capacity(field.len() + 4);
    for c in field.chars() {
        if c.is_ascii_uppercase() {
            name.push('_');
            name.push(c.to_ascii_lowercase());
        } else {
            name.push(c);
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphql_field_names_become_argument_names() {
        assert_eq!(argument_name("input.companyId"), "company_id");
        assert_eq!(
            argument_name("input.lines[1].accountId"),
            "lines[1].account_id"
        );
        assert_eq!(argument_name("title"), "title");
    }

    #[test]
    fn errors_carry_the_api_codes_and_hide_internals() {
        let result = tool_error(&AppError::bad_input(
            "input.email",
            "is not an e-mail address",
        ));
        assert_eq!(result.is_error, Some(true));
        let body = result.structured_content.unwrap();
        assert_eq!(body["code"], "BAD_USER_INPUT");
        assert_eq!(body["field"], "email");
        let hidden = tool_error(&AppError::internal("SELECT secret FROM x"));
        let body = hidden.structured_content.unwrap();
        assert_eq!(body["code"], "INTERNAL");
        assert!(!body.to_string().contains("SELECT"));
    }
}
