//! Bookings: one mentee, one mentor, one frozen SKU version, one time; and the policy
//! rules for cancelling, rescheduling and no-shows.

use crate::account::Account;
use crate::catalog::SkuVersion;
use crate::ids::{SkuId, UserId};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// A booking's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BookingId(pub i64);

impl std::fmt::Display for BookingId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    /// Live: holds the mentor's time.
    Confirmed,
    Completed,
    Cancelled,
    NoShow,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::Completed => "completed",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::NoShow => "no_show",
        }
    }

    pub fn parse(s: &str) -> Option<BookingStatus> {
        [
            BookingStatus::Confirmed,
            BookingStatus::Completed,
            BookingStatus::Cancelled,
            BookingStatus::NoShow,
        ]
        .into_iter()
        .find(|b| b.as_str() == s)
    }
}

/// Who did not come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoShowSide {
    Mentee,
    Mentor,
}

impl NoShowSide {
    pub fn as_str(self) -> &'static str {
        match self {
            NoShowSide::Mentee => "mentee",
            NoShowSide::Mentor => "mentor",
        }
    }

    pub fn parse(s: &str) -> Option<NoShowSide> {
        match s {
            "mentee" => Some(NoShowSide::Mentee),
            "mentor" => Some(NoShowSide::Mentor),
            _ => None,
        }
    }
}

/// A booking as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Booking {
    pub id: BookingId,
    pub mentor_id: UserId,
    pub mentee_id: UserId,
    pub sku_id: SkuId,
    /// The SKU version bought: its content and policies are frozen with the booking.
    pub sku_version: i64,
    pub start: Timestamp,
    pub end: Timestamp,
    pub status: BookingStatus,
    /// Bumped on every reschedule (iCalendar SEQUENCE).
    pub sequence: i64,
    pub meeting_url: String,
    pub cancelled_by: Option<UserId>,
    pub cancel_reason: Option<String>,
    pub late_cancel: bool,
    pub no_show_side: Option<NoShowSide>,
    pub created_at: Timestamp,
}

impl Booking {
    /// Whether `user` is one of the two parties.
    pub fn involves(&self, user: UserId) -> bool {
        self.mentor_id == user || self.mentee_id == user
    }
}

/// One line of a booking's status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingEvent {
    pub at: Timestamp,
    pub actor: Option<UserId>,
    pub status: BookingStatus,
    pub note: String,
}

/// A booking with what every view of it needs: the SKU version bought and both parties
/// (read together, in one query).
#[derive(Debug, Clone)]
pub struct BookingContext {
    pub booking: Booking,
    pub sku: SkuVersion,
    pub mentor: Account,
    pub mentee: Account,
}

impl BookingContext {
    /// The party that is not `viewer` (the mentee for an operator looking on).
    pub fn other(&self, viewer: &Account) -> &Account {
        if viewer.id == self.mentor.id {
            &self.mentee
        } else {
            &self.mentor
        }
    }
}

/// The instant until which a policy allows something: `hours` before the start.
pub fn cutoff(start: Timestamp, hours: i64) -> Timestamp {
    start
        .saturating_sub(SignedDuration::from_hours(hours))
        .unwrap_or(start)
}

/// A cancellation after the cut-off is late (recorded as such; money rules come later).
pub fn is_late_cancellation(start: Timestamp, now: Timestamp, cancel_cutoff_hours: i64) -> bool {
    now > cutoff(start, cancel_cutoff_hours)
}

/// Rescheduling is allowed until the cut-off.
pub fn may_reschedule(start: Timestamp, now: Timestamp, reschedule_cutoff_hours: i64) -> bool {
    now <= cutoff(start, reschedule_cutoff_hours)
}

/// A no-show can be reported once the session has started, and for a week after.
pub fn may_report_no_show(start: Timestamp, now: Timestamp) -> bool {
    now >= start
        && now
            <= start
                .saturating_add(SignedDuration::from_hours(24 * 7))
                .unwrap_or(start)
}

/// The meeting room of a booking: the mentor's own link, or a room under `base`.
pub fn meeting_url(mentor_link: &str, base: &str, room: &str) -> String {
    if mentor_link.trim().is_empty() {
        format!("{}/{}", base.trim_end_matches('/'), room)
    } else {
        mentor_link.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn cutoffs() {
        let start = t("2026-06-10T12:00:00Z");
        assert!(!is_late_cancellation(start, t("2026-06-09T12:00:00Z"), 24));
        assert!(is_late_cancellation(start, t("2026-06-09T12:00:01Z"), 24));
        assert!(may_reschedule(start, t("2026-06-10T08:00:00Z"), 4));
        assert!(!may_reschedule(start, t("2026-06-10T08:00:01Z"), 4));
        assert!(!may_report_no_show(start, t("2026-06-10T11:59:59Z")));
        assert!(may_report_no_show(start, t("2026-06-10T12:10:00Z")));
    }

    #[test]
    fn meeting_links() {
        assert_eq!(
            meeting_url("", "https://meet.example/", "abc"),
            "https://meet.example/abc"
        );
        assert_eq!(
            meeting_url("https://zoom.example/me", "https://meet.example", "abc"),
            "https://zoom.example/me"
        );
    }

    #[test]
    fn statuses_round_trip() {
        for s in ["confirmed", "completed", "cancelled", "no_show"] {
            assert_eq!(BookingStatus::parse(s).map(|b| b.as_str()), Some(s));
        }
    }
}
