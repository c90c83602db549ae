//! `/api/v1/mentors/me/calendars`: a mentor's calendar sources (CalDAV accounts and
//! read-only `.ics` addresses) with their sync health; connect, remove, sync now. The
//! password is accepted on connect and never returned.

use super::availability::rfc3339_in;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use stint_app::calendars::{self as cal_ops, CalendarInput};
use stint_store::CalendarSource;
use utoipa::ToSchema;

/// A calendar source and its sync health. Times are RFC 3339 with the mentor's offset.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarSourceDto {
    pub id: i64,
    /// `caldav` (bookings written in, busy time read) or `ics` (busy time only).
    pub kind: String,
    pub url: String,
    /// CalDAV user name; empty for `.ics`.
    pub username: String,
    /// The calendar discovery found (CalDAV), once a sync has run.
    pub calendar_url: Option<String>,
    /// `waiting` (never synced), `ok` (the last sync succeeded) or `failing`.
    pub state: String,
    #[schema(format = DateTime)]
    pub last_attempt_at: Option<String>,
    #[schema(format = DateTime)]
    pub last_success_at: Option<String>,
    /// Why the last sync failed; null after a success.
    pub last_error: Option<String>,
    /// Events written to or removed from the calendar so far.
    pub events_written: u64,
    /// Busy intervals read at the last successful sync.
    pub busy_intervals_read: u64,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Whether sessions are written into this account (one of a mentor's accounts is).
    pub writes_sessions: bool,
    /// The account's event calendars (CalDAV, after the first sync).
    pub calendars: Vec<CalendarChoiceDto>,
}

/// One calendar of a CalDAV account.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarChoiceDto {
    pub url: String,
    pub name: String,
    /// Its events are busy time.
    pub busy: bool,
    /// Sessions are written into it.
    pub target: bool,
}

