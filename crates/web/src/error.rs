//! The API's one error shape: `{"error": {"code", "message", "fields"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;
use stint_domain::FieldErrors;
use stint_store::StoreError;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `validation_failed`, `conflict`, `not_found`, …
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// Messages per input field, when the error is about fields.
    pub fields: BTreeMap<String, String>,
}

/// An API failure: a status and the error body.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: BTreeMap<String, String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            fields: BTreeMap::new(),
        }
    }

    pub fn validation(fields: FieldErrors) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            message: "Some fields are not valid.".into(),
            fields: fields.0,
        }
    }

    pub fn field(
        status: StatusCode,
        code: &'static str,
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        let message = message.into();
        let mut fields = BTreeMap::new();
        fields.insert(field.to_string(), message.clone());
        ApiError {
            status,
            code,
            message: format!("{field}: {message}"),
            fields,
        }
    }

    pub fn unauthenticated() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Log in first: send `Authorization: Bearer <token>`.",
        )
    }

    pub fn forbidden() -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Your account may not do this.",
        )
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("No such {what}."),
        )
    }

    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side.",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { field, message } => {
                ApiError::field(StatusCode::CONFLICT, "conflict", field, message)
            }
            StoreError::NotFound => ApiError::not_found("resource"),
            StoreError::Invalid(fields) => ApiError::validation(fields),
            StoreError::SlotTaken => ApiError::field(
                StatusCode::CONFLICT,
                "slot_taken",
                "start",
                "this time is no longer free; choose another slot",
            ),
            StoreError::IdempotencyMismatch => ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "Idempotency-Key",
                "this key was already used for a different request",
            ),
            other => {
                tracing::error!(error = %other, "storage failure");
                ApiError::internal()
            }
        }
    }
}

/// Maps a storage error, naming what was not found (`NotFound` alone says only "resource").
pub fn missing(what: &'static str) -> impl FnOnce(StoreError) -> ApiError {
    move |e| match e {
        StoreError::NotFound => ApiError::not_found(what),
        e => e.into(),
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        ApiError::validation(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                fields: self.fields,
            },
        };
        (self.status, Json(body)).into_response()
    }
}
