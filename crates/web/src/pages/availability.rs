//! The mentor's weekly availability editor: hours typed per weekday ("09:00-12:00,
//! 13:00-17:00"), date overrides and time off one per line, buffers, notice and caps.

use super::filters;
use super::render::{Chrome, OrPage, PageResult, forbidden_page, html, ok, refusal};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
#[allow(unused_imports)]
use filters as _;
use jiff::civil::Date;
use serde::Deserialize;
use stint_app::scheduling;
use stint_domain::FieldErrors;
use stint_domain::account::TimeZoneName;
use stint_domain::role::Role;
use stint_domain::schedule::{
    Availability, ClockTime, DateOverride, DayInterval, LoadCaps, TimeOff,
};

const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct AvailabilityFields {
    timezone: String,
    mon: String,
    tue: String,
    wed: String,
    thu: String,
    fri: String,
    sat: String,
    sun: String,
    overrides: String,
    time_off: String,
    buffer_before: String,
    buffer_after: String,
    notice_hours: String,
    horizon_days: String,
    step: String,
    max_per_day: String,
    max_per_week: String,
    max_consecutive: String,
    break_minutes: String,
}

fn hours_text(ivs: &[DayInterval]) -> String {
    ivs.iter()
        .map(|iv| format!("{}-{}", iv.start, iv.end))
        .collect::<Vec<_>>()
        .join(", ")
}

fn opt(n: Option<u16>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

impl AvailabilityFields {
    fn from(a: &Availability) -> Self {
        let day = |i: usize| hours_text(&a.weekly[i]);
        AvailabilityFields {
            timezone: a.timezone.clone(),
            mon: day(0),
            tue: day(1),
            wed: day(2),
            thu: day(3),
            fri: day(4),
            sat: day(5),
            sun: day(6),
            overrides: a
                .overrides
                .iter()
                .map(|o| {
                    if o.hours.is_empty() {
                        format!("{} off", o.date)
                    } else {
                        format!("{} {}", o.date, hours_text(&o.hours))
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
            time_off: a
                .time_off
                .iter()
                .map(|t| format!("{} to {}", t.start, t.end))
                .collect::<Vec<_>>()
                .join("\n"),
            buffer_before: a.buffer_before_minutes.to_string(),
            buffer_after: a.buffer_after_minutes.to_string(),
            notice_hours: (a.min_notice_minutes / 60).to_string(),
            horizon_days: a.horizon_days.to_string(),
            step: a.slot_step_minutes.to_string(),
            max_per_day: opt(a.caps.max_per_day),
            max_per_week: opt(a.caps.max_per_week),
            max_consecutive: opt(a.caps.max_consecutive),
            break_minutes: a.caps.break_minutes.to_string(),
        }
    }

    fn day(&self, key: &str) -> &str {
        match key {
            "mon" => &self.mon,
            "tue" => &self.tue,
            "wed" => &self.wed,
            "thu" => &self.thu,
            "fri" => &self.fri,
            "sat" => &self.sat,
            _ => &self.sun,
        }
    }

    /// Parses every field, then checks the rules; messages are keyed by form field.
    fn parse(&self) -> Result<Availability, FieldErrors> {
        let mut e = FieldErrors::new();
        let intervals = |e: &mut FieldErrors, field: &str, raw: &str| -> Vec<DayInterval> {
            let mut out = Vec::new();
            for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let parsed = part
                    .split_once('-')
                    .ok_or_else(|| format!("write hours like 09:00-12:00 (got “{part}”)"))
                    .and_then(|(a, b)| {
                        Ok(DayInterval {
                            start: ClockTime::parse(a)?,
                            end: ClockTime::parse(b)?,
                        })
                    });
                if let Some(iv) = e.check(field, parsed) {
                    out.push(iv);
                }
            }
            out
        };
        let weekly: [Vec<DayInterval>; 7] =
            std::array::from_fn(|i| intervals(&mut e, DAYS[i].0, self.day(DAYS[i].0)));
        let zone = e.check("timezone", TimeZoneName::parse(&self.timezone));
        let mut overrides = Vec::new();
        for (n, line) in self
            .overrides
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let (date, rest) = line.split_once(' ').unwrap_or((line, ""));
            match date.parse::<Date>() {
                Ok(date) if rest.trim() == "off" => overrides.push(DateOverride {
                    date,
                    hours: vec![],
                }),
                Ok(date) => overrides.push(DateOverride {
                    date,
                    hours: intervals(&mut e, "overrides", rest),
                }),
                Err(_) => e.add(
                    "overrides",
                    format!("line {}: start with a date like 2026-12-24", n + 1),
                ),
            }
        }
        let mut time_off = Vec::new();
        for (n, line) in self
            .time_off
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let parsed = line.split_once(" to ").and_then(|(a, b)| {
                let tz = zone.as_ref()?.tz();
                // Whole days in the mentor's zone, the last one included.
                let day_start = |d: &str| {
                    d.trim()
                        .parse::<Date>()
                        .ok()?
                        .at(0, 0, 0, 0)
                        .to_zoned_datetime(tz.clone())
                        .ok()
                        .map(|z| z.timestamp())
                };
                let instant = |d: &str| d.trim().parse::<jiff::Timestamp>().ok();
                let start = instant(a).or_else(|| day_start(a))?;
                let end = instant(b).or_else(|| {
                    let next = b.trim().parse::<Date>().ok()?.tomorrow().ok()?;
                    day_start(&next.to_string())
                })?;
                Some(TimeOff { start, end })
            });
            match parsed {
                Some(t) => time_off.push(t),
                None => e.add(
                    "time_off",
                    format!("line {}: write “2026-12-20 to 2027-01-03”", n + 1),
                ),
            }
        }
        let mut num = |field: &str, raw: &str, optional: bool| -> Option<u32> {
            if optional && raw.trim().is_empty() {
                return None;
            }
            match raw.trim().parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    e.add(field, "must be a whole number");
                    None
                }
            }
        };
        let small = |n: Option<u32>| n.map(|n| u16::try_from(n).unwrap_or(u16::MAX));
        let buffer_before = small(num("buffer_before", &self.buffer_before, false)).unwrap_or(0);
        let buffer_after = small(num("buffer_after", &self.buffer_after, false)).unwrap_or(0);
        let notice = num("notice_hours", &self.notice_hours, false)
            .unwrap_or(0)
            .saturating_mul(60);
        let horizon = small(num("horizon_days", &self.horizon_days, false)).unwrap_or(0);
        let step = small(num("step", &self.step, false)).unwrap_or(0);
        let caps = LoadCaps {
            max_per_day: small(num("max_per_day", &self.max_per_day, true)),
            max_per_week: small(num("max_per_week", &self.max_per_week, true)),
            max_consecutive: small(num("max_consecutive", &self.max_consecutive, true)),
            break_minutes: small(num("break_minutes", &self.break_minutes, true)).unwrap_or(0),
        };
        let rules = Availability {
            timezone: zone
                .map(|z| z.as_str().to_string())
                .unwrap_or_else(|| self.timezone.clone()),
            weekly,
            overrides,
            time_off,
            buffer_before_minutes: buffer_before,
            buffer_after_minutes: buffer_after,
            min_notice_minutes: notice,
            horizon_days: horizon,
            slot_step_minutes: step,
            caps,
        };
        if let Err(more) = rules.validate() {
            for (field, message) in more.0 {
                e.add(&form_field(&field), message);
            }
        }
        if e.is_empty() { Ok(rules) } else { Err(e) }
    }
}

