//! The mentee's micro-assessments on the session page: the form for the baseline (before)
//! and the follow-up check-in (after), and one already taken as both parties read it.

use crate::pages::outcomes::input::AssessFields;
use crate::pages::outcomes::view::{
    Choice, Field, Problem, problems, question_anchor, question_fields, rubric_words,
};
use stint_app::outcomes as oc;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::outcome::assessment::{AssessmentKind, Level};
use stint_store::AssessmentRecord;

/// A micro-assessment form (baseline or follow-up).
pub(crate) struct AssessView {
    pub(crate) kind: &'static str,
    pub(crate) legend: String,
    pub(crate) levels: Vec<Choice>,
    pub(crate) level_error: Option<String>,
    pub(crate) answers: Vec<Field>,
    pub(crate) problems: Vec<Problem>,
    pub(crate) button: &'static str,
    /// The follow-up's "I reached the milestone" box as sent, and why it was refused.
    pub(crate) milestone_checked: bool,
    pub(crate) milestone_error: Option<String>,
}

/// A micro-assessment already taken.
pub(crate) struct TakenView {
    pub(crate) level: i64,
    pub(crate) words: String,
    /// (question, answer)
    pub(crate) answers: Vec<(String, String)>,
    pub(crate) when: String,
}

/// What a session's micro-assessments are about: the competency, its rubric (a line per
/// level) and the SKU's questions. Both kinds share it, before and after the session.
pub(super) struct Scale<'a> {
    pub(super) competency: &'a str,
    pub(super) rubric: &'a [String],
    pub(super) questions: &'a [String],
}

impl Scale<'_> {
    /// The form for `kind`, empty or as refused (`refused`, when it was this kind).
    pub(super) fn form(
        &self,
        kind: AssessmentKind,
        refused: Option<&(AssessFields, FieldErrors)>,
    ) -> AssessView {
        let k = kind.as_str();
        let (level, answers, errors, milestone_checked) = match refused {
            Some((f, e)) if f.kind == k => (
                f.level.trim().to_string(),
                f.answers.clone(),
                e.clone(),
                !f.reached_milestone.is_empty(),
            ),
            _ => (String::new(), Vec::new(), FieldErrors::new(), false),
        };
        let levels = (Level::MIN.get()..=Level::MAX.get())
            .map(|n| Choice {
                id: format!("f-{k}-level-{n}"),
                value: n.to_string(),
                label: format!("Level {n}"),
                detail: rubric_words(self.rubric, n),
                checked: level == n.to_string(),
            })
            .collect();
        let answer_id = format!("f-{k}-answer-");
        let answers = question_fields(self.questions, &answers, &errors, &answer_id, "answers.");
        let n = self.questions.len();
        let competency = self.competency;
        let (legend, button) = match kind {
            AssessmentKind::Baseline => (
                format!("Where are you today in {competency}?"),
                "Save my baseline",
            ),
            AssessmentKind::Followup => (
                format!("Where are you now in {competency}?"),
                "Save my follow-up check-in",
            ),
        };
        AssessView {
            kind: k,
            legend,
            levels,
            level_error: errors.get("level").map(String::from),
            milestone_error: errors
                .get("bonus")
                .or_else(|| errors.get("reached_milestone"))
                .map(String::from),
            milestone_checked,
            answers,
            problems: problems(&errors, &format!("{k}-form"), |key| {
                if key == "level" {
                    return Some((format!("{k}-level"), "Your level".into()));
                }
                if key == "bonus" || key == "reached_milestone" {
                    return Some((format!("{k}-milestone"), "The milestone".into()));
                }
                question_anchor(key, "answers.", n, &answer_id)
            }),
            button,
        }
    }

    /// An assessment taken, with the rubric's words for its level and the questions
    /// answered (those left blank are left out).
    pub(super) fn taken(&self, rec: &AssessmentRecord, viewer: &Account) -> TakenView {
        TakenView {
            level: rec.level.get(),
            words: rubric_words(self.rubric, rec.level.get()),
            answers: self
                .questions
                .iter()
                .zip(rec.answers.iter())
                .filter(|(_, a)| !a.is_empty())
                .map(|(q, a)| (q.clone(), a.clone()))
                .collect(),
            when: oc::when_for(viewer, rec.submitted_at),
        }
    }
}
