//! `/api/v1/mentors/me/availability` and `/api/v1/skus/{slug}/slots`.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use stint_app::{require, scheduling, slot_pages};
use stint_domain::FieldErrors;
use stint_domain::ids::UserId;
use stint_domain::role::Role;
use stint_domain::schedule::{
    Availability, ClockTime, DateOverride, DayInterval, LoadCaps, TimeOff,
};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntervalDto {
    /// "HH:MM" in the mentor's zone.
    #[schema(example = "09:00")]
    #[schema(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub start: String,
    /// "HH:MM"; "24:00" ends at midnight.
    #[schema(example = "12:30")]
    #[schema(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub end: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyDto {
    #[serde(default)]
    pub mon: Vec<IntervalDto>,
    #[serde(default)]
    pub tue: Vec<IntervalDto>,
    #[serde(default)]
    pub wed: Vec<IntervalDto>,
    #[serde(default)]
    pub thu: Vec<IntervalDto>,
    #[serde(default)]
    pub fri: Vec<IntervalDto>,
    #[serde(default)]
    pub sat: Vec<IntervalDto>,
    #[serde(default)]
    pub sun: Vec<IntervalDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideDto {
    /// YYYY-MM-DD in the mentor's zone.
    #[schema(format = Date)]
    pub date: String,
    /// Hours that day; empty for a day off.
    #[serde(default)]
    pub hours: Vec<IntervalDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeOffDto {
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub start: String,
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub end: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapsDto {
    pub max_per_day: Option<u16>,
    pub max_per_week: Option<u16>,
    pub max_consecutive: Option<u16>,
    #[serde(default)]
    pub break_minutes: u16,
}

/// A mentor's availability, in the mentor's own time zone.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityDto {
    #[schema(example = "Europe/Berlin", format = "iana-time-zone")]
    pub timezone: String,
    pub weekly: WeeklyDto,
    #[serde(default)]
    pub overrides: Vec<OverrideDto>,
    #[serde(default)]
    pub time_off: Vec<TimeOffDto>,
    #[serde(default)]
    #[schema(maximum = 120)]
    pub buffer_before_minutes: u16,
    #[serde(default)]
    #[schema(maximum = 120)]
    pub buffer_after_minutes: u16,
    #[schema(maximum = 43200)]
    pub min_notice_minutes: u32,
    #[schema(minimum = 1, maximum = 365)]
    pub horizon_days: u16,
    /// 5, 10, 15, 20, 30, 45 or 60.
    #[schema(minimum = 5, maximum = 60, multiple_of = 5)]
    pub slot_step_minutes: u16,
    #[serde(default)]
    pub caps: CapsDto,
}

fn interval_dto(iv: &DayInterval) -> IntervalDto {
    IntervalDto {
        start: iv.start.to_string(),
        end: iv.end.to_string(),
    }
}

impl From<&Availability> for AvailabilityDto {
    fn from(a: &Availability) -> Self {
        let day = |i: usize| a.weekly[i].iter().map(interval_dto).collect();
        AvailabilityDto {
            timezone: a.timezone.clone(),
            weekly: WeeklyDto {
                mon: day(0),
                tue: day(1),
                wed: day(2),
                thu: day(3),
                fri: day(4),
                sat: day(5),
                sun: day(6),
            },
            overrides: a
                .overrides
                .iter()
                .map(|o| OverrideDto {
                    date: o.date.to_string(),
                    hours: o.hours.iter().map(interval_dto).collect(),
                })
                .collect(),
            time_off: a
                .time_off
                .iter()
                .map(|t| TimeOffDto {
                    start: t.start.to_string(),
                    end: t.end.to_string(),
                })
                .collect(),
            buffer_before_minutes: a.buffer_before_minutes,
            buffer_after_minutes: a.buffer_after_minutes,
            min_notice_minutes: a.min_notice_minutes,
            horizon_days: a.horizon_days,
            slot_step_minutes: a.slot_step_minutes,
            caps: CapsDto {
                max_per_day: a.caps.max_per_day,
                max_per_week: a.caps.max_per_week,
                max_consecutive: a.caps.max_consecutive,
                break_minutes: a.caps.break_minutes,
            },
        }
    }
}

fn intervals(e: &mut FieldErrors, field: &str, raw: &[IntervalDto]) -> Vec<DayInterval> {
    let mut out = Vec::new();
    for (i, iv) in raw.iter().enumerate() {
        let start = e.check(&format!("{field}.{i}.start"), ClockTime::parse(&iv.start));
        let end = e.check(&format!("{field}.{i}.end"), ClockTime::parse(&iv.end));
        if let (Some(start), Some(end)) = (start, end) {
            out.push(DayInterval { start, end });
        }
    }
    out
}

impl AvailabilityDto {
    /// Parses and validates; every problem is reported with its field path.
    pub fn into_rules(self) -> Result<Availability, FieldErrors> {
        let mut e = FieldErrors::new();
        let w = &self.weekly;
        let weekly = [
            intervals(&mut e, "weekly.mon", &w.mon),
            intervals(&mut e, "weekly.tue", &w.tue),
            intervals(&mut e, "weekly.wed", &w.wed),
            intervals(&mut e, "weekly.thu", &w.thu),
            intervals(&mut e, "weekly.fri", &w.fri),
            intervals(&mut e, "weekly.sat", &w.sat),
            intervals(&mut e, "weekly.sun", &w.sun),
        ];
        let mut overrides = Vec::new();
        for (i, o) in self.overrides.iter().enumerate() {
            let date = e.check(
                &format!("overrides.{i}.date"),
                o.date
                    .parse()
                    .map_err(|_| "must be a date like 2026-12-24".to_string()),
            );
            let hours = intervals(&mut e, &format!("overrides.{i}.hours"), &o.hours);
            if let Some(date) = date {
                overrides.push(DateOverride { date, hours });
            }
        }
        let mut time_off = Vec::new();
        for (i, t) in self.time_off.iter().enumerate() {
            let start = e.check(
                &format!("time_off.{i}.start"),
                t.start
                    .parse()
                    .map_err(|_| "must be an RFC 3339 time".to_string()),
            );
            let end = e.check(
                &format!("time_off.{i}.end"),
                t.end
                    .parse()
                    .map_err(|_| "must be an RFC 3339 time".to_string()),
            );
            if let (Some(start), Some(end)) = (start, end) {
                time_off.push(TimeOff { start, end });
            }
        }
        let rules = Availability {
            timezone: self.timezone,
            weekly,
            overrides,
            time_off,
            buffer_before_minutes: self.buffer_before_minutes,
            buffer_after_minutes: self.buffer_after_minutes,
            min_notice_minutes: self.min_notice_minutes,
            horizon_days: self.horizon_days,
            slot_step_minutes: self.slot_step_minutes,
            caps: LoadCaps {
                max_per_day: self.caps.max_per_day,
                max_per_week: self.caps.max_per_week,
                max_consecutive: self.caps.max_consecutive,
                break_minutes: self.caps.break_minutes,
            },
        };
        if let Err(more) = rules.validate() {
            for (k, v) in more.0 {
                e.add(&k, v);
            }
        }
        if e.is_empty() {
            // Canonical zone spelling.
            let mut rules = rules;
            if let Ok(z) = stint_domain::account::TimeZoneName::parse(&rules.timezone) {
                rules.timezone = z.as_str().to_string();
            }
            Ok(rules)
        } else {
            Err(e)
        }
    }
}

/// The calling mentor's availability (a default until they save one).
#[utoipa::path(get, path = "/api/v1/mentors/me/availability", tag = "scheduling", security(("bearer" = [])),
    responses((status = 200, body = AvailabilityDto), (status = 403, body = ErrorBody)))]
