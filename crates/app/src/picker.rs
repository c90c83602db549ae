//! The time picker's two questions, answered by the one slot engine (`scheduling::offers`)
//! for the mentors of a SKU or the one asked about: which days of a month have times, and
//! one day's distinct start times with how many mentors are free at each (the mentor is
//! chosen when booking). Both answers are small whatever the number of mentors.

use crate::App;
use crate::catalog_read::mentors_to_search;
use crate::error::AppError;
use crate::scheduling::{Window, offers, parse_window};
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet};
use stint_domain::FieldErrors;
use stint_domain::catalog::SkuVersion;
use stint_domain::ids::UserId;
use stint_domain::mentor::MentorProfile;

/// The days of one month, in the viewer's zone, that have a bookable time.
#[derive(Debug, Clone)]
pub struct MonthDays {
    /// The month's first day.
    pub month: Date,
    pub tz_name: String,
    pub days: Vec<Date>,
}

/// One bookable start time of a day, and how many mentors are free at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeChoice {
    pub start: Timestamp,
    pub end: Timestamp,
    pub mentors: u32,
}

/// One day's bookable times, in the viewer's zone.
#[derive(Debug, Clone)]
pub struct DayTimes {
    pub date: Date,
    pub window: Window,
    pub times: Vec<TimeChoice>,
}

/// The mentors a picker question is about; `mentor` must offer the SKU.
async fn mentors_asked(
    app: &App,
    sku: &SkuVersion,
    mentor: Option<i64>,
) -> Result<Vec<MentorProfile>, AppError> {
    let mentors = mentors_to_search(app, sku, mentor.map(UserId)).await?;
    if mentor.is_some() && mentors.is_empty() {
        return Err(AppError::validation(FieldErrors::single(
            "mentor",
            "does not offer this session type",
        )));
    }
    Ok(mentors)
}

/// Reads a month (`YYYY-MM`) as its first day.
fn parse_month(raw: &str) -> Result<Date, FieldErrors> {
    format!("{}-01", raw.trim())
        .parse::<Date>()
        .map_err(|_| FieldErrors::single("month", format!("“{raw}” is not a month like 2026-12")))
}

/// The days of `month` (in zone `tz`) on which `sku` can be booked, with `mentor` or anyone.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn days_with_times(
    app: &App,
    sku: &SkuVersion,
    mentor: Option<i64>,
    month: &str,
    tz: &str,
) -> Result<MonthDays, AppError> {
    let first = parse_month(month);
    let last = first.as_ref().map(|f| f.last_of_month());
    let window = match (&first, &last) {
        (Ok(f), Ok(l)) => parse_window(&f.to_string(), &l.to_string(), tz),
        // The zone is still checked, so one answer names both.
        _ => parse_window("2000-01-01", "2000-01-01", tz),
    };
    let (first, window) = match (first, window) {
        (Ok(f), Ok(w)) => (f, w),
        (f, w) => {
            let mut e = FieldErrors::new();
            for errors in [f.err(), w.err()].into_iter().flatten() {
                for (field, message) in errors.0 {
                    e.add(&field, message);
                }
            }
            return Err(AppError::validation(e));
        }
    };
    let mentors = mentors_asked(app, sku, mentor).await?;
    let found = offers(app, sku, &mentors, window.from, window.to).await?;
    let days: BTreeSet<Date> = found
        .iter()
        .map(|o| o.slot.start.to_zoned_datetime(window.tz.clone()).date())
        .collect();
    Ok(MonthDays {
        month: first,
        tz_name: window.tz_name,
        days: days.into_iter().collect(),
    })
}

/// The distinct times `sku` can be booked at on `date` (in zone `tz`), earliest first, each
/// with how many of the mentors asked about are free then.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn times_on(
    app: &App,
    sku: &SkuVersion,
    mentor: Option<i64>,
    date: &str,
    tz: &str,
) -> Result<DayTimes, AppError> {
    let window = parse_window(date, date, tz).map_err(|mut e| {
        // One day is asked as `date`.
        if let Some(m) = e.0.remove("from") {
            e.0.insert("date".into(), m);
        }
        e.0.remove("to");
        AppError::validation(e)
    })?;
    let mentors = mentors_asked(app, sku, mentor).await?;
    let found = offers(app, sku, &mentors, window.from, window.to).await?;
    let mut by_start: BTreeMap<Timestamp, TimeChoice> = BTreeMap::new();
    for o in &found {
        by_start
            .entry(o.slot.start)
            .or_insert(TimeChoice {
                start: o.slot.start,
                end: o.slot.end,
                mentors: 0,
            })
            .mentors += 1;
    }
    Ok(DayTimes {
        date: window.from.to_zoned_datetime(window.tz.clone()).date(),
        times: by_start.into_values().collect(),
        window,
    })
}
