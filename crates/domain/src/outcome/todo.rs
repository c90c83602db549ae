//! The to-do list: what each person should do next across their bookings, derived from
//! the bookings' state and the time, so it is never stored and never goes stale.

use super::prep::PrepStatus;
use crate::booking::{BookingId, BookingStatus};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

/// A task the mentor set that the mentee has not marked done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenTask {
    pub id: i64,
    pub title: String,
    pub due: Date,
}

/// One booking as the to-do list sees it, from one viewer's side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingState {
    pub booking_id: BookingId,
    pub sku_title: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub status: BookingStatus,
    /// The viewer is this booking's mentor (else its mentee).
    pub viewer_is_mentor: bool,
    pub prep: PrepStatus,
    /// The mentor has closed the session.
    pub closed: bool,
    /// Set once closed: when the follow-up assessment opens.
    pub followup_opens_at: Option<Timestamp>,
    pub followup_done: bool,
    pub open_tasks: Vec<OpenTask>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TodoKind {
    /// Mentee: intake answers, pre-reads and baseline before the session.
    Prep,
    /// Mentor: record the checkpoint, evidence, follow-up and tasks.
    CloseSession,
    /// Mentee: a task from the closing.
    Task,
    /// Mentee: the follow-up assessment, once it has opened.
    FollowupAssessment,
}

/// When something is due: an instant (a session's start) or a whole day (a task).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum Due {
    At(Timestamp),
    On(Date),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TodoItem {
    pub booking_id: BookingId,
    pub kind: TodoKind,
    /// Only for [`TodoKind::Task`].
    pub task_id: Option<i64>,
    pub title: String,
    /// `None` when there is no deadline (the follow-up assessment stays open).
    pub due: Option<Due>,
    /// The deadline has passed.
    pub overdue: bool,
}

/// A mentor is asked to close a session within a day of its end, while it is fresh.
pub const CLOSE_WITHIN: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// The viewer's to-do list at `now`, most urgent first: items with a deadline by deadline
/// (so overdue ones lead), then the rest by when they became possible. A task due on a
/// day is due at the end of that day in `zone`, the viewer's time zone.
pub fn todo(states: &[BookingState], now: Timestamp, zone: &TimeZone) -> Vec<TodoItem> {
    let mut list = List {
        now,
        zone,
        keyed: Vec::new(),
    };
    for b in states {
        let live = b.status == BookingStatus::Confirmed;
        if b.viewer_is_mentor {
            // A booking marked completed but never closed still owes its closing.
            let closable = live || b.status == BookingStatus::Completed;
            if closable && !b.closed && b.end <= now {
                let title = format!("Close the session: {}", b.sku_title);
                let due = b.end.saturating_add(CLOSE_WITHIN).unwrap_or(b.end);
                list.add(
                    b,
                    TodoKind::CloseSession,
                    None,
                    title,
                    Some(Due::At(due)),
                    b.end,
                );
            }
            continue;
        }
        if live && b.start > now && !b.prep.is_done() {
            let title = format!("Prepare for {}", b.sku_title);
            list.add(
                b,
                TodoKind::Prep,
                None,
                title,
                Some(Due::At(b.start)),
                b.start,
            );
        }
        if !b.closed {
            continue;
        }
        for t in &b.open_tasks {
            let due = Some(Due::On(t.due));
            // Named with its session: two sessions may set tasks with the same words.
            let title = format!("{} ({})", t.title, b.sku_title);
            list.add(b, TodoKind::Task, Some(t.id), title, due, b.end);
        }
        if let Some(opens) = b.followup_opens_at
            && opens <= now
            && !b.followup_done
        {
            let title = format!("Follow-up check-in: {}", b.sku_title);
            list.add(b, TodoKind::FollowupAssessment, None, title, None, opens);
        }
    }
    list.keyed.sort_by_key(|(urgency, _)| *urgency);
    list.keyed.into_iter().map(|(_, item)| item).collect()
}

/// Urgency: has no deadline (deadlines first), deadline, became possible, then ids for
/// a stable order.
type Urgency = (
    bool,
    Option<Timestamp>,
    Timestamp,
    BookingId,
    TodoKind,
    Option<i64>,
);

struct List<'a> {
    now: Timestamp,
    zone: &'a TimeZone,
    keyed: Vec<(Urgency, TodoItem)>,
}

impl List<'_> {
    fn add(
        &mut self,
        b: &BookingState,
        kind: TodoKind,
        task_id: Option<i64>,
        title: String,
        due: Option<Due>,
        since: Timestamp,
    ) {
        let deadline = due.map(|d| deadline(d, self.zone));
        let urgency = (
            deadline.is_none(),
            deadline,
            since,
            b.booking_id,
            kind,
            task_id,
        );
        let item = TodoItem {
            booking_id: b.booking_id,
            kind,
            task_id,
            title,
            due,
            overdue: deadline.is_some_and(|d| d <= self.now),
        };
        self.keyed.push((urgency, item));
    }
}

/// The instant a due date or time passes: a day ends at the next day's start in `zone`.
fn deadline(due: Due, zone: &TimeZone) -> Timestamp {
    match due {
        Due::At(t) => t,
        Due::On(d) => d
            .tomorrow()
            .and_then(|next| next.to_zoned_datetime(zone.clone()))
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MAX),
    }
}

#[cfg(test)]
mod tests;
