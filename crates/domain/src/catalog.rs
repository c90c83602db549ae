//! The catalog: competencies with their 1–5 rubric and checkpoints, and versioned
//! session types (SKUs).

use crate::ids::{CheckpointId, CompetencyId, SkuId};
use crate::validate::{self, FieldErrors};
use serde::{Deserialize, Serialize};

pub const RUBRIC_LEVELS: usize = 5;
pub const DURATION_MIN: i64 = 20;
pub const DURATION_MAX: i64 = 60;
pub const PRICE_MAX: i64 = 10_000;
/// Cut-offs beyond two weeks would make a 20-minute session impossible to move.
pub const CUTOFF_MAX_HOURS: i64 = 336;
pub const LIST_MAX: usize = 12;
/// A micro-assessment is a minute's work, before and after; more questions and people skip it.
pub const ASSESSMENT_QUESTIONS_MAX: usize = 3;
pub const FOLLOWUP_DELAY_DAYS_DEFAULT: i64 = 7;
/// Long enough for a habit to show, short enough that the session is still remembered.
pub const FOLLOWUP_DELAY_DAYS_MIN: i64 = 1;
pub const FOLLOWUP_DELAY_DAYS_MAX: i64 = 60;

/// The follow-up delay of content stored before the delay existed.
pub fn default_followup_delay_days() -> i64 {
    FOLLOWUP_DELAY_DAYS_DEFAULT
}

/// Input for creating or editing a competency.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompetencyInput {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Five descriptions, level 1 (novice) to level 5 (expert).
    pub rubric: Vec<String>,
}

impl CompetencyInput {
    pub fn validate(&self) -> Result<CompetencyInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let slug = e.check("slug", validate::slug(&self.slug));
        let name = e.check("name", validate::line(&self.name, 1, 80));
        let description = e.check("description", validate::text(&self.description, 0, 2000));
        if self.rubric.len() != RUBRIC_LEVELS {
            e.add(
                "rubric",
                format!("must describe exactly {RUBRIC_LEVELS} levels"),
            );
        }
        let mut rubric = Vec::new();
        for (i, level) in self.rubric.iter().enumerate().take(RUBRIC_LEVELS) {
            if let Some(v) = e.check(&format!("rubric.{}", i + 1), validate::text(level, 1, 400)) {
                rubric.push(v);
            }
        }
        e.finish(|| CompetencyInput {
            slug: slug.unwrap_or_default(),
            name: name.unwrap_or_default(),
            description: description.unwrap_or_default(),
            rubric,
        })
    }
}

/// Input for a checkpoint inside a competency.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointInput {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
}

impl CheckpointInput {
    pub fn validate(&self) -> Result<CheckpointInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let slug = e.check("slug", validate::slug(&self.slug));
        let title = e.check("title", validate::line(&self.title, 1, 160));
        let description = e.check("description", validate::text(&self.description, 0, 1000));
        e.finish(|| CheckpointInput {
            slug: slug.unwrap_or_default(),
            title: title.unwrap_or_default(),
            description: description.unwrap_or_default(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    pub id: CheckpointId,
    pub competency_id: CompetencyId,
    pub slug: String,
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Competency {
    pub id: CompetencyId,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub rubric: Vec<String>,
    pub checkpoints: Vec<Checkpoint>,
}

impl Competency {
    pub fn checkpoint(&self, id: CheckpointId) -> Option<&Checkpoint> {
        self.checkpoints.iter().find(|c| c.id == id)
    }
}

/// Where a SKU is in its life. Only active SKUs can be booked or are listed publicly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkuStatus {
    Draft,
    Active,
    Retired,
}

impl SkuStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SkuStatus::Draft => "draft",
            SkuStatus::Active => "active",
            SkuStatus::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<SkuStatus> {
        match s {
            "draft" => Some(SkuStatus::Draft),
            "active" => Some(SkuStatus::Active),
            "retired" => Some(SkuStatus::Retired),
            _ => None,
        }
    }

    /// A published SKU never returns to draft: buyers have seen it.
    pub fn can_become(self, to: SkuStatus) -> bool {
        matches!(
            (self, to),
            (SkuStatus::Draft, SkuStatus::Active)
                | (SkuStatus::Draft, SkuStatus::Retired)
                | (SkuStatus::Active, SkuStatus::Retired)
                | (SkuStatus::Retired, SkuStatus::Active)
        )
    }
}

/// A recommended reading before the session.
/// Stored as JSON in each SKU version: unknown fields (from a newer release) are ignored
/// when read; input is checked by the API's and the forms' own types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreRead {
    pub title: String,
    pub url: String,
}

/// The content of one SKU version: everything a buyer is promised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuContent {
    pub title: String,
    pub duration_minutes: i64,
    pub competency_id: CompetencyId,
    pub checkpoint_id: CheckpointId,
    pub outcome: String,
    #[serde(default)]
    pub artifacts: Vec<String>,
    #[serde(default)]
    pub intake_questions: Vec<String>,
    #[serde(default)]
    pub pre_reads: Vec<PreRead>,
    #[serde(default)]
    pub followup_template: String,
    /// Asked at booking (baseline) and again after the session (follow-up), next to the
    /// competency's 1–5 self-rating.
    #[serde(default)]
    pub assessment_questions: Vec<String>,
    /// Days after the session closes when the follow-up assessment opens.
    #[serde(default = "default_followup_delay_days")]
    pub followup_delay_days: i64,
    pub price_credits: i64,
    pub cancel_cutoff_hours: i64,
    pub reschedule_cutoff_hours: i64,
    /// The share of the price (0–100 %) a mentee's late cancel forfeits to the mentor.
    #[serde(default = "default_late_cancel_percent")]
    pub late_cancel_percent: i64,
    /// An outcome bonus in credits, escrowed at booking and paid to the mentor when the
    /// mentee confirms the milestone (`ledger::bonus`); 0 for none.
    #[serde(default)]
    pub bonus_credits: i64,
}