pub async fn get_my_availability(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<AvailabilityDto>, ApiError> {
    require(&me, Role::Mentor)?;
    let rules = scheduling::rules_for(&state, me.id, &me.timezone).await?;
    Ok(Json(AvailabilityDto::from(&rules)))
}

/// Replaces the calling mentor's availability.
#[utoipa::path(put, path = "/api/v1/mentors/me/availability", tag = "scheduling", security(("bearer" = [])),
    request_body = AvailabilityDto,
    responses((status = 200, body = AvailabilityDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_my_availability(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<AvailabilityDto>,
) -> Result<Json<AvailabilityDto>, ApiError> {
    let rules = req.into_rules()?;
    scheduling::save_availability(&state, &me, &rules).await?;
    Ok(Json(AvailabilityDto::from(&rules)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SlotParams {
    /// First day, YYYY-MM-DD, in `tz`.
    #[param(format = Date)]
    pub from: String,
    /// Last day (inclusive), YYYY-MM-DD, in `tz`; at most 62 days after `from`.
    #[param(format = Date)]
    pub to: String,
    /// The viewer's IANA zone; times are returned with its offset.
    #[param(format = "iana-time-zone")]
    pub tz: String,
    /// Only this mentor.
    pub mentor: Option<i64>,
    /// Only times after this cursor: the one the page before named in its `Link` header.
    #[param(pattern = r"^[0-9]{1,11}\.[0-9]{1,18}$")]
    pub after: Option<String>,
    /// At most this many times (1 to 2,000; 500 when not given).
    #[param(minimum = 1, maximum = 2000)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotDto {
    pub mentor_id: i64,
    pub mentor_name: String,
    /// RFC 3339 with the viewer's offset.
    pub start: String,
    pub end: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotsDto {
    pub tz: String,
    pub duration_minutes: i64,
    pub slots: Vec<SlotDto>,
}

/// RFC 3339 with the offset of `tz` at that instant.
pub fn rfc3339_in(t: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    t.to_zoned_datetime(tz.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Bookable times of a session type across the mentors who deliver it (or the one asked
/// for), earliest first, a page at a time: while there are more, the answer has a `Link`
/// header with the next page (`rel="next"`).
#[utoipa::path(get, path = "/api/v1/skus/{slug}/slots", tag = "scheduling",
    params(("slug" = String, Path, description = "SKU slug"), SlotParams),
    responses((status = 200, body = SlotsDto,
        headers(("Link" = String, description = "`</api/v1/skus/{slug}/slots?…&after=…&limit=…>; rel=\"next\"` while there are more"))),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_slots(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(p): ApiQuery<SlotParams>,
) -> Result<Response, ApiError> {
    let sku = stint_app::catalog_read::bookable_sku(&state, &slug).await?;
    let window = scheduling::parse_window(&p.from, &p.to, &p.tz)?;
    let only = p.mentor.map(UserId);
    let mentors = stint_app::catalog_read::mentors_to_search(&state, &sku, only).await?;
    let page = slot_pages::offers_page(
        &state,
        &sku,
        &mentors,
        (window.from, window.to),
        p.after.as_deref(),
        p.limit,
    )
    .await?;
    let mut response = Json(SlotsDto {
        tz: window.tz_name.clone(),
        duration_minutes: sku.content.duration_minutes,
        slots: page
            .offers
            .iter()
            .map(|o| SlotDto {
                mentor_id: o.mentor_id.0,
                mentor_name: o.mentor_name.clone(),
                start: rfc3339_in(o.slot.start, &window.tz),
                end: rfc3339_in(o.slot.end, &window.tz),
            })
            .collect(),
    })
    .into_response();
    if let Some(next) = page.next_after {
        let mut query = vec![
            ("from", p.from.clone()),
            ("to", p.to.clone()),
            ("tz", p.tz.clone()),
        ];
        if let Some(m) = p.mentor {
            query.push(("mentor", m.to_string()));
        }
        query.push(("after", next));
        query.push((
            "limit",
            p.limit.unwrap_or(slot_pages::SLOTS_PAGE).to_string(),
        ));
        let encoded = serde_urlencoded::to_string(&query).unwrap_or_default();
        let link = format!("</api/v1/skus/{}/slots?{encoded}>; rel=\"next\"", sku.slug);
        if let Ok(value) = axum::http::HeaderValue::from_str(&link) {
            response
                .headers_mut()
                .insert(axum::http::header::LINK, value);
        }
    }
    Ok(response)
}
