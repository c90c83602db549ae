//! What a nudge is about, and the channels a nudge can go by.

use crate::role::Role;
use serde::{Deserialize, Serialize};

/// The kinds of nudge, each with its own channel choice in a person's preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NudgeKind {
    /// A new booking, to both parties.
    Booked,
    /// The session moved, to both parties.
    Rescheduled,
    /// The session was cancelled, to both parties.
    Cancelled,
    /// Before the session, at each lead time the recipient chose.
    Reminder,
    /// The mentee's prep (intake, pre-reads, baseline) is still open before the session.
    PrepDue,
    /// The mentor's prompt to close the session once it has ended.
    ClosePrompt,
    /// The mentee's follow-up check-in has opened.
    FollowUpOpen,
    /// A task from the closing is due today.
    TaskDue,
    /// Operators: forecast demand for a competency in a band will outrun its hours.
    Shortfall,
    /// Mentors: their competency will be short of hours; they have room to open more.
    MoreHours,
    /// A pilot's member: a check-in (the start, 30, 60 or 90 days) is open.
    PilotCheckIn,
    /// Mentors: new posts in their circle's thread (one digest per circle).
    CirclePost,
}

impl NudgeKind {
    pub const ALL: [NudgeKind; 12] = [
        NudgeKind::Booked,
        NudgeKind::Rescheduled,
        NudgeKind::Cancelled,
        NudgeKind::Reminder,
        NudgeKind::PrepDue,
        NudgeKind::ClosePrompt,
        NudgeKind::FollowUpOpen,
        NudgeKind::TaskDue,
        NudgeKind::Shortfall,
        NudgeKind::MoreHours,
        NudgeKind::PilotCheckIn,
        NudgeKind::CirclePost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NudgeKind::Booked => "booked",
            NudgeKind::Rescheduled => "rescheduled",
            NudgeKind::Cancelled => "cancelled",
            NudgeKind::Reminder => "reminder",
            NudgeKind::PrepDue => "prep_due",
            NudgeKind::ClosePrompt => "close_prompt",
            NudgeKind::FollowUpOpen => "followup_open",
            NudgeKind::TaskDue => "task_due",
            NudgeKind::Shortfall => "shortfall",
            NudgeKind::MoreHours => "more_hours",
            NudgeKind::PilotCheckIn => "pilot_check_in",
            NudgeKind::CirclePost => "circle_post",
        }
    }

    pub fn parse(s: &str) -> Option<NudgeKind> {
        NudgeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How the kind is named in preferences and delivery logs.
    pub fn label(self) -> &'static str {
        match self {
            NudgeKind::Booked => "Booking confirmation",
            NudgeKind::Rescheduled => "Session moved",
            NudgeKind::Cancelled => "Session cancelled",
            NudgeKind::Reminder => "Reminder before a session",
            NudgeKind::PrepDue => "Prep still open",
            NudgeKind::ClosePrompt => "Close the session (mentors)",
            NudgeKind::FollowUpOpen => "Follow-up check-in open",
            NudgeKind::TaskDue => "Task due",
            NudgeKind::Shortfall => "Hours running short (operators)",
            NudgeKind::MoreHours => "More hours wanted (mentors)",
            NudgeKind::PilotCheckIn => "Pilot check-in open",
            NudgeKind::CirclePost => "New posts in your circle (mentors)",
        }
    }

    /// Whether someone with `roles` can ever get this kind (preferences show only those).
    pub fn reaches(self, roles: &[Role]) -> bool {
        match self {
            NudgeKind::Shortfall => roles.contains(&Role::Operator),
            NudgeKind::MoreHours | NudgeKind::CirclePost => roles.contains(&Role::Mentor),
            NudgeKind::PilotCheckIn => roles.contains(&Role::Mentee),
            _ => true,
        }
    }

    /// Whether the nudge is about one session (planned and worded from its booking), not
    /// about the marketplace (`insights::alerts`).
    pub fn about_a_session(self) -> bool {
        !matches!(
            self,
            NudgeKind::Shortfall
                | NudgeKind::MoreHours
                | NudgeKind::PilotCheckIn
                | NudgeKind::CirclePost
        )
    }

    /// Whether the nudge is about a session still to come, so quiet hours may hold it
    /// back only while that still leaves it ahead of the session.
    pub fn before_session(self) -> bool {
        matches!(
            self,
            NudgeKind::Booked
                | NudgeKind::Rescheduled
                | NudgeKind::Cancelled
                | NudgeKind::Reminder
                | NudgeKind::PrepDue
        )
    }
}

/// How a nudge reaches its recipient. Each channel delivers a nudge once: its own delivery
/// record decides, so a failure of one channel neither blocks nor repeats the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The inbox in Stint, with its unread count.
    InApp,
    Email,
    /// The person's workspace chat (`crate::chat`), once they connected one.
    Chat,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::InApp, Channel::Email, Channel::Chat];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::InApp => "in_app",
            Channel::Email => "email",
            Channel::Chat => "chat",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// How the channel reads in a delivery log: "sent … by e-mail".
    pub fn label(self) -> &'static str {
        match self {
            Channel::InApp => "in Stint",
            Channel::Email => "by e-mail",
            Channel::Chat => "in chat",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in NudgeKind::ALL {
            assert_eq!(NudgeKind::parse(k.as_str()), Some(k));
        }
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert_eq!(NudgeKind::parse("reminders"), None);
    }

    #[test]
    fn marketplace_alerts_reach_their_roles_only() {
        assert!(NudgeKind::Shortfall.reaches(&[Role::Operator]));
        assert!(!NudgeKind::Shortfall.reaches(&[Role::Mentor, Role::Mentee]));
        assert!(NudgeKind::MoreHours.reaches(&[Role::Mentor]));
        assert!(!NudgeKind::MoreHours.reaches(&[Role::Mentee]));
        assert!(NudgeKind::Booked.reaches(&[Role::Mentee]));
    }
}
