//! `/api/v1/bookings`: book, list, read, reschedule, cancel, report a no-show. Only the two
//! parties (and operators) can see or change a booking; anyone else gets 404.

use super::availability::rfc3339_in;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use stint_app::bookings::{self, BookingDetail};
use stint_app::scheduling::{self, BookRequest};
use stint_domain::FieldErrors;
use stint_domain::account::{Account, zone_or_utc};
use stint_domain::booking::{self, Booking, BookingEvent, BookingId, BookingStatus};
use stint_domain::catalog::SkuVersion;
use stint_domain::ledger::bonus::BonusState;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingRequest {
    /// SKU slug.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 80)]
    pub sku: String,
    /// The mentor; without it, any mentor free at `start` (see `/api/v1/skus/{slug}/times`),
    /// chosen by the fair rule: the one with the least load in the seven days around the
    /// time relative to their weekly cap (as far as `allocation_cap_weight` says), ties
    /// taken in turn.
    #[serde(default, deserialize_with = "crate::api::integral::opt_i64")]
    pub mentor_id: Option<i64>,
    /// RFC 3339, one of the starts from the slots endpoint.
    #[schema(format = DateTime)]
    pub start: String,
    /// An organisation whose budget pays (see `/api/v1/me/orgs`); without it, your credits.
    /// A budget that may not pay is 409 with the reason under `paid_by`.
    #[serde(default, deserialize_with = "crate::api::integral::opt_i64")]
    pub paid_by: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartyDto {
    pub id: i64,
    pub display_name: String,
    pub timezone: String,
    /// The session's start in this party's zone, for showing "their time".
    pub local_start: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BookedSkuDto {
    pub slug: String,
    pub title: String,
    /// The version bought; its policies apply to this booking.
    pub version: i64,
    pub duration_minutes: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyDto {
    /// RFC 3339 in the viewer's zone.
    pub free_cancellation_until: String,
    pub reschedule_until: String,
    /// E.g. "Free cancellation until Tue 1 Dec 14:00 your time".
    pub cancellation: String,
    pub rescheduling: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    pub at: String,
    pub status: String,
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BookingDto {
    pub id: i64,
    /// `confirmed`, `completed`, `cancelled` or `no_show`.
    pub status: String,
    pub sku: BookedSkuDto,
    pub mentor: PartyDto,
    pub mentee: PartyDto,
    /// RFC 3339 in the viewer's zone.
    pub start: String,
    pub end: String,
    pub meeting_url: String,
    pub policy: PolicyDto,
    pub late_cancellation: bool,
    pub cancel_reason: Option<String>,
    pub no_show_side: Option<String>,
    /// Bumped on each reschedule (the calendar invite's SEQUENCE).
    pub sequence: i64,
    pub history: Vec<EventDto>,
    /// The credits held for the session and where they stand; absent for a free session.
    pub hold: Option<HoldDto>,
}

/// A booking's hold of credits.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HoldDto {
    pub price_credits: i64,
    /// `held` until the session ends; then `settled` (paid to the mentor, less the platform's
    /// fee), `released` (back to the wallet) or `forfeited` (a late cancel's or a missed
    /// session's share to the mentor, the rest back).
    pub state: String,
    /// The outcome bonus escrowed beside the price (0 for none).
    pub bonus_credits: i64,
    /// `escrowed` (waiting for the session, then for the mentee to confirm the milestone),
    /// `paid` (to the mentor) or `returned` (to the wallet); absent without a bonus.
    pub bonus_state: Option<String>,
    /// Until when the mentee may confirm the milestone (RFC 3339), once the session is closed.
    pub bonus_confirm_by: Option<String>,
}

impl From<&stint_store::ledger::HoldRecord> for HoldDto {
    fn from(h: &stint_store::ledger::HoldRecord) -> Self {
        HoldDto {
            price_credits: h.price,
            state: h.state.as_str().to_string(),
            bonus_credits: h.bonus,
            bonus_state: h.bonus_state.map(|b| b.as_str().to_string()),
            bonus_confirm_by: h.bonus_until.map(|t| t.to_string()),
        }
    }
}

/// A party of a booking as the view needs it.
pub struct Party<'a> {
    pub id: i64,
    pub display_name: &'a str,
    pub timezone: &'a str,
}

impl<'a> From<&'a Account> for Party<'a> {
    fn from(a: &'a Account) -> Self {
        Party {
            id: a.id.0,
            display_name: &a.display_name,
            timezone: &a.timezone,
        }
    }
}

/// The view of a booking's detail for `viewer`.
pub fn view(viewer: &Account, d: &BookingDetail) -> BookingDto {
    let c = &d.context;
    render(
        viewer,
        &c.booking,
        &c.sku,
        [(&c.mentor).into(), (&c.mentee).into()],
        &d.history,
        d.hold.as_ref().map(HoldDto::from),
    )
}

/// The view of a booking for `viewer` from its parts: `[mentor, mentee]` and its history.
pub fn render(
    viewer: &Account,
    b: &Booking,
    version: &SkuVersion,
    [mentor, mentee]: [Party<'_>; 2],
    history: &[BookingEvent],
    hold: Option<HoldDto>,
) -> BookingDto {
    let tz = viewer.zone();
    let party = |p: Party<'_>| PartyDto {
        id: p.id,
        display_name: p.display_name.to_string(),
        timezone: p.timezone.to_string(),
        local_start: rfc3339_in(b.start, &zone_or_utc(p.timezone)),
    };
    let cancel_until = booking::cutoff(b.start, version.content.cancel_cutoff_hours);
    let move_until = booking::cutoff(b.start, version.content.reschedule_cutoff_hours);
    let words = |t: jiff::Timestamp| {
        t.to_zoned_datetime(tz.clone())
            .strftime("%a %-d %b %H:%M")
            .to_string()
    };
    BookingDto {
        id: b.id.0,
        status: b.status.as_str().to_string(),
        sku: BookedSkuDto {
            slug: version.slug.clone(),
            title: version.content.title.clone(),
            version: b.sku_version,
            duration_minutes: version.content.duration_minutes,
        },
        mentor: party(mentor),
        mentee: party(mentee),
        start: rfc3339_in(b.start, &tz),
        end: rfc3339_in(b.end, &tz),
        meeting_url: b.meeting_url.clone(),
        policy: PolicyDto {
            free_cancellation_until: rfc3339_in(cancel_until, &tz),
            reschedule_until: rfc3339_in(move_until, &tz),
            cancellation: format!("Free cancellation until {} your time", words(cancel_until)),
            rescheduling: format!(
                "Rescheduling possible until {} your time",
                words(move_until)
            ),
        },
        late_cancellation: b.late_cancel,
        cancel_reason: b.cancel_reason.clone(),
        no_show_side: b.no_show_side.map(|s| s.as_str().to_string()),
        sequence: b.sequence,
        history: history
            .iter()
            .map(|e| EventDto {
                at: rfc3339_in(e.at, &tz),
                status: e.status.as_str().to_string(),
                note: e.note.clone(),
            })
            .collect(),
        hold,
    }
}

/// Books a session, holding its price in credits from the mentee's wallet in the same write
/// (released, forfeited or paid to the mentor as the session's policy says). Send an
/// `Idempotency-Key` header to make retries safe.
#[utoipa::path(post, path = "/api/v1/bookings", tag = "scheduling", security(("bearer" = [])),
    request_body = BookingRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Same key and body replay the first answer")),
    responses(
        (status = 201, body = BookingDto),
        (status = 200, description = "A replay of an earlier request with the same key", body = BookingDto),
        (status = 402, description = "`insufficient_credits`: the wallet holds fewer credits than the price; the body gives `balance`, `price` and `buy_url`. Nothing is booked.", body = ErrorBody),
        (status = 409, description = "`slot_taken`: the time is no longer free", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create_booking(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    headers: HeaderMap,
    ApiJson(req): ApiJson<BookingRequest>,
) -> Result<(StatusCode, Json<BookingDto>), ApiError> {
    let key = match headers.get("idempotency-key") {
        Some(v) => Some(v.to_str().map_err(|_| {
            ApiError::validation(FieldErrors::single(
                "Idempotency-Key",
                "must be printable ASCII",
            ))
        })?),
        None => None,
    };
    let done = scheduling::book(
        &state,
        &me,
        BookRequest {
            sku_slug: &req.sku,
            mentor_id: req.mentor_id,
            start: &req.start,
            idempotency_key: key,
            paid_by: req.paid_by.map(stint_domain::ids::OrgId),
        },
    )
    .await?;
    if done.replayed {
        // A replay may be of a booking that has moved on since: show it as it is now.
        return Ok((
            StatusCode::OK,
            Json(view(&me, &bookings::detail_of(&state, done.booking).await?)),
        ));
    }
    // A new booking: everything the view shows is at hand, so nothing is read again.
    let o = &done.offering;
    let mentor = Party {
        id: done.booking.mentor_id.0,
        display_name: &o.mentor_name,
        timezone: &o.mentor_timezone,
    };
    let booked = BookingEvent {
        at: done.booking.created_at,
        actor: Some(me.id),
        status: BookingStatus::Confirmed,
        note: "booked".into(),
    };
    let price = o.sku.content.price_credits;
    let bonus = o.sku.content.bonus_credits;
    let hold = (price > 0).then(|| HoldDto {
        price_credits: price,
        state: stint_domain::ledger::HoldState::Held.as_str().to_string(),
        bonus_credits: bonus,
        bonus_state: (bonus > 0).then(|| BonusState::Escrowed.as_str().to_string()),
        bonus_confirm_by: None,
    });
    let dto = render(
        &me,
        &done.booking,
        &o.sku,
        [mentor, (&me).into()],
        &[booked],
        hold,
    );
    Ok((StatusCode::CREATED, Json(dto)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BookingsParams {
    /// Only bookings after this cursor: the one the page before named in its `Link` header.
    #[param(pattern = r"^-?[0-9]{1,11}\.[0-9]{1,18}$")]
    pub after: Option<String>,
    /// At most this many (1 to 500; 100 when not given).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// The caller's bookings, as mentee or mentor, by start time, a page at a time: while there
/// are more, the answer has a `Link` header with the next page (`rel="next"`).
#[utoipa::path(get, path = "/api/v1/bookings", tag = "scheduling", security(("bearer" = [])),
    params(BookingsParams),
    responses((status = 200, body = [BookingDto],
        headers(("Link" = String, description = "`</api/v1/bookings?after=…&limit=…>; rel=\"next\"` while there are more"))),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_bookings(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(p): ApiQuery<BookingsParams>,
) -> Result<Response, ApiError> {
    let page = bookings::mine_in_detail(&state, &me, p.after.as_deref(), p.limit).await?;
    let body: Vec<BookingDto> = page.bookings.iter().map(|d| view(&me, d)).collect();
    let mut response = Json(body).into_response();
    if let Some(next) = page.next_after {
        let limit = p.limit.unwrap_or(bookings::BOOKINGS_PAGE);
        let link = format!("</api/v1/bookings?after={next}&limit={limit}>; rel=\"next\"");
        if let Ok(value) = axum::http::HeaderValue::from_str(&link) {
            response
                .headers_mut()
                .insert(axum::http::header::LINK, value);
        }
    }
    Ok(response)
}

/// One booking.
#[utoipa::path(get, path = "/api/v1/bookings/{id}", tag = "scheduling", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    responses((status = 200, body = BookingDto), (status = 404, body = ErrorBody)))]
pub async fn get_booking(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<BookingDto>, ApiError> {
    let d = bookings::detail(&state, &me, BookingId(id)).await?;
    Ok(Json(view(&me, &d)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleRequest {
    /// RFC 3339, a free slot of the same mentor.
    #[schema(format = DateTime)]
    pub start: String,
}

/// Moves a booking, until the reschedule cut-off of the version bought.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/reschedule", tag = "scheduling", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")), request_body = RescheduleRequest,
    responses((status = 200, body = BookingDto), (status = 404, body = ErrorBody),
        (status = 409, description = "`slot_taken`, `too_late`, or not confirmed", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reschedule_booking(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RescheduleRequest>,
) -> Result<Json<BookingDto>, ApiError> {
    let moved = scheduling::reschedule(&state, &me, BookingId(id), &req.start).await?;
    Ok(Json(view(&me, &bookings::detail_of(&state, moved).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// Why; shown to the other party.
    #[serde(default)]
    #[schema(format = "text", max_length = 500)]
    pub reason: String,
}

/// Cancels a booking. After the free-cancellation cut-off it is recorded as late.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/cancel", tag = "scheduling", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")), request_body = CancelRequest,
    responses((status = 200, body = BookingDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn cancel_booking(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CancelRequest>,
) -> Result<Json<BookingDto>, ApiError> {
    let cancelled = bookings::cancel(&state, &me, BookingId(id), &req.reason).await?;
    Ok(Json(view(
        &me,
        &bookings::detail_of(&state, cancelled).await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoShowRequest {
    /// `mentee` or `mentor`: who did not come.
    #[schema(value_type = crate::api::dto::SideName)]
    pub side: String,
}

/// Reports that one side did not come. The mentor reports the mentee and vice versa.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/no-show", tag = "scheduling", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")), request_body = NoShowRequest,
    responses((status = 200, body = BookingDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report_no_show(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<NoShowRequest>,
) -> Result<Json<BookingDto>, ApiError> {
    let marked = bookings::report_no_show(&state, &me, BookingId(id), &req.side).await?;
    Ok(Json(view(&me, &bookings::detail_of(&state, marked).await?)))
}

/// The mentee confirms they reached the session's milestone: its outcome bonus goes to the
/// mentor. Only the mentee, only once the session is closed and within 30 days of it.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/bonus", tag = "scheduling", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    responses((status = 200, body = BookingDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "No bonus, already confirmed, too early or too late", body = ErrorBody)))]
pub async fn confirm_bonus(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<BookingDto>, ApiError> {
    stint_app::money::bonus::confirm(&state, &me, BookingId(id)).await?;
    Ok(Json(view(
        &me,
        &bookings::detail(&state, &me, BookingId(id)).await?,
    )))
}
