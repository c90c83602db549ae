//! The operator's webhooks at `/operator/webhooks`: endpoints with how each is doing (last
//! answer, consecutive failures shown prominently), a form to add one, and per endpoint its
//! signing secret, enable/disable with a reason, "send test event", and the delivery log with
//! a Replay button per message. Forms are all-`String` so bad input is a re-shown form.

use super::filters;
use super::operator::operator;
use super::render::{Chrome, OrPage, PageResult, html, not_found_page};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::error::HttpStatus;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use stint_app::AppError;
use stint_app::jobs::DEFAULT_LIMIT;
use stint_app::webhooks::{self as hook_ops, Change};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_store::{WebhookAttempt, WebhookEndpoint, WebhookHealth};
use stint_webhooks::{EndpointInput, EventType};

/// A time as people read it, and as a machine-readable `datetime`.
struct When {
    text: String,
    iso: String,
}

impl When {
    fn new(t: Timestamp, tz: &TimeZone) -> Self {
        let z = t.to_zoned_datetime(tz.clone());
        When {
            text: z.strftime("%a %-d %b %Y %H:%M:%S").to_string(),
            iso: z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        }
    }
}

/// One attempt, formatted for the operator's zone.
struct AttemptRow {
    message_id: String,
    event_type: String,
    attempt: u32,
    /// "200", or "no answer".
    status: String,
    ok: bool,
    error: Option<String>,
    excerpt: Option<String>,
    duration_ms: u64,
    at: When,
    /// The newest attempt of its message: the row that carries the Replay button.
    newest_of_message: bool,
}

impl AttemptRow {
    fn new(a: &WebhookAttempt, tz: &TimeZone) -> Self {
        AttemptRow {
            message_id: a.message_id.clone(),
            event_type: a.event_type.clone(),
            attempt: a.attempt,
            status: a
                .status_code
                .map_or_else(|| "no answer".to_string(), |s| s.to_string()),
            ok: a.succeeded(),
            error: a.error.clone(),
            excerpt: a.response_excerpt.clone(),
            duration_ms: a.duration_ms,
            at: When::new(a.at, tz),
            newest_of_message: false,
        }
    }
}

/// One endpoint in the list.
struct EndpointRow {
    id: i64,
    url: String,
    description: String,
    event_types: String,
    enabled: bool,
    disabled_reason: String,
    failures: u64,
    last: Option<AttemptRow>,
}

impl EndpointRow {
    fn new(e: &WebhookEndpoint, h: &WebhookHealth, tz: &TimeZone) -> Self {
        EndpointRow {
            id: e.id,
            url: e.url.clone(),
            description: e.description.clone(),
            event_types: e.event_types.join(", "),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason.clone().unwrap_or_default(),
            failures: h.consecutive_failures,
            last: h.last_attempt.as_ref().map(|a| AttemptRow::new(a, tz)),
        }
    }
}

/// An event type as a checkbox.
struct EventChoice {
    name: &'static str,
    description: &'static str,
    checked: bool,
}

