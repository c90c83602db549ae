//! Mentor circles: small groups of mentors (five to eight) formed by operators, with a thread
//! of posts and replies and a monthly call. A circle is where mentors compare practice, so
//! nothing in it may point at one mentee: a post that links to Stint's session, booking or
//! account pages, or carries an e-mail address, is refused with the reason, since every
//! member would see it and the mentee never agreed to be discussed.

use crate::ids::UserId;
use crate::validate::{self, FieldErrors};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The fewest mentors in a circle.
pub const MIN_MEMBERS: usize = 5;
/// The most mentors in a circle.
pub const MAX_MEMBERS: usize = 8;
/// The longest post, in characters.
pub const MAX_POST: usize = 5000;
/// The shortest and longest circle call, in minutes.
pub const CALL_MINUTES: (i64, i64) = (15, 120);

/// Why a post may not point at a mentee; shown under the post box and with a refusal.
pub const NO_MENTEE_REFERENCES: &str = "Circle posts are read by every mentor in the circle, \
     and your mentees did not agree to be discussed there: describe situations without names, \
     e-mail addresses or links to sessions, bookings or accounts.";

/// Paths of Stint pages and API resources that hold one person's data.
const PERSONAL_PATHS: [&str; 12] = [
    "/sessions/",
    "/bookings/",
    "/api/",
    "/operator/",
    "/account",
    "/wallet",
    "/progress",
    "/sponsor",
    "/mentees/",
    "/people/",
    "/export",
    "/inbox",
];

/// A circle and who is in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Circle {
    pub id: i64,
    pub name: String,
    pub members: Vec<Member>,
    pub created_at: Timestamp,
}

impl Circle {
    pub fn has_member(&self, user: UserId) -> bool {
        self.members.iter().any(|m| m.user == user)
    }
}

/// A mentor in a circle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user: UserId,
    pub name: String,
}

/// A post or a reply (`parent` is the post it answers) in a circle's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub id: i64,
    pub circle: i64,
    pub author: UserId,
    pub author_name: String,
    pub parent: Option<i64>,
    /// The Markdown as written.
    pub body: String,
    /// The Markdown rendered and sanitized when it was saved.
    pub html: String,
    pub created_at: Timestamp,
}

/// A circle's call: an event on each member's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub id: i64,
    pub circle: i64,
    pub circle_name: String,
    pub start: Timestamp,
    pub end: Timestamp,
    /// Where the call happens (a meeting link), may be empty.
    pub location: String,
}

/// A circle's name, checked.
pub fn name(raw: &str) -> Result<String, String> {
    validate::line(raw, 3, 80)
}

/// The members of a new circle: distinct, between [`MIN_MEMBERS`] and [`MAX_MEMBERS`].
pub fn members(ids: &[i64]) -> Result<Vec<UserId>, String> {
    let mut out: Vec<UserId> = Vec::new();
    for id in ids {
        if !out.contains(&UserId(*id)) {
            out.push(UserId(*id));
        }
    }
    if out.len() < MIN_MEMBERS || out.len() > MAX_MEMBERS {
        return Err(format!(
            "a circle has {MIN_MEMBERS} to {MAX_MEMBERS} mentors; {} chosen",
            out.len()
        ));
    }
    Ok(out)
}

/// A post's Markdown, trimmed and checked: 1 to [`MAX_POST`] characters and no reference to
/// an individual mentee (see [`NO_MENTEE_REFERENCES`]).
pub fn post(raw: &str) -> Result<String, String> {
    let body = validate::text(raw, 1, MAX_POST)?;
    if let Some(what) = mentee_reference(&body) {
        return Err(format!("{what}. {NO_MENTEE_REFERENCES}"));
    }
    Ok(body)
}

