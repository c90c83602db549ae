//! The storage interface of the outcome loop: prep, micro-assessments, notes, closing a
//! session, accountability tasks, delivered artifacts, and the outcome records metrics are
//! computed from. Who may read or write what is decided above this layer
//! (`stint_domain::access`); the store keeps the data whole.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use stint_domain::booking::BookingId;
use stint_domain::ids::{SkuId, UserId};
use stint_domain::outcome::assessment::{Assessment, AssessmentKind, Level};
use stint_domain::outcome::closing::{CheckpointResult, Closing};
use stint_domain::outcome::metrics::{OutcomeTally, SessionOutcome};
use stint_domain::outcome::notes::NoteKind;
use stint_domain::outcome::prep::Prep;

/// A mentee's prep for one booking, as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrepRecord {
    pub prep: Prep,
    pub updated_at: Timestamp,
}

/// What the to-do needs of one booking's outcome loop, read with many others at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodoFacts {
    pub booking: BookingId,
    pub prep: Option<Prep>,
    /// The kinds of assessment taken.
    pub taken: Vec<AssessmentKind>,
    /// When the follow-up opens: set once the session is closed.
    pub followup_opens_at: Option<Timestamp>,
}

/// A micro-assessment taken for a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentRecord {
    pub kind: AssessmentKind,
    pub level: Level,
    pub answers: Vec<String>,
    pub submitted_at: Timestamp,
}

/// One note of a booking: the shared one, or a party's private one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRecord {
    pub kind: NoteKind,
    /// The Markdown as written.
    pub body: String,
    /// The body as sanitized HTML, rendered when it was saved (empty for notes saved before
    /// HTML was stored).
    pub html: String,
    /// Who saved it last.
    pub author_id: UserId,
    pub updated_at: Timestamp,
}

/// One note to save.
#[derive(Debug, Clone, Copy)]
pub struct NewNote<'a> {
    pub booking: BookingId,
    pub kind: NoteKind,
    pub author: UserId,
    pub body: &'a str,
    /// `body` as sanitized HTML (`stint_app::markdown`).
    pub html: &'a str,
}

/// How a mentor closed a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosingRecord {
    pub checkpoint: CheckpointResult,
    pub evidence: String,
    /// The follow-up message as sent to the mentee.
    pub followup: String,
    pub closed_by: UserId,
    pub closed_at: Timestamp,
    /// When the follow-up micro-assessment opens (closing + the SKU's delay).
    pub followup_opens_at: Timestamp,
}

/// An accountability micro-task set when closing a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRecord {
    pub id: i64,
    pub booking_id: BookingId,
    pub title: String,
    pub due: Date,
    pub done_at: Option<Timestamp>,
}

/// An artifact the SKU promises, delivered at closing as a checklist item for the mentee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverableRecord {
    /// Position in the SKU's artifact list (0-based).
    pub position: i64,
    pub title: String,
    pub ticked_at: Option<Timestamp>,
}

/// What to close a session with, already validated by the domain.
#[derive(Debug, Clone)]
pub struct CloseSession<'a> {
    pub booking: BookingId,
    pub closing: &'a Closing,
    /// The SKU version's artifacts, delivered as the mentee's checklist.
    pub artifacts: &'a [String],
    pub closed_by: UserId,
    pub followup_opens_at: Timestamp,
    /// How the booking's hold ends (settled, less the platform's fee).
    pub hold: stint_domain::ledger::HoldEnd,
}

/// Which closed sessions an outcome query covers; `None` fields do not filter.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutcomeFilter {
    pub mentor: Option<UserId>,
    pub mentee: Option<UserId>,
    pub sku: Option<SkuId>,
    /// Only sessions this organisation's budget paid for.
    pub sponsor: Option<stint_domain::ids::OrgId>,
    /// Only sessions closed at or after this time (a chart's months).
    pub closed_since: Option<Timestamp>,
}

/// Storage of the outcome loop.
#[async_trait]
pub trait OutcomeStore: Send + Sync {
    /// Creates or replaces the prep of a booking. Unknown booking: `NotFound`.
    async fn save_prep(&self, booking: BookingId, prep: &Prep, now: Timestamp) -> Result<()>;
    async fn prep(&self, booking: BookingId) -> Result<Option<PrepRecord>>;

    /// Records a micro-assessment. Each kind is taken once per booking: a second one is
    /// `Conflict { field: "kind" }`. Unknown booking: `NotFound`.
    async fn save_assessment(
        &self,
        booking: BookingId,
        kind: AssessmentKind,
        assessment: &Assessment,
        now: Timestamp,
    ) -> Result<AssessmentRecord>;
    async fn assessments(&self, booking: BookingId) -> Result<Vec<AssessmentRecord>>;

    /// Creates or replaces one note of a booking with its Markdown and sanitized HTML.
    /// Unknown booking: `NotFound`.
    async fn save_note(&self, note: &NewNote<'_>, now: Timestamp) -> Result<NoteRecord>;
    /// Every note of a booking; callers filter by who may read which.
    async fn notes(&self, booking: BookingId) -> Result<Vec<NoteRecord>>;

    /// Closes a confirmed session in one transaction: the closing, its tasks and
    /// deliverables, the booking marked completed, its hold ended and a history event. A booking that is
    /// not confirmed (already closed, cancelled, no-show) is `Conflict { field: "status" }`;
    /// unknown: `NotFound`.
    async fn close_session(&self, close: &CloseSession<'_>, now: Timestamp) -> Result<()>;
    async fn closing(&self, booking: BookingId) -> Result<Option<ClosingRecord>>;

    async fn tasks(&self, booking: BookingId) -> Result<Vec<TaskRecord>>;
    /// Every task of a mentee's sessions, by due date.
    async fn tasks_of(&self, mentee: UserId) -> Result<Vec<TaskRecord>>;
    /// The prep, assessments taken and closing of each of `bookings`, in one query.
    async fn todo_facts(&self, bookings: &[BookingId]) -> Result<Vec<TodoFacts>>;
    /// Marks a task of `booking` done (at `now`) or open again; `NotFound` if the task is
    /// not one of that booking's.
    async fn set_task_done(
        &self,
        booking: BookingId,
        task: i64,
        done: bool,
        now: Timestamp,
    ) -> Result<TaskRecord>;

    async fn deliverables(&self, booking: BookingId) -> Result<Vec<DeliverableRecord>>;
    /// Ticks (or unticks) a delivered artifact; `NotFound` if there is no such position.
    async fn tick_deliverable(
        &self,
        booking: BookingId,
        position: i64,
        ticked: bool,
        now: Timestamp,
    ) -> Result<()>;

    /// The outcome of every closed session matching `filter`, oldest first, in one query:
    /// checkpoint, both assessment levels (when taken), and task counts.
    async fn outcomes(&self, filter: OutcomeFilter) -> Result<Vec<SessionOutcome>>;
    /// The closed sessions matching `filter`, counted by checkpoint result, baseline and
    /// follow-up with their tasks summed: what the figures need, counted by the database.
    async fn outcome_tallies(&self, filter: OutcomeFilter) -> Result<Vec<OutcomeTally>>;
}
