//! The micro-assessment: a self-rating on the competency's 1–5 rubric plus short answers
//! to the SKU's questions, taken as a baseline before the session and as a follow-up after.

use crate::catalog::RUBRIC_LEVELS;
use crate::validate::{self, FieldErrors};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// The longest answer to one assessment question; it is a check-in, not an essay.
pub const ANSWER_MAX: usize = 1000;

/// A level on a competency's rubric: 1 (novice) to 5 (expert).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Level(u8);

impl Level {
    pub const MIN: Level = Level(1);
    pub const MAX: Level = Level(RUBRIC_LEVELS as u8);

    pub fn parse(n: i64) -> Result<Level, String> {
        if (i64::from(Self::MIN.0)..=i64::from(Self::MAX.0)).contains(&n) {
            Ok(Level(n as u8))
        } else {
            Err("must be a level from 1 to 5".into())
        }
    }

    pub fn get(self) -> i64 {
        i64::from(self.0)
    }
}

impl TryFrom<i64> for Level {
    type Error = String;
    fn try_from(n: i64) -> Result<Level, String> {
        Level::parse(n)
    }
}

impl From<Level> for i64 {
    fn from(l: Level) -> i64 {
        l.get()
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// When an assessment is taken relative to its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentKind {
    /// Before the session, as part of prep.
    Baseline,
    /// Some days after the session closed, to see what stuck.
    Followup,
}

impl AssessmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentKind::Baseline => "baseline",
            AssessmentKind::Followup => "followup",
        }
    }

    pub fn parse(s: &str) -> Option<AssessmentKind> {
        match s {
            "baseline" => Some(AssessmentKind::Baseline),
            "followup" => Some(AssessmentKind::Followup),
            _ => None,
        }
    }
}

/// An assessment as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    pub level: i64,
    /// One per question of the SKU, in order; fewer is fine, an empty answer is fine.
    #[serde(default)]
    pub answers: Vec<String>,
}

/// A validated assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub level: Level,
    pub answers: Vec<String>,
}

impl AssessmentInput {
    /// Checks the level and the answers against the SKU's `questions`.
    pub fn validate(&self, questions: &[String]) -> Result<Assessment, FieldErrors> {
        let mut e = FieldErrors::new();
        let level = e.check("level", Level::parse(self.level));
        if self.answers.len() > questions.len() {
            e.add(
                "answers",
                format!("the session type asks {} questions", questions.len()),
            );
        }
        let answers: Vec<String> = self
            .answers
            .iter()
            .enumerate()
            .filter_map(|(i, a)| e.check(&format!("answers.{i}"), validate::text(a, 0, ANSWER_MAX)))
            .collect();
        e.finish(|| Assessment {
            level: level.unwrap_or(Level::MIN),
            answers,
        })
    }
}

/// When the follow-up assessment opens: `delay_days` whole days of 24 hours after closing.
/// Days of 24 hours rather than calendar days: the instant is the same for both parties
/// whatever their zones, and a DST change moves it by an hour at most.
pub fn followup_opens_at(closed_at: Timestamp, delay_days: i64) -> Timestamp {
    let delay = SignedDuration::from_secs(delay_days.saturating_mul(24 * 60 * 60));
    closed_at.saturating_add(delay).unwrap_or(closed_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn questions(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("Question {i}")).collect()
    }

    #[test]
    fn levels_are_one_to_five() {
        for n in [0, -1, 6, 100] {
            assert_eq!(Level::parse(n), Err("must be a level from 1 to 5".into()));
        }
        for n in 1..=5 {
            assert_eq!(Level::parse(n).map(Level::get), Ok(n));
        }
        assert!(Level::MIN < Level::MAX);
        assert_eq!(serde_json::to_string(&Level::MAX).unwrap(), "5");
        assert!(serde_json::from_str::<Level>("6").is_err());
        assert_eq!(serde_json::from_str::<Level>("2").unwrap().get(), 2);
    }

    #[test]
    fn kinds_round_trip() {
        for k in [AssessmentKind::Baseline, AssessmentKind::Followup] {
            assert_eq!(AssessmentKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(AssessmentKind::parse("Baseline"), None);
    }

    #[test]
    fn a_good_assessment_validates_and_trims() {
        let a = AssessmentInput {
            level: 3,
            answers: vec!["  yes ".into(), String::new()],
        }
        .validate(&questions(2))
        .unwrap();
        assert_eq!(a.level.get(), 3);
        assert_eq!(a.answers, vec!["yes".to_string(), String::new()]);
    }

    #[test]
    fn every_bad_field_is_named() {
        let e = AssessmentInput {
            level: 0,
            answers: vec!["ok".into(), "x".repeat(ANSWER_MAX + 1), "extra".into()],
        }
        .validate(&questions(2))
        .err()
        .unwrap_or_default();
        assert_eq!(e.get("level"), Some("must be a level from 1 to 5"));
        assert_eq!(e.get("answers"), Some("the session type asks 2 questions"));
        assert!(e.get("answers.0").is_none());
        assert_eq!(e.get("answers.1"), Some("must be at most 1000 characters"));
        assert_eq!(e.0.len(), 3);
    }

    #[test]
    fn answers_are_refused_when_there_are_no_questions() {
        let e = AssessmentInput {
            level: 2,
            answers: vec![String::new()],
        }
        .validate(&[])
        .err()
        .unwrap_or_default();
        assert_eq!(e.get("answers"), Some("the session type asks 0 questions"));
        assert!(
            AssessmentInput {
                level: 2,
                answers: vec![]
            }
            .validate(&[])
            .is_ok()
        );
    }

    #[test]
    fn followup_opens_whole_days_after_closing() {
        let closed: Timestamp = "2026-03-25T17:30:00Z".parse().unwrap();
        assert_eq!(
            followup_opens_at(closed, 7),
            "2026-04-01T17:30:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            followup_opens_at(closed, 1),
            "2026-03-26T17:30:00Z".parse::<Timestamp>().unwrap()
        );
        // Absurd delays saturate instead of panicking.
        assert_eq!(followup_opens_at(closed, i64::MAX), Timestamp::MAX);
    }
}
