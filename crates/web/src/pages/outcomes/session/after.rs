//! The session page after closing: the result and evidence, the follow-up message, the
//! mentee's tasks and artifacts checklists, and the follow-up check-in once it opens.

use super::assess::{AssessView, Scale, TakenView};
use super::taken;
use crate::pages::outcomes::input::AssessFields;
use crate::pages::outcomes::view::{day_passed, day_words};
use jiff::Timestamp;
use stint_app::outcomes::{self as oc, OutcomeView, PartyBooking, Side};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::outcome::assessment::AssessmentKind;
use stint_domain::outcome::closing::CheckpointResult;

pub(crate) struct TaskView {
    pub(crate) id: i64,
    pub(crate) input_id: String,
    pub(crate) title: String,
    pub(crate) due: String,
    pub(crate) done: bool,
    pub(crate) overdue: bool,
}

pub(crate) struct ArtifactView {
    pub(crate) position: i64,
    pub(crate) input_id: String,
    pub(crate) title: String,
    pub(crate) ticked: bool,
}

pub(crate) struct AfterView {
    pub(crate) result: &'static str,
    pub(crate) reached: bool,
    pub(crate) evidence: String,
    /// The follow-up message as the mentor sent it.
    pub(crate) message: String,
    pub(crate) closed_when: String,
    pub(crate) tasks: Vec<TaskView>,
    pub(crate) tasks_done: usize,
    pub(crate) artifacts: Vec<ArtifactView>,
    pub(crate) artifacts_done: usize,
    /// Set while the follow-up check-in is not open yet: when it opens, in the viewer's zone.
    pub(crate) followup_opens: String,
    /// Set once open, for the mentor while the mentee has not taken it.
    pub(crate) followup_open_since: String,
    pub(crate) followup_form: Option<AssessView>,
    pub(crate) followup: Option<TakenView>,
    /// "+2 levels since the baseline", when both were taken.
    pub(crate) gain: String,
}

/// The after-the-session section, once the session is closed (`None` before).
pub(super) fn after_view(
    pb: &PartyBooking,
    view: &OutcomeView,
    viewer: &Account,
    now: Timestamp,
    scale: &Scale,
    refused: Option<&(AssessFields, FieldErrors)>,
) -> Option<AfterView> {
    let closing = view.closing.as_ref()?;
    let baseline = taken(view, AssessmentKind::Baseline);
    let followup = taken(view, AssessmentKind::Followup);
    let tasks: Vec<TaskView> = view
        .tasks
        .iter()
        .map(|t| TaskView {
            id: t.id,
            input_id: format!("f-task-{}", t.id),
            title: t.title.clone(),
            due: day_words(t.due),
            done: t.done_at.is_some(),
            overdue: t.done_at.is_none() && day_passed(t.due, viewer, now),
        })
        .collect();
    let artifacts: Vec<ArtifactView> = view
        .deliverables
        .iter()
        .map(|d| ArtifactView {
            position: d.position,
            input_id: format!("f-artifact-{}", d.position),
            title: d.title.clone(),
            ticked: d.ticked_at.is_some(),
        })
        .collect();
    let open = now >= closing.followup_opens_at;
    let gain = match (baseline, followup) {
        (Some(b), Some(f)) => {
            let g = f.level.get() - b.level.get();
            let unit = if g.abs() == 1 { "level" } else { "levels" };
            format!(
                "{g:+} {unit} since the baseline (level {} → {})",
                b.level, f.level
            )
        }
        _ => String::new(),
    };
    Some(AfterView {
        result: closing.checkpoint.label(),
        reached: closing.checkpoint == CheckpointResult::Reached,
        evidence: closing.evidence.clone(),
        message: closing.followup.clone(),
        closed_when: oc::when_for(viewer, closing.closed_at),
        tasks_done: tasks.iter().filter(|t| t.done).count(),
        tasks,
        artifacts_done: artifacts.iter().filter(|a| a.ticked).count(),
        artifacts,
        followup_opens: if open {
            String::new()
        } else {
            oc::when_for(viewer, closing.followup_opens_at)
        },
        followup_open_since: if open && followup.is_none() && pb.side == Side::Mentor {
            oc::when_for(viewer, closing.followup_opens_at)
        } else {
            String::new()
        },
        followup_form: (open && followup.is_none() && pb.side == Side::Mentee)
            .then(|| scale.form(AssessmentKind::Followup, refused)),
        followup: followup.map(|f| scale.taken(f, viewer)),
        gain,
    })
}
