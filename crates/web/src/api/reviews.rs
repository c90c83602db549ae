//! `/api/v1/…/reviews`: a mentee reviews a session that took place, its mentor answers once,
//! and anyone reads a mentor's reviews.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use stint_app::reviews;
use stint_domain::ids::UserId;
use stint_domain::review::{Review, ReviewInput};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDto {
    pub id: i64,
    pub mentor_id: i64,
    /// The session type reviewed; reviews never name the mentee.
    pub sku_title: String,
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i64,
    pub text: String,
    pub created_at: String,
    /// The mentor's answer, once given.
    pub reply: Option<String>,
    pub replied_at: Option<String>,
}

impl From<&Review> for ReviewDto {
    fn from(r: &Review) -> Self {
        ReviewDto {
            id: r.id,
            mentor_id: r.mentor_id,
            sku_title: r.sku_title.clone(),
            rating: r.rating,
            text: r.text.clone(),
            created_at: r.created_at.to_string(),
            reply: r.reply.clone(),
            replied_at: r.replied_at.map(|t| t.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewPageDto {
    /// How many reviews the mentor has in all.
    pub count: u64,
    /// Their mean rating, to one decimal (absent with no reviews).
    pub average: Option<f64>,
    /// Newest first.
    pub reviews: Vec<ReviewDto>,
    /// Ask again with `before` set to this for older reviews; absent on the last page.
    pub next_before: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// 1 (poor) to 5 (excellent).
    #[schema(minimum = 1, maximum = 5)]
    #[serde(deserialize_with = "super::integral::i64")]
    pub rating: i64,
    /// One line about the session.
    #[serde(default)]
    #[schema(format = "line", max_length = 280)]
    pub text: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    #[schema(format = "line", min_length = 2, max_length = 280)]
    pub text: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReviewPaging {
    /// Only reviews older than this one: the `next_before` of the page before.
    pub before: Option<i64>,
    /// At most this many (1 to 100; 20 when not given).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// Reviews the session (its mentee, once it has taken place; once).
#[utoipa::path(post, path = "/api/v1/bookings/{id}/review", tag = "mentors", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")), request_body = ReviewRequest,
    responses((status = 201, body = ReviewDto), (status = 401, body = ErrorBody),
        (status = 403, description = "Not the session's mentee", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Already reviewed, not over yet, cancelled or missed", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn review_session(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ReviewRequest>,
) -> Result<(StatusCode, Json<ReviewDto>), ApiError> {
    let input = ReviewInput {
        rating: req.rating,
        text: req.text,
    };
    let review = reviews::leave_review(&state, &me, id, input).await?;
    Ok((StatusCode::CREATED, Json(ReviewDto::from(&review))))
}

/// The session's review, for its two parties.
#[utoipa::path(get, path = "/api/v1/bookings/{id}/review", tag = "mentors", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    responses((status = 200, body = ReviewDto), (status = 401, body = ErrorBody),
        (status = 404, description = "No such session of yours, or not reviewed", body = ErrorBody)))]
pub async fn get_session_review(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReviewDto>, ApiError> {
    let pb = stint_app::outcomes::party_to(&state, &me, id).await?;
    let found = reviews::for_session(&state, &pb).await?;
    let review = found
        .review
        .ok_or_else(|| stint_app::AppError::not_found("review"))?;
    Ok(Json(ReviewDto::from(&review)))
}

/// Answers a review of one of your sessions (mentors, once).
#[utoipa::path(post, path = "/api/v1/reviews/{id}/reply", tag = "mentors", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Review id")), request_body = ReplyRequest,
    responses((status = 200, body = ReviewDto), (status = 401, body = ErrorBody),
        (status = 404, description = "No such review of your sessions", body = ErrorBody),
        (status = 409, description = "Already answered", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn reply_to_review(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ReplyRequest>,
) -> Result<Json<ReviewDto>, ApiError> {
    let review = reviews::reply(&state, &me, id, &req.text).await?;
    Ok(Json(ReviewDto::from(&review)))
}

/// A mentor's reviews, newest first, with their count and mean rating.
#[utoipa::path(get, path = "/api/v1/mentors/{id}/reviews", tag = "mentors",
    params(("id" = i64, Path, description = "The mentor's account id"), ReviewPaging),
    responses((status = 200, body = ReviewPageDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn mentor_reviews(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(paging): ApiQuery<ReviewPaging>,
) -> Result<Json<ReviewPageDto>, ApiError> {
    stint_app::mentors::profile(&state, UserId(id)).await?;
    let page = reviews::of_mentor(&state, UserId(id), paging.before, paging.limit).await?;
    Ok(Json(ReviewPageDto {
        count: page.summary.count,
        average: page.summary.average,
        reviews: page.reviews.iter().map(ReviewDto::from).collect(),
        next_before: page.next_before,
    }))
}
