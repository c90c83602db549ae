//! `/api/v1/me/nudge-preferences` (reminder lead times, quiet hours, channels per kind) and
//! `/api/v1/bookings/{id}/deliveries` (a session's delivery log, for its two parties and
//! operators; anyone else gets 404, as for the booking itself).

use super::availability::rfc3339_in;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use stint_app::nudges::{self as nudge_ops, LogEntry};
use stint_domain::nudge::{NudgePrefs, NudgePrefsInput};
use stint_store::DeliveryStatus;
use utoipa::ToSchema;

/// A person's nudge preferences; `PUT` replaces them whole.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NudgePrefsDto {
    /// Reminder lead times in minutes before a session (5 to 10080, at most four), longest
    /// first when read.
    #[schema(example = json!([1440, 60]))]
    pub reminders: Vec<i64>,
    /// Start of the quiet hours, `HH:MM` in the person's zone; empty (with `quiet_end`)
    /// for none.
    #[schema(example = "22:00")]
    pub quiet_start: String,
    #[schema(example = "07:00")]
    pub quiet_end: String,
    /// Nudge kind → the channels it goes by (`in_app`, `email`, `chat`: chat counts once a
    /// workspace chat is connected at `/api/v1/me/chat`). Kinds: `booked`,
    /// `rescheduled`, `cancelled`, `reminder`, `prep_due`, `close_prompt`, `followup_open`,
    /// `task_due`, `shortfall` (operators), `more_hours` (mentors); a kind left out goes by no channel.
    #[schema(example = json!({"reminder": ["in_app", "email"], "booked": ["email"]}))]
    pub channels: BTreeMap<String, Vec<String>>,
}

impl From<&NudgePrefs> for NudgePrefsDto {
    fn from(p: &NudgePrefs) -> Self {
        let i = NudgePrefsInput::from_prefs(p);
        NudgePrefsDto {
            reminders: i.reminders,
            quiet_start: i.quiet_start,
            quiet_end: i.quiet_end,
            channels: i.channels,
        }
    }
}

impl From<NudgePrefsDto> for NudgePrefsInput {
    fn from(d: NudgePrefsDto) -> Self {
        NudgePrefsInput {
            reminders: d.reminders,
            quiet_start: d.quiet_start,
            quiet_end: d.quiet_end,
            channels: d.channels,
        }
    }
}

/// The caller's nudge preferences (the defaults until they save their own).
#[utoipa::path(get, path = "/api/v1/me/nudge-preferences", tag = "nudges", security(("bearer" = [])),
    responses((status = 200, body = NudgePrefsDto), (status = 401, body = ErrorBody)))]
pub async fn get_prefs(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<NudgePrefsDto>, ApiError> {
    let prefs = nudge_ops::prefs(&state, &me).await?;
    Ok(Json(NudgePrefsDto::from(&prefs)))
}

/// Replaces the caller's nudge preferences; the nudges of their upcoming sessions are
/// planned again. Every refused field is named and nothing is saved.
#[utoipa::path(put, path = "/api/v1/me/nudge-preferences", tag = "nudges", security(("bearer" = [])),
    request_body = NudgePrefsDto,
    responses((status = 200, description = "The preferences as saved", body = NudgePrefsDto),
        (status = 401, body = ErrorBody),
        (status = 422, description = "Fields `reminders`, `quiet_start`, `quiet_end` or `channels.<kind>` are not valid", body = ErrorBody)))]
pub async fn put_prefs(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<NudgePrefsDto>,
) -> Result<Json<NudgePrefsDto>, ApiError> {
    let saved = nudge_ops::save_prefs(&state, &me, &req.into()).await?;
    Ok(Json(NudgePrefsDto::from(&saved)))
}

/// One nudge on one channel, as the delivery log keeps it. Times are RFC 3339 with the
/// caller's offset.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDto {
    /// The nudge's identity; with the channel, delivered at most once.
    pub nudge_key: String,
    /// `booked`, `rescheduled`, `cancelled`, `reminder`, `prep_due`, `close_prompt`,
    /// `followup_open`, `task_due`, `shortfall` or `more_hours`.
    pub kind: String,
    /// For a reminder, its lead in minutes.
    pub lead_minutes: Option<u32>,
    /// `in_app` or `email`.
    pub channel: String,
    pub recipient_id: i64,
    pub recipient_name: String,
    /// `sent`, or `failed` (the last attempt failed; it may be retried).
    pub status: String,
    /// The message id when sent; the last attempt's error when failed.
    pub detail: String,
    pub attempts: u32,
    #[schema(format = DateTime)]
    pub due_at: String,
    /// When it was sent, or when the last attempt failed.
    #[schema(format = DateTime)]
    pub at: String,
}

impl DeliveryDto {
    fn new(e: &LogEntry, tz: &TimeZone) -> Self {
        let d = &e.delivery;
        DeliveryDto {
            nudge_key: d.nudge_key.clone(),
            kind: d.kind.as_str().to_string(),
            lead_minutes: e.lead,
            channel: d.channel.as_str().to_string(),
            recipient_id: d.recipient.0,
            recipient_name: e.recipient_name.clone(),
            status: match d.status {
                DeliveryStatus::Sent => "sent",
                DeliveryStatus::Failed => "failed",
            }
            .to_string(),
            detail: d.detail.clone(),
            attempts: d.attempts,
            due_at: rfc3339_in(d.due_at, tz),
            at: rfc3339_in(d.at, tz),
        }
    }
}

/// A session's delivery log, oldest first (its two parties and operators).
#[utoipa::path(get, path = "/api/v1/bookings/{id}/deliveries", tag = "nudges", security(("bearer" = [])),
    operation_id = "list_booking_deliveries",
    params(("id" = i64, Path, description = "Booking id")),
    responses((status = 200, body = Vec<DeliveryDto>), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<DeliveryDto>>, ApiError> {
    let log = nudge_ops::delivery_log(&state, &me, stint_domain::booking::BookingId(id)).await?;
    let tz = me.zone();
    Ok(Json(log.iter().map(|e| DeliveryDto::new(e, &tz)).collect()))
}
