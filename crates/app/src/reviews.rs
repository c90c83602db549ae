//! Reviews: a session's mentee rates it once it has taken place, its mentor answers once, and
//! anyone reads a mentor's reviews (never with the mentee's name).

use crate::App;
use crate::error::AppError;
use crate::outcomes::{PartyBooking, Side, party_to};
use crate::paging;
use stint_domain::account::Account;
use stint_domain::ids::UserId;
use stint_domain::review::{self, Review, ReviewInput, ReviewSummary};

/// Reviews on one page when none is asked for, and the most one page holds.
pub const REVIEWS_PAGE: u32 = 20;
pub const REVIEWS_PAGE_MAX: u32 = 100;

/// One page of a mentor's reviews, newest first, with what they add up to.
#[derive(Debug, Clone)]
pub struct ReviewPage {
    pub summary: ReviewSummary,
    pub reviews: Vec<Review>,
    /// The `before` of the next page, when there may be one.
    pub next_before: Option<i64>,
}

/// What the session page offers about reviews: the review when there is one, else whether
/// the viewer (its mentee) may write one now.
#[derive(Debug, Clone, Default)]
pub struct SessionReview {
    pub review: Option<Review>,
    pub may_review: bool,
    pub may_reply: bool,
}

/// The mentee's review of session `booking`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn leave_review(
    app: &App,
    viewer: &Account,
    booking: i64,
    input: ReviewInput,
) -> Result<Review, AppError> {
    let pb = party_to(app, viewer, booking).await?;
    if pb.side != Side::Mentee {
        return Err(AppError::field(
            crate::ErrorKind::Forbidden,
            "forbidden",
            "booking",
            "only the session's mentee may review it",
        ));
    }
    if let Some(why) = review::review_refusal(&pb.booking, app.now()) {
        return Err(AppError::conflict("review", why));
    }
    let input = input.validate()?;
    Ok(app.store.add_review(&pb.booking, &input, app.now()).await?)
}

/// The mentor's one answer to a review of their session; anyone else gets 404.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reply(app: &App, viewer: &Account, id: i64, text: &str) -> Result<Review, AppError> {
    let found = app
        .store
        .review(id)
        .await?
        .filter(|r| r.mentor_id == viewer.id.0)
        .ok_or_else(|| AppError::not_found("review"))?;
    let text = review::validate_reply(text)?;
    if found.reply.is_some() {
        return Err(AppError::conflict(
            "reply",
            "this review has already been answered",
        ));
    }
    Ok(app.store.reply_to_review(id, &text, app.now()).await?)
}

/// A mentor's reviews a page at a time (anyone may read them).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn of_mentor(
    app: &App,
    mentor: UserId,
    before: Option<i64>,
    limit: Option<u32>,
) -> Result<ReviewPage, AppError> {
    let limit = paging::limit(limit, REVIEWS_PAGE, REVIEWS_PAGE_MAX)?;
    let found = app
        .store
        .reviews_of_mentor(mentor, before, limit + 1)
        .await?;
    let (reviews, next_before) = paging::split(found, limit, |r| r.id);
    Ok(ReviewPage {
        summary: app.store.review_summary(mentor).await?,
        reviews,
        next_before,
    })
}

/// The review part of a session page.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn for_session(app: &App, pb: &PartyBooking) -> Result<SessionReview, AppError> {
    let review = app.store.review_of_booking(pb.booking.id.0).await?;
    let may_review = review.is_none()
        && pb.side == Side::Mentee
        && review::review_refusal(&pb.booking, app.now()).is_none();
    let may_reply = pb.side == Side::Mentor && review.as_ref().is_some_and(|r| r.reply.is_none());
    Ok(SessionReview {
        review,
        may_review,
        may_reply,
    })
}