/// The form field a rule's message belongs to (`weekly.tue.1` → `tue`).
fn form_field(rule_field: &str) -> String {
    let mut parts = rule_field.split('.');
    match (parts.next(), parts.next()) {
        (Some("weekly"), Some(day)) => day.to_string(),
        (Some("overrides"), _) => "overrides".into(),
        (Some("time_off"), _) => "time_off".into(),
        (Some("caps"), Some(cap)) => cap.to_string(),
        (Some("buffer_before_minutes"), _) => "buffer_before".into(),
        (Some("buffer_after_minutes"), _) => "buffer_after".into(),
        (Some("min_notice_minutes"), _) => "notice_hours".into(),
        (Some("slot_step_minutes"), _) => "step".into(),
        (Some(other), _) => other.to_string(),
        _ => "form".into(),
    }
}

#[derive(Template)]
#[template(path = "mentor/availability.html")]
struct AvailabilityPage {
    chrome: Chrome,
    form: AvailabilityFields,
    errors: FieldErrors,
    saved: bool,
    zones: Vec<String>,
    steps: Vec<u16>,
}

impl AvailabilityPage {
    fn days(&self) -> Vec<(&'static str, &'static str, String)> {
        DAYS.iter()
            .map(|(k, label)| (*k, *label, self.form.day(k).to_string()))
            .collect()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedParam {
    saved: String,
}

pub async fn editor(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<SavedParam>,
) -> PageResult {
    if !me.has(Role::Mentor) {
        return Ok(forbidden_page(Some(me)));
    }
    let rules = scheduling::rules_for(&state, me.id, &me.timezone)
        .await
        .or_page()?;
    Ok(ok(&AvailabilityPage {
        chrome: Chrome::new("Your availability · Stint", Some(me), &csrf.0),
        form: AvailabilityFields::from(&rules),
        errors: FieldErrors::new(),
        saved: !q.saved.is_empty(),
        zones: super::signup::zones(),
        steps: stint_domain::schedule::rules::STEPS.to_vec(),
    }))
}

pub async fn save(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<AvailabilityFields>,
) -> PageResult {
    let saved = match form.parse() {
        Ok(rules) => scheduling::save_availability(&state, &me, &rules).await,
        Err(errors) => Err(stint_app::AppError::validation(errors)),
    };
    match saved {
        Ok(()) => Ok(Redirect::to("/mentor/availability?saved=1").into_response()),
        Err(e) => {
            let (_, errors) = refusal(e, &me)?;
            let page = AvailabilityPage {
                chrome: Chrome::new("Your availability · Stint", Some(me), &csrf.0),
                form,
                errors,
                saved: false,
                zones: super::signup::zones(),
                steps: stint_domain::schedule::rules::STEPS.to_vec(),
            };
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_hours_parse_and_errors_land_on_their_fields() {
        let mut f = AvailabilityFields::from(&Availability::default_for("Europe/Berlin"));
        assert!(f.parse().is_ok());
        f.tue = "09:00-12:00, 11:00-13:00".into();
        f.wed = "nine to five".into();
        f.overrides = "2026-12-24 off\nchristmas".into();
        f.step = "7".into();
        let e = f.parse().err().unwrap();
        for field in ["tue", "wed", "overrides", "step"] {
            assert!(e.get(field).is_some(), "{field}: {e}");
        }
        let mut f = AvailabilityFields::from(&Availability::default_for("Europe/Berlin"));
        f.time_off = "2026-12-20 to 2027-01-03".into();
        f.overrides = "2026-12-31 10:00-12:00".into();
        let rules = f.parse().unwrap();
        assert_eq!(rules.time_off.len(), 1);
        assert_eq!(rules.overrides[0].hours.len(), 1);
        // Round trip: what is shown parses back to the same rules.
        assert_eq!(AvailabilityFields::from(&rules).parse().unwrap(), rules);
    }
}
