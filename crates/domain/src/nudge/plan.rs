//! Planning: which nudges a booking in its present state calls for, when, to whom and by
//! which channel. Pure and repeatable: each planned nudge has a stable key, so planning the
//! same state twice plans nothing new, and a reschedule (a new sequence) plans afresh.

use super::kind::{Channel, NudgeKind};
use super::prefs::NudgePrefs;
use super::quiet::defer_past_quiet;
use crate::booking::{BookingId, BookingStatus};
use crate::ids::UserId;
use crate::risk::EXTRA_REMINDER_LEAD_MINUTES;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp};
use serde::{Deserialize, Serialize};

/// When the mentor is asked to close a session: a little after it ends.
const CLOSE_PROMPT_AFTER: SignedDuration = SignedDuration::from_mins(15);
/// Prep is nudged two days ahead, or half-way to a session booked closer than that, and
/// not at all for one booked less than this far ahead.
const PREP_MIN_NOTICE: SignedDuration = SignedDuration::from_hours(6);
/// A task is nudged on its due day at this local time.
const TASK_NUDGE_AT: Time = Time::constant(9, 0, 0, 0);

/// One party of the booking, as nudges need them.
#[derive(Debug, Clone)]
pub struct Party {
    pub user: UserId,
    pub zone: TimeZone,
    pub prefs: NudgePrefs,
    /// They connected a workspace chat: only then is anything planned for it.
    pub chat: bool,
}

/// What just happened to the booking: it decides which notice (if any) goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Created,
    Rescheduled,
    Cancelled,
    Completed,
    /// Anything else that may change the plan: a no-show, a task ticked, preferences.
    Other,
}

/// A booking's state, as planning reads it.
#[derive(Debug, Clone)]
pub struct Facts {
    pub booking: BookingId,
    pub status: BookingStatus,
    /// Bumped by each reschedule.
    pub sequence: i64,
    pub start: Timestamp,
    pub end: Timestamp,
    /// When the booking last changed (made, moved, cancelled, closed): a reminder whose
    /// time had passed by then is not sent late.
    pub changed_at: Timestamp,
    pub change: Change,
    pub mentee: Party,
    pub mentor: Party,
    /// The SKU asks for prep (intake questions, pre-reads or a baseline).
    pub has_prep: bool,
    pub followup_opens_at: Option<Timestamp>,
    /// Open tasks from the closing: id and due day.
    pub open_tasks: Vec<(i64, Date)>,
    /// The no-show model rates the session high risk now (`stint_domain::risk`): the
    /// mentee gets an extra reminder, sent only if the risk is still high when it is due.
    pub high_risk: bool,
}

/// One nudge to send on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    /// Stable across planning runs; with the channel, the nudge's identity in the delivery
    /// log: the same key and channel are delivered at most once.
    pub key: String,
    pub booking: BookingId,
    pub kind: NudgeKind,
    pub recipient: UserId,
    pub channel: Channel,
    pub due_at: Timestamp,
    /// The booking's sequence when planned: a later reschedule withdraws the nudge.
    pub sequence: i64,
    /// For a reminder, its lead in minutes.
    pub lead: Option<u32>,
    /// For a task's nudge, the task.
    pub task: Option<i64>,
    /// The extra reminder of a high-risk session.
    #[serde(default)]
    pub risk: bool,
}

