//! Choosing a time (`/skus/{slug}/book`): a month with the days that have times marked, then
//! one day's times — one button per time, with how many mentors are free ("any mentor" is
//! assigned fairly when booking) or the one mentor chosen — a jump to the next available day,
//! and the zone shown and changeable. Links and GET forms only, so it works without
//! JavaScript. Over the picker's questions (`stint_app::picker`), the same ones the API asks.

use super::booking::{query_string, viewer_zone};
use super::render::{Chrome, OrPage, PageResult, failure_for, ok};
use crate::auth::MaybeUser;
use crate::auth::csrf::CsrfToken;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;
use stint_app::{catalog_read, picker};
use stint_domain::account::zone_or_utc;
use stint_domain::catalog::SkuVersion;
use stint_domain::mentor::BookableMentor;

/// Months looked through for the next available day.
const MONTHS_AHEAD: i32 = 3;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PickParams {
    tz: String,
    /// `YYYY-MM`.
    month: String,
    /// `YYYY-MM-DD`.
    day: String,
    mentor: String,
    /// Sent back here because the time was just taken.
    taken: String,
}

/// One cell of the month: blank before the first and after the last day.
pub(crate) struct DayCell {
    pub number: String,
    /// Where choosing it leads, when it has times.
    pub href: Option<String>,
    pub selected: bool,
    pub today: bool,
    /// "Tuesday 8 December, times free" for screen readers.
    pub label: String,
}

/// One time of the chosen day.
pub(crate) struct TimeLink {
    pub time: String,
    /// "3 mentors free", or empty for one mentor's times.
    pub free: String,
    pub href: String,
}

/// The most mentors the page lists to choose from; with more, it links to the directory.
const MENTOR_LIST_MAX: usize = 40;

#[derive(Template)]
#[template(path = "book.html")]
struct PickerPage {
    chrome: Chrome,
    sku: SkuVersion,
    tz: String,
    tz_given: bool,
    zones: Vec<String>,
    /// The mentors to choose from in a list, when there are few enough to read one.
    mentors: Vec<BookableMentor>,
    /// How many mentors offer the session type (more than a list holds: a link to the
    /// directory instead).
    mentor_count: usize,
    mentor_filter: String,
    /// The chosen mentor's name, when one is.
    mentor_name: Option<String>,
    month_label: String,
    weeks: Vec<Vec<DayCell>>,
    prev_month: Option<String>,
    next_month: String,
    day_label: Option<String>,
    times: Vec<TimeLink>,
    /// The first day with times from today on: (its words, its link).
    next_available: Option<(String, String)>,
    taken: bool,
    /// A `tz` asked for that is not a zone: said, with the zone used instead.
    tz_unknown: Option<String>,
}

pub async fn book_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    Path(slug): Path<String>,
    Query(q): Query<PickParams>,
) -> PageResult {
    let sku = catalog_read::bookable_sku(&state, &slug)
        .await
        .map_err(|e| failure_for(e, user.clone()))?;
    let (tz_name, tz_given) = viewer_zone(&q.tz, &user);
    let today = state.now().to_zoned_datetime(zone_or_utc(&tz_name)).date();
    let this_month = today.first_of_month();
    let asked_day = q.day.parse::<Date>().ok().filter(|d| *d >= today);
    let month = format!("{}-01", q.month.trim())
        .parse::<Date>()
        .ok()
        .or(asked_day.map(|d| d.first_of_month()))
        .filter(|m| *m >= this_month)
        .unwrap_or(this_month);
    // Who offers it, read lightly (id, name, zone): the page lists them only when few.
    let mut mentors = catalog_read::mentors_to_search(&state, &sku, None)
        .await
        .or_page()?;
    let mentor = q
        .mentor
        .parse::<i64>()
        .ok()
        .filter(|id| mentors.iter().any(|m| m.user_id.0 == *id));
    let mentor_filter = mentor.map(|m| m.to_string()).unwrap_or_default();
    let link = |pairs: &[(&str, String)]| {
        let mut all = vec![("tz", tz_name.clone())];
        if let Some(m) = mentor {
            all.push(("mentor", m.to_string()));
        }
        all.extend(pairs.iter().cloned());
        format!("/skus/{}/book?{}", sku.slug, query_string(&all))
    };
    let month_key = |m: Date| m.strftime("%Y-%m").to_string();
    let days = picker::days_with_times(&state, &sku, mentor, &month_key(month), &tz_name)
        .await
        .map(|found| found.days)
        .or_page()?;
    // Looking ahead for the next available day is the page's own doing, not a search.
    let days_of = |m: Date| {
        let (state, sku, tz_name) = (&state, &sku, &tz_name);
        async move {
            picker::days_ahead(state, sku, mentor, &month_key(m), tz_name)
                .await
                .map(|found| found.days)
        }
    };
    let chosen = asked_day
        .filter(|d| days.contains(d))
        .or_else(|| days.iter().copied().find(|d| *d >= today));

    // The next available day from today: this month's answer when it has one ahead.
    let mut next_available = None;
    let mut look = this_month;
    for _ in 0..MONTHS_AHEAD {
        let found = if look == month {
            days.clone()
        } else {
            days_of(look).await.or_page()?
        };
        if let Some(d) = found.into_iter().find(|d| *d >= today) {
            let href = link(&[
                ("month", month_key(d.first_of_month())),
                ("day", d.to_string()),
            ]);
            next_available = Some((d.strftime("%A %-d %B").to_string(), href));
            break;
        }
        look = look.checked_add(1.month()).unwrap_or(look);
    }

    let times = match chosen {
        Some(d) => {
            picker::times_on(&state, &sku, mentor, &d.to_string(), &tz_name)
                .await
                .or_page()?
                .times
        }
        None => Vec::new(),
    };
    let tz = zone_or_utc(&tz_name);
    let times = times
        .iter()
        .map(|t| {
            let mut pairs = vec![("start", t.start.to_string()), ("tz", tz_name.clone())];
            if let Some(m) = mentor {
                pairs.push(("mentor", m.to_string()));
            }
            TimeLink {
                time: t
                    .start
                    .to_zoned_datetime(tz.clone())
                    .strftime("%H:%M")
                    .to_string(),
                free: match (mentor, t.mentors) {
                    (Some(_), _) => String::new(),
                    (None, 1) => "1 mentor free".into(),
                    (None, n) => format!("{n} mentors free"),
                },
                href: format!("/skus/{}/book/confirm?{}", sku.slug, query_string(&pairs)),
            }
        })
        .collect();
    let weeks = month_grid(month, today, chosen, &days, |d| {
        link(&[("month", month_key(month)), ("day", d.to_string())])
    });
    let next = month.checked_add(1.month()).unwrap_or(month);
    let prev = month.checked_sub(1.month()).unwrap_or(month);
    Ok(ok(&PickerPage {
        chrome: Chrome::new(format!("Book {} · Stint", sku.content.title), user, &csrf.0),
        month_label: month.strftime("%B %Y").to_string(),
        prev_month: (month > this_month).then(|| link(&[("month", month_key(prev))])),
        next_month: link(&[("month", month_key(next))]),
        day_label: chosen.map(|d| d.strftime("%A %-d %B").to_string()),
        mentor_name: mentors
            .iter()
            .find(|m| Some(m.user_id.0) == mentor)
            .map(|m| m.display_name.clone()),
        mentor_count: mentors.len(),
        zones: crate::pages::signup::zones(),
        taken: !q.taken.is_empty(),
        tz_unknown: (!q.tz.trim().is_empty() && !tz_given).then(|| q.tz.trim().to_string()),
        tz: tz_name,
        tz_given,
        mentor_filter,
        mentors: if mentors.len() <= MENTOR_LIST_MAX {
            mentors.sort_by(|a, b| a.display_name.cmp(&b.display_name));
            mentors
        } else {
            Vec::new()
        },
        weeks,
        times,
        next_available,
        sku,
    }))
}

