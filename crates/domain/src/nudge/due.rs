//! Whether a planned nudge is still wanted when its time comes. Planning never has to
//! withdraw anything: a nudge checks the booking as it is now, so one planned before a
//! reschedule, a cancellation, a closing or a ticked task simply is not sent.

use super::kind::{Channel, NudgeKind};
use super::plan::Planned;
use super::prefs::NudgePrefs;
use crate::booking::BookingStatus;
use jiff::Timestamp;

/// The booking and its recipient as they are when the nudge is due.
#[derive(Debug, Clone)]
pub struct Current {
    pub status: BookingStatus,
    pub sequence: i64,
    pub start: Timestamp,
    pub prep_done: bool,
    pub followup_taken: bool,
    /// For a task's nudge: whether the task is done (`None`: no such task any more).
    pub task_done: Option<bool>,
    /// The recipient's preferences now.
    pub prefs: NudgePrefs,
    /// For a high-risk session's extra reminder: whether the risk is still high.
    pub high_risk: bool,
}

/// `Ok` to send, or why the nudge is withdrawn.
pub fn still_wanted(p: &Planned, now: Timestamp, c: &Current) -> Result<(), &'static str> {
    if !c.prefs.wants(p.kind, p.channel) {
        return Err(match p.channel {
            Channel::InApp => "the recipient turned off this nudge in Stint",
            Channel::Email => "the recipient turned off this nudge by e-mail",
            Channel::Chat => "the recipient turned off this nudge in chat",
        });
    }
    let live = c.status == BookingStatus::Confirmed && c.sequence == p.sequence;
    let moved = "the session was moved, cancelled or closed since";
    match p.kind {
        NudgeKind::Booked | NudgeKind::Rescheduled | NudgeKind::ClosePrompt => {
            live.then_some(()).ok_or(moved)
        }
        NudgeKind::Cancelled => (c.status == BookingStatus::Cancelled)
            .then_some(())
            .ok_or("the session is no longer cancelled"),
        NudgeKind::Reminder | NudgeKind::PrepDue => {
            if !live {
                Err(moved)
            } else if now >= c.start {
                Err("the session has started")
            } else if p.kind == NudgeKind::PrepDue && c.prep_done {
                Err("the prep is done")
            } else if p.risk && !c.high_risk {
                Err("the risk of a no-show is no longer high")
            } else if !p.risk && p.lead.is_some_and(|l| !c.prefs.reminders.contains(&l)) {
                Err("the recipient no longer wants this reminder")
            } else {
                Ok(())
            }
        }
        NudgeKind::FollowUpOpen => {
            if c.status != BookingStatus::Completed {
                Err("the session is not closed")
            } else if c.followup_taken {
                Err("the follow-up check-in is done")
            } else {
                Ok(())
            }
        }
        NudgeKind::TaskDue => match c.task_done {
            Some(false) => Ok(()),
            Some(true) => Err("the task is done"),
            None => Err("the task is gone"),
        },
        NudgeKind::Shortfall
        | NudgeKind::MoreHours
        | NudgeKind::PilotCheckIn
        | NudgeKind::CirclePost => Err("not about a session"),
    }
}
