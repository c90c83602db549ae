//! Outcome metrics, defined once: the words on every page and report come from
//! [`DEFINITIONS`], and the numbers from the functions next to them.

use super::assessment::{AssessmentKind, Level};
use super::closing::CheckpointResult;
use crate::booking::BookingId;
use crate::ids::{CompetencyId, SkuId, UserId};
use jiff::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;

/// (name, definition in plain words), in the order a reader needs them.
pub const DEFINITIONS: &[(&str, &str)] = &[
    (
        "skill gain",
        "follow-up level minus baseline level, on the competency's 1–5 rubric; only when both were taken",
    ),
    (
        "checkpoint reached",
        "the mentor recorded, when closing the session, that the session's checkpoint was reached",
    ),
    (
        "mini-win",
        "a completed session where the checkpoint was reached, or the skill gain is at least one level",
    ),
    ("mini-win rate", "mini-wins divided by completed sessions"),
    (
        "Wilson interval",
        "the range that, with 95% confidence, holds the true mini-win rate given the sample size (Wilson score interval)",
    ),
    (
        "mean gain",
        "the average skill gain over the completed sessions where both assessments were taken",
    ),
    (
        "sample size",
        "the number of completed (closed) sessions counted; figures are shown publicly from 5 sessions",
    ),
    (
        "task completion",
        "tasks marked done divided by tasks the mentors set when closing sessions",
    ),
    (
        "hours offered",
        "a mentor's working hours in a week (Monday to Sunday, UTC), less time off and time other calendars hold, and no more than the caps let be booked (a day's or week's cap times the mean length of the session types they deliver)",
    ),
    (
        "hours booked",
        "the length of the sessions that started in the week and were not cancelled; utilization is hours booked over hours offered",
    ),
    (
        "hours delivered",
        "of the hours booked, the sessions that took place",
    ),
    (
        "bookings made",
        "sessions booked in the week, by the mentee's time-zone band",
    ),
    (
        "searches",
        "a day's times asked for (or a month with no times at all), by competency and the searcher's time-zone band, with how many found nothing and how many found nothing between 09:00 and 18:00 in the searcher's zone; no person is recorded",
    ),
    (
        "forecast",
        "the next 8 weeks of demand (hours of sessions booked, by the mentee's band) and supply (hours offered, by the mentor's band) per competency, made daily from up to three years of full weeks; a model (ETS, or MSTL with a yearly season once two years are known) is used only where its MASE on the last 8 weeks, held out from its fitting, is at least a tenth below the seasonal-naive baseline's, and the baseline otherwise; intervals cover 80%",
    ),
    (
        "shortfall",
        "a forecast week in which demand takes more than 85% of the hours offered in the same competency and band",
    ),
    (
        "pilot",
        "a cohort (a sponsor's members or a list of people) and the session types it covers, for 90 days from its start date; it took part: members with at least one session in those session types that started in the 90 days and was not cancelled; its sessions and mini-win rate count those sessions",
    ),
    (
        "pilot gain",
        "a member's self-rating at a pilot's 30, 60 or 90-day check-in minus their rating at its start, on each competency's 1–5 rubric, averaged over the pilot's competencies they rated both times; the report shows the mean over members with a 95% t interval, from 5 members",
    ),
    (
        "experiment",
        "variants of one factor Stint controls (one experiment per factor at a time, the first variant the control); each person is placed in a variant by a hash of the experiment and the person, for good, and counted from their exposure: the first time the variant applied to them (for the follow-up delay, when a session of theirs was closed)",
    ),
    (
        "follow-ups answered",
        "per person exposed to an experiment, the share of their sessions closed while exposed whose follow-up check-in they answered within 14 days of its opening; only follow-ups that opened at least 14 days ago count, so a longer delay has as long to be answered",
    ),
    (
        "booked again",
        "per person exposed to an experiment, whether they booked another session within 30 days of their exposure; only people exposed at least 30 days ago count",
    ),
    (
        "lift",
        "a variant's rate minus the control's, in percentage points, with people as the unit; its 95% interval is Welch's (Student's t on the Welch–Satterthwaite degrees of freedom); a variant or control with fewer than 5 people counted shows no figures; the detectable difference is the true difference these sample sizes find 80% of the time",
    ),
    (
        "90-day credits",
        "per mentee, the credits of every session they held or missed (settled or forfeited) that started within 90 days of the start of their first closed session, whoever paid; grouped by whether that first session was a mini-win, by its session type and competency, and by whether a sponsor's budget paid for it (sponsored members) or not (self-paying); only mentees whose 90 days are over count; each group shows its mean with a 95% t interval, from 5 mentees",
    ),
    (
        "no-show risk",
        "the chance an upcoming session is missed by either side, from a logistic regression trained each day on every past held or missed session: how far ahead it was booked, whether prep and the baseline were done, both people's earlier no-shows and late cancels, the hour in each person's zone and whether it is the mentee's first session; low below 10%, medium to 25%, high from 25%; a high-risk session gets the mentee an extra reminder 3 hours before; with fewer than 200 past sessions or 20 no-shows there is no model and nothing is rated; only the session's mentor sees it",
    ),
];