fn choices(chosen: &[String]) -> Vec<EventChoice> {
    EventType::ALL
        .into_iter()
        .map(|t| EventChoice {
            name: t.as_str(),
            description: t.describe(),
            checked: chosen.iter().any(|c| c == t.as_str()),
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndpointFields {
    url: String,
    description: String,
    event_types: Vec<String>,
}

#[derive(Template)]
#[template(path = "operator/webhooks.html")]
struct WebhooksPage {
    chrome: Chrome,
    endpoints: Vec<EndpointRow>,
    form: EndpointFields,
    events: Vec<EventChoice>,
    errors: FieldErrors,
    tz: String,
}

async fn render_list(
    state: &AppState,
    me: Account,
    csrf: &str,
    form: EndpointFields,
    errors: FieldErrors,
) -> PageResult {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let tz = me.zone();
    let endpoints = hook_ops::list(state)
        .await
        .or_page()?
        .iter()
        .map(|(e, h)| EndpointRow::new(e, h, &tz))
        .collect();
    let page = WebhooksPage {
        endpoints,
        events: choices(&form.event_types),
        form,
        errors,
        tz: tz.iana_name().unwrap_or("UTC").to_string(),
        chrome: Chrome::new("Webhooks · Operator · Stint", Some(me), csrf),
    };
    Ok(html(status, &page))
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
) -> PageResult {
    let me = operator(me)?;
    let form = EndpointFields::default();
    render_list(&state, me, &csrf.0, form, FieldErrors::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<EndpointFields>,
) -> PageResult {
    let me = operator(me)?;
    let input = EndpointInput {
        url: form.url.clone(),
        description: form.description.clone(),
        event_types: form.event_types.clone(),
    };
    match hook_ops::create(&state, &me, &input).await {
        Ok(e) => {
            Ok(Redirect::to(&format!("/operator/webhooks/{}?created=1", e.id)).into_response())
        }
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FieldErrors(e.fields);
            render_list(&state, me, &csrf.0, form, errors).await
        }
        Err(e) => Err(super::render::failure(e)),
    }
}

#[derive(Template)]
#[template(path = "operator/webhook.html")]
struct WebhookPage {
    chrome: Chrome,
    endpoint: EndpointRow,
    secret: String,
    attempts: Vec<AttemptRow>,
    tz: String,
    /// Whether this is an older page of the log (it offers the newest again).
    paged: bool,
    /// The link to the next, older page of the log, or empty.
    older: String,
    /// The secret was just made: say so above it.
    created: bool,
    notice: Option<String>,
    failure: Option<String>,
    /// The reason typed into the disable form, and its message.
    reason: String,
    errors: FieldErrors,
}

/// What to show besides the endpoint.
#[derive(Default)]
struct Messages {
    created: bool,
    notice: Option<String>,
    failure: Option<String>,
    reason: String,
    errors: FieldErrors,
    /// Only attempts older than this one (a page of the log after the first).
    before: Option<i64>,
}

async fn render_one(
    state: &AppState,
    me: Account,
    csrf: &str,
    id: &str,
    messages: Messages,
    status: StatusCode,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Err(not_found_page(Some(me)));
    };
    let endpoint = match hook_ops::endpoint(state, id).await {
        Ok(e) => e,
        Err(e) if e.status() == StatusCode::NOT_FOUND => return Err(not_found_page(Some(me))),
        Err(e) => return Err(super::render::failure(e)),
    };
    let health = hook_ops::health(state, id).await.or_page()?;
    let (attempts, older_before) = hook_ops::attempts(state, id, messages.before, DEFAULT_LIMIT)
        .await
        .or_page()?;
    let tz = me.zone();
    let page = WebhookPage {
        endpoint: EndpointRow::new(&endpoint, &health, &tz),
        secret: endpoint.secret.clone(),
        attempts: log_rows(&attempts, &tz),
        paged: messages.before.is_some(),
        older: older_before
            .map(|b| format!("/operator/webhooks/{id}?before={b}#log-title"))
            .unwrap_or_default(),
        tz: tz.iana_name().unwrap_or("UTC").to_string(),
        created: messages.created,
        notice: messages.notice,
        failure: messages.failure,
        reason: messages.reason,
        errors: messages.errors,
        chrome: Chrome::new("Webhook · Operator · Stint", Some(me), csrf),
    };
    Ok(html(status, &page))
}

/// The log, newest first, with one Replay button per message (on its newest attempt).
fn log_rows(attempts: &[WebhookAttempt], tz: &TimeZone) -> Vec<AttemptRow> {
    let mut seen = std::collections::BTreeSet::new();
    attempts
        .iter()
        .map(|a| AttemptRow {
            newest_of_message: seen.insert(a.message_id.clone()),
            ..AttemptRow::new(a, tz)
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndpointQuery {
    created: String,
    tested: String,
    replayed: String,
    changed: String,
    /// Only attempts older than this one (a page of the log after the first).
    before: String,
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(q): Query<EndpointQuery>,
) -> PageResult {
    let me = operator(me)?;
    // Echoed only when it looks like a message id: the address is not a place for free text.
    let notice = if looks_like_message_id(&q.tested) {
        Some(format!(
            "Test event {} is queued; its attempt appears in the log below once a worker sends it.",
            q.tested
        ))
    } else if looks_like_message_id(&q.replayed) {
        Some(format!(
            "Message {} is queued again, with the same webhook-id; its attempt appears in the log below.",
            q.replayed
        ))
    } else {
        match q.changed.as_str() {
            "enabled" => Some("The endpoint is enabled: new events are sent to it.".to_string()),
            "disabled" => Some(
                "The endpoint is disabled: nothing is sent to it until it is enabled again."
                    .to_string(),
            ),
            _ => None,
        }
    };
    let messages = Messages {
        created: q.created == "1",
        notice,
        // A cursor that is not a number is the first page.
        before: q.before.trim().parse().ok(),
        ..Messages::default()
    };
    render_one(&state, me, &csrf.0, &id, messages, StatusCode::OK).await
}

fn looks_like_message_id(s: &str) -> bool {
    s.len() <= 100
        && s.strip_prefix("msg_").is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
}

/// A failure of an action on the page, shown above it (server errors get the error page).
async fn refused(
    state: &AppState,
    me: Account,
    csrf: &str,
    id: &str,
    what: &str,
    e: AppError,
) -> PageResult {
    if e.status().is_server_error() {
        return Err(super::render::failure(e));
    }
    if e.status() == StatusCode::NOT_FOUND && e.fields.is_empty() {
        return Err(not_found_page(Some(me)));
    }
    let status = e.status();
    let reason = e.fields.values().next().cloned().unwrap_or(e.message);
    let messages = Messages {
        failure: Some(format!("{what}: {reason}.")),
        ..Messages::default()
    };
    render_one(state, me, csrf, id, messages, status).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusFields {
    /// `enable` or `disable`.
    action: String,
    disabled_reason: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<StatusFields>,
) -> PageResult {
    let me = operator(me)?;
    let Ok(n) = id.parse::<i64>() else {
        return Err(not_found_page(Some(me)));
    };
    let enable = match form.action.as_str() {
        "enable" => true,
        "disable" => false,
        _ => {
            let e =
                AppError::validation(FieldErrors::single("action", "must be enable or disable"));
            return refused(&state, me, &csrf.0, &id, "Nothing changed", e).await;
        }
    };
    let change = Change {
        enabled: Some(enable),
        disabled_reason: (!enable).then(|| form.disabled_reason.clone()),
        ..Change::default()
    };
    match hook_ops::update(&state, n, &change).await {
        Ok(_) => {
            let word = if enable { "enabled" } else { "disabled" };
            Ok(Redirect::to(&format!("/operator/webhooks/{n}?changed={word}")).into_response())
        }
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let messages = Messages {
                reason: form.disabled_reason,
                errors: FieldErrors(e.fields),
                ..Messages::default()
            };
            render_one(
                &state,
                me,
                &csrf.0,
                &id,
                messages,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => refused(&state, me, &csrf.0, &id, "Nothing changed", e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReplayFields {
    message_id: String,
}

pub async fn replay(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReplayFields>,
) -> PageResult {
    let me = operator(me)?;
    let Ok(n) = id.parse::<i64>() else {
        return Err(not_found_page(Some(me)));
    };
    match hook_ops::replay(&state, n, &form.message_id).await {
        Ok(_) => {
            let q = serde_urlencoded::to_string([("replayed", form.message_id.as_str())])
                .unwrap_or_default();
            Ok(Redirect::to(&format!("/operator/webhooks/{n}?{q}")).into_response())
        }
        Err(e) => {
            let what = format!("Message {} was not replayed", form.message_id);
            refused(&state, me, &csrf.0, &id, &what, e).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TestFields {}

pub async fn send_test(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(_form): CsrfForm<TestFields>,
) -> PageResult {
    let me = operator(me)?;
    let Ok(n) = id.parse::<i64>() else {
        return Err(not_found_page(Some(me)));
    };
    match hook_ops::send_test(&state, n).await {
        Ok((message_id, _)) => Ok(Redirect::to(&format!(
            "/operator/webhooks/{n}?tested={message_id}"
        ))
        .into_response()),
        Err(e) => refused(&state, me, &csrf.0, &id, "No test event was sent", e).await,
    }
}
