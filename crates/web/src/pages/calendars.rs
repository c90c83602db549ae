//! The mentor's calendars at `/mentor/calendars`: connect a CalDAV account or a read-only
//! `.ics` address, and per calendar its sync-health panel (state, last success and last error
//! in the mentor's zone, events written, busy intervals read) with "Sync now" and "Remove".
//! The password field is never filled in again, even when the form comes back with errors.

use super::filters;
use super::render::{Chrome, OrPage, PageResult, failure, forbidden_page, html};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
#[allow(unused_imports)]
use filters as _;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use stint_app::ErrorKind;
use stint_app::calendars::{self as cal_ops, CalendarInput};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::role::Role;
use stint_store::{CalendarSource, SourceKind};

/// A time as people read it, and as a machine-readable `datetime`.
struct When {
    text: String,
    iso: String,
}

impl When {
    fn new(t: Timestamp, tz: &TimeZone) -> Self {
        let z = t.to_zoned_datetime(tz.clone());
        When {
            text: z.strftime("%a %-d %b %Y %H:%M").to_string(),
            iso: z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        }
    }
}

/// One calendar and its sync health.
struct CalendarRow {
    id: i64,
    kind: &'static str,
    url: String,
    username: String,
    state: &'static str,
    last_attempt: Option<When>,
    last_success: Option<When>,
    last_error: Option<String>,
    events_written: u64,
    busy_intervals_read: u64,
    writes_sessions: bool,
    /// The account's calendars to choose among (CalDAV, after the first sync).
    choices: Vec<ChoiceRow>,
}

struct ChoiceRow {
    url: String,
    name: String,
    busy: bool,
    target: bool,
}

impl CalendarRow {
    fn new(s: &CalendarSource, tz: &TimeZone) -> Self {
        CalendarRow {
            id: s.id,
            kind: match s.kind {
                SourceKind::CalDav => "CalDAV",
                SourceKind::Ics => ".ics (read only)",
            },
            url: s.url.clone(),
            username: s.username.clone(),
            state: cal_ops::health(s),
            last_attempt: s.last_attempt_at.map(|t| When::new(t, tz)),
            last_success: s.last_success_at.map(|t| When::new(t, tz)),
            last_error: s.last_error.clone(),
            events_written: s.events_written,
            busy_intervals_read: s.busy_intervals_read,
            writes_sessions: s.writes_sessions,
            choices: s
                .calendars
                .iter()
                .map(|c| ChoiceRow {
                    url: c.url.clone(),
                    name: c.name.clone(),
                    busy: c.busy,
                    target: s.calendar_url.as_deref() == Some(c.url.as_str()),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CalendarFields {
    kind: String,
    url: String,
    username: String,
    password: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Notice {
    done: String,
}

#[derive(Template)]
#[template(path = "mentor/calendars.html")]
struct CalendarsPage {
    chrome: Chrome,
    calendars: Vec<CalendarRow>,
    form: CalendarFields,
    errors: FieldErrors,
    notice: &'static str,
    tz: String,
}

async fn render(
    state: &AppState,
    me: Account,
    csrf: &str,
    form: CalendarFields,
    errors: FieldErrors,
    notice: &'static str,
) -> PageResult {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let tz = me.zone();
    let calendars = cal_ops::list(state, &me)
        .await
        .or_page()?
        .iter()
        .map(|s| CalendarRow::new(s, &tz))
        .collect();
    let page = CalendarsPage {
        calendars,
        // The password is never shown again.
        form: CalendarFields {
            password: String::new(),
            ..form
        },
        errors,
        notice,
        tz: tz.iana_name().unwrap_or("UTC").to_string(),
        chrome: Chrome::new("Your calendars · Stint", Some(me), csrf),
    };
    Ok(html(status, &page))
}

fn mentor(me: Account) -> Result<Account, axum::response::Response> {
    if me.has(Role::Mentor) {
        Ok(me)
    } else {
        Err(forbidden_page(Some(me)))
    }
}

/// A calendar id from the path; anything else is a page that does not exist.
fn calendar_id(raw: &str) -> Result<i64, axum::response::Response> {
    raw.parse()
        .map_err(|_| failure(stint_app::AppError::not_found("calendar")))
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<Notice>,
) -> PageResult {
    let me = mentor(me)?;
    let notice = match q.done.as_str() {
        "connected" => "Connected. The first sync is on its way.",
        "queued" => "Sync queued. Reload in a moment to see how it went.",
        "removed" => "Removed, with the busy time it gave.",
        "chosen" => "Saved. A sync is on its way to apply your choices.",
        _ => "",
    };
    let form = CalendarFields {
        kind: "caldav".into(),
        ..CalendarFields::default()
    };
    render(&state, me, &csrf.0, form, FieldErrors::new(), notice).await
}

pub async fn connect(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<CalendarFields>,
) -> PageResult {
    let me = mentor(me)?;
    let input = CalendarInput {
        kind: form.kind.clone(),
        url: form.url.clone(),
        username: form.username.clone(),
        password: form.password.clone(),
    };
    match cal_ops::connect(&state, &me, &input).await {
        Ok(_) => Ok(Redirect::to("/mentor/calendars?done=connected").into_response()),
        // Bad fields, too many calendars, or no calendar_key on this server: the form again,
        // with the reason beside the field it concerns.
        Err(e)
            if matches!(
                e.kind,
                ErrorKind::Invalid | ErrorKind::Conflict | ErrorKind::Unavailable
            ) =>
        {
            let errors = if e.fields.is_empty() {
                FieldErrors::single("kind", e.message)
            } else {
                FieldErrors(e.fields)
            };
            render(&state, me, &csrf.0, form, errors, "").await
        }
        Err(e) => Err(failure(e)),
    }
}

pub async fn sync(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Notice>,
) -> PageResult {
    let me = mentor(me)?;
    let id = calendar_id(&id)?;
    cal_ops::sync_now(&state, &me, id).await.map_err(failure)?;
    Ok(Redirect::to("/mentor/calendars?done=queued").into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Notice>,
) -> PageResult {
    let me = mentor(me)?;
    let id = calendar_id(&id)?;
    cal_ops::remove(&state, &me, id).await.map_err(failure)?;
    Ok(Redirect::to("/mentor/calendars?done=removed").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChoiceFields {
    busy: Vec<String>,
    target: String,
    writes_sessions: String,
}

pub async fn choose(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ChoiceFields>,
) -> PageResult {
    let me = mentor(me)?;
    let id = calendar_id(&id)?;
    let input = stint_app::calendar_choices::ChoiceInput {
        writes_sessions: Some(!form.writes_sessions.is_empty()),
        target_calendar: (!form.target.is_empty()).then_some(form.target),
        busy_calendars: Some(form.busy),
    };
    stint_app::calendar_choices::choose(&state, &me, id, &input)
        .await
        .map_err(failure)?;
    Ok(Redirect::to("/mentor/calendars?done=chosen").into_response())
}