/// The definition of a metric by name, for pages that explain one figure.
pub fn definition(name: &str) -> Option<&'static str> {
    DEFINITIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, d)| *d)
}

/// Below this many sessions a rate says more about chance than about a mentor, and one
/// person's result could be read off it, so public pages show nothing.
pub const MIN_PUBLIC_SAMPLE: u64 = 5;

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959964;

/// Follow-up level minus baseline level; `None` unless both were taken.
pub fn skill_gain(baseline: Option<Level>, followup: Option<Level>) -> Option<i64> {
    Some(followup?.get() - baseline?.get())
}

/// A session counts as a mini-win when its checkpoint was reached or the mentee gained a level.
pub fn is_mini_win(checkpoint: CheckpointResult, gain: Option<i64>) -> bool {
    checkpoint == CheckpointResult::Reached || gain.is_some_and(|g| g >= 1)
}

/// The 95% Wilson score interval of `successes` out of `n`; `None` when there is no sample
/// (or the counts are impossible). Wilson rather than the normal approximation because it
/// stays inside 0–1 and is honest at the small samples a single mentor has.
pub fn wilson_interval(successes: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 || successes > n {
        return None;
    }
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// One closed session, as the metrics see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionOutcome {
    pub booking_id: BookingId,
    pub mentor_id: UserId,
    pub mentee_id: UserId,
    pub sku_id: SkuId,
    pub competency_id: CompetencyId,
    pub closed_at: Timestamp,
    pub checkpoint: CheckpointResult,
    pub baseline: Option<Level>,
    pub followup: Option<Level>,
    pub tasks_total: u32,
    pub tasks_done: u32,
}

impl SessionOutcome {
    pub fn gain(&self) -> Option<i64> {
        skill_gain(self.baseline, self.followup)
    }

    pub fn is_mini_win(&self) -> bool {
        is_mini_win(self.checkpoint, self.gain())
    }
}

/// Figures over a set of closed sessions (a mentor's, a SKU's, a sponsor's members').
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OutcomeStats {
    /// The sample size.
    pub sessions: u64,
    pub mini_wins: u64,
    pub mini_win_rate: Option<f64>,
    /// 95% Wilson interval of the mini-win rate.
    pub interval: Option<(f64, f64)>,
    pub mean_gain: Option<f64>,
    /// Sessions with both a baseline and a follow-up, over which `mean_gain` is taken.
    pub gains_measured: u64,
    pub checkpoints_reached: u64,
    pub tasks_total: u64,
    pub tasks_done: u64,
}

/// Closed sessions alike in what the figures read of them: how many had this checkpoint
/// result, baseline and follow-up, with their tasks summed. Many sessions fold into a few
/// tallies, so the database can count them and send only these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutcomeTally {
    pub checkpoint: CheckpointResult,
    pub baseline: Option<Level>,
    pub followup: Option<Level>,
    pub sessions: u64,
    pub tasks_total: u64,
    pub tasks_done: u64,
}

impl From<&SessionOutcome> for OutcomeTally {
    fn from(o: &SessionOutcome) -> Self {
        OutcomeTally {
            checkpoint: o.checkpoint,
            baseline: o.baseline,
            followup: o.followup,
            sessions: 1,
            tasks_total: u64::from(o.tasks_total),
            tasks_done: u64::from(o.tasks_done),
        }
    }
}

impl OutcomeStats {
    pub fn of(outcomes: &[SessionOutcome]) -> OutcomeStats {
        Self::of_tallies(outcomes.iter().map(OutcomeTally::from))
    }

