//! Reviews: after a session that took place, its mentee may rate it once (1–5 and a line);
//! the mentor may answer once. Reviews show on the mentor's profile without the mentee's name.

use crate::booking::{Booking, BookingStatus};
use crate::validate::{self, FieldErrors};
use jiff::Timestamp;
use serde::Serialize;

/// The longest review line and answer, in characters: a line, not an essay.
pub const REVIEW_MAX_CHARS: usize = 280;

/// A mentee's review as they wrote it, checked by [`ReviewInput::validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewInput {
    pub rating: i64,
    pub text: String,
}

impl ReviewInput {
    pub fn validate(&self) -> Result<ReviewInput, FieldErrors> {
        let mut e = FieldErrors::new();
        if !(1..=5).contains(&self.rating) {
            e.add("rating", "choose 1 to 5 stars");
        }
        let text = e.check("text", validate::line(&self.text, 0, REVIEW_MAX_CHARS));
        e.finish(|| ReviewInput {
            rating: self.rating,
            text: text.unwrap_or_default(),
        })
    }
}

/// A mentor's answer to a review, checked.
pub fn validate_reply(text: &str) -> Result<String, FieldErrors> {
    validate::line(text, 2, REVIEW_MAX_CHARS).map_err(|m| FieldErrors::single("reply", m))
}

/// Why a session cannot be reviewed (yet), in words for its mentee; `None`: it can be.
pub fn review_refusal(booking: &Booking, now: Timestamp) -> Option<&'static str> {
    match booking.status {
        BookingStatus::Cancelled => Some("a cancelled session cannot be reviewed"),
        BookingStatus::NoShow => Some("a session that did not take place cannot be reviewed"),
        BookingStatus::Confirmed if booking.end > now => {
            Some("a session can be reviewed once it has ended")
        }
        BookingStatus::Confirmed | BookingStatus::Completed => None,
    }
}

/// One review as it is kept and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub id: i64,
    pub booking_id: i64,
    pub mentor_id: i64,
    /// The session type reviewed, by title (the mentee is never named).
    pub sku_title: String,
    pub rating: i64,
    pub text: String,
    pub created_at: Timestamp,
    pub reply: Option<String>,
    pub replied_at: Option<Timestamp>,
}

/// How many reviews a mentor has and their mean rating (to one decimal).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ReviewSummary {
    pub count: u64,
    pub average: Option<f64>,
}

impl ReviewSummary {
    /// From the count and the sum of ratings.
    pub fn of(count: u64, sum: u64) -> ReviewSummary {
        let average = (count > 0).then(|| {
            #[allow(clippy::cast_precision_loss)] // counts far below 2^52
            let mean = sum as f64 / count as f64;
            (mean * 10.0).round() / 10.0
        });
        ReviewSummary { count, average }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::BookingId;
    use crate::ids::{SkuId, UserId};

    fn booking(status: BookingStatus, end: i64) -> Booking {
        Booking {
            id: BookingId(1),
            mentor_id: UserId(2),
            mentee_id: UserId(3),
            sku_id: SkuId(4),
            sku_version: 1,
            start: Timestamp::from_second(end - 1800).unwrap_or_default(),
            end: Timestamp::from_second(end).unwrap_or_default(),
            status,
            sequence: 0,
            meeting_url: String::new(),
            cancelled_by: None,
            cancel_reason: None,
            late_cancel: false,
            no_show_side: None,
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn only_a_session_that_took_place_is_reviewed() {
        let now = Timestamp::from_second(1_000_000).unwrap_or_default();
        assert!(review_refusal(&booking(BookingStatus::Confirmed, 999_000), now).is_none());
        assert!(review_refusal(&booking(BookingStatus::Completed, 999_000), now).is_none());
        assert!(review_refusal(&booking(BookingStatus::Confirmed, 1_000_100), now).is_some());
        assert!(review_refusal(&booking(BookingStatus::Cancelled, 999_000), now).is_some());
        assert!(review_refusal(&booking(BookingStatus::NoShow, 999_000), now).is_some());
    }

    #[test]
    fn ratings_are_one_to_five_and_a_line() {
        for (rating, ok) in [(0, false), (1, true), (5, true), (6, false)] {
            let r = ReviewInput {
                rating,
                text: "Clear and useful".into(),
            };
            assert_eq!(r.validate().is_ok(), ok, "{rating}");
        }
        let long = ReviewInput {
            rating: 4,
            text: "x".repeat(REVIEW_MAX_CHARS + 1),
        };
        assert!(long.validate().is_err_and(|e| e.get("text").is_some()));
        assert!(validate_reply("").is_err());
        assert!(validate_reply("Thank you!").is_ok());
    }

    #[test]
    fn the_summary_rounds_to_one_decimal() {
        assert_eq!(ReviewSummary::of(0, 0).average, None);
        assert_eq!(ReviewSummary::of(3, 14).average, Some(4.7));
    }
}
