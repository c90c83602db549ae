//! The slot search a page at a time: bookable times of a session type across its mentors,
//! in the order of [`scheduling::offers`], found a few days at a time so a page costs about
//! the same however wide the window and however many mentors.

use crate::App;
use crate::error::AppError;
use crate::paging;
use crate::scheduling::{self, Offer};
use jiff::{SignedDuration, Timestamp};
use stint_domain::catalog::SkuVersion;
use stint_domain::ids::UserId;
use stint_domain::mentor::BookableMentor;

/// Times on a page when the caller does not say.
pub const SLOTS_PAGE: u32 = 500;
/// The most a caller may ask for on one page.
pub const SLOTS_PAGE_MAX: u32 = 2_000;
/// About how many mentor-days are searched at once: a day of 1,000 mentors, a month of one.
const MENTOR_DAYS_AT_ONCE: usize = 512;

/// One page of times, and the cursor of the next (`<start seconds>.<mentor id>`) when there
/// are more.
#[derive(Debug)]
pub struct OfferPage {
    pub offers: Vec<Offer>,
    pub next_after: Option<String>,
}

/// Bookable times of `sku` in `[from, to)` across `mentors`, after the cursor `after` (as
/// [`OfferPage::next_after`] gave it), at most `limit` (`SLOTS_PAGE` when not given).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn offers_page(
    app: &App,
    sku: &SkuVersion,
    mentors: &[BookableMentor],
    (from, to): (Timestamp, Timestamp),
    after: Option<&str>,
    limit: Option<u32>,
) -> Result<OfferPage, AppError> {
    let limit = paging::limit(limit, SLOTS_PAGE, SLOTS_PAGE_MAX)?;
    let after = after
        .map(|raw| paging::parse_time_and_id(raw, "after"))
        .transpose()?;
    // The cursor's place in the order (start, mentor's name, mentor's id); a mentor who has
    // since left sorts first among that start's, so no later time is skipped.
    let after_key = after.map(|(start, id)| {
        let name = mentors
            .iter()
            .find(|m| m.user_id == UserId(id))
            .map_or(String::new(), |m| m.display_name.clone());
        (start, name, UserId(id))
    });
    let days = (MENTOR_DAYS_AT_ONCE / mentors.len().max(1)).clamp(1, 62);
    let step = SignedDuration::from_hours(24 * i64::try_from(days).unwrap_or(1));
    let wanted = usize::try_from(limit).unwrap_or(usize::MAX) + 1;
    let mut low = after_key
        .as_ref()
        .map_or(from, |(start, _, _)| (*start).max(from));
    let mut found = Vec::new();
    while low < to && found.len() < wanted {
        let high = low.checked_add(step).map_or(to, |t| t.min(to));
        let mut batch = scheduling::offers(app, sku, mentors, low, high).await?;
        if let Some((start, name, id)) = &after_key {
            batch.retain(|o| (o.slot.start, &o.mentor_name, o.mentor_id) > (*start, name, *id));
        }
        found.extend(batch);
        low = high;
    }
    let (offers, next_after) = paging::split(found, limit, |o| {
        paging::time_and_id(o.slot.start, o.mentor_id.0)
    });
    Ok(OfferPage { offers, next_after })
}
