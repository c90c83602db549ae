//! The API's one error shape: `{"error": {"code", "message", "fields", "request_id"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;
use stint_app::{AppError, ErrorKind};
use stint_domain::FieldErrors;
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
    /// This request's id, also in the `x-request-id` header: quote it to support, who find
    /// the request's log lines by it.
    pub request_id: String,
    /// `insufficient_credits`: what the wallet can spend now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance: Option<i64>,
    /// `insufficient_credits`: the price in credits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    /// `insufficient_credits`: the page where credits are bought.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buy_url: Option<String>,
}

/// An API failure: a status and the error body.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: BTreeMap<String, String>,
    /// Sent as `Retry-After` (seconds) when set.
    pub retry_after_secs: Option<u64>,
    pub shortfall: Option<stint_app::Shortfall>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            fields: BTreeMap::new(),
            retry_after_secs: None,
            shortfall: None,
        }
    }

    // The common failures are the application's own, so their words are written once.
    pub fn validation(fields: FieldErrors) -> Self {
        AppError::validation(fields).into()
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
            retry_after_secs: None,
            shortfall: None,
        }
    }

    pub fn unauthenticated() -> Self {
        AppError::unauthenticated().into()
    }

    pub fn forbidden() -> Self {
        AppError::forbidden().into()
    }

    pub fn not_found(what: &str) -> Self {
        AppError::not_found(what).into()
    }

    pub fn internal() -> Self {
        AppError::internal().into()
    }
}

/// The HTTP status of an application error, the same for the API and the pages.
pub trait HttpStatus {
    fn status(&self) -> StatusCode;
}

impl HttpStatus for AppError {
    fn status(&self) -> StatusCode {
        match self.kind {
            ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::PaymentRequired => StatusCode::PAYMENT_REQUIRED,
            ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The one mapping of an application error to the API's error shape.
impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError {
            status: e.status(),
            code: e.code,
            message: e.message,
            fields: e.fields,
            retry_after_secs: e.retry_after_secs,
            shortfall: e.shortfall,
        }
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
                request_id: crate::observe::request_id::current(),
                balance: self.shortfall.map(|s| s.balance),
                price: self.shortfall.map(|s| s.price),
                buy_url: self
                    .shortfall
                    .map(|_| stint_app::BUY_CREDITS_PATH.to_string()),
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}