impl CalendarSourceDto {
    pub fn new(s: &CalendarSource, tz: &TimeZone) -> Self {
        CalendarSourceDto {
            id: s.id,
            kind: s.kind.as_str().to_string(),
            url: s.url.clone(),
            username: s.username.clone(),
            calendar_url: s.calendar_url.clone(),
            state: cal_ops::health(s).to_string(),
            last_attempt_at: s.last_attempt_at.map(|t| rfc3339_in(t, tz)),
            last_success_at: s.last_success_at.map(|t| rfc3339_in(t, tz)),
            last_error: s.last_error.clone(),
            events_written: s.events_written,
            busy_intervals_read: s.busy_intervals_read,
            created_at: rfc3339_in(s.created_at, tz),
            writes_sessions: s.writes_sessions,
            calendars: s
                .calendars
                .iter()
                .map(|c| CalendarChoiceDto {
                    url: c.url.clone(),
                    name: c.name.clone(),
                    busy: c.busy,
                    target: s.calendar_url.as_deref() == Some(c.url.as_str()),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarListDto {
    /// The mentor's IANA zone, whose offset the times carry.
    pub tz: String,
    /// Oldest first.
    pub calendars: Vec<CalendarSourceDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectCalendarRequest {
    /// `caldav` or `ics`.
    #[schema(example = "caldav", value_type = crate::api::dto::CalendarKindName)]
    pub kind: String,
    /// CalDAV: the server, principal or calendar address. `ics`: the feed's address.
    #[schema(example = "https://cal.example.com/dav/")]
    pub url: String,
    /// Required for CalDAV.
    #[serde(default)]
    pub username: String,
    /// Required for CalDAV; stored sealed and never returned.
    #[serde(default)]
    pub password: String,
}

/// A sync queued for a worker.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedSyncDto {
    /// The sync job (one per calendar at a time).
    pub job_id: i64,
}

fn zone_name(tz: &TimeZone) -> String {
    tz.iana_name().unwrap_or("UTC").to_string()
}

/// The mentor's calendars with their sync health.
#[utoipa::path(get, path = "/api/v1/mentors/me/calendars", tag = "scheduling", security(("bearer" = [])),
    responses((status = 200, body = CalendarListDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_calendars(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<CalendarListDto>, ApiError> {
    let tz = me.zone();
    let calendars = cal_ops::list(&state, &me)
        .await?
        .iter()
        .map(|s| CalendarSourceDto::new(s, &tz))
        .collect();
    Ok(Json(CalendarListDto {
        tz: zone_name(&tz),
        calendars,
    }))
}

/// Connects a CalDAV account or a read-only `.ics` address and queues its first sync.
#[utoipa::path(post, path = "/api/v1/mentors/me/calendars", tag = "scheduling", security(("bearer" = [])),
    request_body = ConnectCalendarRequest,
    responses((status = 201, description = "Connected; the first sync is queued", body = CalendarSourceDto),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "Too many calendars connected", body = ErrorBody),
        (status = 422, description = "A field is not valid (named in `fields`); nothing was written", body = ErrorBody),
        (status = 503, description = "The server has no calendar_key, so CalDAV passwords cannot be stored", body = ErrorBody)))]
pub async fn connect_calendar(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    body: Result<ApiJson<ConnectCalendarRequest>, ApiError>,
) -> Result<(StatusCode, Json<CalendarSourceDto>), ApiError> {
    stint_app::require(&me, stint_domain::role::Role::Mentor)?;
    let ApiJson(req) = body?;
    let input = CalendarInput {
        kind: req.kind,
        url: req.url,
        username: req.username,
        password: req.password,
    };
    let source = cal_ops::connect(&state, &me, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(CalendarSourceDto::new(&source, &me.zone())),
    ))
}

/// Removes a calendar and the busy time it gave. Events already written stay there.
#[utoipa::path(delete, path = "/api/v1/mentors/me/calendars/{id}", tag = "scheduling", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Calendar id")),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_calendar(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    path: Result<ApiPath<i64>, ApiError>,
) -> Result<StatusCode, ApiError> {
    let ApiPath(id) = path?;
    cal_ops::remove(&state, &me, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Queues a sync of the calendar now.
#[utoipa::path(post, path = "/api/v1/mentors/me/calendars/{id}/sync", tag = "scheduling", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Calendar id")),
    responses((status = 202, description = "Queued", body = QueuedSyncDto), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn sync_calendar(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    path: Result<ApiPath<i64>, ApiError>,
) -> Result<(StatusCode, Json<QueuedSyncDto>), ApiError> {
    let ApiPath(id) = path?;
    let job_id = cal_ops::sync_now(&state, &me, id).await?;
    Ok((StatusCode::ACCEPTED, Json(QueuedSyncDto { job_id })))
}

/// What to change of a CalDAV account's calendars; a field left out keeps its value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarChoiceRequest {
    /// Write sessions into this account (turning it off for the mentor's others).
    #[serde(default)]
    pub writes_sessions: Option<bool>,
    /// The address of the calendar sessions go into: one of `calendars`.
    #[serde(default)]
    pub target_calendar: Option<String>,
    /// The addresses of the calendars whose events are busy time; the others are not.
    #[serde(default)]
    pub busy_calendars: Option<Vec<String>>,
}

/// Chooses which of a CalDAV account's calendars count as busy time, which one receives
/// sessions, and whether this account receives them. A sync follows: a calendar moved away
/// from is emptied of Stint's events.
#[utoipa::path(patch, path = "/api/v1/mentors/me/calendars/{id}", tag = "scheduling", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Calendar id")),
    request_body = CalendarChoiceRequest,
    responses((status = 200, body = CalendarSourceDto), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "A calendar that is not the account's, or an .ics source", body = ErrorBody)))]
pub async fn choose_calendars(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    path: Result<ApiPath<i64>, ApiError>,
    ApiJson(req): ApiJson<CalendarChoiceRequest>,
) -> Result<Json<CalendarSourceDto>, ApiError> {
    let ApiPath(id) = path?;
    let input = stint_app::calendar_choices::ChoiceInput {
        writes_sessions: req.writes_sessions,
        target_calendar: req.target_calendar,
        busy_calendars: req.busy_calendars,
    };
    let source = stint_app::calendar_choices::choose(&state, &me, id, &input).await?;
    Ok(Json(CalendarSourceDto::new(&source, &me.zone())))
}
