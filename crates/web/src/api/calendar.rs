//! Calendar files over the API: a booking's invitation and the caller's private feed link.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::ics;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use stint_app::calendar_files;
use stint_domain::booking::BookingId;
use utoipa::ToSchema;

/// A booking's calendar invitation (METHOD:REQUEST; METHOD:CANCEL once cancelled).
#[utoipa::path(get, path = "/api/v1/bookings/{id}/invite.ics", tag = "calendar", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    responses((status = 200, description = "An iCalendar file", content_type = "text/calendar"), (status = 404, body = ErrorBody)))]
pub async fn booking_invite(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let base = ics::site_base(&state.config);
    let file = calendar_files::invite(&state, &me, BookingId(id), base.as_deref()).await?;
    Ok(ics::calendar_response(file))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedLink {
    /// The private subscription address. Shown once; anyone with it can read your schedule.
    pub url: String,
}

/// Makes a new private calendar-feed link; any earlier link stops working.
#[utoipa::path(post, path = "/api/v1/me/calendar-feed", tag = "calendar", security(("bearer" = [])),
    responses((status = 201, body = FeedLink), (status = 401, body = ErrorBody)))]
pub async fn create_feed(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<(StatusCode, Json<FeedLink>), ApiError> {
    let url = new_feed(&state, &me).await?;
    Ok((StatusCode::CREATED, Json(FeedLink { url })))
}

/// Turns the private calendar feed off.
#[utoipa::path(delete, path = "/api/v1/me/calendar-feed", tag = "calendar", security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), (status = 401, body = ErrorBody)))]
pub async fn revoke_feed(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<StatusCode, ApiError> {
    calendar_files::revoke_feed(&state, &me).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Creates (and so rotates) the feed secret of `me`, returning its address.
pub async fn new_feed(
    state: &AppState,
    me: &stint_domain::account::Account,
) -> Result<String, ApiError> {
    let token = calendar_files::new_feed(state, me).await?;
    let base = ics::site_base(&state.config).unwrap_or_default();
    Ok(format!("{base}/calendar/{token}.ics"))
}

/// The subscription feed behind a secret link: every session of its owner.
pub async fn feed(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<Response, ApiError> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let base = ics::site_base(&state.config);
    let file = calendar_files::feed(&state, token, base.as_deref()).await?;
    Ok(ics::calendar_response(file))
}
