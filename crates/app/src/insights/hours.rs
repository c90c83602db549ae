//! Active hours: each bookable mentor's offered, booked and delivered minutes per UTC week,
//! kept by the periodic `insights.hours` job so the operators' reports read sums instead of
//! expanding everyone's rules on every view.

use crate::{App, AppError};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::collections::HashMap;
use stint_domain::ids::UserId;
use stint_domain::insights::MentorWeek;
use stint_domain::mentor::ZoneBand;
use stint_domain::schedule::hours::{WEEK, offered_minutes, week_start, weeks_back};
use stint_domain::schedule::{Availability, BusyKind};

/// The job kind.
pub const HOURS: &str = "insights.hours";

/// Keeps last week's and this week's hours of every bookable mentor (last week's settle as
/// its sessions are closed); returns how many mentor-weeks were written.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn keep_recent(app: &App) -> Result<usize, AppError> {
    keep_weeks_back(app, 2).await
}

/// Keeps the hours of the last `weeks` weeks, this one included (a new installation's or the
/// demo's history, which the hourly job would otherwise only count from now on).
pub async fn keep_weeks_back(app: &App, weeks: u32) -> Result<usize, AppError> {
    let mut kept = 0;
    for start in weeks_back(app.now(), weeks) {
        kept += keep_week(app, start).await?;
    }
    Ok(kept)
}

/// Keeps the hours of the week starting at `start` (a Monday 00:00 UTC).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn keep_week(app: &App, start: Timestamp) -> Result<usize, AppError> {
    let start = week_start(start);
    let end = start.checked_add(WEEK).unwrap_or(start);
    let inputs = app.store.mentor_week_inputs(start, end).await?;
    let ids: Vec<UserId> = inputs.iter().map(|i| i.mentor).collect();
    let rules: HashMap<UserId, Availability> =
        app.store.availability_of(&ids).await?.into_iter().collect();
    // Only other calendars' time is taken off what was offered: a booked session is
    // offered time that was used.
    let mut blocked: HashMap<UserId, Vec<(Timestamp, Timestamp)>> = HashMap::new();
    for (mentor, busy) in app.store.busy_of(&ids, start, end).await? {
        if busy.kind == BusyKind::Blocked {
            blocked
                .entry(mentor)
                .or_default()
                .push((busy.start, busy.end));
        }
    }
    let mut weeks = Vec::with_capacity(inputs.len());
    for input in inputs {
        // A mentor who never saved hours is searched with the default ones (as the picker
        // does), so those are what they offered.
        let rules = rules
            .get(&input.mentor)
            .cloned()
            .unwrap_or_else(|| Availability::default_for(&input.timezone));
        let (Ok(tz), Some(band)) = (
            TimeZone::get(&rules.timezone),
            ZoneBand::of_zone(&rules.timezone, start),
        ) else {
            continue;
        };
        let none = Vec::new();
        let offered = offered_minutes(
            &rules,
            &tz,
            blocked.get(&input.mentor).unwrap_or(&none),
            (start, end),
            input.session_minutes,
        );
        weeks.push(MentorWeek {
            mentor: input.mentor,
            week_start: start,
            band,
            offered_minutes: offered,
            booked_minutes: input.booked_minutes,
            delivered_minutes: input.delivered_minutes,
        });
    }
    app.store.save_mentor_weeks(&weeks, app.now()).await?;
    Ok(weeks.len())
}
