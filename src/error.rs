//! `AppError`: the one error type of request handling. Each variant is one of the API's error
//! codes; `graphql::errors` turns it into `extensions.code`. Internal details are logged here and
//! never reach the client.

use uuid::Uuid;

/// The fixed set of `extensions.code` values clients can rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadUserInput,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    IdempotencyKeyReused,
    StaleObject,
    /// Every execution slot stayed busy for the queue timeout (`http::executions`).
    Overloaded,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            Self::StaleObject => "STALE_OBJECT",
            Self::Overloaded => "OVERLOADED",
            Self::Internal => "INTERNAL",
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// Input that breaks a rule; `field` is the input path, e.g. `input.scopes`.
    #[error("{field}: {message}")]
    BadInput { field: String, message: String },
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    /// Also used for rows of other workspaces, so the two cases are indistinguishable.
    /// `field` names the input that referred to the row, when one did.
    #[error("{entity} {id} was not found")]
    NotFound {
        entity: &'static str,
        id: String,
        field: Option<String>,
    },
    #[error("{message}")]
    Conflict {
        field: Option<String>,
        message: String,
        existing_id: Option<Uuid>,
    },
    #[error("idempotency key {0:?} was already used with a different input")]
    IdempotencyKeyReused(String),
    #[error("{entity} {id} has version {actual}, not the expected {expected}")]
    StaleObject {
        entity: &'static str,
        id: Uuid,
        expected: i32,
        actual: i32,
    },
    /// The database or pool could not serve the request; safe to retry.
    #[error("the service is temporarily unavailable, please retry")]
    Unavailable(String),
    /// A bug or an unexpected database error; the detail is logged, never shown.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            entity,
            id: id.to_string(),
            field: None,
        }
    }

    /// A row an input `field` refers to is not in the workspace.
    pub fn not_found_at(field: &str, entity: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            entity,
            id: id.to_string(),
            field: Some(field.to_owned()),
        }
    }

    pub fn conflict(field: Option<&str>, message: impl Into<String>) -> Self {
        Self::Conflict {
            field: field.map(str::to_owned),
            message: message.into(),
            existing_id: None,
        }
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self::Internal(detail.to_string())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadInput { .. } => ErrorCode::BadUserInput,
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::Conflict { .. } => ErrorCode::Conflict,
            Self::IdempotencyKeyReused(_) => ErrorCode::IdempotencyKeyReused,
            Self::StaleObject { .. } => ErrorCode::StaleObject,
            Self::Unavailable(_) | Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The field the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::BadInput { field, .. } => Some(field),
            Self::Conflict { field, .. } | Self::NotFound { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// The message shown to clients: never SQL, never Rust debug output.
    pub fn client_message(&self) -> String {
        self.to_string()
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &err {
            Error::NotFound => Self::NotFound {
                entity: "record",
                id: String::new(),
                field: None,
            },
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                // Domains translate the constraints they know; this is the safe fallback.
                let constraint = info.constraint_name().unwrap_or("unique").to_owned();
                tracing::debug!(constraint, "unique violation");
                Self::Conflict {
                    field: None,
                    message: "a record with the same unique value already exists".into(),
                    existing_id: None,
                }
            }
            Error::DatabaseError(DatabaseErrorKind::CheckViolation, info) => {
                guard_refusal(info.as_ref()).unwrap_or_else(|| Self::Internal(err.to_string()))
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => Self::Conflict {
                field: None,
                message: "the write conflicted with a concurrent write, please retry".into(),
                existing_id: None,
            },
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
                Self::Unavailable(err.to_string())
            }
            _ => Self::Internal(err.to_string()),
        }
    }
}

/// A refusal raised by a guard trigger: a `check_violation` whose hint names the API error
/// code (`dealgraph:BAD_USER_INPUT`, `dealgraph:CONFLICT`), whose detail names the input
/// field and whose message was written for clients (see the `ledger_guards` migration).
/// Anything else (a plain CHECK constraint) is not one, and stays internal.
fn guard_refusal(info: &dyn diesel::result::DatabaseErrorInformation) -> Option<AppError> {
    let code = info.hint()?.strip_prefix("dealgraph:")?;
    let field = info.details().filter(|f| !f.is_empty()).map(str::to_owned);
    let message = info.message().to_owned();
    tracing::debug!(
        constraint = info.constraint_name(),
        code,
        "refused by a guard trigger"
    );
    match code {
        "BAD_USER_INPUT" => Some(AppError::BadInput {
            field: field.unwrap_or_else(|| "input".into()),
            message,
        }),
        "CONFLICT" => Some(AppError::Conflict {
            field,
            message,
            existing_id: None,
        }),
        _ => None,
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for AppError {
    fn from(err: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Self::Unavailable(err.to_string())
    }
}

impl From<serde_json::Error> for AppError {
    fn from(err: serde_json::Error) -> Self {
        Self::Internal(format!("json: {err}"))
    }
}

/// Turns a unique violation of a known constraint into a `CONFLICT` naming the input field;
/// `known` lists `(constraint or index name, field, message)`. Anything else maps as usual.
pub fn unique_conflict(err: diesel::result::Error, known: &[(&str, &str, &str)]) -> AppError {
    use diesel::result::{DatabaseErrorKind, Error};
    if let Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = &err {
        if let Some((_, field, message)) = known
            .iter()
            .find(|(name, _, _)| Some(*name) == info.constraint_name())
        {
            return AppError::Conflict {
                field: Some((*field).to_owned()),
                message: (*message).to_owned(),
                existing_id: None,
            };
        }
    }
    err.into()
}

/// A delete refused by a foreign key: another record (an invoice, a payment) still names
/// this one. A `CONFLICT` on `input.id` saying which kind of record holds it; the
/// constraint's text stays in the log. Anything else maps as usual.
pub fn still_referenced(err: diesel::result::Error, entity: &str) -> AppError {
    use diesel::result::{DatabaseErrorKind, Error};
    if let Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) = &err {
        tracing::debug!(
            constraint = info.constraint_name(),
            entity,
            "delete refused: still referenced"
        );
        // For a delete, PostgreSQL names the referencing table (`invoices`, `payments`).
        let holders = info
            .table_name()
            .unwrap_or("other records")
            .replace('_', " ");
        return AppError::conflict(
            Some("input.id"),
            format!("the {entity} cannot be deleted: {holders} still refer to it"),
        );
    }
    err.into()
}

/// True when `err` is a foreign-key violation (a row is still referenced).
pub fn is_still_referenced(err: &diesel::result::Error) -> bool {
    matches!(
        err,
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ForeignKeyViolation,
            _
        )
    )
}
