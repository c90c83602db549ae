//! Changing a booked session from its page: cancel (asked to confirm first), report a
//! no-show, move it to another time, and its calendar invitation file.

use super::booking::{DayGroup, group_by_day, when};
use super::render::{Chrome, OrPage, PageResult, failure_for, not_found_page, ok, refusal};
use crate::api::bookings::{BookingDto, view};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use stint_app::ErrorKind;
use stint_app::bookings;
use stint_app::scheduling::{self};
use stint_domain::account::zone_or_utc;
use stint_domain::booking::BookingId;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CancelFields {
    reason: String,
    /// `yes` once the person confirmed; the first send only asks.
    confirm: String,
}

pub async fn cancel(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<CancelFields>,
) -> PageResult {
    // The first send is checked as the cancellation would be, then asks for a confirmation
    // (also without JavaScript), saying what it costs.
    if f.confirm != "yes" {
        return match bookings::preview_cancel(&state, &me, BookingId(id), &f.reason).await {
            Ok(_) => {
                let asking = super::outcomes::Refused::confirm_cancel(f.reason);
                super::session_page::render_session(
                    &state,
                    me,
                    &csrf.0,
                    id,
                    "",
                    "",
                    asking,
                    StatusCode::OK,
                )
                .await
            }
            Err(e) => {
                let (status, errors) = refusal(e, &me)?;
                let refused = super::outcomes::Refused::cancel(f.reason, errors);
                super::session_page::render_session(
                    &state, me, &csrf.0, id, "", "", refused, status,
                )
                .await
            }
        };
    }
    match bookings::cancel(&state, &me, BookingId(id), &f.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/sessions/{id}?cancelled=1")).into_response()),
        Err(e) => {
            let (status, errors) = refusal(e, &me)?;
            let refused = super::outcomes::Refused::cancel(f.reason, errors);
            super::session_page::render_session(&state, me, &csrf.0, id, "", "", refused, status)
                .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoShowFields {
    side: String,
}

pub async fn no_show(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<NoShowFields>,
) -> PageResult {
    bookings::report_no_show(&state, &me, BookingId(id), &f.side)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    Ok(Redirect::to(&format!("/sessions/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "reschedule.html")]
struct ReschedulePage {
    chrome: Chrome,
    b: BookingDto,
    days: Vec<DayGroup>,
    tz: String,
    taken: bool,
    /// A time picked and not yet confirmed: (its instant, from → to in words).
    moving: Option<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveParams {
    taken: String,
    /// A new start picked: the page asks to confirm the move.
    start: String,
}

pub async fn reschedule_page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(q): Query<MoveParams>,
) -> PageResult {
    let d = bookings::detail(&state, &me, BookingId(id))
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    let tz = zone_or_utc(&me.timezone);
    let today = state.now().to_zoned_datetime(tz.clone()).date();
    let to = today
        .checked_add(SignedDuration::from_hours(24 * 13))
        .unwrap_or(today);
    let window = scheduling::parse_window(&today.to_string(), &to.to_string(), &me.timezone)
        .map_err(|_| not_found_page(Some(me.clone())))?;
    let offers = scheduling::offers_for_booking(&state, &d.context, window.from, window.to)
        .await
        .or_page()?;
    let days = group_by_day(&offers, &tz, |o| o.slot.start.to_string());
    let dto = view(&me, &d);
    // Only a time on offer is asked about; anything else shows the times again.
    let moving = q
        .start
        .parse::<Timestamp>()
        .ok()
        .filter(|t| offers.iter().any(|o| o.slot.start == *t))
        .map(|t| {
            (
                t.to_string(),
                format!(
                    "from {} to {}",
                    when(d.context.booking.start, &tz),
                    when(t, &tz)
                ),
            )
        });
    Ok(ok(&ReschedulePage {
        chrome: Chrome::new("Reschedule · Stint", Some(me.clone()), &csrf.0),
        tz: me.timezone.clone(),
        taken: !q.taken.is_empty(),
        b: dto,
        days,
        moving,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveFields {
    start: String,
}

pub async fn reschedule(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<MoveFields>,
) -> PageResult {
    match scheduling::reschedule(&state, &me, BookingId(id), &f.start).await {
        Ok(_) => Ok(Redirect::to(&format!("/sessions/{id}?moved=1")).into_response()),
        Err(e) if e.code == "slot_taken" || e.kind == ErrorKind::Invalid => {
            Ok(Redirect::to(&format!("/sessions/{id}/reschedule?taken=1")).into_response())
        }
        Err(e) => Err(failure_for(e, Some(me))),
    }
}

/// The invitation file of a session, for the browser (session cookie).
pub async fn invite_file(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(not_found_page(Some(me)));
    };
    let base = crate::ics::site_base(&state.config);
    stint_app::calendar_files::invite(&state, &me, BookingId(id), base.as_deref())
        .await
        .map(crate::ics::calendar_response)
        .map_err(|e| failure_for(e, Some(me)))
}