    /// The figures of the sessions `tallies` count.
    pub fn of_tallies(tallies: impl IntoIterator<Item = OutcomeTally>) -> OutcomeStats {
        let mut s = OutcomeStats::default();
        let mut gain_sum = 0i64;
        for t in tallies {
            let gain = skill_gain(t.baseline, t.followup);
            let n = t.sessions;
            s.sessions += n;
            s.mini_wins += n * u64::from(is_mini_win(t.checkpoint, gain));
            s.checkpoints_reached += n * u64::from(t.checkpoint == CheckpointResult::Reached);
            s.tasks_total += t.tasks_total;
            s.tasks_done += t.tasks_done;
            if let Some(g) = gain {
                s.gains_measured += n;
                gain_sum += g * i64::try_from(n).unwrap_or(i64::MAX);
            }
        }
        if s.sessions > 0 {
            s.mini_win_rate = Some(s.mini_wins as f64 / s.sessions as f64);
        }
        s.interval = wilson_interval(s.mini_wins, s.sessions);
        if s.gains_measured > 0 {
            s.mean_gain = Some(gain_sum as f64 / s.gains_measured as f64);
        }
        s
    }
}

/// Stats fit to show publicly: `None` below [`MIN_PUBLIC_SAMPLE`] sessions.
pub fn public_stats(outcomes: &[SessionOutcome]) -> Option<OutcomeStats> {
    public(OutcomeStats::of(outcomes))
}

/// `stats` if they may be shown publicly: `None` below [`MIN_PUBLIC_SAMPLE`] sessions.
pub fn public(stats: OutcomeStats) -> Option<OutcomeStats> {
    (stats.sessions >= MIN_PUBLIC_SAMPLE).then_some(stats)
}

/// One self-rating on a mentee's progress chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProgressPoint {
    /// The close time of the session the rating belongs to, so a session's baseline and
    /// follow-up sit together on the time axis, baseline first.
    pub at: Timestamp,
    pub booking_id: BookingId,
    pub kind: AssessmentKind,
    pub level: Level,
}

/// A mentee's progress in one competency, across their closed sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompetencyProgress {
    pub competency_id: CompetencyId,
    /// Baselines and follow-ups in time order.
    pub points: Vec<ProgressPoint>,
    pub sessions: u64,
    pub checkpoints_reached: u64,
    pub tasks_total: u64,
    pub tasks_done: u64,
    pub mini_wins: u64,
}

impl CompetencyProgress {
    /// `mentee`'s progress per competency, ordered by competency id. Other people's
    /// sessions in `outcomes` are ignored, so a caller cannot mix them in by mistake.
    pub fn of(mentee: UserId, outcomes: &[SessionOutcome]) -> Vec<CompetencyProgress> {
        let mut mine: Vec<&SessionOutcome> =
            outcomes.iter().filter(|o| o.mentee_id == mentee).collect();
        mine.sort_by_key(|o| (o.closed_at, o.booking_id));
        let mut by: BTreeMap<CompetencyId, CompetencyProgress> = BTreeMap::new();
        for o in mine {
            let p = by
                .entry(o.competency_id)
                .or_insert_with(|| CompetencyProgress {
                    competency_id: o.competency_id,
                    points: Vec::new(),
                    sessions: 0,
                    checkpoints_reached: 0,
                    tasks_total: 0,
                    tasks_done: 0,
                    mini_wins: 0,
                });
            for (kind, level) in [
                (AssessmentKind::Baseline, o.baseline),
                (AssessmentKind::Followup, o.followup),
            ] {
                if let Some(level) = level {
                    p.points.push(ProgressPoint {
                        at: o.closed_at,
                        booking_id: o.booking_id,
                        kind,
                        level,
                    });
                }
            }
            p.sessions += 1;
            p.checkpoints_reached += u64::from(o.checkpoint == CheckpointResult::Reached);
            p.tasks_total += u64::from(o.tasks_total);
            p.tasks_done += u64::from(o.tasks_done);
            p.mini_wins += u64::from(o.is_mini_win());
        }
        by.into_values().collect()
    }

    /// The latest level, follow-up or baseline, if any was taken.
    pub fn latest(&self) -> Option<Level> {
        self.points.last().map(|p| p.level)
    }
}

#[cfg(test)]
mod tests;
