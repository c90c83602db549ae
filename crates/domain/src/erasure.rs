//! What a person may ask about their own data — an export, or the erasure of their account —
//! and the rules on it: an erasure waits out a grace period (cancellable until then), never
//! overtakes a session in the next 24 hours, and leaves behind a pseudonym where others' records
//! must stay whole; an export's link works for a week; operators answer each within the
//! deadline the law sets.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// Days between asking for an erasure and its taking effect; cancellable until then.
pub const GRACE_DAYS: i64 = 14;
/// Days the law gives to answer an export or an erasure (GDPR art. 12(3): one month).
pub const LEGAL_DAYS: i64 = 30;
/// Days an export's download link works.
pub const EXPORT_LINK_DAYS: i64 = 7;
/// Sessions starting this soon keep an erasure from being asked, and from taking effect.
pub const SOON_HOURS: i64 = 24;

/// What was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    Export,
    Erasure,
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Asked; an export not yet made, an erasure in its grace period.
    Pending,
    /// An erasure past its grace period: sessions cancelled and calendar events being removed.
    Erasing,
    /// An erasure carried out.
    Done,
    /// An erasure called off by its owner.
    Cancelled,
    /// An export made, its link working.
    Ready,
    /// An export whose link expired; its file is gone.
    Expired,
    /// An export that could not be made.
    Failed,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Export => "export",
            RequestKind::Erasure => "erasure",
        }
    }

    pub fn parse(s: &str) -> Option<RequestKind> {
        [RequestKind::Export, RequestKind::Erasure]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

impl RequestState {
    pub const ALL: [RequestState; 7] = [
        RequestState::Pending,
        RequestState::Erasing,
        RequestState::Done,
        RequestState::Cancelled,
        RequestState::Ready,
        RequestState::Expired,
        RequestState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Pending => "pending",
            RequestState::Erasing => "erasing",
            RequestState::Done => "done",
            RequestState::Cancelled => "cancelled",
            RequestState::Ready => "ready",
            RequestState::Expired => "expired",
            RequestState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<RequestState> {
        RequestState::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether operators still have to see it through.
    pub fn is_open(self) -> bool {
        matches!(self, RequestState::Pending | RequestState::Erasing)
    }
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n * 24)
}

/// When an erasure asked at `now` takes effect.
pub fn erasure_due(now: Timestamp) -> Timestamp {
    now.saturating_add(days(GRACE_DAYS)).unwrap_or(now)
}

/// The legal deadline of a request made at `now`.
pub fn deadline(now: Timestamp) -> Timestamp {
    now.saturating_add(days(LEGAL_DAYS)).unwrap_or(now)
}

/// Until when an export made at `now` can be downloaded.
pub fn export_expires(now: Timestamp) -> Timestamp {
    now.saturating_add(days(EXPORT_LINK_DAYS)).unwrap_or(now)
}

/// The sessions (by start and end) that keep an erasure from being asked or from taking effect
/// at `now`: those under way or starting within [`SOON_HOURS`]. Later ones are cancelled when it
/// takes effect.
pub fn too_soon(
    sessions: &[(Timestamp, Timestamp)],
    now: Timestamp,
) -> Vec<(Timestamp, Timestamp)> {
    let soon = now
        .saturating_add(SignedDuration::from_hours(SOON_HOURS))
        .unwrap_or(now);
    sessions
        .iter()
        .copied()
        .filter(|(start, end)| *end > now && *start < soon)
        .collect()
}

/// What stays of an erased person where others' records need a name and an address: nothing
/// that was theirs.
pub fn pseudonym(user_id: i64) -> (String, String) {
    (
        "Former member".to_string(),
        format!("erased-{user_id}@erased.invalid"),
    )
}

/// Names shorter than this are not scrubbed from others' text: "Al" is inside too many words.
const SCRUBBED_NAME_CHARS: usize = 4;

/// A person's name as it is looked for in others' text and mail after their erasure: `None`
/// when it is too short to tell apart from parts of other words.
pub fn scrubbable_name(name: &str) -> Option<&str> {
    let name = name.trim();
    (name.chars().count() >= SCRUBBED_NAME_CHARS).then_some(name)
}

/// Whether an address is an erased account's (no mail is ever sent to it).
pub fn is_erased_address(email: &str) -> bool {
    email.ends_with("@erased.invalid")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn sessions_under_way_or_within_a_day_are_too_soon_and_later_ones_are_not() {
        let now = at("2026-03-02T09:00:00Z");
        let running = (at("2026-03-02T08:30:00Z"), at("2026-03-02T09:15:00Z"));
        let tomorrow_early = (at("2026-03-03T08:59:00Z"), at("2026-03-03T09:29:00Z"));
        let tomorrow_late = (at("2026-03-03T09:00:00Z"), at("2026-03-03T09:30:00Z"));
        let over = (at("2026-03-02T07:00:00Z"), at("2026-03-02T09:00:00Z"));
        assert_eq!(
            too_soon(&[running, tomorrow_early, tomorrow_late, over], now),
            vec![running, tomorrow_early]
        );
    }

    #[test]
    fn grace_deadline_and_link_count_whole_days() {
        let now = at("2026-03-02T09:00:00Z");
        assert_eq!(erasure_due(now), at("2026-03-16T09:00:00Z"));
        assert_eq!(deadline(now), at("2026-04-01T09:00:00Z"));
        assert_eq!(export_expires(now), at("2026-03-09T09:00:00Z"));
        assert!(erasure_due(now) < deadline(now));
    }

    #[test]
    fn names_round_trip_and_pseudonyms_hold_nothing_of_the_person() {
        for s in RequestState::ALL {
            assert_eq!(RequestState::parse(s.as_str()), Some(s));
        }
        assert_eq!(RequestKind::parse("erasure"), Some(RequestKind::Erasure));
        let (name, email) = pseudonym(42);
        assert_eq!(name, "Former member");
        assert!(is_erased_address(&email));
        assert!(!is_erased_address("sam@example.com"));
        assert_eq!(scrubbable_name(" Sam Lee "), Some("Sam Lee"));
        assert_eq!(scrubbable_name("Al"), None);
    }
}
