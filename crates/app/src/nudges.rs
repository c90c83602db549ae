//! Nudge use cases shared by the API and the pages: a person's preferences (saving them
//! plans the nudges of their upcoming sessions again), the in-app inbox, and a session's
//! delivery log.

use crate::App;
use crate::error::AppError;
use jiff::Timestamp;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::booking::BookingStatus;
use stint_domain::ids::UserId;
use stint_domain::nudge::{NudgePrefs, NudgePrefsInput};
use stint_store::outbox::{BookingChange, BookingChanged};
use stint_store::{Delivery, InboxItem};

/// How many inbox items a listing returns when no limit is asked for.
pub const INBOX_DEFAULT_LIMIT: u32 = 50;
/// The most inbox items one listing returns.
pub const INBOX_MAX_LIMIT: u32 = 200;

/// Checks `input` whole and saves it; nothing is saved when any field is refused (422
/// naming each field). The person's upcoming sessions then have their nudges planned again.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_prefs(
    app: &App,
    me: &Account,
    input: &NudgePrefsInput,
) -> Result<NudgePrefs, AppError> {
    let prefs = input.validate()?;
    let now = app.now();
    app.store.save_nudge_prefs(me.id, &prefs, now).await?;
    replan_upcoming(app, me.id, now).await?;
    Ok(prefs)
}

/// Enqueues a `booking.changed` replan for each confirmed session of `user` still to come,
/// so reminders follow the new lead times, quiet hours and channels. Planning is
/// repeatable, so a replan that finds nothing new to plan sends nothing twice.
pub(crate) async fn replan_upcoming(
    app: &App,
    user: UserId,
    now: Timestamp,
) -> Result<(), AppError> {
    for b in app.store.bookings_of(user).await? {
        if b.status == BookingStatus::Confirmed && b.start > now {
            let job = BookingChanged::new(b.id, BookingChange::Replan, now).job(now);
            app.store.enqueue(&job, now).await?;
        }
    }
    Ok(())
}

/// An inbox limit, 1 to 200; absent means the default. Digits only.
pub fn parse_limit(raw: Option<&str>) -> Result<u32, FieldErrors> {
    crate::paging::whole_number(raw, "limit", INBOX_DEFAULT_LIMIT, INBOX_MAX_LIMIT)
}

/// A page of a person's inbox: how many items are unread in all of it, and its items.
pub struct Inbox {
    pub unread: u64,
    /// Newest first.
    pub items: Vec<InboxItem>,
    /// The `before` of the next, older page, when there is one.
    pub older_before: Option<i64>,
}

/// A page of the person's inbox: the newest `limit` items, or those before item `before`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn inbox(
    app: &App,
    me: &Account,
    before: Option<i64>,
    limit: u32,
) -> Result<Inbox, AppError> {
    let unread = app.store.unread_count(me.id).await?;
    let found = app.store.inbox(me.id, before, limit + 1).await?;
    let (items, older_before) = crate::paging::split(found, limit, |i| i.id);
    Ok(Inbox {
        unread,
        items,
        older_before,
    })
}

/// Marks one item of the person's inbox (or, with `None`, all of it) read; how many
/// items changed. An id that is not one of the person's items is a 404; an item already
/// read changes nothing.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_read(app: &App, me: &Account, item: Option<i64>) -> Result<u64, AppError> {
    let missing = || AppError::not_found("inbox item");
    let now = app.now();
    let Some(id) = item else {
        return Ok(app.store.mark_read(me.id, None, now).await?);
    };
    // The store reads id 0 as "every item"; no item has an id below 1.
    if id < 1 {
        return Err(missing());
    }
    let marked = app.store.mark_read(me.id, Some(id), now).await?;
    if marked == 0 && !owns(app, me.id, id).await? {
        return Err(missing());
    }
    Ok(marked)
}

