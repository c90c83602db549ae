//! Resolving `TZID=` parameters to jiff time zones.
//!
//! In order: an IANA name jiff's bundled tzdb knows (also inside vendor prefixes such as
//! `/mozilla.org/20050126_1/America/New_York`); the calendar's own VTIMEZONE (its
//! `X-LIC-LOCATION`, or its current STANDARD/DAYLIGHT rules turned into a POSIX TZ string, which
//! covers Outlook's `Eastern Standard Time`); else UTC with a warning. Each TZID is resolved
//! once per calendar.

use super::Warnings;
use super::recur::{Freq, Rule};
use super::tree::{Component, short};
use super::value::{Civil, parse_civil};
use jiff::civil::{DateTime, Weekday};
use jiff::tz::{Offset, TimeZone};
use std::collections::HashMap;

pub(crate) struct Zones<'a> {
    vtimezones: Vec<&'a Component>,
    floating: TimeZone,
    cache: HashMap<String, TimeZone>,
}

impl<'a> Zones<'a> {
    pub(crate) fn new(vtimezones: Vec<&'a Component>, floating: TimeZone) -> Self {
        Zones {
            vtimezones,
            floating,
            cache: HashMap::new(),
        }
    }

    /// The zone of times written without `TZID` or `Z`, and of all-day dates.
    pub(crate) fn floating(&self) -> &TimeZone {
        &self.floating
    }

    /// The zone `tzid` names; UTC (with a warning, once) when it cannot be resolved.
    pub(crate) fn get(&mut self, tzid: &str, warnings: &mut Warnings) -> TimeZone {
        if let Some(tz) = self.cache.get(tzid) {
            return tz.clone();
        }
        let tz = by_name(tzid)
            .or_else(|| {
                self.vtimezones
                    .iter()
                    .find(|c| c.prop("TZID").is_some_and(|p| p.value.trim() == tzid))
                    .and_then(|c| from_vtimezone(c))
            })
            .unwrap_or_else(|| {
                warnings.push(format!(
                    "unknown time zone '{}': its times are read as UTC",
                    short(tzid)
                ));
                TimeZone::UTC
            });
        self.cache.insert(tzid.to_string(), tz.clone());
        tz
    }
}

/// An IANA name, or one that ends in an IANA name after a vendor prefix.
fn by_name(tzid: &str) -> Option<TimeZone> {
    let tzid = tzid.trim();
    if tzid.is_empty() || tzid.len() > 200 {
        return None;
    }
    if let Ok(tz) = TimeZone::get(tzid) {
        return Some(tz);
    }
    tzid.match_indices('/')
        .map(|(i, _)| &tzid[i + 1..])
        .filter(|rest| !rest.is_empty())
        .find_map(|rest| TimeZone::get(rest).ok())
}

/// One STANDARD or DAYLIGHT observance.
struct Observance {
    start: DateTime,
    offset_to: i32,
    rule: Option<Rule>,
}

/// A VTIMEZONE as a jiff zone: its named location if it has one, else its latest rules.
/// Old observances are ignored, so times long in the past may be off by the difference; busy
/// time is about the present.
fn from_vtimezone(vtz: &Component) -> Option<TimeZone> {
    if let Some(tz) = vtz.prop("X-LIC-LOCATION").and_then(|p| by_name(&p.value)) {
        return Some(tz);
    }
    let latest = |kind: &str| {
        vtz.children
            .iter()
            .filter(|c| c.name == kind)
            .filter_map(observance)
            .max_by_key(|o| o.start)
    };
    let standard = latest("STANDARD");
    let daylight = latest("DAYLIGHT");
    if let (Some(std), Some(dst)) = (&standard, &daylight)
        && let (Some(std_rule), Some(dst_rule)) = (&std.rule, &dst.rule)
        && std_rule.until.is_none()
        && dst_rule.until.is_none()
    {
        let to_dst = posix_rule(dst_rule, dst.start)?;
        let to_std = posix_rule(std_rule, std.start)?;
        let posix = format!(
            "STD{}DST{},{to_dst},{to_std}",
            posix_offset(std.offset_to),
            posix_offset(dst.offset_to)
        );
        return TimeZone::posix(&posix).ok();
    }
    // No yearly DST rules in force: the latest observance's offset holds.
    let last = [standard, daylight]
        .into_iter()
        .flatten()
        .max_by_key(|o| o.start)?;
    Offset::from_seconds(last.offset_to)
        .ok()
        .map(TimeZone::fixed)
}

fn observance(c: &Component) -> Option<Observance> {
    let start = match parse_civil(&c.prop("DTSTART")?.value, None).ok()? {
        Civil::Local(dt) | Civil::Utc(dt) => dt,
        Civil::Day(d) => d.to_datetime(jiff::civil::Time::midnight()),
    };
    let offset_to = utc_offset(&c.prop("TZOFFSETTO")?.value)?;
    let rule = c.prop("RRULE").and_then(|p| Rule::parse(&p.value).ok());
    Some(Observance {
        start,
        offset_to,
        rule,
    })
}

