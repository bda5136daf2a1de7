//! `AppError` → GraphQL error with `extensions.code` (and `field`, `existingId` where known).
//! With async-graphql's `custom-error-conversion`, this is the only way an error reaches a
//! client, so no database or Rust error text can leak through a `?`.

use async_graphql::ErrorExtensions;

use crate::error::{AppError, ErrorCode};

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        match &err {
            AppError::Internal(detail) => tracing::error!(detail, "internal error"),
            AppError::Unavailable(detail) => tracing::warn!(detail, "database unavailable"),
            _ => {}
        }
        let code = err.code();
        let field = err.field().map(str::to_owned);
        let existing_id = match &err {
            AppError::Conflict { existing_id, .. } => *existing_id,
            _ => None,
        };
        async_graphql::Error::new(err.client_message()).extend_with(|_, ext| {
            ext.set("code", code.as_str());
            if let Some(field) = &field {
                ext.set("field", field.as_str());
            }
            if let Some(id) = existing_id {
                ext.set("existingId", id.to_string());
            }
        })
    }
}

/// Errors raised by the GraphQL engine itself (syntax, validation, argument coercion) carry
/// no code; they are all about the request, so they become `BAD_USER_INPUT`.
pub fn ensure_codes(response: &mut async_graphql::Response) {
    for error in &mut response.errors {
        let ext = error.extensions.get_or_insert_with(Default::default);
        if ext.get("code").is_none() {
            ext.set("code", ErrorCode::BadUserInput.as_str());
        }
    }
}

pub fn code_of(error: &async_graphql::ServerError) -> Option<String> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code.clone()),
        _ => None,
    }
}
