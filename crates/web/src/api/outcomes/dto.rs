//! The wire types of one booking's outcome loop, and the mapping from the stored records
//! to them. Times go out as RFC 3339 in the viewer's zone, so every mapping takes it.

use crate::api::availability::rfc3339_in;
use crate::api::dto::{PreReadDto, RubricLevel};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use stint_app::outcomes::Side;
use stint_domain::outcome::prep::PrepStatus;
use stint_store::{
    AssessmentRecord, ClosingRecord, DeliverableRecord, NoteRecord, PrepRecord, TaskRecord,
};
use utoipa::ToSchema;

// ---- Names that are strings on the wire, documented as enums ----

/// Which micro-assessment.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentKindName {
    Baseline,
    Followup,
}

/// A note's kind: `shared` is read by both parties, a private note only by its side.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoteKindName {
    Shared,
    MentorPrivate,
    MenteePrivate,
}

/// Whether the session reached the checkpoint its SKU aims at.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointResultName {
    Reached,
    Partly,
    NotReached,
}

// ---- Requests ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrepRequest {
    /// One per intake question, in order; an empty answer means "not yet".
    #[serde(default)]
    pub intake_answers: Vec<String>,
    /// Indexes (0-based) of the SKU's pre-reads the mentee has read.
    #[serde(default, deserialize_with = "crate::api::integral::indexes")]
    #[schema(value_type = Vec<u32>)]
    pub pre_reads_read: Vec<usize>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRequest {
    /// `baseline` (before the session is closed) or `followup` (once it has opened).
    #[schema(value_type = AssessmentKindName)]
    pub kind: String,
    /// A level on the competency's rubric.
    #[schema(minimum = 1, maximum = 5)]
    #[serde(deserialize_with = "crate::api::integral::i64")]
    pub level: i64,
    /// One per assessment question of the SKU, in order; fewer is fine.
    #[serde(default)]
    pub answers: Vec<String>,
    /// With the follow-up: the mentee reached the session's milestone, so its outcome bonus
    /// goes to the mentor (refused, and nothing saved, if it cannot be confirmed now).
    #[serde(default)]
    pub reached_milestone: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// Markdown, at most 20,000 bytes.
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskRequest {
    pub title: String,
    /// `YYYY-MM-DD`, from today (in the mentor's zone) to a year ahead.
    pub due: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    #[schema(value_type = CheckpointResultName)]
    pub checkpoint: String,
    /// What showed the checkpoint was (or was not) reached.
    pub evidence: String,
    /// The follow-up message to the mentee (see the follow-up draft).
    pub followup: String,
    /// At most three next steps for the mentee.
    #[serde(default)]
    pub tasks: Vec<TaskRequest>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskDoneRequest {
    pub done: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TickRequest {
    pub ticked: bool,
}

// ---- Responses ----

#[derive(Debug, Serialize, ToSchema)]
pub struct PrepDto {
    pub intake_answers: Vec<String>,
    pub pre_reads_read: Vec<usize>,
    /// RFC 3339 in the viewer's zone.
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PrepStatusDto {
    /// Every intake question has an answer.
    pub answered: bool,
    /// Every pre-read is marked read.
    pub pre_reads_done: bool,
    pub baseline_done: bool,
    /// All three.
    pub done: bool,
}

impl From<PrepStatus> for PrepStatusDto {
    fn from(s: PrepStatus) -> Self {
        PrepStatusDto {
            answered: s.answered,
            pre_reads_done: s.pre_reads_done,
            baseline_done: s.baseline_done,
            done: s.is_done(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentDto {
    #[schema(value_type = AssessmentKindName)]
    pub kind: String,
    pub level: i64,
    pub answers: Vec<String>,
    /// RFC 3339 in the viewer's zone.
    pub submitted_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteDto {
    #[schema(value_type = NoteKindName)]
    pub kind: String,
    /// As written (Markdown).
    pub body: String,
    /// The Markdown rendered and sanitized: safe to put in a page.
    pub html: String,
    /// Who saved it last.
    pub author_id: i64,
    /// RFC 3339 in the viewer's zone.
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosingDto {
    #[schema(value_type = CheckpointResultName)]
    pub checkpoint: String,
    /// "Yes", "Partly" or "No".
    pub checkpoint_label: String,
    pub evidence: String,
    pub followup: String,
    pub closed_by: i64,
    /// RFC 3339 in the viewer's zone.
    pub closed_at: String,
    /// When the follow-up assessment opens, RFC 3339 in the viewer's zone.
    pub followup_opens_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDto {
    pub id: i64,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    pub done: bool,
    /// RFC 3339 in the viewer's zone.
    pub done_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliverableDto {
    /// Position in the SKU's artifact list (0-based).
    pub position: i64,
    pub title: String,
    pub ticked: bool,
    /// RFC 3339 in the viewer's zone.
    pub ticked_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeCompetencyDto {
    pub id: i64,
    pub name: String,
    /// The checkpoint this SKU aims at.
    pub checkpoint: String,
    /// Five levels, 1 (novice) to 5 (expert): what the assessment's level means.
    pub rubric: Vec<RubricLevel>,
}

/// What the SKU asks of the mentee, at the version the booking bought.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeQuestionsDto {
    pub intake_questions: Vec<String>,
    pub pre_reads: Vec<PreReadDto>,
    pub assessment_questions: Vec<String>,
    pub competency: OutcomeCompetencyDto,
    /// What the mentee takes away; ticked off after closing.
    pub artifacts: Vec<String>,
    /// Days after closing when the follow-up assessment opens.
    pub followup_delay_days: i64,
}

/// A booking's outcome loop, as much of it as the viewer may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeDto {
    pub booking_id: i64,
    /// The viewer's side of the booking: `mentor` or `mentee`.
    pub side: String,
    /// The booking's status: `confirmed`, `completed`, `cancelled` or `no_show`.
    pub status: String,
    pub sku_title: String,
    pub questions: OutcomeQuestionsDto,
    /// The mentee's prep, when saved.
    pub prep: Option<PrepDto>,
    pub prep_status: PrepStatusDto,
    pub assessments: Vec<AssessmentDto>,
    /// Only the notes the viewer may read: the shared one and their own private one.
    pub notes: Vec<NoteDto>,
    /// Set once the mentor has closed the session.
    pub closing: Option<ClosingDto>,
    pub tasks: Vec<TaskDto>,
    pub deliverables: Vec<DeliverableDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowupDraftDto {
    /// The SKU's follow-up template filled in, for the mentor to edit before closing.
    pub followup: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CloseResponse {
    pub closing: ClosingDto,
    pub tasks: Vec<TaskDto>,
    pub deliverables: Vec<DeliverableDto>,
}

// ---- Mapping ----

pub(super) fn prep_dto(p: &PrepRecord, tz: &TimeZone) -> PrepDto {
    PrepDto {
        intake_answers: p.prep.intake_answers.clone(),
        pre_reads_read: p.prep.pre_reads_read.clone(),
        updated_at: rfc3339_in(p.updated_at, tz),
    }
}

pub(super) fn assessment_dto(a: &AssessmentRecord, tz: &TimeZone) -> AssessmentDto {
    AssessmentDto {
        kind: a.kind.as_str().to_string(),
        level: a.level.get(),
        answers: a.answers.clone(),
        submitted_at: rfc3339_in(a.submitted_at, tz),
    }
}

pub(super) fn note_dto(n: &NoteRecord, tz: &TimeZone) -> NoteDto {
    NoteDto {
        kind: n.kind.as_str().to_string(),
        body: n.body.clone(),
        html: n.html.clone(),
        author_id: n.author_id.0,
        updated_at: rfc3339_in(n.updated_at, tz),
    }
}

pub(super) fn closing_dto(c: &ClosingRecord, tz: &TimeZone) -> ClosingDto {
    ClosingDto {
        checkpoint: c.checkpoint.as_str().to_string(),
        checkpoint_label: c.checkpoint.label().to_string(),
        evidence: c.evidence.clone(),
        followup: c.followup.clone(),
        closed_by: c.closed_by.0,
        closed_at: rfc3339_in(c.closed_at, tz),
        followup_opens_at: rfc3339_in(c.followup_opens_at, tz),
    }
}

pub(super) fn task_dto(t: &TaskRecord, tz: &TimeZone) -> TaskDto {
    TaskDto {
        id: t.id,
        title: t.title.clone(),
        due: t.due.to_string(),
        done: t.done_at.is_some(),
        done_at: t.done_at.map(|at| rfc3339_in(at, tz)),
    }
}

pub(super) fn deliverable_dto(d: &DeliverableRecord, tz: &TimeZone) -> DeliverableDto {
    DeliverableDto {
        position: d.position,
        title: d.title.clone(),
        ticked: d.ticked_at.is_some(),
        ticked_at: d.ticked_at.map(|at| rfc3339_in(at, tz)),
    }
}

pub(super) fn side_name(side: Side) -> &'static str {
    match side {
        Side::Mentor => "mentor",
        Side::Mentee => "mentee",
    }
}