/// `+HHMM` or `-HHMMSS` as seconds east of UTC.
fn utc_offset(s: &str) -> Option<i32> {
    let s = s.trim();
    let (sign, digits) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let part = |i: usize| digits.get(i..i + 2).and_then(|p| p.parse::<i32>().ok());
    let seconds = if digits.len() == 6 { part(4)? } else { 0 };
    let total = part(0)? * 3600 + part(2)? * 60 + seconds;
    (total < 24 * 3600).then_some(sign * total)
}

/// POSIX writes the offset to *add to local time* to get UTC: the opposite sign.
fn posix_offset(east: i32) -> String {
    let west = -east;
    let sign = if west < 0 { "-" } else { "" };
    let abs = west.unsigned_abs();
    format!("{sign}{}:{:02}:{:02}", abs / 3600, abs / 60 % 60, abs % 60)
}

/// `Mm.w.d/time` for a yearly "n-th weekday of month" rule; `None` for any other shape.
fn posix_rule(rule: &Rule, start: DateTime) -> Option<String> {
    if rule.freq != Freq::Yearly || rule.by_month.len() != 1 || rule.by_day.len() != 1 {
        return None;
    }
    let month = rule.by_month[0];
    let (ordinal, weekday) = rule.by_day[0];
    let week = match ordinal {
        Some(n @ 1..=4) => n,
        Some(-1) => 5,
        // `BYDAY=SU;BYMONTHDAY=8,9,…,14` is the older way to write "second Sunday".
        None if rule.by_month_day.len() == 7 => {
            let first = *rule.by_month_day.iter().min()?;
            let consecutive = (first..first + 7).all(|d| rule.by_month_day.contains(&d));
            match first {
                1 | 8 | 15 | 22 if consecutive => (first - 1) / 7 + 1,
                _ => return None,
            }
        }
        _ => return None,
    };
    let day = match weekday {
        Weekday::Sunday => 0,
        other => other.to_monday_one_offset(),
    };
    let t = start.time();
    Some(format!(
        "M{month}.{week}.{day}/{}:{:02}:{:02}",
        t.hour(),
        t.minute(),
        t.second()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::busy::tree;
    use jiff::civil::date;

    const OUTLOOK: &str = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Eastern Standard Time\r\n\
BEGIN:STANDARD\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\n\
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11\r\nEND:STANDARD\r\n\
BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n\
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";

    fn zones_of(text: &str) -> (Vec<tree::Component>, Warnings) {
        let mut w = Warnings::default();
        (tree::parse(text, &mut w).unwrap(), w)
    }

    #[test]
    fn iana_names_also_behind_vendor_prefixes() {
        let mut w = Warnings::default();
        let mut zones = Zones::new(Vec::new(), TimeZone::UTC);
        let tz = zones.get("/mozilla.org/20050126_1/America/New_York", &mut w);
        assert_eq!(tz.iana_name(), Some("America/New_York"));
        assert!(w.finish().is_empty());
    }

    #[test]
    fn an_outlook_vtimezone_becomes_rules_matching_the_tzdb() {
        let (top, mut w) = zones_of(OUTLOOK);
        let vtz: Vec<&tree::Component> = top[0].children.iter().collect();
        let mut zones = Zones::new(vtz, TimeZone::UTC);
        let tz = zones.get("Eastern Standard Time", &mut w);
        let ny = TimeZone::get("America/New_York").unwrap();
        for dt in [
            date(2026, 1, 15).at(9, 0, 0, 0),
            date(2026, 3, 8).at(1, 59, 0, 0),
            date(2026, 3, 8).at(3, 0, 0, 0),
            date(2026, 7, 1).at(12, 0, 0, 0),
            date(2026, 11, 1).at(0, 59, 0, 0),
            date(2026, 11, 1).at(2, 0, 0, 0),
        ] {
            let ours = tz.to_ambiguous_timestamp(dt).compatible().unwrap();
            let tzdb = ny.to_ambiguous_timestamp(dt).compatible().unwrap();
            assert_eq!(ours, tzdb, "{dt}");
        }
        assert!(w.finish().is_empty());
    }

    #[test]
    fn an_unknown_zone_is_utc_with_one_warning() {
        let mut w = Warnings::default();
        let mut zones = Zones::new(Vec::new(), TimeZone::UTC);
        assert_eq!(zones.get("Mars/Olympus_Mons", &mut w), TimeZone::UTC);
        assert_eq!(zones.get("Mars/Olympus_Mons", &mut w), TimeZone::UTC);
        assert_eq!(w.finish().len(), 1);
    }

    #[test]
    fn offsets() {
        assert_eq!(utc_offset("-0500"), Some(-18_000));
        assert_eq!(utc_offset("+053000"), Some(19_800));
        assert_eq!(utc_offset("0500"), None);
        assert_eq!(utc_offset("+9999"), None);
        assert_eq!(posix_offset(-18_000), "5:00:00");
        assert_eq!(posix_offset(19_800), "-5:30:00");
    }
}
