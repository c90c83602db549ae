//! A mentor's standing, written once for the API, the pages and the worker: a mentor pauses
//! (hidden from search, no new bookings, their sessions kept) and resumes, by hand or on the
//! day they chose as it begins in their zone (`resume_due`, the hourly `mentors.resume` job);
//! an operator suspends a mentor with a reason and reinstates them. A suspension follows the
//! policy for a mentor who cannot come: each upcoming session is cancelled by the operator,
//! so its hold is released in full and its mentee is told once (the cancellation's own
//! notice, which offers the same session type with another mentor).

use crate::App;
use crate::access::require;
use crate::error::AppError;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::booking::BookingStatus;
use stint_domain::ids::UserId;
use stint_domain::role::Role;
use stint_domain::standing::{self, Standing};
use stint_domain::validate;
use stint_store::UnlistedMentor;

/// The job kind that lists paused mentors again on their return day.
pub const RESUME: &str = "mentors.resume";

/// The reason given to a suspended mentor's mentees for each cancelled session.
pub const SUSPENSION_REASON: &str = "Your mentor is no longer available on Stint. Your credits are back in full; \
     you can book the same session with another mentor.";

/// The longest reason an operator may give for a suspension.
pub const MAX_NOTE: usize = 500;

/// What a suspension did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspended {
    /// Upcoming sessions cancelled (their holds released, their mentees told).
    pub cancelled: usize,
}

/// `me`'s own standing (mentors with a profile).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn own(app: &App, me: &Account) -> Result<Standing, AppError> {
    Ok(own_profile(app, me).await?.standing)
}

/// Pauses `me` until `return_day` (`YYYY-MM-DD` in their zone; empty: until they resume).
/// A suspended mentor cannot pause their way out of it, nor back in.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn pause(app: &App, me: &Account, return_day: &str) -> Result<Standing, AppError> {
    let profile = own_profile(app, me).await?;
    refuse_if_suspended(&profile.standing)?;
    let until = standing::return_day(return_day, &me.timezone, app.now())
        .map_err(|m| AppError::validation(FieldErrors::single("until", m)))?;
    let paused = Standing::Paused { until };
    app.store
        .set_standing(me.id, &paused, "", app.now())
        .await?;
    Ok(paused)
}

/// Lists `me` again after a pause (a listed mentor stays listed).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn resume(app: &App, me: &Account) -> Result<Standing, AppError> {
    let profile = own_profile(app, me).await?;
    refuse_if_suspended(&profile.standing)?;
    if !profile.standing.is_listed() {
        app.store
            .set_standing(me.id, &Standing::Listed, "", app.now())
            .await?;
    }
    Ok(Standing::Listed)
}

/// Suspends `mentor` (operators) with a reason kept for operators, and cancels each of
/// their upcoming sessions under the policy. Suspending again finishes what an interrupted
/// suspension left (sessions still upcoming are cancelled; none twice).
#[tracing::instrument(skip_all, fields(mentor = %mentor))]
pub async fn suspend(
    app: &App,
    operator: &Account,
    mentor: UserId,
    reason: &str,
) -> Result<Suspended, AppError> {
    require(operator, Role::Operator)?;
    let reason = validate::text(reason, 3, MAX_NOTE)
        .map_err(|m| AppError::validation(FieldErrors::single("reason", m)))?;
    let now = app.now();
    // Unlisted first, so no new booking lands while the upcoming ones are cancelled.
    if !app
        .store
        .set_standing(mentor, &Standing::Suspended, &reason, now)
        .await?
    {
        return Err(AppError::not_found("mentor"));
    }
    let mut cancelled = 0;
    for c in app.store.upcoming_contexts_of(mentor, now).await? {
        let b = &c.booking;
        if b.mentor_id != mentor || b.status != BookingStatus::Confirmed || b.start <= now {
            continue;
        }
        crate::bookings::cancel(app, operator, b.id, SUSPENSION_REASON).await?;
        cancelled += 1;
    }
    tracing::info!(cancelled, "mentor suspended");
    Ok(Suspended { cancelled })
}

/// Lists a suspended `mentor` again (operators).
#[tracing::instrument(skip_all, fields(mentor = %mentor))]
pub async fn reinstate(app: &App, operator: &Account, mentor: UserId) -> Result<(), AppError> {
    require(operator, Role::Operator)?;
    let profile = crate::mentors::profile(app, mentor).await?;
    if profile.standing != Standing::Suspended {
        return Err(AppError::conflict(
            "standing",
            "this mentor is not suspended",
        ));
    }
    app.store
        .set_standing(mentor, &Standing::Listed, "", app.now())
        .await?;
    Ok(())
}

/// The mentors who are paused or suspended (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn unlisted(app: &App, operator: &Account) -> Result<Vec<UnlistedMentor>, AppError> {
    require(operator, Role::Operator)?;
    Ok(app.store.unlisted_mentors().await?)
}

/// Lists again every paused mentor whose return day has begun in their zone; how many.
/// The `mentors.resume` job runs it every hour (a day begins on the hour in every zone
/// but a few, which it reaches within the hour).
#[tracing::instrument(skip_all)]
pub async fn resume_due(app: &App) -> Result<usize, AppError> {
    let now = app.now();
    let mut resumed = 0;
    for m in app.store.unlisted_mentors().await? {
        if m.standing.resumes_by(&m.timezone, now) {
            app.store
                .set_standing(m.user_id, &Standing::Listed, "", now)
                .await?;
            resumed += 1;
        }
    }
    Ok(resumed)
}

async fn own_profile(
    app: &App,
    me: &Account,
) -> Result<stint_domain::mentor::MentorProfile, AppError> {
    require(me, Role::Mentor)?;
    crate::mentors::own_profile(app, me)
        .await?
        .ok_or_else(|| AppError::conflict("profile", "write your mentor profile first"))
}

fn refuse_if_suspended(s: &Standing) -> Result<(), AppError> {
    if *s == Standing::Suspended {
        return Err(AppError::conflict(
            "standing",
            "your profile is suspended; an operator will be in touch",
        ));
    }
    Ok(())
}
