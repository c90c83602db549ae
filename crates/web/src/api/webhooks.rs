//! `/api/v1/webhooks`: operators register signed webhook endpoints, change or disable them
//! (with a reason), read each one's delivery log, replay a message and send a test event.
//! The signing secret is returned when an endpoint is created and when one is read alone.

use super::availability::rfc3339_in;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use stint_app::jobs::parse_limit;
use stint_app::require;
use stint_app::webhooks::{self as hook_ops, Change};
use stint_domain::role::Role;
use stint_store::{WebhookAttempt, WebhookEndpoint, WebhookHealth};
use stint_webhooks::{EndpointInput, EventType};
use utoipa::{IntoParams, ToSchema};

/// One try of a message at an endpoint. Times are RFC 3339 with the operator's offset.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAttemptDto {
    pub id: i64,
    /// The `webhook-id` header: the same for every try and replay of one event.
    pub message_id: String,
    pub event_type: String,
    /// 1 for the first try of this message here; replays continue the count.
    pub attempt: u32,
    /// The receiver's HTTP status; null when no answer came.
    pub status_code: Option<u16>,
    /// A 2xx answer.
    pub succeeded: bool,
    /// Why the try failed.
    pub error: Option<String>,
    /// The start of the receiver's answer (at most 4 KiB).
    pub response_excerpt: Option<String>,
    pub duration_ms: u64,
    #[schema(format = DateTime)]
    pub at: String,
}

impl WebhookAttemptDto {
    pub fn new(a: &WebhookAttempt, tz: &TimeZone) -> Self {
        WebhookAttemptDto {
            id: a.id,
            message_id: a.message_id.clone(),
            event_type: a.event_type.clone(),
            attempt: a.attempt,
            status_code: a.status_code,
            succeeded: a.succeeded(),
            error: a.error.clone(),
            response_excerpt: a.response_excerpt.clone(),
            duration_ms: a.duration_ms,
            at: rfc3339_in(a.at, tz),
        }
    }
}

/// An endpoint and how it is doing.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpointDto {
    pub id: i64,
    pub url: String,
    pub description: String,
    /// The events it receives.
    pub event_types: Vec<String>,
    /// Only ever changed by hand: failures never disable an endpoint.
    pub enabled: bool,
    /// Why it was disabled.
    pub disabled_reason: Option<String>,
    /// The `whsec_…` signing secret: present when the endpoint is created or read alone,
    /// absent from listings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Failed attempts since the last success.
    pub consecutive_failures: u64,
    pub last_attempt: Option<WebhookAttemptDto>,
    /// The operator who registered it.
    pub created_by: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl WebhookEndpointDto {
    pub(crate) fn new(
        e: &WebhookEndpoint,
        health: &WebhookHealth,
        tz: &TimeZone,
        with_secret: bool,
    ) -> Self {
        WebhookEndpointDto {
            id: e.id,
            url: e.url.clone(),
            description: e.description.clone(),
            event_types: e.event_types.clone(),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason.clone(),
            secret: with_secret.then(|| e.secret.clone()),
            consecutive_failures: health.consecutive_failures,
            last_attempt: health
                .last_attempt
                .as_ref()
                .map(|a| WebhookAttemptDto::new(a, tz)),
            created_by: e.created_by.0,
            created_at: rfc3339_in(e.created_at, tz),
            updated_at: rfc3339_in(e.updated_at, tz),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookListDto {
    /// The operator's IANA zone, whose offset the times carry.
    pub tz: String,
    /// Every event type an endpoint may subscribe to.
    pub event_types: Vec<String>,
    /// Oldest first.
    pub endpoints: Vec<WebhookEndpointDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// Where to POST events: an http:// or https:// address.
    #[schema(example = "https://crm.example.com/stint-webhooks")]
    pub url: String,
    #[serde(default)]
    #[schema(format = "line", max_length = 200)]
    pub description: String,
    /// At least one of: booking.created, booking.rescheduled, booking.cancelled,
    /// booking.completed, assessment.submitted, task.done, purchase.paid, purchase.refunded,
    /// credits.settled, budget.low, approval.requested, statement.ready (the last three about
    /// a sponsor; an organisation's own endpoints receive only those, about it).
    #[schema(min_items = 1, value_type = Vec<crate::api::dto::EventTypeName>)]
    pub event_types: Vec<String>,
}

/// Fields to change; absent ones stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookRequest {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// `false` disables the endpoint, which needs `disabled_reason`; `true` enables it.
    pub enabled: Option<bool>,
    pub disabled_reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// The `msg_…` id of a message sent to this endpoint before.
    pub message_id: String,
}

/// A delivery queued for a worker.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedDeliveryDto {
    pub message_id: String,
    /// The delivery job (see `/api/v1/operator/jobs`).
    pub job_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveriesDto {
    pub tz: String,
    /// Newest first.
    pub attempts: Vec<WebhookAttemptDto>,
    /// Ask again with `before` set to this for older attempts; null on the last page.
    pub older_before: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesParams {
    /// At most this many attempts, newest first (default 100).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// Only attempts older than this one: the `older_before` of the page before.
    pub before: Option<i64>,
}

pub(crate) fn zone_name(tz: &TimeZone) -> String {
    tz.iana_name().unwrap_or("UTC").to_string()
}

/// Every webhook endpoint with its last attempt and consecutive failures (operators only).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    responses((status = 200, body = WebhookListDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<WebhookListDto>, ApiError> {
    require(&me, Role::Operator)?;
    let tz = me.zone();
    let endpoints = hook_ops::list(&state)
        .await?
        .iter()
        .map(|(e, h)| WebhookEndpointDto::new(e, h, &tz, false))
        .collect();
    Ok(Json(WebhookListDto {
        tz: zone_name(&tz),
        event_types: EventType::ALL
            .iter()
            .map(|t| t.as_str().to_string())
            .collect(),
        endpoints,
    }))
}

/// Registers an endpoint; the answer carries its new signing secret (operators only).
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    request_body = CreateWebhookRequest,
    responses((status = 201, description = "Registered, with its secret", body = WebhookEndpointDto),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "A field is not valid (named in `fields`); nothing was written", body = ErrorBody)))]
