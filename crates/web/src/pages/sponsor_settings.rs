//! The sponsor console's settings (`/sponsor/{id}/settings`): the e-mail domains whose people
//! join as members, and the organisation's own webhook endpoints for its events. And the page
//! behind a domain's verification link (`/org-domains/verify`), which confirms by a button so
//! a mail scanner opening the link changes nothing. Each form is one call of
//! `stint_app::sponsor::{domains, webhooks}`; a wrong one re-shows the page with its errors.

use super::filters;
use super::render::{Chrome, OrPage, PageResult, failure, html, ok, refused_form};
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::auth::{MaybeUser, PageUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use stint_app::ErrorKind;
use stint_app::outcomes::when_for;
use stint_app::sponsor::console::console;
use stint_app::sponsor::{domains, webhooks};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::ids::OrgId;
use stint_webhooks::{EndpointInput, EventType};

pub(crate) struct DomainRow {
    id: i64,
    domain: String,
    state: String,
    verified: bool,
}

pub(crate) struct EndpointRow {
    id: i64,
    url: String,
    description: String,
    events: String,
    enabled: bool,
    health: String,
    secret: String,
}

pub(crate) struct EventOption {
    name: &'static str,
    describe: &'static str,
    checked: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DomainFields {
    domain: String,
    address: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndpointFields {
    url: String,
    description: String,
    event_types: Vec<String>,
}

#[derive(Template)]
#[template(path = "sponsor/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    org_id: i64,
    org_name: String,
    domains: Vec<DomainRow>,
    endpoints: Vec<EndpointRow>,
    events: Vec<EventOption>,
    domain: DomainFields,
    endpoint: EndpointFields,
    errors: FieldErrors,
    notice: &'static str,
}

#[derive(Default)]
struct Forms {
    domain: DomainFields,
    endpoint: EndpointFields,
    errors: FieldErrors,
}

async fn settings_page(
    state: &AppState,
    me: &Account,
    csrf: &str,
    org: OrgId,
    forms: Forms,
    notice: &'static str,
) -> Result<SettingsPage, Response> {
    let c = console(state, me, org).await.map_err(failure)?;
    let now = state.now();
    let domains = domains::list(state, me, org)
        .await
        .or_page()?
        .iter()
        .map(|d| DomainRow {
            id: d.id,
            domain: d.domain.clone(),
            verified: d.verified_at.is_some(),
            state: match d.verified_at {
                Some(t) => format!("verified {}", when_for(me, t)),
                None if d.expires_at <= now => {
                    format!("the link sent to {} expired; add it again", d.address)
                }
                None => format!(
                    "waiting: a link went to {}, open until {}",
                    d.address,
                    when_for(me, d.expires_at)
                ),
            },
        })
        .collect();
    let endpoints = webhooks::list(state, me, org)
        .await
        .or_page()?
        .into_iter()
        .map(|(e, h)| EndpointRow {
            id: e.id,
            url: e.url,
            description: e.description,
            events: e.event_types.join(", "),
            enabled: e.enabled,
            health: match (&h.last_attempt, h.consecutive_failures) {
                (None, _) => "nothing sent yet".into(),
                (Some(a), 0) => format!("last delivered {}", when_for(me, a.at)),
                (Some(a), n) => format!(
                    "{n} failed in a row; last tried {}{}",
                    when_for(me, a.at),
                    a.status_code
                        .map_or(String::new(), |s| format!(" (HTTP {s})"))
                ),
            },
            secret: e.secret,
        })
        .collect();
    let chosen = &forms.endpoint.event_types;
    let events = EventType::ORG
        .iter()
        .map(|t| EventOption {
            name: t.as_str(),
            describe: t.describe(),
            checked: chosen.is_empty() || chosen.iter().any(|c| c == t.as_str()),
        })
        .collect();
    Ok(SettingsPage {
        chrome: Chrome::new(
            format!("Settings · {} · Sponsor · Stint", c.org.name),
            Some(me.clone()),
            csrf,
        ),
        org_id: org.0,
        org_name: c.org.name,
        domains,
        endpoints,
        events,
        domain: forms.domain,
        endpoint: forms.endpoint,
        errors: forms.errors,
        notice,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeParam {
    done: String,
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(q): Query<NoticeParam>,
) -> PageResult {
    let notice = match q.done.as_str() {
        "domain" => {
            "A link is on its way to that address: the domain counts once someone there confirms."
        }
        "domain-removed" => {
            "Removed: nobody joins by that domain any more; who joined stays a member."
        }
        "endpoint" => "Endpoint added. Its signing secret is below.",
        "test" => "A test event is on its way; its delivery shows here in a moment.",
        "endpoint-status" => "Saved.",
        _ => "",
    };
    let page = settings_page(&state, &me, &csrf.0, OrgId(id), Forms::default(), notice).await?;
    Ok(ok(&page))
}

/// Back to the settings with `done`, or the settings again with the form's errors.
async fn answer(
    state: &AppState,
    me: &Account,
    csrf: &str,
    org: OrgId,
    result: Result<(), stint_app::AppError>,
    done: &str,
    forms: impl FnOnce(FieldErrors) -> Forms,
) -> PageResult {
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/sponsor/{}/settings?done={done}", org.0)).into_response())
        }
        Err(e) => {
            refused_form(e, |errors| {
                settings_page(state, me, csrf, org, forms(errors), "")
            })
            .await
        }
    }
}

pub async fn add_domain(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<DomainFields>,
) -> PageResult {
    let done = domains::add(&state, &me, OrgId(id), &f.domain, &f.address)
        .await
        .map(|_| ());
    answer(&state, &me, &csrf.0, OrgId(id), done, "domain", |errors| {
        Forms {
            domain: f,
            errors,
            ..Forms::default()
        }
    })
    .await
}

pub async fn remove_domain(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((id, domain)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<NoticeParam>,
) -> PageResult {
    domains::remove(&state, &me, OrgId(id), domain)
        .await
        .map_err(failure)?;
    Ok(Redirect::to(&format!("/sponsor/{id}/settings?done=domain-removed")).into_response())
}

pub async fn add_endpoint(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<EndpointFields>,
) -> PageResult {
    let input = EndpointInput {
        url: f.url.clone(),
        description: f.description.clone(),
        event_types: f.event_types.clone(),
    };
    let done = webhooks::create(&state, &me, OrgId(id), &input)
        .await
        .map(|_| ());
    answer(
        &state,
        &me,
        &csrf.0,
        OrgId(id),
        done,
        "endpoint",
        |errors| Forms {
            endpoint: f,
            errors,
            ..Forms::default()
        },
    )
    .await
}

pub async fn test_endpoint(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((id, endpoint)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<NoticeParam>,
) -> PageResult {
    webhooks::send_test(&state, &me, OrgId(id), endpoint)
        .await
        .map_err(failure)?;
    Ok(Redirect::to(&format!("/sponsor/{id}/settings?done=test")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusFields {
    /// `on` or `off`.
    enabled: String,
}

/// Pauses or resumes an endpoint: pausing by hand records that an admin paused it.
pub async fn set_status(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((id, endpoint)): Path<(i64, i64)>,
    CsrfForm(f): CsrfForm<StatusFields>,
) -> PageResult {
    let enable = f.enabled == "on";
    let change = stint_app::webhooks::Change {
        enabled: Some(enable),
        disabled_reason: (!enable).then(|| format!("paused by {}", me.display_name)),
        ..Default::default()
    };
    webhooks::update(&state, &me, OrgId(id), endpoint, &change)
        .await
        .map_err(failure)?;
    Ok(Redirect::to(&format!("/sponsor/{id}/settings?done=endpoint-status")).into_response())
}

#[derive(Template)]
#[template(path = "sponsor/verify_domain.html")]
struct VerifyPage {
    chrome: Chrome,
    token: String,
    /// The domain and the organisation the link names; `None` once it no longer works.
    named: Option<(String, String)>,
    error: String,
    done: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenFields {
    token: String,
}

/// The verification link: a button to confirm (opening the link alone changes nothing).
pub async fn verify_form(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    Query(q): Query<TokenFields>,
) -> PageResult {
    let named = domains::named_by(&state, &q.token).await.or_page()?;
    let error = if named.is_none() {
        "This link has expired or was already used. Ask the organisation's admin to send a new one."
    } else {
        ""
    };
    Ok(ok(&VerifyPage {
        chrome: Chrome::new("Confirm your mail domain · Stint", user, &csrf.0),
        token: q.token,
        named,
        error: error.into(),
        done: String::new(),
    }))
}

pub async fn verify(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    CsrfForm(f): CsrfForm<TokenFields>,
) -> PageResult {
    let chrome = Chrome::new("Confirm your mail domain · Stint", user, &csrf.0);
    match domains::verify(&state, &f.token).await {
        Ok(v) => Ok(ok(&VerifyPage {
            chrome,
            token: String::new(),
            named: None,
            error: String::new(),
            done: format!(
                "Confirmed: {} is now {}'s mail domain on Stint. {} {} joined as members; \
                 people who sign up with an address there join too.",
                v.domain.domain,
                v.org_name,
                v.joined,
                if v.joined == 1 { "person" } else { "people" }
            ),
        })),
        Err(e) if matches!(e.kind, ErrorKind::Invalid | ErrorKind::Conflict) => {
            let status = if e.kind == ErrorKind::Invalid {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::CONFLICT
            };
            let error = e.fields.values().next().cloned().unwrap_or(e.message);
            Ok(html(
                status,
                &VerifyPage {
                    chrome,
                    named: domains::named_by(&state, &f.token).await.or_page()?,
                    token: f.token,
                    error,
                    done: String::new(),
                },
            ))
        }
        Err(e) => Err(failure(e)),
    }
}