/// Whether item `id` is in `user`'s inbox. Only asked when marking changed nothing (the
/// item was read already, or is not theirs), so it is off the usual path.
async fn owns(app: &App, user: UserId, id: i64) -> Result<bool, AppError> {
    let newest_up_to_it = app.store.inbox(user, id.checked_add(1), 1).await?;
    Ok(newest_up_to_it.iter().any(|i| i.id == id))
}

/// One line of a session's delivery log.
pub struct LogEntry {
    pub delivery: Delivery,
    /// The recipient's display name (one of the session's two parties).
    pub recipient_name: String,
    /// For a reminder, its lead in minutes, read from the nudge's key.
    pub lead: Option<u32>,
}

/// The delivery log of a booking the viewer may see (a party or an operator), oldest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delivery_log(
    app: &App,
    viewer: &Account,
    id: stint_domain::booking::BookingId,
) -> Result<Vec<LogEntry>, AppError> {
    let c = crate::bookings::visible_context(app, viewer, id).await?;
    let deliveries = app.store.deliveries(c.booking.id).await?;
    let names = [
        (c.mentor.id, c.mentor.display_name),
        (c.mentee.id, c.mentee.display_name),
    ];
    Ok(deliveries
        .into_iter()
        .map(|d| LogEntry {
            recipient_name: names
                .iter()
                .find(|(id, _)| *id == d.recipient)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| format!("user {}", d.recipient)),
            lead: reminder_lead(&d.nudge_key),
            delivery: d,
        })
        .collect())
}

/// The lead of a reminder from its key, `"{booking}/reminder{lead}m@{seq}/{recipient}"`.
pub fn reminder_lead(key: &str) -> Option<u32> {
    let part = key.split('/').nth(1)?;
    let (lead, _) = part.strip_prefix("reminder")?.split_once("m@")?;
    lead.parse().ok()
}

/// The viewer's nudge preferences.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn prefs(app: &App, me: &Account) -> Result<stint_domain::nudge::NudgePrefs, AppError> {
    Ok(app.store.nudge_prefs(me.id).await?)
}

/// How many inbox items the viewer has not read, for the navigation's badge.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn unread_count(app: &App, me: &Account) -> Result<u64, AppError> {
    Ok(app.store.unread_count(me.id).await?)
}

/// The nudge preferences of `user`, for their own settings page.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn prefs_of(
    app: &App,
    user: stint_domain::ids::UserId,
) -> Result<stint_domain::nudge::NudgePrefs, AppError> {
    Ok(app.store.nudge_prefs(user).await?)
}

/// A page of the deliveries across all sessions, newest first (before delivery `before`
/// when given), and the `before` of the next, older page when there is one (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn recent_deliveries(
    app: &App,
    actor: &Account,
    before: Option<i64>,
    limit: u32,
) -> Result<(Vec<stint_store::Delivery>, Option<i64>), AppError> {
    crate::access::require(actor, stint_domain::role::Role::Operator)?;
    let found = app.store.recent_deliveries(before, limit + 1).await?;
    Ok(crate::paging::split(found, limit, |d| d.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reminder_key_gives_its_lead() {
        assert_eq!(reminder_lead("42/reminder1440m@0/7"), Some(1440));
        assert_eq!(reminder_lead("42/reminder15m@3/7"), Some(15));
        assert_eq!(reminder_lead("42/booked/7"), None);
        assert_eq!(reminder_lead("42/prep_due@0/7"), None);
        assert_eq!(reminder_lead("42/reminderxm@0/7"), None);
        assert_eq!(reminder_lead(""), None);
    }

    #[test]
    fn limits_name_their_field() {
        assert_eq!(parse_limit(None), Ok(INBOX_DEFAULT_LIMIT));
        assert_eq!(parse_limit(Some("200")), Ok(200));
        for bad in ["0", "201", "-1", "", "+5", "ten"] {
            assert!(
                parse_limit(Some(bad)).is_err_and(|e| e.get("limit").is_some()),
                "{bad}"
            );
        }
    }
}