pub async fn create_webhook(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    body: Result<ApiJson<CreateWebhookRequest>, ApiError>,
) -> Result<(StatusCode, Json<WebhookEndpointDto>), ApiError> {
    require(&me, Role::Operator)?;
    let ApiJson(req) = body?;
    let input = EndpointInput {
        url: req.url,
        description: req.description,
        event_types: req.event_types,
    };
    let created = hook_ops::create(&state, &me, &input).await?;
    let health = WebhookHealth {
        last_attempt: None,
        consecutive_failures: 0,
    };
    Ok((
        StatusCode::CREATED,
        Json(WebhookEndpointDto::new(&created, &health, &me.zone(), true)),
    ))
}

/// One endpoint, with its signing secret (operators only).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Endpoint id")),
    responses((status = 200, body = WebhookEndpointDto), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_webhook(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    path: Result<ApiPath<i64>, ApiError>,
) -> Result<Json<WebhookEndpointDto>, ApiError> {
    require(&me, Role::Operator)?;
    let ApiPath(id) = path?;
    let endpoint = hook_ops::endpoint(&state, id).await?;
    let health = hook_ops::health(&state, id).await?;
    Ok(Json(WebhookEndpointDto::new(
        &endpoint,
        &health,
        &me.zone(),
        true,
    )))
}

/// Changes an endpoint; disabling needs a reason, which is shown with it (operators only).
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Endpoint id")), request_body = UpdateWebhookRequest,
    responses((status = 200, body = WebhookEndpointDto), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "A field is not valid (named in `fields`); nothing was written", body = ErrorBody)))]
pub async fn update_webhook(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    path: Result<ApiPath<i64>, ApiError>,
    body: Result<ApiJson<UpdateWebhookRequest>, ApiError>,
) -> Result<Json<WebhookEndpointDto>, ApiError> {
    require(&me, Role::Operator)?;
    let ApiPath(id) = path?;
    let ApiJson(req) = body?;
    let change = Change {
        url: req.url,
        description: req.description,
        event_types: req.event_types,
        enabled: req.enabled,
        disabled_reason: req.disabled_reason,
    };
    let endpoint = hook_ops::update(&state, id, &change).await?;
    let health = hook_ops::health(&state, id).await?;
    Ok(Json(WebhookEndpointDto::new(
        &endpoint,
        &health,
        &me.zone(),
        true,
    )))
}

/// The endpoint's delivery log: every attempt with its status code or error, newest first
/// (operators only).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", security(("bearer" = [])),
    operation_id = "list_webhook_deliveries",
    params(("id" = i64, Path, description = "Endpoint id"), DeliveriesParams),
    responses((status = 200, body = WebhookDeliveriesDto), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "`limit` is not valid", body = ErrorBody)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    path: Result<ApiPath<i64>, ApiError>,
    query: Result<ApiQuery<DeliveriesParams>, ApiError>,
) -> Result<Json<WebhookDeliveriesDto>, ApiError> {
    require(&me, Role::Operator)?;
    let ApiPath(id) = path?;
    let ApiQuery(params) = query?;
    let limit = parse_limit(params.limit.as_deref())?;
    let tz = me.zone();
    let (attempts, older_before) = hook_ops::attempts(&state, id, params.before, limit).await?;
    Ok(Json(WebhookDeliveriesDto {
        tz: zone_name(&tz),
        attempts: attempts
            .iter()
            .map(|a| WebhookAttemptDto::new(a, &tz))
            .collect(),
        older_before,
    }))
}

/// Sends a past message to the endpoint again, with the same `webhook-id` so the receiver
/// can tell it is the same event (operators only).
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/replay", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Endpoint id")), request_body = ReplayRequest,
    responses((status = 202, description = "Queued", body = QueuedDeliveryDto), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such endpoint, or no such message sent to it (field `message_id`)", body = ErrorBody),
        (status = 409, description = "The endpoint is disabled, or this message is already queued for it", body = ErrorBody)))]
pub async fn replay_webhook(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    path: Result<ApiPath<i64>, ApiError>,
    body: Result<ApiJson<ReplayRequest>, ApiError>,
) -> Result<(StatusCode, Json<QueuedDeliveryDto>), ApiError> {
    require(&me, Role::Operator)?;
    let ApiPath(id) = path?;
    let ApiJson(req) = body?;
    let job_id = hook_ops::replay(&state, id, &req.message_id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(QueuedDeliveryDto {
            message_id: req.message_id,
            job_id,
        }),
    ))
}

/// Sends a `webhook.test` event to the endpoint, once (operators only).
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Endpoint id")),
    responses((status = 202, description = "Queued", body = QueuedDeliveryDto), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The endpoint is disabled", body = ErrorBody)))]
pub async fn test_webhook(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    path: Result<ApiPath<i64>, ApiError>,
) -> Result<(StatusCode, Json<QueuedDeliveryDto>), ApiError> {
    require(&me, Role::Operator)?;
    let ApiPath(id) = path?;
    let (message_id, job_id) = hook_ops::send_test(&state, id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(QueuedDeliveryDto { message_id, job_id }),
    ))
}
