//! A booking after it is made: who may see it, its context, and the changes its parties
//! make (cancel, report a no-show). Each rule is written here once; the API and the pages
//! call these and map the one error type.

use crate::App;
use crate::error::{AppError, ErrorKind};
use jiff::{SignedDuration, Timestamp};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
pub use stint_domain::booking::BookingContext;
use stint_domain::booking::{self, Booking, BookingEvent, BookingId, BookingStatus, NoShowSide};
use stint_domain::ledger::HoldEnd;
use stint_domain::role::Role;
use stint_domain::validate;
use stint_store::ledger::HoldRecord;

/// The longest cancel reason, in characters.
pub const MAX_REASON: usize = 500;

/// A booking's context and its history, for a full view.
#[derive(Debug, Clone)]
pub struct BookingDetail {
    pub context: BookingContext,
    pub history: Vec<BookingEvent>,
    /// The credits held for it, and where they stand (none for a free session).
    pub hold: Option<HoldRecord>,
}

/// What the viewer may do with a booking now.
#[derive(Debug, Clone, Copy, Default)]
pub struct Actions {
    pub can_cancel: bool,
    /// A cancel now would be recorded as late.
    pub cancel_is_late: bool,
    pub can_reschedule: bool,
    pub can_report_no_show: bool,
}

/// A booking the viewer may see: a party or an operator. Others get `NotFound`, so ids
/// reveal nothing.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn visible(app: &App, viewer: &Account, id: BookingId) -> Result<Booking, AppError> {
    match app.store.booking(id).await? {
        Some(b) if b.involves(viewer.id) || viewer.has(Role::Operator) => Ok(b),
        _ => Err(AppError::not_found("booking")),
    }
}

/// A booking the viewer may see, with its context, in one read. Others get `NotFound`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn visible_context(
    app: &App,
    viewer: &Account,
    id: BookingId,
) -> Result<BookingContext, AppError> {
    match app.store.booking_context(id).await? {
        Some(c) if c.booking.involves(viewer.id) || viewer.has(Role::Operator) => Ok(c),
        _ => Err(AppError::not_found("booking")),
    }
}

/// The context of a booking already read (and checked visible), as it is now.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn context_of(app: &App, b: Booking) -> Result<BookingContext, AppError> {
    match app.store.booking_context(b.id).await? {
        Some(c) => Ok(c),
        None => {
            tracing::error!(booking = b.id.0, "a booking read a moment ago is missing");
            Err(AppError::internal())
        }
    }
}

/// A visible booking with its context and history.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn detail(app: &App, viewer: &Account, id: BookingId) -> Result<BookingDetail, AppError> {
    let context = visible_context(app, viewer, id).await?;
    let history = app.store.booking_events(id).await?;
    let hold = app.store.booking_holds(&[id]).await?.pop();
    Ok(BookingDetail {
        context,
        history,
        hold,
    })
}

/// The detail of a booking already read (and checked visible), as it is now.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn detail_of(app: &App, b: Booking) -> Result<BookingDetail, AppError> {
    let history = app.store.booking_events(b.id).await?;
    let hold = app.store.booking_holds(&[b.id]).await?.pop();
    Ok(BookingDetail {
        context: context_of(app, b).await?,
        history,
        hold,
    })
}

/// The viewer's bookings, as mentee or mentor, by start time, with their contexts.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mine(app: &App, viewer: &Account) -> Result<Vec<BookingContext>, AppError> {
    Ok(app.store.booking_contexts_of(viewer.id).await?)
}

/// Sessions shown per page of the past ones.
pub const PAST_PAGE: u32 = 50;

/// The sessions page's lists.
#[derive(Debug, Clone)]
pub struct SessionLists {
    /// Confirmed and not yet ended, soonest first.
    pub upcoming: Vec<BookingContext>,
    /// Ended, cancelled or missed, newest first: one page.
    pub past: Vec<BookingContext>,
    /// The cursor of the next page of past sessions, when there is one.
    pub older: Option<String>,
    /// The no-show risk of the upcoming sessions the viewer mentors (none without a
    /// model; a mentee never sees a rating of themselves).
    pub risk: std::collections::HashMap<BookingId, stint_domain::risk::Scored>,
}

