//! What each nudge says, to its recipient, with times in the recipient's own zone. The same
//! words make the inbox item, the e-mail's text and its HTML.

use crate::load::Session;
use jiff::Timestamp;
use stint_domain::account::Account;
use stint_domain::nudge::{NudgeKind, Planned};

/// A nudge's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub subject: String,
    /// Paragraphs, plain text.
    pub lines: Vec<String>,
    /// The button: what to do, and the path inside Stint.
    pub action: (String, String),
}

/// A time as the recipient reads it: "Tue 1 Dec, 14:00 (Europe/Berlin)".
pub fn local(t: Timestamp, who: &Account) -> String {
    let z = t.to_zoned_datetime(who.zone());
    format!("{} ({})", z.strftime("%a %-d %b, %H:%M"), who.timezone)
}

/// A reminder's lead in words: "24 hours", "1 hour", "2 days", "90 minutes".
pub fn lead_words(minutes: u32) -> String {
    let plural = |n: u32, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if minutes.is_multiple_of(24 * 60) && minutes > 24 * 60 {
        plural(minutes / (24 * 60), "day")
    } else if minutes.is_multiple_of(60) {
        plural(minutes / 60, "hour")
    } else {
        plural(minutes, "minute")
    }
}

/// The words of `p` for its recipient; `None` if the recipient is not a party (never
/// planned so).
pub(crate) fn words(s: &Session, p: &Planned, task_title: Option<&str>) -> Option<Words> {
    let (me, other) = s.parties(p.recipient)?;
    let b = &s.booking;
    let title = &s.sku.title;
    let when = local(b.start, me);
    let minutes = (b.end - b.start).as_mins();
    let page = format!("/sessions/{}", b.id);
    let join = format!("Join: {}", b.meeting_url);
    let open = ("Open the session".to_string(), page.clone());
    let w = match p.kind {
        NudgeKind::Booked => Words {
            subject: format!("Booked: {title} with {} on {when}", other.display_name),
            lines: vec![
                format!(
                    "{title} with {} is booked for {when}. It lasts {minutes} minutes.",
                    other.display_name
                ),
                join,
                if me.id == s.mentee.id {
                    "Before it: answer the intake questions, read the pre-reads and take the baseline, on the session page.".into()
                } else {
                    "The mentee's prep will show on the session page as they do it.".into()
                },
            ],
            action: open,
        },
        NudgeKind::Rescheduled => Words {
            subject: format!("Moved: {title} with {} is now {when}", other.display_name),
            lines: vec![
                format!(
                    "Your session {title} with {} has moved to {when}.",
                    other.display_name
                ),
                join,
            ],
            action: open,
        },
        NudgeKind::Cancelled => Words {
            subject: format!("Cancelled: {title} with {} on {when}", other.display_name),
            lines: vec![
                format!(
                    "Your session {title} with {} on {when} is cancelled.",
                    other.display_name
                ),
                match &b.cancel_reason {
                    Some(r) if !r.trim().is_empty() => format!("Reason given: {r}"),
                    _ => "No reason was given.".into(),
                },
            ],
            action: ("See the session".into(), page),
        },
        NudgeKind::Reminder => {
            let lead = lead_words(p.lead.unwrap_or(60));
            Words {
                subject: format!("In {lead}: {title} with {}", other.display_name),
                lines: vec![
                    format!(
                        "A reminder: {title} with {} starts {when}, in {lead}.",
                        other.display_name
                    ),
                    join,
                ],
                action: open,
            }
        }
        NudgeKind::PrepDue => Words {
            subject: format!("Prep for {title} on {when}"),
            lines: vec![
                format!(
                    "Your prep for {title} with {} is still open: the intake questions, the pre-reads and the baseline.",
                    other.display_name
                ),
                "Ten minutes of prep makes the session count.".into(),
            ],
            action: ("Do the prep".into(), page),
        },
        NudgeKind::ClosePrompt => Words {
            subject: format!("Close your session with {}", other.display_name),
            lines: vec![format!(
                "{title} with {} ended. Record the checkpoint, the evidence and the follow-up while it is fresh.",
                other.display_name
            )],
            action: ("Close the session".into(), page),
        },
        NudgeKind::FollowUpOpen => Words {
            subject: format!("Your follow-up check-in for {title} is open"),
            lines: vec![format!(
                "It has been a while since {title} with {}. Two minutes on the same questions shows what stuck.",
                other.display_name
            )],
            action: ("Take the check-in".into(), page),
        },
        NudgeKind::TaskDue => Words {
            subject: format!("Due today: {}", task_title.unwrap_or("a task")),
            lines: vec![format!(
                "From {title} with {}: “{}” is due today.",
                other.display_name,
                task_title.unwrap_or("a task")
            )],
            action: ("See your tasks".into(), page),
        },
        // Marketplace alerts are worded by `stint_app::insights::alerts`, never planned here.
        NudgeKind::Shortfall
        | NudgeKind::MoreHours
        | NudgeKind::PilotCheckIn
        | NudgeKind::CirclePost => return None,
    };
    Some(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leads_read_naturally() {
        assert_eq!(lead_words(1440), "24 hours");
        assert_eq!(lead_words(60), "1 hour");
        assert_eq!(lead_words(2880), "2 days");
        assert_eq!(lead_words(90), "90 minutes");
        assert_eq!(lead_words(15), "15 minutes");
    }
}
