//! Reading one VEVENT: its start and length with zones resolved, whether it is busy, and its
//! recurrence (RRULE, RDATE, EXDATE, RECURRENCE-ID). Impossible values make the event an
//! error message for the caller to warn with; a bad RRULE only loses the recurrence.

use super::label;
use crate::busy::Warnings;
use crate::busy::lines::ContentLine;
use crate::busy::recur::Rule;
use crate::busy::tree::Component;
use crate::busy::value::{Civil, PeriodEnd, parse_civil, parse_duration, parse_period};
use crate::busy::zone::Zones;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp, ZonedDateTime};

/// A DATE or DATE-TIME with its zone.
#[derive(Debug, Clone)]
pub(super) struct Moment {
    pub(super) civil: DateTime,
    pub(super) tz: TimeZone,
    pub(super) is_date: bool,
}

impl Moment {
    pub(super) fn at(&self, civil: DateTime) -> Moment {
        Moment {
            civil,
            ..self.clone()
        }
    }

    /// The instant, reading a wall time that occurs twice as the first and one that does not
    /// occur as after the gap, as RFC 5545 §3.3.5 says (jiff's "compatible" reading).
    pub(super) fn zoned(&self) -> Option<ZonedDateTime> {
        self.civil.to_zoned_datetime(self.tz.clone()).ok()
    }
}

/// How long each occurrence lasts.
#[derive(Debug, Clone, Copy)]
pub(super) enum Length {
    /// From DURATION or all-day DTEND: days are calendar days (23 or 25 hours across DST).
    Nominal(Span),
    /// From a DATE-TIME DTEND: the same elapsed time for every occurrence (§3.8.5.3).
    Exact(SignedDuration),
}

impl Length {
    pub(super) fn end(&self, start: &ZonedDateTime) -> Option<Timestamp> {
        match self {
            Length::Nominal(span) => start.checked_add(*span).ok().map(|z| z.timestamp()),
            Length::Exact(d) => start.timestamp().checked_add(*d).ok(),
        }
    }

    /// The default when neither DTEND nor DURATION is given: a day for a date, else nothing.
    pub(super) fn default_for(start: &Moment) -> Length {
        if start.is_date {
            Length::Nominal(Span::new().days(1))
        } else {
            Length::Exact(SignedDuration::ZERO)
        }
    }
}

pub(super) struct Event<'c> {
    pub(super) uid: Option<String>,
    pub(super) start: Moment,
    pub(super) length: Option<Length>,
    pub(super) busy: bool,
    pub(super) rule: Option<Rule>,
    pub(super) rdates: Vec<(Moment, Option<Length>)>,
    pub(super) exdates: Vec<Moment>,
    pub(super) recurrence_id: Option<Moment>,
    pub(super) component: &'c Component,
}