pub fn default_late_cancel_percent() -> i64 {
    i64::from(crate::ledger::DEFAULT_LATE_CANCEL_PERCENT)
}

impl SkuContent {
    /// Checks every field. `competency` is the competency the content names, if it exists,
    /// so the checkpoint can be checked to belong to it.
    pub fn validate(&self, competency: Option<&Competency>) -> Result<SkuContent, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.check("title", validate::line(&self.title, 3, 120));
        if !(DURATION_MIN..=DURATION_MAX).contains(&self.duration_minutes) {
            e.add(
                "duration_minutes",
                format!("must be between {DURATION_MIN} and {DURATION_MAX} minutes"),
            );
        }
        match competency {
            None => e.add("competency_id", "is not a competency in the catalog"),
            Some(c) if c.checkpoint(self.checkpoint_id).is_none() => e.add(
                "checkpoint_id",
                format!("is not a checkpoint of “{}”", c.name),
            ),
            Some(_) => {}
        }
        let outcome = e.check("outcome", validate::text(&self.outcome, 10, 600));
        let artifacts = list(&mut e, "artifacts", &self.artifacts, 200);
        let intake_questions = list(&mut e, "intake_questions", &self.intake_questions, 300);
        if self.assessment_questions.len() > ASSESSMENT_QUESTIONS_MAX {
            e.add(
                "assessment_questions",
                format!("must have at most {ASSESSMENT_QUESTIONS_MAX} questions"),
            );
        }
        let assessment_questions = list(
            &mut e,
            "assessment_questions",
            &self.assessment_questions,
            200,
        );
        if !(FOLLOWUP_DELAY_DAYS_MIN..=FOLLOWUP_DELAY_DAYS_MAX).contains(&self.followup_delay_days)
        {
            e.add(
                "followup_delay_days",
                format!(
                    "must be between {FOLLOWUP_DELAY_DAYS_MIN} and {FOLLOWUP_DELAY_DAYS_MAX} days"
                ),
            );
        }
        if self.pre_reads.len() > LIST_MAX {
            e.add("pre_reads", format!("must have at most {LIST_MAX} entries"));
        }
        let mut pre_reads = Vec::new();
        for (i, p) in self.pre_reads.iter().enumerate() {
            let t = e.check(
                &format!("pre_reads.{i}.title"),
                validate::line(&p.title, 1, 160),
            );
            let u = e.check(&format!("pre_reads.{i}.url"), url(&p.url));
            if let (Some(title), Some(url)) = (t, u) {
                pre_reads.push(PreRead { title, url });
            }
        }
        let followup_template = e.check(
            "followup_template",
            validate::text(&self.followup_template, 0, 4000),
        );
        if !(0..=PRICE_MAX).contains(&self.price_credits) {
            e.add(
                "price_credits",
                format!("must be between 0 and {PRICE_MAX} credits"),
            );
        }
        if !(0..=100).contains(&self.late_cancel_percent) {
            e.add("late_cancel_percent", "must be between 0 and 100 %");
        }
        if !(0..=PRICE_MAX).contains(&self.bonus_credits) {
            e.add(
                "bonus_credits",
                format!("must be between 0 and {PRICE_MAX} credits"),
            );
        } else if self.bonus_credits > 0 && self.price_credits == 0 {
            e.add(
                "bonus_credits",
                "needs a price: a free session has no bonus",
            );
        }
        for (field, v) in [
            ("cancel_cutoff_hours", self.cancel_cutoff_hours),
            ("reschedule_cutoff_hours", self.reschedule_cutoff_hours),
        ] {
            if !(0..=CUTOFF_MAX_HOURS).contains(&v) {
                e.add(
                    field,
                    format!("must be between 0 and {CUTOFF_MAX_HOURS} hours"),
                );
            }
        }
        e.finish(|| SkuContent {
            title: title.unwrap_or_default(),
            outcome: outcome.unwrap_or_default(),
            artifacts,
            intake_questions,
            pre_reads,
            followup_template: followup_template.unwrap_or_default(),
            assessment_questions,
            ..self.clone()
        })
    }
}

