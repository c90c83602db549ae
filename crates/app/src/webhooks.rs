//! Webhook endpoints as operators manage them: register (a new `whsec_` secret each), list
//! with how each is doing, change or disable by hand with a reason, read the delivery log,
//! replay a message and send a test event. The API and the `/operator/webhooks` pages both
//! call these, so both check input and answer failures the same way.

use crate::App;
use crate::error::AppError;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::validate::line;
use stint_store::{
    NewWebhookEndpoint, StoreError, WebhookAttempt, WebhookEndpoint, WebhookEndpointUpdate,
    WebhookHealth,
};
use stint_webhooks::{EmitError, EndpointInput, check_description, check_event_types, check_url};

/// What an update may change; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
    /// Required to disable; ignored when enabling (an enabled endpoint has no reason).
    pub disabled_reason: Option<String>,
}

fn not_found() -> AppError {
    AppError::not_found("webhook endpoint")
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn endpoint(app: &App, id: i64) -> Result<WebhookEndpoint, AppError> {
    app.store.webhook_endpoint(id).await?.ok_or_else(not_found)
}

/// Every endpoint with its last attempt and consecutive failures, oldest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(app: &App) -> Result<Vec<(WebhookEndpoint, WebhookHealth)>, AppError> {
    list_where(app, |_| true).await
}

/// The endpoints `keep` picks, each with how it is doing, oldest first.
pub(crate) async fn list_where(
    app: &App,
    keep: impl Fn(&WebhookEndpoint) -> bool,
) -> Result<Vec<(WebhookEndpoint, WebhookHealth)>, AppError> {
    let mut out = Vec::new();
    for e in app.store.webhook_endpoints().await? {
        if keep(&e) {
            let health = app.store.webhook_health(e.id).await?;
            out.push((e, health));
        }
    }
    Ok(out)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn health(app: &App, id: i64) -> Result<WebhookHealth, AppError> {
    Ok(app.store.webhook_health(id).await?)
}

/// Registers an endpoint with a new secret. Nothing is written unless every field is valid.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    app: &App,
    me: &Account,
    input: &EndpointInput,
) -> Result<WebhookEndpoint, AppError> {
    create_valid(app, me, input.validate()?, None).await
}

/// Registers an endpoint that passed its checks, for operators or for organisation `org`.
pub(crate) async fn create_valid(
    app: &App,
    me: &Account,
    valid: stint_webhooks::ValidEndpoint,
    org: Option<stint_domain::ids::OrgId>,
) -> Result<WebhookEndpoint, AppError> {
    let url = crate::outbound::allowed(app, valid.url)
        .map_err(|m| AppError::validation(FieldErrors::single("url", m)))?;
    let secret = stint_webhooks::generate_secret().map_err(|e| {
        tracing::error!(error = %e, "no webhook secret could be generated");
        AppError::internal()
    })?;
    let new = NewWebhookEndpoint {
        url,
        description: valid.description,
        secret,
        event_types: valid.event_types,
        created_by: me.id,
        org,
    };
    Ok(app.store.create_webhook_endpoint(&new, app.now()).await?)
}

/// Applies `change`, checking every given field at once. 404 for an unknown endpoint.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(app: &App, id: i64, change: &Change) -> Result<WebhookEndpoint, AppError> {
    let current = endpoint(app, id).await?;
    let types = if current.org.is_some() {
        stint_webhooks::check_org_event_types
    } else {
        check_event_types
    };
    update_checked(app, current, change, types).await
}

/// Applies `change` to `current`, its event types checked by `types`.
pub(crate) async fn update_checked(
    app: &App,
    current: WebhookEndpoint,
    change: &Change,
    types: fn(&[String]) -> Result<Vec<String>, String>,
) -> Result<WebhookEndpoint, AppError> {
    let id = current.id;
    let mut errors = FieldErrors::new();
    let url = match &change.url {
        Some(u) => errors.check(
            "url",
            check_url(u).and_then(|u| crate::outbound::allowed(app, u)),
        ),
        None => Some(current.url.clone()),
    };
    let description = match &change.description {
        Some(d) => errors.check("description", check_description(d)),
        None => Some(current.description.clone()),
    };
    let event_types = match &change.event_types {
        Some(t) => errors.check("event_types", types(t)),
        None => Some(current.event_types.clone()),
    };
    let enabled = change.enabled.unwrap_or(current.enabled);
    let reason = if enabled {
        Some(None)
    } else {
        match change
            .disabled_reason
            .as_deref()
            .or(current.disabled_reason.as_deref())
        {
            Some(r) if !r.trim().is_empty() => {
                errors.check("disabled_reason", line(r, 1, 500)).map(Some)
            }
            _ => {
                errors.add(
                    "disabled_reason",
                    "say why the endpoint is disabled, so others can see it",
                );
                None
            }
        }
    };
    let (Some(url), Some(description), Some(event_types), Some(disabled_reason)) =
        (url, description, event_types, reason)
    else {
        return Err(AppError::validation(errors));
    };
    let update = WebhookEndpointUpdate {
        url,
        description,
        event_types,
        enabled,
        disabled_reason,
    };
    match app
        .store
        .update_webhook_endpoint(id, &update, app.now())
        .await
    {
        Ok(e) => Ok(e),
        Err(StoreError::NotFound) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}

/// A page of the endpoint's delivery log, newest first (before attempt `before` when given),
/// and the `before` of the next, older page when there is one.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn attempts(
    app: &App,
    id: i64,
    before: Option<i64>,
    limit: u32,
) -> Result<(Vec<WebhookAttempt>, Option<i64>), AppError> {
    endpoint(app, id).await?;
    let found = app.store.webhook_attempts(id, before, limit + 1).await?;
    Ok(crate::paging::split(found, limit, |a| a.id))
}

pub(crate) fn emit_failed(e: EmitError) -> AppError {
    match e {
        EmitError::NoEndpoint(_) => not_found(),
        EmitError::NoMessage(id) => AppError::field(
            crate::ErrorKind::NotFound,
            "not_found",
            "message_id",
            format!("no message {id} was sent to this endpoint"),
        ),
        EmitError::Disabled(_) => AppError::field(
            crate::ErrorKind::Conflict,
            "conflict",
            "enabled",
            "the endpoint is disabled; enable it before sending to it",
        ),
        EmitError::AlreadyQueued(job) => AppError::field(
            crate::ErrorKind::Conflict,
            "conflict",
            "message_id",
            format!(
                "a delivery of this message to this endpoint is already queued or running (job {job})"
            ),
        ),
        EmitError::UnknownEventType(t) => AppError::validation(FieldErrors::single(
            "type",
            format!("unknown event type {t:?}"),
        )),
        EmitError::Store(e) => e.into(),
        EmitError::Random(e) => {
            tracing::error!(error = %e, "no message id could be generated");
            AppError::internal()
        }
    }
}

/// Queues the message again for the endpoint (the same `webhook-id`). Returns the job id.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn replay(app: &App, id: i64, message_id: &str) -> Result<i64, AppError> {
    stint_webhooks::replay(app.store.as_ref(), id, message_id, app.now())
        .await
        .map_err(emit_failed)
}

/// Queues a `webhook.test` event to the endpoint. Returns the message id and job id.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn send_test(app: &App, id: i64) -> Result<(String, i64), AppError> {
    stint_webhooks::send_test(app.store.as_ref(), id, app.now())
        .await
        .map_err(emit_failed)
}
