//! A mentee's prep before a session: answers to the SKU's intake questions and which
//! pre-reads they have read. Prep is done when those are complete and the baseline
//! assessment is taken, so the mentor starts from what the mentee already said.

use crate::catalog::SkuContent;
use crate::validate::{self, FieldErrors};
use serde::{Deserialize, Serialize};

/// The longest intake answer: room for context, not for a life story.
pub const INTAKE_ANSWER_MAX: usize = 2000;

/// Prep as submitted (saved as often as the mentee likes; each save replaces the last).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrepInput {
    /// One per intake question, in order; an empty answer means "not yet".
    #[serde(default)]
    pub intake_answers: Vec<String>,
    /// Indexes into the SKU's pre-reads.
    #[serde(default)]
    pub pre_reads_read: Vec<usize>,
}

/// Validated prep: answers trimmed, pre-read indexes sorted and without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Prep {
    pub intake_answers: Vec<String>,
    pub pre_reads_read: Vec<usize>,
}

impl PrepInput {
    /// Checks the prep against the SKU version the booking froze.
    pub fn validate(&self, sku: &SkuContent) -> Result<Prep, FieldErrors> {
        let mut e = FieldErrors::new();
        let asked = sku.intake_questions.len();
        if self.intake_answers.len() > asked {
            e.add(
                "intake_answers",
                format!("the session type asks {asked} intake questions"),
            );
        }
        let intake_answers: Vec<String> = self
            .intake_answers
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                e.check(
                    &format!("intake_answers.{i}"),
                    validate::text(a, 0, INTAKE_ANSWER_MAX),
                )
            })
            .collect();
        let mut pre_reads_read = self.pre_reads_read.clone();
        pre_reads_read.sort_unstable();
        pre_reads_read.dedup();
        if let Some(bad) = pre_reads_read.iter().find(|&&i| i >= sku.pre_reads.len()) {
            e.add(
                "pre_reads_read",
                format!(
                    "pre-read {bad} does not exist; the session type has {}",
                    sku.pre_reads.len()
                ),
            );
        }
        e.finish(|| Prep {
            intake_answers,
            pre_reads_read,
        })
    }
}

/// How far a mentee's prep for one booking has come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PrepStatus {
    /// Every intake question has a non-empty answer.
    pub answered: bool,
    /// Every pre-read is marked read.
    pub pre_reads_done: bool,
    /// The baseline assessment is taken.
    pub baseline_done: bool,
}

impl PrepStatus {
    /// The status of `prep` (none saved yet: `None`) for a booking of `sku`.
    pub fn of(sku: &SkuContent, prep: Option<&Prep>, baseline_done: bool) -> PrepStatus {
        let empty = Prep::default();
        let prep = prep.unwrap_or(&empty);
        let answered = (0..sku.intake_questions.len()).all(|i| {
            prep.intake_answers
                .get(i)
                .is_some_and(|a| !a.trim().is_empty())
        });
        let pre_reads_done = (0..sku.pre_reads.len()).all(|i| prep.pre_reads_read.contains(&i));
        PrepStatus {
            answered,
            pre_reads_done,
            baseline_done,
        }
    }

    pub fn is_done(self) -> bool {
        self.answered && self.pre_reads_done && self.baseline_done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::PreRead;
    use crate::ids::{CheckpointId, CompetencyId};

    fn sku(questions: usize, pre_reads: usize) -> SkuContent {
        SkuContent {
            title: "Clinic".into(),
            duration_minutes: 30,
            competency_id: CompetencyId(1),
            checkpoint_id: CheckpointId(1),
            outcome: "A written opening ask.".into(),
            artifacts: vec![],
            intake_questions: (0..questions).map(|i| format!("Q{i}")).collect(),
            pre_reads: (0..pre_reads)
                .map(|i| PreRead {
                    title: format!("R{i}"),
                    url: format!("https://example.com/{i}"),
                })
                .collect(),
            followup_template: String::new(),
            assessment_questions: vec![],
            followup_delay_days: 7,
            price_credits: 1,
            cancel_cutoff_hours: 24,
            reschedule_cutoff_hours: 4,
            late_cancel_percent: 50,
            bonus_credits: 0,
        }
    }

    #[test]
    fn prep_validates_and_dedups_pre_reads() {
        let p = PrepInput {
            intake_answers: vec![" a ".into(), String::new()],
            pre_reads_read: vec![1, 0, 1],
        }
        .validate(&sku(2, 2))
        .unwrap();
        assert_eq!(p.intake_answers, vec!["a".to_string(), String::new()]);
        assert_eq!(p.pre_reads_read, vec![0, 1]);
    }

    #[test]
    fn bad_prep_names_each_field() {
        let e = PrepInput {
            intake_answers: vec!["x".repeat(INTAKE_ANSWER_MAX + 1), "b".into(), "c".into()],
            pre_reads_read: vec![0, 2],
        }
        .validate(&sku(2, 2))
        .err()
        .unwrap_or_default();
        assert_eq!(
            e.get("intake_answers"),
            Some("the session type asks 2 intake questions")
        );
        assert_eq!(
            e.get("intake_answers.0"),
            Some("must be at most 2000 characters")
        );
        assert!(e.get("intake_answers.1").is_none());
        assert!(e.get("pre_reads_read").is_some());
        assert_eq!(e.0.len(), 3);
    }

    #[test]
    fn prep_is_done_only_when_all_three_parts_are() {
        let s = sku(2, 1);
        let full = Prep {
            intake_answers: vec!["a".into(), "b".into()],
            pre_reads_read: vec![0],
        };
        assert!(PrepStatus::of(&s, Some(&full), true).is_done());
        assert!(!PrepStatus::of(&s, Some(&full), false).is_done());
        let blank_answer = Prep {
            intake_answers: vec!["a".into(), " ".into()],
            ..full.clone()
        };
        let st = PrepStatus::of(&s, Some(&blank_answer), true);
        assert!(!st.answered && st.pre_reads_done && !st.is_done());
        let short = Prep {
            intake_answers: vec!["a".into()],
            ..full.clone()
        };
        assert!(!PrepStatus::of(&s, Some(&short), true).answered);
        let unread = Prep {
            pre_reads_read: vec![],
            ..full
        };
        let st = PrepStatus::of(&s, Some(&unread), true);
        assert!(st.answered && !st.pre_reads_done);
        assert_eq!(
            PrepStatus::of(&s, None, true),
            PrepStatus {
                answered: false,
                pre_reads_done: false,
                baseline_done: true
            }
        );
    }

    #[test]
    fn a_sku_without_questions_or_reads_needs_only_the_baseline() {
        let s = sku(0, 0);
        assert!(PrepStatus::of(&s, None, true).is_done());
        assert!(!PrepStatus::of(&s, None, false).is_done());
    }
}
