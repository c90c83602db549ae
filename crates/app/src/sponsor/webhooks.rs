//! An organisation's own webhook endpoints: its admins register them for its events only
//! (budget low, approval requested, statement ready), read their delivery log and send a
//! test. The checks and the writing are the operators' (`crate::webhooks`); what is added
//! here is the scope: an endpoint of another organisation, or an operator's, is not found.

use super::administered;
use crate::App;
use crate::error::AppError;
use crate::webhooks::{Change, emit_failed};
use stint_domain::account::Account;
use stint_domain::ids::OrgId;
use stint_store::{WebhookAttempt, WebhookEndpoint, WebhookHealth};
use stint_webhooks::EndpointInput;

/// Endpoint `id` if it is `org`'s and `admin` administers `org`.
pub async fn endpoint(
    app: &App,
    admin: &Account,
    org: OrgId,
    id: i64,
) -> Result<WebhookEndpoint, AppError> {
    administered(app, admin, org).await?;
    match app.store.webhook_endpoint(id).await? {
        Some(e) if e.org == Some(org) => Ok(e),
        _ => Err(AppError::not_found("webhook endpoint")),
    }
}

/// `org`'s endpoints with how each is doing, oldest first.
#[tracing::instrument(level = "debug", skip_all, fields(org = %org))]
pub async fn list(
    app: &App,
    admin: &Account,
    org: OrgId,
) -> Result<Vec<(WebhookEndpoint, WebhookHealth)>, AppError> {
    administered(app, admin, org).await?;
    crate::webhooks::list_where(app, |e| e.org == Some(org)).await
}

/// Registers an endpoint for `org`'s events, with a new secret.
#[tracing::instrument(level = "debug", skip_all, fields(org = %org))]
pub async fn create(
    app: &App,
    admin: &Account,
    org: OrgId,
    input: &EndpointInput,
) -> Result<WebhookEndpoint, AppError> {
    administered(app, admin, org).await?;
    crate::webhooks::create_valid(app, admin, input.validate_for_org()?, Some(org)).await
}

/// Changes, disables (with a reason) or enables one of `org`'s endpoints.
#[tracing::instrument(level = "debug", skip_all, fields(org = %org))]
pub async fn update(
    app: &App,
    admin: &Account,
    org: OrgId,
    id: i64,
    change: &Change,
) -> Result<WebhookEndpoint, AppError> {
    let current = endpoint(app, admin, org, id).await?;
    crate::webhooks::update_checked(app, current, change, stint_webhooks::check_org_event_types)
        .await
}

/// A page of the endpoint's delivery log, newest first, and the next page's `before`.
pub async fn attempts(
    app: &App,
    admin: &Account,
    org: OrgId,
    id: i64,
    before: Option<i64>,
    limit: u32,
) -> Result<(Vec<WebhookAttempt>, Option<i64>), AppError> {
    endpoint(app, admin, org, id).await?;
    crate::webhooks::attempts(app, id, before, limit).await
}

/// Queues a `webhook.test` event to one of `org`'s endpoints: the message id and job id.
pub async fn send_test(
    app: &App,
    admin: &Account,
    org: OrgId,
    id: i64,
) -> Result<(String, i64), AppError> {
    endpoint(app, admin, org, id).await?;
    stint_webhooks::send_test(app.store.as_ref(), id, app.now())
        .await
        .map_err(emit_failed)
}