/// Every nudge `facts` call for, on every channel each recipient chose.
pub fn plan(facts: &Facts) -> Vec<Planned> {
    let mut out = Vec::new();
    let mut add = |party: &Party,
                   kind: NudgeKind,
                   detail: String,
                   due: Timestamp,
                   extra: (Option<u32>, Option<i64>, bool)| {
        let deferred = defer_past_quiet(due, &party.zone, party.prefs.quiet);
        // Quiet hours never hold a nudge about a session past that session's start: then
        // it is urgent and goes when due.
        let due = if kind.before_session() && deferred >= facts.start {
            due
        } else {
            deferred
        };
        let key = format!(
            "{}/{}{}/{}",
            facts.booking,
            kind.as_str(),
            detail,
            party.user
        );
        let channels = party.prefs.channels_for(kind);
        for channel in channels
            .into_iter()
            .filter(|c| *c != Channel::Chat || party.chat)
        {
            out.push(Planned {
                key: key.clone(),
                booking: facts.booking,
                kind,
                recipient: party.user,
                channel,
                due_at: due,
                sequence: facts.sequence,
                lead: extra.0,
                task: extra.1,
                risk: extra.2,
            });
        }
    };
    let both = [&facts.mentee, &facts.mentor];
    let seq = facts.sequence;
    match facts.status {
        BookingStatus::Confirmed => {
            let notice = match facts.change {
                Change::Created => Some((NudgeKind::Booked, String::new())),
                Change::Rescheduled => Some((NudgeKind::Rescheduled, format!("@{seq}"))),
                _ => None,
            };
            for party in both {
                if let Some((kind, detail)) = &notice {
                    add(
                        party,
                        *kind,
                        detail.clone(),
                        facts.changed_at,
                        (None, None, false),
                    );
                }
                for &lead in &party.prefs.reminders {
                    let due = reminder_due(facts.start, lead, &party.zone);
                    if due >= facts.changed_at {
                        add(
                            party,
                            NudgeKind::Reminder,
                            format!("{lead}m@{seq}"),
                            due,
                            (Some(lead), None, false),
                        );
                    }
                }
            }
            let lead = EXTRA_REMINDER_LEAD_MINUTES;
            let due = reminder_due(facts.start, lead, &facts.mentee.zone);
            if facts.high_risk
                && !facts.mentee.prefs.reminders.contains(&lead)
                && due >= facts.changed_at
            {
                add(
                    &facts.mentee,
                    NudgeKind::Reminder,
                    format!("{lead}m-risk@{seq}"),
                    due,
                    (Some(lead), None, true),
                );
            }
            let prep = facts
                .has_prep
                .then(|| prep_due(facts.start, facts.changed_at, &facts.mentee.zone));
            if let Some(Some(due)) = prep {
                add(
                    &facts.mentee,
                    NudgeKind::PrepDue,
                    format!("@{seq}"),
                    due,
                    (None, None, false),
                );
            }
            let close = facts
                .end
                .saturating_add(CLOSE_PROMPT_AFTER)
                .unwrap_or(facts.end);
            add(
                &facts.mentor,
                NudgeKind::ClosePrompt,
                format!("@{seq}"),
                close,
                (None, None, false),
            );
        }
        BookingStatus::Cancelled => {
            for party in both {
                add(
                    party,
                    NudgeKind::Cancelled,
                    String::new(),
                    facts.changed_at,
                    (None, None, false),
                );
            }
        }
        BookingStatus::Completed => {
            if let Some(opens) = facts.followup_opens_at {
                add(
                    &facts.mentee,
                    NudgeKind::FollowUpOpen,
                    String::new(),
                    opens,
                    (None, None, false),
                );
            }
            for &(task, day) in &facts.open_tasks {
                let at = day
                    .to_datetime(TASK_NUDGE_AT)
                    .to_zoned_datetime(facts.mentee.zone.clone())
                    .map(|z| z.timestamp())
                    .unwrap_or(facts.changed_at)
                    .max(facts.changed_at);
                add(
                    &facts.mentee,
                    NudgeKind::TaskDue,
                    format!("{task}"),
                    at,
                    (None, Some(task), false),
                );
            }
        }
        BookingStatus::NoShow => {}
    }
    out
}

/// `lead` minutes before `start`; a whole number of days is counted on the recipient's
/// calendar, so the reminder keeps the session's local time of day across a DST change.
pub fn reminder_due(start: Timestamp, lead: u32, zone: &TimeZone) -> Timestamp {
    let absolute = start
        .saturating_sub(SignedDuration::from_mins(i64::from(lead)))
        .unwrap_or(start);
    if !lead.is_multiple_of(24 * 60) {
        return absolute;
    }
    let days = Span::new().days(i64::from(lead / (24 * 60)));
    start
        .to_zoned_datetime(zone.clone())
        .checked_sub(days)
        .map(|z| z.timestamp())
        .unwrap_or(absolute)
}

fn prep_due(start: Timestamp, changed_at: Timestamp, zone: &TimeZone) -> Option<Timestamp> {
    let ahead = start.duration_since(changed_at);
    if ahead < PREP_MIN_NOTICE {
        return None;
    }
    let two_days = reminder_due(start, 2 * 24 * 60, zone);
    if two_days >= changed_at {
        return Some(two_days);
    }
    changed_at.checked_add(ahead / 2).ok()
}
