//! The time picker's two questions, answered by the one slot engine (`scheduling::slots_of`)
//! for the mentors of a SKU or the one asked about: which days of a month have times, and
//! one day's distinct start times with how many mentors are free at each (the mentor is
//! chosen when booking). Both answers are small whatever the number of mentors.

use crate::App;
use crate::catalog_read::mentors_to_search;
use crate::error::AppError;
use crate::scheduling::{
    Window, busy_around, parse_window, rules_or_default, slot_minutes, slots_of,
};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use stint_domain::FieldErrors;
use stint_domain::catalog::SkuVersion;
use stint_domain::ids::UserId;
use stint_domain::insights::SearchResult;
use stint_domain::mentor::BookableMentor;
use stint_domain::schedule::Availability;

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

/// Reads a month (`YYYY-MM`) as its first day.
fn parse_month(raw: &str) -> Result<Date, FieldErrors> {
    format!("{}-01", raw.trim())
        .parse::<Date>()
        .map_err(|_| FieldErrors::single("month", format!("“{raw}” is not a month like 2026-12")))
}

/// The days of `month` (in zone `tz`) on which `sku` can be booked, with `mentor` or anyone.
/// A month asked for with nothing in it counts as a search that found nothing.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn days_with_times(
    app: &App,
    sku: &SkuVersion,
    mentor: Option<i64>,
    month: &str,
    tz: &str,
) -> Result<MonthDays, AppError> {
    month_days(app, sku, mentor, month, tz, true).await
}

/// [`days_with_times`] for a month a page looks ahead into on its own (the next available
/// day), which nobody asked for: not counted as a search.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn days_ahead(
    app: &App,
    sku: &SkuVersion,
    mentor: Option<i64>,
    month: &str,
    tz: &str,
) -> Result<MonthDays, AppError> {
    month_days(app, sku, mentor, month, tz, false).await
}

async fn month_days(
    app: &App,
    sku: &SkuVersion,
    mentor: Option<i64>,
    month: &str,
    tz: &str,
    counted: bool,
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
    let mentors = mentors_to_search(app, sku, mentor.map(UserId)).await?;
    let days = days_found(app, sku, &mentors, first, &window).await?;
    // A month with nothing is a search that found nothing; one with days is counted when
    // a day of it is asked for.
    if counted && days.is_empty() && mentor.is_none() {
        let competency = sku.content.competency_id;
        crate::insights::demand::record(app, competency, &window.tz_name, SearchResult::Empty)
            .await;
    }
    Ok(MonthDays {
        month: first,
        tz_name: window.tz_name,
        days: days.into_iter().collect(),
    })
}

/// Mentors whose schedules are read together while days are still open.
const MENTORS_AT_ONCE: usize = 64;

/// The days of the month from `first` on which one of `mentors` has a time. A day is looked
/// for only until one mentor has a time on it; a mentor's busy time is read only if their
/// rules alone would give a time on a day still open (busy time only takes times away). So
/// the answer costs about the same for ten mentors or thousands.
async fn days_found(
    app: &App,
    sku: &SkuVersion,
    mentors: &[BookableMentor],
    first: Date,
    window: &Window,
) -> Result<BTreeSet<Date>, AppError> {
    let now = app.now();
    let duration = slot_minutes(sku);
    let tz = &window.tz;
    let mut open: BTreeSet<Date> = first
        .series(jiff::Span::new().days(1))
        .take_while(|d| d.month() == first.month())
        .collect();
    let mut found = BTreeSet::new();
    for chunk in mentors.chunks(MENTORS_AT_ONCE) {
        if open.is_empty() {
            break;
        }
        let ids: Vec<UserId> = chunk.iter().map(|m| m.user_id).collect();
        let saved: HashMap<UserId, Availability> =
            app.store.availability_of(&ids).await?.into_iter().collect();
        let runs = open_runs(&open, tz);
        let hopeful: Vec<(UserId, Availability)> = chunk
            .iter()
            .map(|m| (m.user_id, rules_or_default(&saved, m)))
            .filter(|(_, rules)| {
                runs.iter()
                    .any(|&(from, to)| !slots_of(rules, &[], duration, from, to, now).is_empty())
            })
            .collect();
        if hopeful.is_empty() {
            continue;
        }
        let hopeful_ids: Vec<UserId> = hopeful.iter().map(|(id, _)| *id).collect();
        let busy = busy_around(app, &hopeful_ids, window.from, window.to).await?;
        for (id, rules) in &hopeful {
            let mine = busy.get(id).map(Vec::as_slice).unwrap_or(&[]);
            for (from, to) in open_runs(&open, tz) {
                for slot in slots_of(rules, mine, duration, from, to, now) {
                    let day = slot.start.to_zoned_datetime(tz.clone()).date();
                    if open.remove(&day) {
                        found.insert(day);
                    }
                }
            }
        }
    }
    Ok(found)
}

/// The runs of consecutive days in `open`, each as the instants it spans in `tz`.
fn open_runs(open: &BTreeSet<Date>, tz: &TimeZone) -> Vec<(Timestamp, Timestamp)> {
    let instant = |d: Date| {
        d.at(0, 0, 0, 0)
            .to_zoned_datetime(tz.clone())
            .map(|z| z.timestamp())
            .ok()
    };
    let mut runs: Vec<(Date, Date)> = Vec::new();
    for &day in open {
        match runs.last_mut() {
            Some((_, end)) if end.tomorrow().ok() == Some(day) => *end = day,
            _ => runs.push((day, day)),
        }
    }
    runs.into_iter()
        .filter_map(|(start, end)| Some((instant(start)?, instant(end.tomorrow().ok()?)?)))
        .collect()
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
    let mentors = mentors_to_search(app, sku, mentor.map(UserId)).await?;
    // Counted as each mentor's slots come from the engine (or were kept from it): no offer
    // (with its mentor's name) is made for a time that is only counted.
    let found = crate::slot_cache::slots_by_mentor(
        app,
        &mentors,
        slot_minutes(sku),
        window.from,
        window.to,
    )
    .await?;
    let mut by_start: BTreeMap<Timestamp, TimeChoice> = BTreeMap::new();
    for slots in found {
        for slot in slots {
            by_start
                .entry(slot.start)
                .or_insert(TimeChoice {
                    start: slot.start,
                    end: slot.end,
                    mentors: 0,
                })
                .mentors += 1;
        }
    }
    let times: Vec<TimeChoice> = by_start.into_values().collect();
    // Demand is what anyone may be booked for: a search narrowed to one mentor says
    // little about supply.
    if mentor.is_none() {
        let found = SearchResult::of_hours(
            times
                .iter()
                .map(|t| t.start.to_zoned_datetime(window.tz.clone()).hour()),
        );
        crate::insights::demand::record(app, sku.content.competency_id, &window.tz_name, found)
            .await;
    }
    Ok(DayTimes {
        date: window.from.to_zoned_datetime(window.tz.clone()).date(),
        times,
        window,
    })
}