/// The viewer's upcoming sessions and a page of the others, older than the cursor `before`
/// (as [`SessionLists::older`] gave it; anything else is the first page). Each list reads
/// only its own rows, however long the viewer's history.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn sessions_of(
    app: &App,
    viewer: &Account,
    before: &str,
) -> Result<SessionLists, AppError> {
    let now = app.now();
    let cursor = parse_cursor(before, "before").ok();
    let found = app
        .store
        .past_contexts_of(viewer.id, now, cursor, PAST_PAGE + 1)
        .await?;
    let (past, older) = crate::paging::split(found, PAST_PAGE, cursor_of);
    let upcoming = app.store.upcoming_contexts_of(viewer.id, now).await?;
    let mentored: Vec<BookingId> = upcoming
        .iter()
        .filter(|c| c.booking.mentor_id == viewer.id)
        .map(|c| c.booking.id)
        .collect();
    Ok(SessionLists {
        risk: crate::insights::risk::of_sessions(app, &mentored).await?,
        upcoming,
        past,
        older,
    })
}

/// Bookings per page of the API's list when none is asked for, and the most a page holds.
pub const BOOKINGS_PAGE: u32 = 100;
pub const BOOKINGS_PAGE_MAX: u32 = 500;

/// A page of the viewer's bookings in detail, and the cursor of the next page.
pub struct DetailPage {
    pub bookings: Vec<BookingDetail>,
    /// The `after` of the next page (`<start seconds>.<id>`), when there may be one.
    pub next_after: Option<String>,
}

/// Reads a `<start seconds>.<id>` cursor; anything else is refused, naming `field`.
fn parse_cursor(raw: &str, field: &str) -> Result<(Timestamp, BookingId), AppError> {
    crate::paging::parse_time_and_id(raw, field).map(|(at, id)| (at, BookingId(id)))
}

fn cursor_of(c: &BookingContext) -> String {
    crate::paging::time_and_id(c.booking.start, c.booking.id.0)
}

/// A page of the viewer's bookings with their histories and holds (the API's list), by
/// start, after the cursor `after` (as [`DetailPage::next_after`] gave it): three queries,
/// each reading only the page's rows, however long the viewer's history.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mine_in_detail(
    app: &App,
    viewer: &Account,
    after: Option<&str>,
    limit: Option<u32>,
) -> Result<DetailPage, AppError> {
    let limit = crate::paging::limit(limit, BOOKINGS_PAGE, BOOKINGS_PAGE_MAX)?;
    let after = after.map(|raw| parse_cursor(raw, "after")).transpose()?;
    let found = app
        .store
        .booking_contexts_page(viewer.id, after, limit + 1)
        .await?;
    let (contexts, next_after) = crate::paging::split(found, limit, cursor_of);
    let ids: Vec<BookingId> = contexts.iter().map(|c| c.booking.id).collect();
    let mut histories: std::collections::HashMap<BookingId, Vec<BookingEvent>> =
        std::collections::HashMap::new();
    for (id, event) in app.store.booking_events_for(&ids).await? {
        histories.entry(id).or_default().push(event);
    }
    let mut holds: std::collections::HashMap<BookingId, HoldRecord> = app
        .store
        .booking_holds(&ids)
        .await?
        .into_iter()
        .map(|h| (h.booking, h))
        .collect();
    let bookings = contexts
        .into_iter()
        .map(|context| BookingDetail {
            history: histories.remove(&context.booking.id).unwrap_or_default(),
            hold: holds.remove(&context.booking.id),
            context,
        })
        .collect();
    Ok(DetailPage {
        bookings,
        next_after,
    })
}

/// What `viewer` may do with the booking at `now`.
pub fn actions(c: &BookingContext, viewer: &Account, now: Timestamp) -> Actions {
    let b = &c.booking;
    let confirmed = b.status == BookingStatus::Confirmed;
    Actions {
        can_cancel: confirmed && b.start > now,
        cancel_is_late: booking::is_late_cancellation(
            b.start,
            now,
            c.sku.content.cancel_cutoff_hours,
        ),
        can_reschedule: confirmed
            && booking::may_reschedule(b.start, now, c.sku.content.reschedule_cutoff_hours),
        can_report_no_show: confirmed
            && booking::may_report_no_show(b.start, now)
            && (b.involves(viewer.id) || viewer.has(Role::Operator)),
    }
}

/// "Tue 1 Dec 14:00 (Europe/Berlin)": an instant in the viewer's zone, for messages.
pub fn local_words(t: Timestamp, viewer: &Account) -> String {
    format!(
        "{} ({})",
        t.to_zoned_datetime(viewer.zone())
            .strftime("%a %-d %b %H:%M"),
        viewer.timezone
    )
}