/// The weeks of `month`, Monday first, each day linked when it has times.
fn month_grid(
    month: Date,
    today: Date,
    chosen: Option<Date>,
    days: &[Date],
    href: impl Fn(Date) -> String,
) -> Vec<Vec<DayCell>> {
    let blank = || DayCell {
        number: String::new(),
        href: None,
        selected: false,
        today: false,
        label: String::new(),
    };
    let offset = usize::try_from(month.weekday().to_monday_zero_offset()).unwrap_or(0);
    let mut cells: Vec<DayCell> = (0..offset).map(|_| blank()).collect();
    let mut d = month;
    while d.month() == month.month() {
        let has = days.contains(&d);
        cells.push(DayCell {
            number: d.day().to_string(),
            href: has.then(|| href(d)),
            selected: Some(d) == chosen,
            today: d == today,
            label: format!(
                "{}{}",
                d.strftime("%A %-d %B"),
                if has { ", times free" } else { ", no times" }
            ),
        });
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => break,
        }
    }
    while !cells.len().is_multiple_of(7) {
        cells.push(blank());
    }
    let mut weeks = Vec::new();
    let mut it = cells.into_iter().peekable();
    while it.peek().is_some() {
        weeks.push(it.by_ref().take(7).collect());
    }
    weeks
}

/// The time a visitor chose, in words, when `next` is a confirmation page: "Negotiation
/// clinic, Tue 8 Dec, 14:00 (Europe/Berlin)", for the log-in and sign-up pages to name it.
pub(crate) async fn chosen_time(state: &AppState, next: &str) -> Option<String> {
    let (path, query) = next.split_once('?')?;
    let slug = path.strip_prefix("/skus/")?.strip_suffix("/book/confirm")?;
    #[derive(Deserialize)]
    struct Chosen {
        start: jiff::Timestamp,
        #[serde(default)]
        tz: String,
    }
    let chosen: Chosen = serde_urlencoded::from_str(query).ok()?;
    let sku = catalog_read::bookable_sku(state, slug).await.ok()?;
    let (tz, _) = viewer_zone(&chosen.tz, &None);
    Some(format!(
        "{}, {} ({tz})",
        sku.content.title,
        super::booking::when(chosen.start, &zone_or_utc(&tz))
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_whole_weeks_monday_first_with_its_days_linked() {
        // December 2026 starts on a Tuesday and has 31 days.
        let month: Date = "2026-12-01".parse().unwrap();
        let days: Vec<Date> = ["2026-12-08", "2026-12-31"]
            .iter()
            .map(|d| d.parse().unwrap())
            .collect();
        let weeks = month_grid(
            month,
            "2026-12-06".parse().unwrap(),
            Some(days[0]),
            &days,
            |d| format!("/x?day={d}"),
        );
        assert!(weeks.iter().all(|w| w.len() == 7));
        assert_eq!(weeks.len(), 5);
        assert_eq!(weeks[0][0].number, "");
        assert_eq!(weeks[0][1].number, "1");
        let eighth = &weeks[1][1];
        assert_eq!(eighth.number, "8");
        assert!(eighth.selected && eighth.href.as_deref() == Some("/x?day=2026-12-08"));
        assert!(weeks[0][6].today && weeks[0][6].href.is_none());
        assert_eq!(weeks[4][3].number, "31");
        assert!(weeks[4][3].label.ends_with("times free"));
    }
}
