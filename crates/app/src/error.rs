//! The application's one error type. Every use case returns it; the web edge maps it in
//! exactly two places (to the JSON error shape and to a page), the worker to a job error.

use std::collections::BTreeMap;
use stint_domain::FieldErrors;
use stint_store::StoreError;

/// What kind of failure, which decides the HTTP status at the edge and what a page says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Input that can never succeed as given: the fields say what to change (422).
    Invalid,
    /// Nobody is logged in, or the credentials are wrong (401).
    Unauthenticated,
    /// The account may not do this (403).
    Forbidden,
    /// No such thing, or not one the account may see (404).
    NotFound,
    /// The thing is not in a state that allows this (409): already cancelled, a taken
    /// e-mail, a reschedule after its cut-off.
    Conflict,
    /// Too few credits to pay for it (402): the shortfall says how many and where to buy.
    PaymentRequired,
    /// Too many attempts; try again later (429).
    RateLimited,
    /// A part this needs is not configured or not reachable (503).
    Unavailable,
    /// A fault of ours; logged, never explained to the user (500).
    Internal,
}

/// A failed use case: its kind, a stable machine-readable code, a sentence for people and
/// messages per input field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct AppError {
    pub kind: ErrorKind,
    /// Stable: `validation_failed`, `conflict`, `slot_taken`, `too_late`, `too_early`, …
    pub code: &'static str,
    pub message: String,
    pub fields: BTreeMap<String, String>,
    /// For `RateLimited` and `Unavailable`: when to try again, in seconds (`Retry-After`).
    pub retry_after_secs: Option<u64>,
    /// For `PaymentRequired`: the balance, the price and where to buy more.
    pub shortfall: Option<Shortfall>,
}

/// Credits missing for a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall {
    /// What the wallet can spend now (open lots).
    pub balance: i64,
    pub price: i64,
}

/// Where a mentee buys credits (page).
pub const BUY_CREDITS_PATH: &str = "/wallet#buy-title";

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        AppError {
            kind,
            code,
            message: message.into(),
            fields: BTreeMap::new(),
            retry_after_secs: None,
            shortfall: None,
        }
    }

    /// Invalid input, with a message per field.
    pub fn validation(fields: FieldErrors) -> Self {
        AppError {
            kind: ErrorKind::Invalid,
            code: "validation_failed",
            message: "Some fields are not valid.".into(),
            fields: fields.0,
            retry_after_secs: None,
            shortfall: None,
        }
    }

    /// A failure about one field.
    pub fn field(
        kind: ErrorKind,
        code: &'static str,
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        let message = message.into();
        let mut fields = BTreeMap::new();
        fields.insert(field.to_string(), message.clone());
        AppError {
            kind,
            code,
            message: format!("{field}: {message}"),
            fields,
            retry_after_secs: None,
            shortfall: None,
        }
    }

    /// Too much is being asked of the server right now (a flood of password checks): try
    /// again after `secs` (503 with `Retry-After`).
    pub fn busy(secs: u64) -> Self {
        AppError {
            retry_after_secs: Some(secs),
            ..AppError::new(
                ErrorKind::Unavailable,
                "busy",
                format!("The server is busy. Try again in {secs} seconds."),
            )
        }
    }

    /// Sets when to try again.
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    /// A state conflict on `field`.
    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        AppError::field(ErrorKind::Conflict, "conflict", field, message)
    }

    /// Past a cut-off; `message` names the time in the user's zone.
    pub fn too_late(field: &str, message: impl Into<String>) -> Self {
        AppError::field(ErrorKind::Conflict, "too_late", field, message)
    }

    /// Before something opens; `message` names the time in the user's zone.
    pub fn too_early(field: &str, message: impl Into<String>) -> Self {
        AppError::field(ErrorKind::Conflict, "too_early", field, message)
    }

    /// The wallet holds `balance` credits, fewer than `price` (402 `insufficient_credits`).
    pub fn insufficient_credits(balance: i64, price: i64) -> Self {
        AppError {
            shortfall: Some(Shortfall { balance, price }),
            ..AppError::new(
                ErrorKind::PaymentRequired,
                "insufficient_credits",
                format!(
                    "This costs {price} credits and your wallet holds {balance}. Buy credits at {BUY_CREDITS_PATH}."
                ),
            )
        }
    }

    pub fn slot_taken() -> Self {
        AppError::field(
            ErrorKind::Conflict,
            "slot_taken",
            "start",
            "this time is no longer free; choose another slot",
        )
    }

    pub fn unauthenticated() -> Self {
        AppError::new(
            ErrorKind::Unauthenticated,
            "unauthenticated",
            "Log in first: send `Authorization: Bearer <token>`.",
        )
    }

    pub fn forbidden() -> Self {
        AppError::new(
            ErrorKind::Forbidden,
            "forbidden",
            "Your account may not do this.",
        )
    }

    pub fn not_found(what: &str) -> Self {
        AppError::new(ErrorKind::NotFound, "not_found", format!("No such {what}."))
    }

    pub fn internal() -> Self {
        AppError::new(
            ErrorKind::Internal,
            "internal",
            "Something went wrong on our side.",
        )
    }

    pub fn is(&self, kind: ErrorKind) -> bool {
        self.kind == kind
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { field, message } => AppError::conflict(field, message),
            StoreError::NotFound => AppError::not_found("resource"),
            StoreError::Invalid(fields) => AppError::validation(fields),
            StoreError::SlotTaken => AppError::slot_taken(),
            StoreError::Insufficient {
                balance, needed, ..
            } => AppError::insufficient_credits(balance, needed),
            StoreError::IdempotencyMismatch => AppError::field(
                ErrorKind::Invalid,
                "idempotency_key_reused",
                "Idempotency-Key",
                "this key was already used for a different request",
            ),
            other => {
                tracing::error!(error = %other, "storage failure");
                AppError::internal()
            }
        }
    }
}

/// Maps a storage error, naming what was not found (`NotFound` alone says only "resource").
pub fn missing(what: &'static str) -> impl FnOnce(StoreError) -> AppError {
    move |e| match e {
        StoreError::NotFound => AppError::not_found(what),
        e => e.into(),
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::validation(e)
    }
}
