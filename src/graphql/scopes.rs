//! Which scope each root field needs: the one table the API checks before an operation runs
//! (the domain operations check their own scope again, for callers other than GraphQL).

use async_graphql::parser::types::OperationType;

use crate::auth::Scope;

/// Root fields only an `admin` key may use: key management and the audit trail.
const ADMIN_FIELDS: &[&str] = &[
    "apiKeys",
    "auditEvents",
    "createApiKey",
    "revokeApiKey",
    // Webhooks: where the workspace's data goes, and their signing secrets.
    "webhookEndpoints",
    "webhookDeliveries",
    "createWebhookEndpoint",
    "updateWebhookEndpoint",
    "deleteWebhookEndpoint",
    "rotateWebhookSecret",
    "redeliverWebhook",
    "replayWebhooks",
];

/// Root fields any valid key may use.
const OPEN_FIELDS: &[&str] = &["viewer", "serverTime", "__typename", "__schema", "__type"];

/// The scope `field`, a root field of an `operation`, needs; `None` when any key may use it.
/// Everything else follows the operation: a mutation writes (`crm:write`), queries and
/// subscriptions read (`crm:read`).
pub fn required_scope(operation: OperationType, field: &str) -> Option<Scope> {
    if OPEN_FIELDS.contains(&field) {
        None
    } else if ADMIN_FIELDS.contains(&field) {
        Some(Scope::Admin)
    } else if operation == OperationType::Mutation {
        Some(Scope::CrmWrite)
    } else {
        Some(Scope::CrmRead)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::{schema_builder, SchemaSettings};

    #[test]
    fn writes_need_crm_write_and_key_management_needs_admin() {
        let m = OperationType::Mutation;
        assert_eq!(required_scope(m, "moveDeal"), Some(Scope::CrmWrite));
        assert_eq!(required_scope(m, "createApiKey"), Some(Scope::Admin));
        let q = OperationType::Query;
        assert_eq!(required_scope(q, "deals"), Some(Scope::CrmRead));
        assert_eq!(required_scope(q, "auditEvents"), Some(Scope::Admin));
        assert_eq!(required_scope(q, "viewer"), None);
    }

    /// A name in the table that is no root field would be a check that never applies.
    #[test]
    fn every_named_field_is_a_root_field() {
        let schema = schema_builder(SchemaSettings { production: false }).finish();
        let sdl = schema.sdl();
        for field in ADMIN_FIELDS.iter().chain(OPEN_FIELDS) {
            if !field.starts_with("__") {
                assert!(
                    sdl.contains(&format!("\t{field}")),
                    "{field} is not in the schema"
                );
            }
        }
    }
}
