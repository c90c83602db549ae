//! Calendar files of bookings: one session's invitation (or cancellation) and the private
//! subscription feed of all of a person's sessions, whose address holds a secret (only its
//! digest is stored; a new address revokes the old).

use crate::App;
use crate::auth::secret;
use crate::bookings::{self, BookingContext};
use crate::error::AppError;
use stint_domain::account::Account;
use stint_domain::booking::{BookingId, BookingStatus};
use stint_domain::circle::Call;
use stint_ical::{BookingFacts, Event, Method, Person};

/// A calendar file: its text and a file name.
pub struct CalendarFile {
    pub body: String,
    pub filename: String,
}

fn event_of(app: &App, c: &BookingContext, viewer: &Account, site: Option<&str>) -> Event {
    let facts = BookingFacts {
        booking: &c.booking,
        sku: &c.sku.content,
        mentor: &c.mentor,
        mentee: &c.mentee,
    };
    stint_ical::booking_event(&facts, viewer, site, app.now())
}

/// The invitation of one booking the viewer may see: METHOD:REQUEST, or METHOD:CANCEL
/// once cancelled.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn invite(
    app: &App,
    viewer: &Account,
    id: BookingId,
    site: Option<&str>,
) -> Result<CalendarFile, AppError> {
    let c = bookings::visible_context(app, viewer, id).await?;
    let method = if c.booking.status == BookingStatus::Cancelled {
        Method::Cancel
    } else {
        Method::Request
    };
    Ok(CalendarFile {
        body: stint_ical::invite(&event_of(app, &c, viewer, site), method),
        filename: format!("stint-session-{}.ics", c.booking.id),
    })
}

/// The feed behind a secret address, or `NotFound` for an unknown or revoked one.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn feed(app: &App, token: &str, site: Option<&str>) -> Result<CalendarFile, AppError> {
    let owner = match app
        .store
        .calendar_feed_owner(&secret::digest(token))
        .await?
    {
        Some(id) => app.store.account(id).await?,
        None => None,
    };
    let owner = owner.ok_or_else(|| AppError::not_found("calendar"))?;
    let mut events: Vec<Event> = bookings::mine(app, &owner)
        .await?
        .iter()
        .map(|c| event_of(app, c, &owner, site))
        .collect();
    for call in crate::circles::calls_for_feed(app, &owner).await? {
        events.push(call_event(app, &call, &owner, site));
    }
    Ok(CalendarFile {
        body: stint_ical::feed(&format!("Stint · {}", owner.display_name), &events),
        filename: "stint.ics".into(),
    })
}

/// A circle call as an event on `viewer`'s calendar, in their zone.
fn call_event(app: &App, call: &Call, viewer: &Account, site: Option<&str>) -> Event {
    let page = site.map(|base| {
        format!(
            "{}/mentor/circles/{}",
            base.trim_end_matches('/'),
            call.circle
        )
    });
    let me = Person {
        name: viewer.display_name.clone(),
        email: viewer.email.clone(),
    };
    Event {
        uid: format!("circle-call-{}@stint", call.id),
        sequence: 0,
        start: call.start,
        end: call.end,
        timezone: viewer.timezone.clone(),
        summary: format!("{} · circle call", call.circle_name),
        description: format!(
            "Your mentor circle's call.{}",
            page.as_deref()
                .map(|p| format!("\nThread: {p}"))
                .unwrap_or_default()
        ),
        location: call.location.clone(),
        url: page,
        organizer: me.clone(),
        attendee: me,
        cancelled: false,
        stamp: app.now(),
    }
}

/// One circle call's invitation, for a member of its circle.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn call_invite(
    app: &App,
    viewer: &Account,
    call_id: i64,
    site: Option<&str>,
) -> Result<CalendarFile, AppError> {
    let call = crate::circles::calls_for_feed(app, viewer)
        .await?
        .into_iter()
        .find(|c| c.id == call_id)
        .ok_or_else(|| AppError::not_found("call"))?;
    Ok(CalendarFile {
        body: stint_ical::invite(&call_event(app, &call, viewer, site), Method::Request),
        filename: format!("stint-circle-call-{call_id}.ics"),
    })
}

/// Whether the viewer has a live feed address.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn has_feed(app: &App, me: &Account) -> Result<bool, AppError> {
    Ok(app.store.has_calendar_feed(me.id).await?)
}

/// Makes (and so rotates) the viewer's feed secret, returning it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn new_feed(app: &App, me: &Account) -> Result<String, AppError> {
    let token = secret::new_secret()?;
    app.store
        .set_calendar_feed(me.id, &secret::digest(&token), app.now())
        .await?;
    Ok(token)
}

/// Revokes the viewer's feed address.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn revoke_feed(app: &App, me: &Account) -> Result<(), AppError> {
    Ok(app.store.revoke_calendar_feed(me.id).await?)
}