/// What cancelling a booking now would do, checked as [`cancel`] checks it, nothing written:
/// for the confirmation a page asks before cancelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelPreview {
    /// Past the free-cancellation cut-off: recorded as late.
    pub late: bool,
    pub hold: HoldEnd,
}

/// Checks a cancellation of `id` by `viewer` with `reason` without making it.
pub async fn preview_cancel(
    app: &App,
    viewer: &Account,
    id: BookingId,
    reason: &str,
) -> Result<CancelPreview, AppError> {
    let (_, preview, _) = checked_cancel(app, viewer, id, reason).await?;
    Ok(preview)
}

/// The checks of a cancellation, once: the booking, what it would do and the reason.
async fn checked_cancel(
    app: &App,
    viewer: &Account,
    id: BookingId,
    reason: &str,
) -> Result<(Booking, CancelPreview, String), AppError> {
    let reason = validate::text(reason, 0, MAX_REASON)
        .map_err(|m| AppError::validation(FieldErrors::single("reason", m)))?;
    let c = visible_context(app, viewer, id).await?;
    let b = &c.booking;
    let now = app.now();
    if b.status != BookingStatus::Confirmed {
        return Err(AppError::conflict(
            "status",
            format!(
                "this session is already {}",
                b.status.as_str().replace('_', " ")
            ),
        ));
    }
    if b.start <= now {
        return Err(AppError::too_late(
            "status",
            format!(
                "the session has already started ({})",
                local_words(b.start, viewer)
            ),
        ));
    }
    let late = booking::is_late_cancellation(b.start, now, c.sku.content.cancel_cutoff_hours);
    let hold = HoldEnd::on_cancel(
        late,
        viewer.id == b.mentee_id,
        u32::try_from(c.sku.content.late_cancel_percent).unwrap_or(0),
        app.settings.platform_fee_basis_points,
    );
    Ok((c.booking.clone(), CancelPreview { late, hold }, reason))
}

/// Cancels a booking. Either party (or an operator) may, until the session starts; after
/// the free-cancellation cut-off it is recorded as late. A reason over [`MAX_REASON`]
/// characters is refused, never cut.
#[tracing::instrument(skip_all, fields(booking = %id, viewer = %viewer.id))]
pub async fn cancel(
    app: &App,
    viewer: &Account,
    id: BookingId,
    reason: &str,
) -> Result<Booking, AppError> {
    let (b, p, reason) = checked_cancel(app, viewer, id, reason).await?;
    Ok(app
        .store
        .cancel_booking(b.id, viewer.id, &reason, p.late, p.hold, app.now())
        .await?)
}

/// Reports that one side did not come: the mentor reports the mentee and vice versa
/// (nobody marks themself absent; operators may mark either), from the start until a
/// week after.
#[tracing::instrument(skip_all, fields(booking = %id, viewer = %viewer.id))]
pub async fn report_no_show(
    app: &App,
    viewer: &Account,
    id: BookingId,
    side: &str,
) -> Result<Booking, AppError> {
    let side = NoShowSide::parse(side).ok_or_else(|| {
        AppError::validation(FieldErrors::single("side", "must be mentee or mentor"))
    })?;
    let b = visible(app, viewer, id).await?;
    let allowed = viewer.has(Role::Operator)
        || (side == NoShowSide::Mentee && viewer.id == b.mentor_id)
        || (side == NoShowSide::Mentor && viewer.id == b.mentee_id);
    if !allowed {
        return Err(AppError::forbidden());
    }
    if b.status != BookingStatus::Confirmed {
        return Err(AppError::conflict(
            "status",
            format!(
                "this session is already {}",
                b.status.as_str().replace('_', " ")
            ),
        ));
    }
    let now = app.now();
    if !booking::may_report_no_show(b.start, now) {
        let window_end = b
            .start
            .saturating_add(SignedDuration::from_hours(24 * 7))
            .unwrap_or(b.start);
        return Err(if now < b.start {
            AppError::too_early(
                "side",
                format!(
                    "a no-show can be reported from the start, {}",
                    local_words(b.start, viewer)
                ),
            )
        } else {
            AppError::too_late(
                "side",
                format!(
                    "a no-show could be reported until {}",
                    local_words(window_end, viewer)
                ),
            )
        });
    }
    let hold = HoldEnd::on_no_show(side, app.settings.platform_fee_basis_points);
    Ok(app
        .store
        .mark_no_show(b.id, side, viewer.id, hold, now)
        .await?)
}

/// Whether an error is one a form should re-show with its field messages.
pub fn is_correctable(e: &AppError) -> bool {
    e.kind == ErrorKind::Invalid
}