fn list(e: &mut FieldErrors, field: &str, items: &[String], max_len: usize) -> Vec<String> {
    if items.len() > LIST_MAX {
        e.add(field, format!("must have at most {LIST_MAX} entries"));
    }
    items
        .iter()
        .enumerate()
        .filter_map(|(i, s)| e.check(&format!("{field}.{i}"), validate::line(s, 1, max_len)))
        .collect()
}

fn url(raw: &str) -> Result<String, String> {
    let v = raw.trim();
    let ok = (v.starts_with("https://") || v.starts_with("http://"))
        && v.len() <= 500
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<');
    if ok {
        Ok(v.to_string())
    } else {
        Err("must be an http(s) link".into())
    }
}

/// A public link (mentor's video room, pre-read): http(s) only, so no `javascript:`.
pub fn parse_url(raw: &str) -> Result<String, String> {
    url(raw)
}

/// Whether an edit to a SKU may change its current version in place.
/// Once a SKU has been published, buyers may hold its version, so edits add a version.
pub fn edit_makes_new_version(ever_published: bool) -> bool {
    ever_published
}

/// One version of a SKU, as read back: its content frozen under a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkuVersion {
    pub sku_id: SkuId,
    pub slug: String,
    pub version: i64,
    pub status: SkuStatus,
    /// The version currently offered; older versions stay readable forever.
    pub current_version: i64,
    pub content: SkuContent,
}

