//! `/api/v1/me/inbox`: the caller's in-app nudges, newest first, with the unread count,
//! and marking one item or all of them read. Another person's item is a 404.

use super::availability::rfc3339_in;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use stint_app::nudges as nudge_ops;
use stint_store::InboxItem;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxParams {
    /// At most this many items, newest first (default 50).
    // Read as text and parsed by hand, so a bad value is a 422 naming `limit`.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// Only items older than this one: the `older_before` of the page before.
    pub before: Option<i64>,
}

/// One message in the inbox. Times are RFC 3339 with the caller's offset.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxItemDto {
    pub id: i64,
    /// The session it is about, if any.
    pub booking_id: Option<i64>,
    /// The nudge kind: `booked`, `rescheduled`, `cancelled`, `reminder`, `prep_due`,
    /// `close_prompt`, `followup_open`, `task_due`, `shortfall` or `more_hours`.
    pub kind: String,
    /// Plain text.
    pub title: String,
    /// Plain text.
    pub body: String,
    /// Where the message leads: a path inside Stint.
    pub link: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub read: bool,
    #[schema(format = DateTime)]
    pub read_at: Option<String>,
}

impl InboxItemDto {
    pub fn new(item: &InboxItem, tz: &TimeZone) -> Self {
        InboxItemDto {
            id: item.id,
            booking_id: item.booking.map(|b| b.0),
            kind: item.kind.as_str().to_string(),
            title: item.title.clone(),
            body: item.body.clone(),
            link: item.link.clone(),
            created_at: rfc3339_in(item.created_at, tz),
            read: item.read_at.is_some(),
            read_at: item.read_at.map(|t| rfc3339_in(t, tz)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxDto {
    /// Unread items in the whole inbox, whatever the limit.
    pub unread: u64,
    /// Newest first.
    pub items: Vec<InboxItemDto>,
    /// Ask again with `before` set to this for the older items; null on the last page.
    pub older_before: Option<i64>,
}

/// Which items to mark read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkReadRequest {
    /// One item of the caller's inbox; leave out to mark every item read.
    #[serde(default, deserialize_with = "crate::api::integral::opt_i64")]
    pub id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedDto {
    /// How many items were unread and are now read.
    pub marked: u64,
}

/// The caller's inbox a page at a time, newest first: the unread count and the items.
#[utoipa::path(get, path = "/api/v1/me/inbox", tag = "nudges", security(("bearer" = [])),
    params(InboxParams),
    responses((status = 200, body = InboxDto), (status = 401, body = ErrorBody),
        (status = 422, description = "`limit` is not valid", body = ErrorBody)))]
pub async fn get_inbox(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(params): ApiQuery<InboxParams>,
) -> Result<Json<InboxDto>, ApiError> {
    let limit = nudge_ops::parse_limit(params.limit.as_deref())?;
    let inbox = nudge_ops::inbox(&state, &me, params.before, limit).await?;
    let tz = me.zone();
    Ok(Json(InboxDto {
        unread: inbox.unread,
        items: inbox
            .items
            .iter()
            .map(|i| InboxItemDto::new(i, &tz))
            .collect(),
        older_before: inbox.older_before,
    }))
}

/// Marks one item of the caller's inbox read (`{"id": n}`), or all of them (`{}`).
#[utoipa::path(post, path = "/api/v1/me/inbox/read", tag = "nudges", security(("bearer" = [])),
    request_body = MarkReadRequest,
    responses((status = 200, body = MarkedDto), (status = 401, body = ErrorBody),
        (status = 404, description = "No item of the caller's inbox has this id", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<MarkReadRequest>,
) -> Result<Json<MarkedDto>, ApiError> {
    let marked = nudge_ops::mark_read(&state, &me, req.id).await?;
    Ok(Json(MarkedDto { marked }))
}
