//! Calendar files for bookings: the per-booking invitation (or cancellation) and the private
//! subscription feed. Times are written in the viewer's zone; the instants are the same for
//! both parties.

use crate::error::ApiError;
use crate::state::AppState;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use stint_calendar::{Event, Method, Person};
use stint_domain::account::Account;
use stint_domain::booking::{Booking, BookingStatus};

/// The site's own address as the browser reached it, for links inside calendar files.
pub fn site_base(headers: &HeaderMap, secure: bool) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let ok = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    ok.then(|| format!("{}://{host}", if secure { "https" } else { "http" }))
}

/// The calendar event of a booking, seen by `viewer`.
pub async fn event(
    state: &AppState,
    viewer: &Account,
    b: &Booking,
    base: Option<&str>,
) -> Result<Event, ApiError> {
    let version = state
        .store
        .sku_version_by_id(b.sku_id, b.sku_version)
        .await?
        .ok_or_else(ApiError::internal)?;
    let mentor = state
        .store
        .account(b.mentor_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    let mentee = state
        .store
        .account(b.mentee_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    let other = if viewer.id == mentor.id {
        &mentee
    } else {
        &mentor
    };
    let page = base.map(|base| format!("{base}/sessions/{}", b.id));
    let mut description = format!("{}\n\nJoin: {}", version.content.outcome, b.meeting_url);
    if let Some(p) = &page {
        description.push_str(&format!("\nSession page: {p}"));
    }
    Ok(Event {
        uid: format!("booking-{}@stint", b.id),
        sequence: b.sequence,
        start: b.start,
        end: b.end,
        timezone: viewer.timezone.clone(),
        summary: format!("{} with {}", version.content.title, other.display_name),
        description,
        location: b.meeting_url.clone(),
        url: page,
        organizer: Person {
            name: mentor.display_name.clone(),
            email: mentor.email.clone(),
        },
        attendee: Person {
            name: mentee.display_name.clone(),
            email: mentee.email.clone(),
        },
        cancelled: b.status == BookingStatus::Cancelled,
        stamp: state.now(),
    })
}

/// The invitation file for one booking: METHOD:REQUEST, or METHOD:CANCEL once cancelled.
pub async fn invite(
    state: &AppState,
    viewer: &Account,
    b: &Booking,
    base: Option<&str>,
) -> Result<Response, ApiError> {
    let ev = event(state, viewer, b, base).await?;
    let method = if b.status == BookingStatus::Cancelled {
        Method::Cancel
    } else {
        Method::Request
    };
    Ok(calendar_response(
        stint_calendar::invite(&ev, method),
        &format!("stint-session-{}.ics", b.id),
    ))
}

/// A `text/calendar` response offered as a file download.
pub fn calendar_response(body: String, filename: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response()
}