/// A SKU with its competency and checkpoint resolved, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkuView {
    pub sku: SkuVersion,
    pub competency: Competency,
    pub checkpoint: Checkpoint,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn competency() -> Competency {
        Competency {
            id: CompetencyId(1),
            slug: "negotiation".into(),
            name: "Salary negotiation".into(),
            description: String::new(),
            rubric: vec!["a".into(); 5],
            checkpoints: vec![Checkpoint {
                id: CheckpointId(7),
                competency_id: CompetencyId(1),
                slug: "walk-away".into(),
                title: "Has a walk-away number".into(),
                description: String::new(),
            }],
        }
    }

    fn content() -> SkuContent {
        SkuContent {
            title: "45-min negotiation clinic".into(),
            duration_minutes: 45,
            competency_id: CompetencyId(1),
            checkpoint_id: CheckpointId(7),
            outcome: "Leave with a written opening ask.".into(),
            artifacts: vec!["Offer worksheet".into()],
            intake_questions: vec!["What is the offer?".into()],
            pre_reads: vec![PreRead {
                title: "BATNA".into(),
                url: "https://example.com/b".into(),
            }],
            followup_template: "Hi {{mentee}}".into(),
            assessment_questions: vec!["Could you state your walk-away number now?".into()],
            followup_delay_days: 7,
            price_credits: 3,
            cancel_cutoff_hours: 24,
            reschedule_cutoff_hours: 4,
            late_cancel_percent: 50,
            bonus_credits: 0,
        }
    }

    #[test]
    fn a_good_sku_validates() {
        assert!(content().validate(Some(&competency())).is_ok());
    }

    #[test]
    fn durations_outside_20_to_60_are_refused() {
        for d in [0, 19, 61, 120] {
            let c = SkuContent {
                duration_minutes: d,
                ..content()
            };
            let e = c.validate(Some(&competency())).err().unwrap_or_default();
            assert!(e.get("duration_minutes").is_some(), "{d} accepted");
        }
        for d in [20, 60] {
            assert!(
                SkuContent {
                    duration_minutes: d,
                    ..content()
                }
                .validate(Some(&competency()))
                .is_ok()
            );
        }
    }

    #[test]
    fn checkpoint_must_belong_to_the_competency() {
        let c = SkuContent {
            checkpoint_id: CheckpointId(99),
            ..content()
        };
        let e = c.validate(Some(&competency())).err().unwrap_or_default();
        assert!(e.get("checkpoint_id").is_some());
        let e = content().validate(None).err().unwrap_or_default();
        assert!(e.get("competency_id").is_some());
    }

    #[test]
    fn bad_links_and_long_lists_are_refused() {
        let c = SkuContent {
            pre_reads: vec![PreRead {
                title: "x".into(),
                url: "javascript:alert(1)".into(),
            }],
            artifacts: vec!["a".into(); 13],
            ..content()
        };
        let e = c.validate(Some(&competency())).err().unwrap_or_default();
        assert!(e.get("pre_reads.0.url").is_some());
        assert!(e.get("artifacts").is_some());
    }

    #[test]
    fn assessment_questions_are_capped_at_three_short_lines() {
        let c = SkuContent {
            assessment_questions: vec!["q".into(); 4],
            ..content()
        };
        let e = c.validate(Some(&competency())).err().unwrap_or_default();
        assert_eq!(
            e.get("assessment_questions"),
            Some("must have at most 3 questions")
        );
        let c = SkuContent {
            assessment_questions: vec!["ok".into(), "x".repeat(201), " ".into()],
            ..content()
        };
        let e = c.validate(Some(&competency())).err().unwrap_or_default();
        assert!(e.get("assessment_questions").is_none());
        assert!(e.get("assessment_questions.0").is_none());
        assert!(e.get("assessment_questions.1").is_some());
        assert_eq!(e.get("assessment_questions.2"), Some("is required"));
        let ok = SkuContent {
            assessment_questions: vec!["  a  ".into(), "x".repeat(200), "c".into()],
            ..content()
        }
        .validate(Some(&competency()))
        .unwrap();
        assert_eq!(ok.assessment_questions[0], "a");
        assert_eq!(ok.assessment_questions.len(), 3);
    }

    #[test]
    fn followup_delay_is_one_to_sixty_days() {
        for d in [-1, 0, 61, 365] {
            let c = SkuContent {
                followup_delay_days: d,
                ..content()
            };
            let e = c.validate(Some(&competency())).err().unwrap_or_default();
            assert!(e.get("followup_delay_days").is_some(), "{d} accepted");
        }
        for d in [1, 7, 60] {
            let c = SkuContent {
                followup_delay_days: d,
                ..content()
            };
            assert!(c.validate(Some(&competency())).is_ok(), "{d} refused");
        }
    }

    #[test]
    fn content_stored_before_assessments_reads_with_defaults() {
        let mut json = serde_json::to_value(content()).unwrap();
        let obj = json.as_object_mut().unwrap();
        obj.remove("assessment_questions");
        obj.remove("followup_delay_days");
        let c: SkuContent = serde_json::from_value(json).unwrap();
        assert!(c.assessment_questions.is_empty());
        assert_eq!(c.followup_delay_days, 7);
    }

    #[test]
    fn rubric_needs_five_levels() {
        let input = CompetencyInput {
            slug: "x".into(),
            name: "X".into(),
            description: String::new(),
            rubric: vec!["a".into(); 4],
        };
        assert!(
            input
                .validate()
                .err()
                .unwrap_or_default()
                .get("rubric")
                .is_some()
        );
    }

    #[test]
    fn status_transitions() {
        assert!(SkuStatus::Draft.can_become(SkuStatus::Active));
        assert!(SkuStatus::Active.can_become(SkuStatus::Retired));
        assert!(SkuStatus::Retired.can_become(SkuStatus::Active));
        assert!(!SkuStatus::Active.can_become(SkuStatus::Draft));
        assert!(!SkuStatus::Retired.can_become(SkuStatus::Draft));
        assert!(edit_makes_new_version(true));
        assert!(!edit_makes_new_version(false));
    }
}
