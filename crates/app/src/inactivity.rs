//! Inactive mentors, so mentees do not find mentors who cannot be booked or do not close
//! their sessions. The daily `mentors.inactivity` sweep looks at every listed mentor: one with
//! no bookable time in the next four weeks, or with a session ended over a week ago and not
//! closed, is reminded by e-mail (`mentors.inactive_mail`, queued with the mark); still
//! inactive a week later, they are frozen (hidden from search, sessions kept) until they
//! reactivate themself in one step (`standing::resume`). The rule is
//! `stint_domain::standing::inactivity_step`.

use crate::App;
use crate::error::AppError;
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use stint_domain::ids::UserId;
use stint_domain::standing::{
    INACTIVE_LOOKAHEAD_DAYS, Inactivity, InactivityStep, Standing, UNCLOSED_AFTER_DAYS,
    inactivity_step,
};
use stint_store::NewJob;

use crate::letter::Letter;

/// The daily sweep.
pub const INACTIVITY: &str = "mentors.inactivity";
/// The reminder to one mentor.
pub const INACTIVE_MAIL: &str = "mentors.inactive_mail";

/// The reminder's payload: whom, and why in words.
#[derive(Debug, Serialize, Deserialize)]
pub struct InactiveMail {
    pub mentor: i64,
    pub why: String,
}

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    pub reminded: usize,
    pub frozen: usize,
    pub cleared: usize,
}

/// Looks at every listed mentor once (the `mentors.inactivity` job).
#[tracing::instrument(skip_all)]
pub async fn sweep(app: &App) -> Result<Sweep, AppError> {
    let now = app.now();
    let mut done = Sweep::default();
    for (mentor, reminded) in app.store.listed_mentors().await? {
        let inactive = inactivity_of(app, mentor).await?;
        match inactivity_step(inactive, reminded, now) {
            InactivityStep::Remind => {
                let why = inactive.map(|i| i.words()).unwrap_or_default();
                let payload = serde_json::to_string(&InactiveMail {
                    mentor: mentor.0,
                    why,
                })
                .map_err(|e| {
                    tracing::error!(error = %e, "inactivity mail payload");
                    AppError::internal()
                })?;
                let job = NewJob {
                    kind: INACTIVE_MAIL.into(),
                    payload,
                    dedupe_key: None,
                    due_at: now,
                    max_attempts: 12,
                };
                app.store
                    .mark_inactive(mentor, Some(now), Some(&job))
                    .await?;
                done.reminded += 1;
            }
            InactivityStep::Freeze => {
                let why = inactive.map(|i| i.words()).unwrap_or_default();
                app.store
                    .set_standing(mentor, &Standing::Frozen, &why, now)
                    .await?;
                done.frozen += 1;
            }
            InactivityStep::Clear => {
                app.store.mark_inactive(mentor, None, None).await?;
                done.cleared += 1;
            }
            InactivityStep::Nothing => {}
        }
    }
    tracing::info!(
        reminded = done.reminded,
        frozen = done.frozen,
        cleared = done.cleared,
        "inactive mentors swept"
    );
    Ok(done)
}

/// Why `mentor` counts as inactive now, if they do.
async fn inactivity_of(app: &App, mentor: UserId) -> Result<Option<Inactivity>, AppError> {
    let now = app.now();
    let week_ago = now
        .checked_sub(SignedDuration::from_hours(24 * UNCLOSED_AFTER_DAYS))
        .unwrap_or(now);
    let unclosed = app.store.unclosed_sessions(mentor, week_ago).await?;
    if unclosed > 0 {
        return Ok(Some(Inactivity::Unclosed(unclosed)));
    }
    let Some(profile) = app.store.mentor_profile(mentor).await? else {
        return Ok(None);
    };
    let ahead = SignedDuration::from_hours(24 * INACTIVE_LOOKAHEAD_DAYS);
    Ok(crate::mentors::next_available(app, &profile, ahead)
        .await?
        .is_none()
        .then_some(Inactivity::NoTime))
}

/// The reminder as mailed; `None` when the mentor is gone.
pub async fn reminder(app: &App, job: &InactiveMail) -> Result<Option<Letter>, AppError> {
    let Some(who) = app.store.account(UserId(job.mentor)).await? else {
        return Ok(None);
    };
    let lines = vec![
        format!("Your mentor profile has {}.", job.why),
        format!(
            "Mentees cannot book a mentor without open times, and wait for their session notes \
             when sessions stay unclosed. Add hours or close your sessions within {} days, or \
             your profile is hidden from search until you reactivate it (one click on your \
             profile page). Taking a break? Pause instead: you choose the day you come back.",
            stint_domain::standing::GRACE_DAYS
        ),
    ];
    Ok(Some(Letter {
        name: who.display_name,
        email: who.email,
        subject: "Your Stint profile needs you".into(),
        lines,
        link_path: "/mentor/profile".into(),
    }))
}
