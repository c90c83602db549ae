//! The one error type of the storage layer; no database driver types leak out of it.

use stint_domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (e.g. the e-mail is taken); `field` names the input.
    #[error("{field}: {message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    /// The thing to change does not exist.
    #[error("not found")]
    NotFound,
    /// The input refers to things that do not exist or breaks a rule checked in storage.
    #[error("invalid: {0}")]
    Invalid(FieldErrors),
    /// The time asked for is not (or no longer) a free slot of the mentor.
    #[error("slot taken")]
    SlotTaken,
    /// An account would go below zero (`account` holds `balance`, fewer than `needed`).
    #[error("{account} holds {balance} credits, fewer than {needed}")]
    Insufficient {
        account: String,
        balance: i64,
        needed: i64,
    },
    /// An idempotency key was reused with a different request.
    #[error("idempotency key reused with another request")]
    IdempotencyMismatch,
    /// The database URL names no supported backend.
    #[error("unsupported database URL (use sqlite://… or postgres://…)")]
    UnsupportedUrl,
    /// The database failed; the message is for logs, not for users.
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn conflict(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Conflict {
            field,
            message: message.into(),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Backend(Box::new(e))
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Backend(Box::new(e))
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Backend(Box::new(e))
    }
}

/// Whether a database error is the no-overlap guarantee of bookings refusing a write
/// (PostgreSQL's exclusion constraint, SQLite's trigger).
pub(crate) fn is_overlap_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.code().is_some_and(|c| c == "23P01") || db.message().contains("booking_overlap")
        }
        _ => false,
    }
}

/// Whether a database error is a unique-constraint violation.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                || db
                    .code()
                    .is_some_and(|c| c == "23505" || c == "2067" || c == "1555")
        }
        _ => false,
    }
}
