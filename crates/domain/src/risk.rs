//! No-show risk: what is known about a session before it happens (how far ahead it was
//! booked, whether prep and the baseline are done, both people's past no-shows and late
//! cancels, the time of day in each zone, a mentee's first session), the model trained on
//! past sessions (`stint-risk` fits it) and the low / medium / high level a probability is
//! shown as. Scoring is a weighted sum through the logistic function: no library needed.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// A probability of a no-show from this is medium risk.
pub const MEDIUM_FROM: f64 = 0.10;
/// From this it is high risk: the mentee gets an extra reminder and the mentor sees it.
pub const HIGH_FROM: f64 = 0.25;
/// How long before a high-risk session its extra reminder goes to the mentee.
pub const EXTRA_REMINDER_LEAD_MINUTES: u32 = 3 * 60;

/// One session as the model reads it: the booking, both people's zones and what was true
/// before it started (past counts are of sessions that started earlier).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionFacts {
    pub booking: i64,
    pub made_at: Timestamp,
    pub start: Timestamp,
    pub mentee_zone: String,
    pub mentor_zone: String,
    /// The mentee filled in the prep form (before the start, for a past session).
    pub prep_done: bool,
    pub baseline_taken: bool,
    pub mentee_no_shows: u32,
    pub mentee_late_cancels: u32,
    pub mentor_no_shows: u32,
    pub mentor_late_cancels: u32,
    /// Sessions the mentee had before this one (held or missed).
    pub mentee_sessions: u32,
    /// For a past session: whether it was a no-show (by either side).
    pub no_show: bool,
}

/// The model's inputs, in [`Features::NAMES`] order.
pub const FEATURES: usize = 11;

/// A session's features as numbers: counts and lead time on a log scale (the first
/// no-show says more than the tenth), times of day as "outside 08:00–20:00" flags.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Features(pub [f64; FEATURES]);

impl Features {
    pub const NAMES: [&'static str; FEATURES] = [
        "log days booked ahead",
        "prep done",
        "baseline taken",
        "log mentee no-shows",
        "log mentee late cancels",
        "log mentor no-shows",
        "log mentor late cancels",
        "mentee's early morning",
        "mentee's evening",
        "outside the mentor's day",
        "mentee's first session",
    ];

    pub fn of(s: &SessionFacts) -> Features {
        let lead_days = (s.start.as_second() - s.made_at.as_second()).max(0) as f64 / 86_400.0;
        let hour = |zone: &str| {
            let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
            s.start.to_zoned_datetime(tz).hour()
        };
        let mentee_hour = hour(&s.mentee_zone);
        let mentor_hour = hour(&s.mentor_zone);
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        let log = |n: u32| f64::from(n).ln_1p();
        Features([
            lead_days.ln_1p(),
            flag(s.prep_done),
            flag(s.baseline_taken),
            log(s.mentee_no_shows),
            log(s.mentee_late_cancels),
            log(s.mentor_no_shows),
            log(s.mentor_late_cancels),
            flag(mentee_hour < 8),
            flag(mentee_hour >= 20),
            flag(!(8..20).contains(&mentor_hour)),
            flag(s.mentee_sessions == 0),
        ])
    }
}

/// A trained model: features are standardized with the training set's means and scales,
/// then weighed. Kept as JSON; `evaluation` is how it did on later sessions it was not
/// trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskModel {
    pub means: Vec<f64>,
    pub scales: Vec<f64>,
    pub weights: Vec<f64>,
    pub intercept: f64,
    /// Sessions and no-shows it was trained on.
    pub sessions: usize,
    pub no_shows: usize,
    pub trained_at: Timestamp,
    pub evaluation: Option<Evaluation>,
}

impl RiskModel {
    /// The probability of a no-show.
    pub fn probability(&self, f: &Features) -> f64 {
        let z =
            f.0.iter()
                .zip(&self.means)
                .zip(&self.scales)
                .zip(&self.weights)
                .map(|(((x, m), s), w)| (x - m) / s * w)
                .sum::<f64>()
                + self.intercept;
        1.0 / (1.0 + (-z).exp())
    }

    pub fn risk(&self, s: &SessionFacts) -> Scored {
        let p = self.probability(&Features::of(s));
        Scored {
            probability: p,
            level: Risk::of(p),
        }
    }
}

/// A model's record on held-out sessions: the later part of the history, in time order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub trained_on: usize,
    pub held_out: usize,
    pub held_out_no_shows: usize,
    /// Area under the ROC curve: the chance a no-show is scored above a held session.
    pub auc: f64,
    pub calibration: Vec<CalibrationBin>,
}

/// Held-out sessions with similar scores: what the model said against what happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    pub lowest: f64,
    pub highest: f64,
    pub sessions: usize,
    /// The mean predicted probability.
    pub predicted: f64,
    /// The share that were no-shows.
    pub observed: f64,
}

/// A session's risk: the probability and its level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    pub probability: f64,
    pub level: Risk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    Low,
    Medium,
    High,
}

impl Risk {
    pub fn of(probability: f64) -> Risk {
        if probability >= HIGH_FROM {
            Risk::High
        } else if probability >= MEDIUM_FROM {
            Risk::Medium
        } else {
            Risk::Low
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> SessionFacts {
        SessionFacts {
            booking: 1,
            made_at: "2026-06-01T08:00:00Z".parse().unwrap(),
            start: "2026-06-08T08:00:00Z".parse().unwrap(),
            mentee_zone: "America/Chicago".into(),
            mentor_zone: "Europe/Berlin".into(),
            prep_done: true,
            baseline_taken: false,
            mentee_no_shows: 1,
            mentee_late_cancels: 0,
            mentor_no_shows: 0,
            mentor_late_cancels: 3,
            mentee_sessions: 0,
            no_show: false,
        }
    }

    #[test]
    fn features_read_lead_time_counts_and_each_zones_hour() {
        let f = Features::of(&facts()).0;
        assert!((f[0] - 7.0f64.ln_1p()).abs() < 1e-9);
        assert_eq!((f[1], f[2]), (1.0, 0.0));
        assert!((f[3] - 2.0f64.ln()).abs() < 1e-9);
        assert!((f[6] - 4.0f64.ln()).abs() < 1e-9);
        // 08:00 UTC is 03:00 in Chicago (early) and 10:00 in Berlin (in the mentor's day).
        assert_eq!((f[7], f[8], f[9]), (1.0, 0.0, 0.0));
        assert_eq!(f[10], 1.0);
    }

    #[test]
    fn levels_follow_the_thresholds() {
        assert_eq!(Risk::of(0.0999), Risk::Low);
        assert_eq!(Risk::of(MEDIUM_FROM), Risk::Medium);
        assert_eq!(Risk::of(HIGH_FROM), Risk::High);
        let model = RiskModel {
            means: vec![0.0; FEATURES],
            scales: vec![1.0; FEATURES],
            weights: vec![0.0; FEATURES],
            intercept: 0.0,
            sessions: 0,
            no_shows: 0,
            trained_at: Timestamp::UNIX_EPOCH,
            evaluation: None,
        };
        let s = model.risk(&facts());
        assert!((s.probability - 0.5).abs() < 1e-12);
        assert_eq!(s.level, Risk::High);
    }
}
