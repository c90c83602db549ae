//! Erasing an account, each rule once (`stint_domain::erasure`): a person asks, and the erasure
//! takes effect after a grace period in which they may call it off; never while a session of
//! theirs is under way or starts within a day (asking is refused then, and carrying out waits
//! for it to end). When it takes effect, the `privacy.erase` job first cancels their later
//! sessions (under each session type's policy, as if they had cancelled) and marks the events
//! Stint wrote in calendars to be removed at the next sync; an hour later it erases the account
//! in one transaction (`PrivacyRequestStore::erase_account`) and deletes the mail in the outbox
//! that names them. Operators see every open request with its legal deadline.

use crate::App;
use crate::access::require;
use crate::bookings::local_words;
use crate::error::AppError;
use jiff::{SignedDuration, Timestamp};
use stint_domain::account::Account;
use stint_domain::booking::{Booking, BookingStatus};
use stint_domain::erasure::{self, RequestKind, RequestState};
use stint_domain::role::Role;
use stint_store::{Erasure, PrivacyRequest};

/// The job that carries out erasures whose time has come.
pub const ERASE: &str = "privacy.erase";
/// Time given to calendars to remove Stint's events before the account's connections go.
const CALENDAR_WAIT: SignedDuration = SignedDuration::from_hours(1);
/// Erasures carried out per run at most; the next run goes on.
const PER_RUN: u32 = 20;

/// `me`'s sessions not yet over, as (start, end).
async fn sessions_ahead(app: &App, me: &Account, now: Timestamp) -> Result<Vec<Booking>, AppError> {
    Ok(app
        .store
        .bookings_of(me.id)
        .await?
        .into_iter()
        .filter(|b| b.status == BookingStatus::Confirmed && b.end > now)
        .collect())
}

fn spans(bookings: &[Booking]) -> Vec<(Timestamp, Timestamp)> {
    bookings.iter().map(|b| (b.start, b.end)).collect()
}

/// Asks for `me`'s account to be erased at the end of the grace period. Refused while a
/// session of theirs is under way or starts within a day, and when one is already asked.
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn request(app: &App, me: &Account) -> Result<PrivacyRequest, AppError> {
    let now = app.now();
    let ahead = sessions_ahead(app, me, now).await?;
    if let Some((start, _)) = erasure::too_soon(&spans(&ahead), now).first() {
        return Err(AppError::conflict(
            "erasure",
            format!(
                "You have a session at {}, within the next {} hours. Ask again once it is \
                 over, or cancel it first (the session type's cancellation policy applies). \
                 Sessions later than that are cancelled when the erasure takes effect.",
                local_words(*start, me),
                erasure::SOON_HOURS
            ),
        ));
    }
    let asked = app
        .store
        .open_privacy_request(
            me.id,
            RequestKind::Erasure,
            now,
            erasure::erasure_due(now),
            erasure::deadline(now),
        )
        .await?;
    let change = format!(
        "Asked for the account to be erased on {}",
        local_words(asked.due_at, me)
    );
    app.store.record_privacy_change(me.id, &change, now).await?;
    Ok(asked)
}

/// Calls off `me`'s erasure during its grace period.
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn cancel(app: &App, me: &Account) -> Result<(), AppError> {
    let now = app.now();
    if !app.store.cancel_erasure(me.id, now).await? {
        return Err(AppError::not_found("pending erasure"));
    }
    app.store
        .record_privacy_change(me.id, "Called off the erasure of the account", now)
        .await?;
    Ok(())
}

/// `me`'s erasure in its grace period, if one is asked.
pub async fn pending(app: &App, me: &Account) -> Result<Option<PrivacyRequest>, AppError> {
    Ok(app
        .store
        .privacy_requests_of(me.id, 20)
        .await?
        .into_iter()
        .find(|r| r.kind == RequestKind::Erasure && r.state.is_open()))
}

/// What `me`'s sessions ahead would become if the erasure took effect as asked: the
/// sessions cancelled then, as (start, end).
pub async fn sessions_cancelled_at_erasure(
    app: &App,
    me: &Account,
) -> Result<Vec<(Timestamp, Timestamp)>, AppError> {
    Ok(spans(&sessions_ahead(app, me, app.now()).await?))
}

/// Everyone's open export and erasure requests, the nearest deadline first (operators).
pub async fn open_requests(app: &App, op: &Account) -> Result<Vec<PrivacyRequest>, AppError> {
    require(op, Role::Operator)?;
    Ok(app.store.open_privacy_requests(500).await?)
}

/// The `privacy.erase` job: carries out the erasures whose time has come, each in two steps
/// an hour apart. How many accounts it erased.
#[tracing::instrument(skip_all)]
pub async fn erase_due(app: &App) -> Result<u32, AppError> {
    let now = app.now();
    let mut erased = 0;
    for r in app.store.due_erasures(now, PER_RUN).await? {
        if carry_out(app, &r, now).await? {
            erased += 1;
        }
    }
    Ok(erased)
}

/// One step of one erasure; whether the account is now erased.
async fn carry_out(app: &App, r: &PrivacyRequest, now: Timestamp) -> Result<bool, AppError> {
    let Some(person) = app.store.account(r.user_id).await? else {
        return Ok(false);
    };
    let ahead = sessions_ahead(app, &person, now).await?;
    // A session booked during the grace period and about to happen is kept: the erasure
    // waits until it is over.
    if let Some(last_end) = erasure::too_soon(&spans(&ahead), now)
        .iter()
        .map(|(_, end)| *end)
        .max()
    {
        app.store.set_erasing(r.id, last_end).await?;
        return Ok(false);
    }
    let mut changed = 0u64;
    for b in &ahead {
        crate::bookings::cancel(app, &person, b.id, "The account was erased.").await?;
        changed += 1;
    }
    changed += app.store.mark_events_for_removal(person.id).await?;
    if r.state == RequestState::Pending || changed > 0 {
        let due = now.saturating_add(CALENDAR_WAIT).unwrap_or(now);
        app.store.set_erasing(r.id, due).await?;
        return Ok(false);
    }
    let (pseudonym, pseudonym_email) = erasure::pseudonym(person.id.0);
    let rows = app
        .store
        .erase_account(
            &Erasure {
                user: person.id,
                request: r.id,
                name: erasure::scrubbable_name(&person.display_name),
                email: &person.email,
                pseudonym: &pseudonym,
                pseudonym_email: &pseudonym_email,
            },
            now,
        )
        .await?;
    let mails = match &app.settings.mail_outbox {
        Some(dir) => {
            let mut names = vec![person.email.as_str()];
            names.extend(erasure::scrubbable_name(&person.display_name));
            stint_mail::erase_from_outbox(dir, &names).map_err(|e| {
                tracing::error!(error = %e, "mail naming an erased account could not be removed");
                AppError::internal()
            })?
        }
        None => 0,
    };
    tracing::info!(request = r.id, rows, mails, "an account was erased");
    Ok(true)
}
