//! Value by outcome: what a mentee brought in over the 90 days from their first session
//! (the credits of the sessions they held or missed in that window, whoever paid), grouped by
//! whether that first session was a mini-win, overall, per session type, per competency and
//! for sponsored members against self-paying mentees. People are the unit: each group shows
//! its number of mentees and a mean with a 95 % t interval, and nothing below 5 mentees.

use crate::experiment::stats::{MIN_PEOPLE, Summary, mean_interval};
use crate::ids::{CompetencyId, SkuId, UserId};
use crate::outcome::closing::CheckpointResult;
use crate::outcome::metrics::is_mini_win;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The window a mentee's value is counted over, from the start of their first session.
pub const WINDOW_DAYS: i64 = 90;

/// A mentee's first closed session and what they brought in over the window after it.
#[derive(Debug, Clone, PartialEq)]
pub struct FirstSession {
    pub mentee: UserId,
    pub sku: SkuId,
    pub sku_title: String,
    pub competency: CompetencyId,
    pub competency_name: String,
    pub start: Timestamp,
    pub checkpoint: CheckpointResult,
    /// Follow-up level minus baseline level, when both were taken.
    pub gain: Option<i64>,
    /// A sponsor's budget paid for it.
    pub sponsored: bool,
    /// Credits of the mentee's settled or forfeited sessions starting in the window.
    pub credits: i64,
}

impl FirstSession {
    pub fn mini_win(&self) -> bool {
        is_mini_win(self.checkpoint, self.gain)
    }
}

/// One group's mentees: how many, and (from [`MIN_PEOPLE`]) the mean and its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub mentees: usize,
    pub mean: Option<f64>,
    pub interval: Option<(f64, f64)>,
}

impl Figure {
    fn of(values: &[f64]) -> Figure {
        let s = Summary::of(values);
        let shown = s.people >= MIN_PEOPLE;
        Figure {
            mentees: s.people,
            mean: shown.then_some(s.mean),
            interval: mean_interval(&s),
        }
    }
}

/// A group split by its first sessions' outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Split {
    pub label: String,
    pub mini_win: Figure,
    pub no_mini_win: Figure,
}

impl Split {
    fn of<'a>(label: String, sessions: impl Iterator<Item = &'a FirstSession>) -> Split {
        let (mut win, mut other) = (Vec::new(), Vec::new());
        for s in sessions {
            #[allow(clippy::cast_precision_loss)] // credits of 90 days
            let v = s.credits as f64;
            if s.mini_win() {
                win.push(v);
            } else {
                other.push(v);
            }
        }
        Split {
            label,
            mini_win: Figure::of(&win),
            no_mini_win: Figure::of(&other),
        }
    }

    /// The mini-win group's mean over the other's, when both are shown and the other's is
    /// above zero.
    pub fn ratio(&self) -> Option<f64> {
        let (a, b) = (self.mini_win.mean?, self.no_mini_win.mean?);
        (b > 0.0).then(|| a / b)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueReport {
    pub overall: Split,
    pub by_sku: Vec<Split>,
    pub by_competency: Vec<Split>,
    /// Sponsored members, then self-paying mentees.
    pub by_payer: Vec<Split>,
}

/// Groups `sessions` (one per mentee); session types and competencies by name.
pub fn report(sessions: &[FirstSession]) -> ValueReport {
    let grouped = |key: &dyn Fn(&FirstSession) -> String| {
        let mut groups: BTreeMap<String, Vec<&FirstSession>> = BTreeMap::new();
        for s in sessions {
            groups.entry(key(s)).or_default().push(s);
        }
        groups
            .into_iter()
            .map(|(label, members)| Split::of(label, members.into_iter()))
            .collect::<Vec<_>>()
    };
    ValueReport {
        overall: Split::of("All mentees".into(), sessions.iter()),
        by_sku: grouped(&|s| s.sku_title.clone()),
        by_competency: grouped(&|s| s.competency_name.clone()),
        by_payer: vec![
            Split::of(
                "Sponsored members".into(),
                sessions.iter().filter(|s| s.sponsored),
            ),
            Split::of(
                "Self-paying mentees".into(),
                sessions.iter().filter(|s| !s.sponsored),
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(mentee: i64, sku: &str, win: bool, sponsored: bool, credits: i64) -> FirstSession {
        FirstSession {
            mentee: UserId(mentee),
            sku: SkuId(1),
            sku_title: sku.into(),
            competency: CompetencyId(1),
            competency_name: "Negotiation".into(),
            start: Timestamp::UNIX_EPOCH,
            checkpoint: if win {
                CheckpointResult::Reached
            } else {
                CheckpointResult::NotReached
            },
            gain: None,
            sponsored,
            credits,
        }
    }

    #[test]
    fn groups_split_by_the_first_sessions_outcome_and_hide_below_five() {
        let mut s: Vec<FirstSession> = (0..6)
            .map(|i| first(i, "Pivot", true, i % 2 == 0, 30 + i * 2))
            .collect();
        s.extend((10..16).map(|i| first(i, "Pivot", false, false, 10)));
        s.extend((20..23).map(|i| first(i, "Clinic", true, true, 90)));
        let r = report(&s);
        assert_eq!(r.overall.mini_win.mentees, 9);
        assert_eq!(r.overall.no_mini_win.mentees, 6);
        assert_eq!(r.overall.no_mini_win.mean, Some(10.0));
        // Every one of the six spent 10: no spread, a zero-width interval.
        assert_eq!(r.overall.no_mini_win.interval, Some((10.0, 10.0)));
        let pivot = r.by_sku.iter().find(|g| g.label == "Pivot").unwrap();
        assert_eq!(pivot.mini_win.mean, Some(35.0));
        assert_eq!(pivot.ratio(), Some(3.5));
        let clinic = r.by_sku.iter().find(|g| g.label == "Clinic").unwrap();
        assert_eq!((clinic.mini_win.mentees, clinic.mini_win.mean), (3, None));
        assert_eq!(clinic.ratio(), None);
        assert_eq!(r.by_payer[0].mini_win.mentees, 6);
        assert_eq!(r.by_payer[1].no_mini_win.mentees, 6);
    }

    #[test]
    fn a_level_gained_is_a_mini_win_too() {
        let mut s = first(1, "Pivot", false, false, 10);
        assert!(!s.mini_win());
        s.gain = Some(1);
        assert!(s.mini_win());
    }
}
