//! `/api/v1/circles`: mentor circles, their threads and calls, thin edges over
//! `stint_app::circles`.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use stint_app::circles::{self, CircleView};
use stint_domain::circle::{Call, Circle, Post};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct CircleMemberDto {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CircleDto {
    pub id: i64,
    pub name: String,
    pub members: Vec<CircleMemberDto>,
    pub created_at: String,
}

impl From<Circle> for CircleDto {
    fn from(c: Circle) -> Self {
        CircleDto {
            id: c.id,
            name: c.name,
            members: c
                .members
                .into_iter()
                .map(|m| CircleMemberDto {
                    id: m.user.0,
                    name: m.name,
                })
                .collect(),
            created_at: c.created_at.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CirclePostDto {
    pub id: i64,
    pub author_id: i64,
    pub author_name: String,
    /// The post this one replies to.
    pub parent_id: Option<i64>,
    /// The Markdown as written.
    pub body: String,
    /// The Markdown rendered and sanitized.
    pub html: String,
    pub created_at: String,
}

impl From<Post> for CirclePostDto {
    fn from(p: Post) -> Self {
        CirclePostDto {
            id: p.id,
            author_id: p.author.0,
            author_name: p.author_name,
            parent_id: p.parent,
            body: p.body,
            html: p.html,
            created_at: p.created_at.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CircleCallDto {
    pub id: i64,
    pub start: String,
    pub end: String,
    pub location: String,
}

impl From<Call> for CircleCallDto {
    fn from(c: Call) -> Self {
        CircleCallDto {
            id: c.id,
            start: c.start.to_string(),
            end: c.end.to_string(),
            location: c.location,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CircleThreadDto {
    pub circle: CircleDto,
    /// Oldest first; replies name their post in `parent_id`.
    pub posts: Vec<CirclePostDto>,
    /// Calls to come, soonest first.
    pub calls: Vec<CircleCallDto>,
}

impl From<CircleView> for CircleThreadDto {
    fn from(v: CircleView) -> Self {
        CircleThreadDto {
            circle: v.circle.into(),
            posts: v.posts.into_iter().map(Into::into).collect(),
            calls: v.calls.into_iter().map(Into::into).collect(),
        }
    }
}

/// Your circles (mentors), or every circle (operators, without their threads).
#[utoipa::path(get, operation_id = "list_circles", path = "/api/v1/circles", tag = "mentors", security(("bearer" = [])),
    responses((status = 200, body = [CircleDto]), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<CircleDto>>, ApiError> {
    let list = circles::list(&state, &me).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CircleRequest {
    #[schema(format = "line", min_length = 3, max_length = 80)]
    pub name: String,
    /// Five to eight mentors' ids.
    #[schema(min_items = 5, max_items = 8)]
    pub members: Vec<i64>,
}

/// Forms a circle of five to eight mentors (operators).
#[utoipa::path(post, operation_id = "form_circle", path = "/api/v1/circles", tag = "mentors", security(("bearer" = [])),
    request_body = CircleRequest,
    responses((status = 201, body = CircleDto), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn form(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<CircleRequest>,
) -> Result<(StatusCode, Json<CircleDto>), ApiError> {
    let c = circles::form(&state, &me, &req.name, &req.members).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// A circle's members, thread and calls to come (its members only; 404 for anyone else).
#[utoipa::path(get, operation_id = "open_circle", path = "/api/v1/circles/{id}", tag = "mentors", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The circle's id")),
    responses((status = 200, body = CircleThreadDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CircleThreadDto>, ApiError> {
    Ok(Json(circles::open(&state, &me, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CirclePostRequest {
    /// Markdown. No names, e-mail addresses or links to a mentee's sessions, bookings or
    /// account: every member reads it.
    #[schema(format = "text", min_length = 1, max_length = 5000)]
    pub body: String,
    /// The post this replies to (a post, not a reply, in the same circle).
    #[serde(default, deserialize_with = "crate::api::integral::opt_i64")]
    pub parent_id: Option<i64>,
}

/// Posts in a circle's thread, or replies to a post (members).
#[utoipa::path(post, operation_id = "post_in_circle", path = "/api/v1/circles/{id}/posts", tag = "mentors", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The circle's id")),
    request_body = CirclePostRequest,
    responses((status = 201, body = CirclePostDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn post(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CirclePostRequest>,
) -> Result<(StatusCode, Json<CirclePostDto>), ApiError> {
    let p = circles::post(&state, &me, id, req.parent_id, &req.body).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CircleCallRequest {
    /// RFC 3339, or a wall time like `2026-12-01T17:00` in your zone.
    #[schema(format = "text", max_length = 40)]
    pub start: String,
    /// 15 to 120.
    #[serde(deserialize_with = "crate::api::integral::i64")]
    #[schema(minimum = 15, maximum = 120)]
    pub minutes: i64,
    /// A meeting link (https), or empty.
    #[serde(default)]
    #[schema(format = "text", max_length = 500)]
    pub location: String,
}

/// Schedules a circle's call at a time every member is free (members and operators); it
/// appears on each member's calendar feed.
#[utoipa::path(post, operation_id = "plan_circle_call", path = "/api/v1/circles/{id}/calls", tag = "mentors", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The circle's id")),
    request_body = CircleCallRequest,
    responses((status = 201, body = CircleCallDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "A member is busy then", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn call(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CircleCallRequest>,
) -> Result<(StatusCode, Json<CircleCallDto>), ApiError> {
    let c = circles::schedule_call(&state, &me, id, &req.start, req.minutes, &req.location).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}