/// What in `body` points at one person, if anything.
fn mentee_reference(body: &str) -> Option<String> {
    let lower = body.to_lowercase();
    for word in lower.split(|c: char| c.is_whitespace() || "()<>[]\"'".contains(c)) {
        let word = word.trim_matches(|c: char| ",.;:!?".contains(c));
        if word.len() > 2 && is_address(word) {
            return Some(format!("“{word}” is an e-mail address"));
        }
        if let Some(path) = PERSONAL_PATHS
            .iter()
            .find(|p| linked_path(word).is_some_and(|w| w.starts_with(*p)))
        {
            return Some(format!(
                "“{word}” links to a page with one person’s data ({})",
                path.trim_matches('/')
            ));
        }
    }
    None
}

/// `local@domain.tld`, roughly: enough to refuse an address someone pasted.
fn is_address(word: &str) -> bool {
    let word = word.trim_start_matches("mailto:");
    match word.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.ends_with('.')
        }
        None => false,
    }
}

/// The path of a link or of a bare path: `https://host/sessions/4` and `/sessions/4` give
/// `/sessions/4`.
fn linked_path(word: &str) -> Option<&str> {
    if let Some(rest) = word
        .strip_prefix("https://")
        .or_else(|| word.strip_prefix("http://"))
    {
        return rest.find('/').map(|i| &rest[i..]);
    }
    word.starts_with('/').then_some(word)
}

/// A call's start and length, checked against `now`: in the future, within a year, 15 to
/// 120 minutes.
pub fn call(start: Timestamp, minutes: i64, now: Timestamp) -> Result<Timestamp, FieldErrors> {
    let mut e = FieldErrors::new();
    if start <= now {
        e.add("start", "choose a time in the future");
    } else if start.as_second() - now.as_second() > 366 * 86_400 {
        e.add("start", "choose a time within a year");
    }
    if minutes < CALL_MINUTES.0 || minutes > CALL_MINUTES.1 {
        e.add(
            "minutes",
            format!(
                "a call lasts {} to {} minutes",
                CALL_MINUTES.0, CALL_MINUTES.1
            ),
        );
    }
    e.finish(|| ())?;
    Ok(start
        .checked_add(jiff::SignedDuration::from_mins(minutes))
        .unwrap_or(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_must_number_five_to_eight() {
        assert!(members(&[1, 2, 3, 4]).is_err());
        assert!(
            members(&[1, 2, 3, 4, 4, 4]).is_err(),
            "duplicates count once"
        );
        assert_eq!(members(&[1, 2, 3, 4, 5]).map(|m| m.len()), Ok(5));
        assert!(members(&[1, 2, 3, 4, 5, 6, 7, 8]).is_ok());
        assert!(members(&[1, 2, 3, 4, 5, 6, 7, 8, 9]).is_err());
    }

    #[test]
    fn posts_may_not_point_at_a_mentee() {
        for hostile in [
            "See https://stint.example/sessions/42 for the notes",
            "her booking: [here](/bookings/7)",
            "write to sam@stint.example about it",
            "<mailto:lena@stint.example>",
            "the export at http://localhost:8080/account/data shows it",
            "GET /api/v1/bookings/3",
        ] {
            let refused = post(hostile).expect_err(hostile);
            assert!(refused.contains("did not agree"), "{refused}");
        }
        for fine in [
            "A mentee froze at the anchor; how do you coach the first number?",
            "Useful read: https://example.com/negotiation/anchoring",
            "Ratio 3/4 of my sessions closed on time @ 15-minute buffers.",
        ] {
            assert!(post(fine).is_ok(), "{fine}");
        }
        assert!(post("   ").is_err());
        assert!(post(&"x".repeat(MAX_POST + 1)).is_err());
    }

    #[test]
    fn calls_are_future_and_bounded() {
        let now: Timestamp = "2026-06-01T08:00:00Z".parse().unwrap();
        let soon: Timestamp = "2026-06-03T17:00:00Z".parse().unwrap();
        assert_eq!(
            call(soon, 45, now).map(|e| e.to_string()),
            Ok("2026-06-03T17:45:00Z".to_string())
        );
        assert!(call(now, 45, now).is_err());
        let errors = call(soon, 5, now).unwrap_err();
        assert!(errors.get("minutes").is_some());
        assert!(call("2027-07-01T08:00:00Z".parse().unwrap(), 30, now).is_err());
    }
}
