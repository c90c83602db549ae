//! `/api/v1/sponsor/orgs/{id}/webhooks`: an organisation's admins register signed endpoints
//! for its own events (budget.low, approval.requested, statement.ready), read each one's
//! delivery log and send a test. The shapes are the operators' (`crate::api::webhooks`).

use crate::api::webhooks::{
    CreateWebhookRequest, DeliveriesParams, QueuedDeliveryDto, UpdateWebhookRequest,
    WebhookAttemptDto, WebhookDeliveriesDto, WebhookEndpointDto, WebhookListDto, zone_name,
};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use stint_app::jobs::parse_limit;
use stint_app::sponsor::webhooks as org_hooks;
use stint_app::webhooks::Change;
use stint_domain::ids::OrgId;
use stint_store::WebhookHealth;
use stint_webhooks::{EndpointInput, EventType};

/// The organisation's endpoints with how each is doing (its admins).
#[utoipa::path(get, path = "/api/v1/sponsor/orgs/{id}/webhooks", tag = "sponsor", security(("bearer" = [])),
    operation_id = "list_org_webhooks",
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = WebhookListDto), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<WebhookListDto>, ApiError> {
    let tz = me.zone();
    let endpoints = org_hooks::list(&state, &me, OrgId(id))
        .await?
        .iter()
        .map(|(e, h)| WebhookEndpointDto::new(e, h, &tz, false))
        .collect();
    Ok(Json(WebhookListDto {
        tz: zone_name(&tz),
        event_types: EventType::ORG
            .iter()
            .map(|t| t.as_str().to_string())
            .collect(),
        endpoints,
    }))
}

/// Registers an endpoint for the organisation's events; the answer carries its signing
/// secret. Another event type, or an address the egress policy refuses, is 422 by field.
#[utoipa::path(post, path = "/api/v1/sponsor/orgs/{id}/webhooks", tag = "sponsor", security(("bearer" = [])),
    operation_id = "create_org_webhook",
    params(("id" = i64, Path, description = "Organisation id")), request_body = CreateWebhookRequest,
    responses((status = 201, body = WebhookEndpointDto), (status = 404, body = ErrorBody),
        (status = 422, description = "A field is not valid (named in `fields`); nothing was written", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CreateWebhookRequest>,
) -> Result<(StatusCode, Json<WebhookEndpointDto>), ApiError> {
    let input = EndpointInput {
        url: req.url,
        description: req.description,
        event_types: req.event_types,
    };
    let created = org_hooks::create(&state, &me, OrgId(id), &input).await?;
    let health = WebhookHealth {
        last_attempt: None,
        consecutive_failures: 0,
    };
    Ok((
        StatusCode::CREATED,
        Json(WebhookEndpointDto::new(&created, &health, &me.zone(), true)),
    ))
}

/// One of the organisation's endpoints, with its signing secret.
#[utoipa::path(get, path = "/api/v1/sponsor/orgs/{id}/webhooks/{endpoint}", tag = "sponsor", security(("bearer" = [])),
    operation_id = "get_org_webhook",
    params(("id" = i64, Path, description = "Organisation id"), ("endpoint" = i64, Path, description = "Endpoint id")),
    responses((status = 200, body = WebhookEndpointDto), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath((id, endpoint)): ApiPath<(i64, i64)>,
) -> Result<Json<WebhookEndpointDto>, ApiError> {
    let e = org_hooks::endpoint(&state, &me, OrgId(id), endpoint).await?;
    let health = stint_app::webhooks::health(&state, e.id).await?;
    Ok(Json(WebhookEndpointDto::new(&e, &health, &me.zone(), true)))
}

/// Changes, disables (with a reason) or enables one of the organisation's endpoints.
#[utoipa::path(patch, path = "/api/v1/sponsor/orgs/{id}/webhooks/{endpoint}", tag = "sponsor", security(("bearer" = [])),
    operation_id = "update_org_webhook",
    params(("id" = i64, Path, description = "Organisation id"), ("endpoint" = i64, Path, description = "Endpoint id")),
    request_body = UpdateWebhookRequest,
    responses((status = 200, body = WebhookEndpointDto), (status = 404, body = ErrorBody),
        (status = 422, description = "A field is not valid (named in `fields`); nothing was written", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath((id, endpoint)): ApiPath<(i64, i64)>,
    ApiJson(req): ApiJson<UpdateWebhookRequest>,
) -> Result<Json<WebhookEndpointDto>, ApiError> {
    let change = Change {
        url: req.url,
        description: req.description,
        event_types: req.event_types,
        enabled: req.enabled,
        disabled_reason: req.disabled_reason,
    };
    let e = org_hooks::update(&state, &me, OrgId(id), endpoint, &change).await?;
    let health = stint_app::webhooks::health(&state, e.id).await?;
    Ok(Json(WebhookEndpointDto::new(&e, &health, &me.zone(), true)))
}

/// The endpoint's delivery log, newest first.
#[utoipa::path(get, path = "/api/v1/sponsor/orgs/{id}/webhooks/{endpoint}/deliveries", tag = "sponsor", security(("bearer" = [])),
    operation_id = "list_org_webhook_deliveries",
    params(("id" = i64, Path, description = "Organisation id"), ("endpoint" = i64, Path, description = "Endpoint id"), DeliveriesParams),
    responses((status = 200, body = WebhookDeliveriesDto), (status = 404, body = ErrorBody),
        (status = 422, description = "`limit` is not valid", body = ErrorBody)))]
pub async fn deliveries(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath((id, endpoint)): ApiPath<(i64, i64)>,
    ApiQuery(params): ApiQuery<DeliveriesParams>,
) -> Result<Json<WebhookDeliveriesDto>, ApiError> {
    let limit = parse_limit(params.limit.as_deref())?;
    let tz = me.zone();
    let (attempts, older_before) =
        org_hooks::attempts(&state, &me, OrgId(id), endpoint, params.before, limit).await?;
    Ok(Json(WebhookDeliveriesDto {
        tz: zone_name(&tz),
        attempts: attempts
            .iter()
            .map(|a| WebhookAttemptDto::new(a, &tz))
            .collect(),
        older_before,
    }))
}

/// Sends a `webhook.test` event to one of the organisation's endpoints, once.
#[utoipa::path(post, path = "/api/v1/sponsor/orgs/{id}/webhooks/{endpoint}/test", tag = "sponsor", security(("bearer" = [])),
    operation_id = "test_org_webhook",
    params(("id" = i64, Path, description = "Organisation id"), ("endpoint" = i64, Path, description = "Endpoint id")),
    responses((status = 202, body = QueuedDeliveryDto), (status = 404, body = ErrorBody),
        (status = 409, description = "The endpoint is disabled", body = ErrorBody)))]
pub async fn test(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath((id, endpoint)): ApiPath<(i64, i64)>,
) -> Result<(StatusCode, Json<QueuedDeliveryDto>), ApiError> {
    let (message_id, job_id) = org_hooks::send_test(&state, &me, OrgId(id), endpoint).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(QueuedDeliveryDto { message_id, job_id }),
    ))
}