pub(super) fn read_event<'c>(
    c: &'c Component,
    zones: &mut Zones,
    warnings: &mut Warnings,
) -> Result<Event<'c>, String> {
    let uid = c
        .prop("UID")
        .map(|p| p.value.trim().to_string())
        .filter(|u| !u.is_empty());
    let recurrence_id = c
        .prop("RECURRENCE-ID")
        .map(|p| moment(p, &p.value, zones, warnings))
        .transpose()?;
    let start = match (c.prop("DTSTART"), &recurrence_id) {
        (Some(p), _) => moment(p, &p.value, zones, warnings)?,
        (None, Some(rid)) => rid.clone(),
        (None, None) => return Err("it has no DTSTART".to_string()),
    };
    let length = if let Some(p) = c.prop("DURATION") {
        let span = parse_duration(&p.value)?;
        if span.is_negative() {
            return Err("its DURATION is negative".to_string());
        }
        Some(Length::Nominal(span))
    } else if let Some(p) = c.prop("DTEND") {
        let end = moment(p, &p.value, zones, warnings)?;
        Some(length_between(&start, &end)?)
    } else {
        None
    };
    let status = c
        .prop("STATUS")
        .map(|p| p.value.trim().to_ascii_uppercase());
    let transp = c
        .prop("TRANSP")
        .map(|p| p.value.trim().to_ascii_uppercase());
    let busy = status.as_deref() != Some("CANCELLED") && transp.as_deref() != Some("TRANSPARENT");

    let mut rules = c.props_named("RRULE");
    let rule = match rules.next().map(|p| Rule::parse(&p.value)) {
        None => None,
        Some(Ok(rule)) => Some(rule),
        Some(Err(message)) => {
            warnings.push(format!(
                "event {}: {message}; only its first occurrence is counted",
                label(c)
            ));
            None
        }
    };
    if rules.next().is_some() {
        warnings.push(format!(
            "event {}: more than one RRULE; only the first is used",
            label(c)
        ));
    }
    let mut rdates = Vec::new();
    for p in c.props_named("RDATE") {
        for item in p.value.split(',').filter(|s| !s.trim().is_empty()) {
            match rdate(p, item, zones, warnings) {
                Ok(r) => rdates.push(r),
                Err(message) => {
                    warnings.push(format!("event {}: RDATE skipped: {message}", label(c)))
                }
            }
        }
    }
    let mut exdates = Vec::new();
    for p in c.props_named("EXDATE") {
        for item in p.value.split(',').filter(|s| !s.trim().is_empty()) {
            match moment(p, item, zones, warnings) {
                Ok(m) => exdates.push(m),
                Err(message) => {
                    warnings.push(format!("event {}: EXDATE skipped: {message}", label(c)))
                }
            }
        }
    }
    Ok(Event {
        uid,
        start,
        length,
        busy,
        rule,
        rdates,
        exdates,
        recurrence_id,
        component: c,
    })
}

/// Reads `value` (one item of `prop`) with the property's `VALUE` and `TZID` parameters.
fn moment(
    prop: &ContentLine,
    value: &str,
    zones: &mut Zones,
    warnings: &mut Warnings,
) -> Result<Moment, String> {
    let civil = parse_civil(value, prop.param("VALUE"))?;
    Ok(resolve(civil, prop.param("TZID"), zones, warnings))
}

pub(super) fn resolve(
    civil: Civil,
    tzid: Option<&str>,
    zones: &mut Zones,
    warnings: &mut Warnings,
) -> Moment {
    match civil {
        Civil::Day(d) => Moment {
            civil: d.to_datetime(jiff::civil::Time::midnight()),
            tz: zones.floating().clone(),
            is_date: true,
        },
        Civil::Utc(dt) => Moment {
            civil: dt,
            tz: TimeZone::UTC,
            is_date: false,
        },
        Civil::Local(dt) => Moment {
            civil: dt,
            tz: match tzid {
                Some(id) => zones.get(id, warnings),
                None => zones.floating().clone(),
            },
            is_date: false,
        },
    }
}

fn rdate(
    prop: &ContentLine,
    item: &str,
    zones: &mut Zones,
    warnings: &mut Warnings,
) -> Result<(Moment, Option<Length>), String> {
    let is_period = prop
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"))
        || item.contains('/');
    if !is_period {
        return Ok((moment(prop, item, zones, warnings)?, None));
    }
    let (start, end) = parse_period(item)?;
    let start = resolve(start, prop.param("TZID"), zones, warnings);
    let length = match end {
        PeriodEnd::For(span) => Length::Nominal(span),
        PeriodEnd::At(end) => {
            length_between(&start, &resolve(end, prop.param("TZID"), zones, warnings))?
        }
    };
    Ok((start, Some(length)))
}

/// The length from `start` to `end`: whole days when both are dates, else elapsed time.
pub(super) fn length_between(start: &Moment, end: &Moment) -> Result<Length, String> {
    if start.is_date && end.is_date {
        let days = end
            .civil
            .date()
            .duration_since(start.civil.date())
            .as_secs()
            / 86_400;
        if days < 0 {
            return Err("it ends before it starts".to_string());
        }
        let span = Span::new()
            .try_days(days)
            .map_err(|_| "it is too long".to_string())?;
        return Ok(Length::Nominal(span));
    }
    let (Some(s), Some(e)) = (start.zoned(), end.zoned()) else {
        return Err("its times are out of range".to_string());
    };
    let elapsed = e.timestamp().duration_since(s.timestamp());
    if elapsed.is_negative() {
        return Err("it ends before it starts".to_string());
    }
    Ok(Length::Exact(elapsed))
}
