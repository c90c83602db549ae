//! Time zones: DTSTART/DTEND as wall-clock times with `TZID`, and the VTIMEZONE that defines
//! that `TZID`, both taken from jiff's bundled tzdb so they agree with each other.

use crate::text::{Lines, param_value};
use jiff::tz::{Dst, Offset, TimeZone};
use jiff::{SignedDuration, Timestamp, civil::DateTime};

/// A zone an event's times are written in.
#[derive(Clone)]
pub(crate) struct Zone {
    /// The `TZID`: jiff's name for the zone, so `america/new_york` is written canonically.
    pub(crate) id: String,
    pub(crate) tz: TimeZone,
}

impl Zone {
    /// The zone named `name`, or `None` when jiff's tzdb does not know it.
    pub(crate) fn lookup(name: &str) -> Option<Zone> {
        let tz = TimeZone::get(name).ok()?;
        let id = tz.iana_name().unwrap_or(name).to_string();
        Some(Zone { id, tz })
    }
}

/// Drops sub-second precision: iCalendar times have whole seconds, and the instant written must
/// be the instant compared against.
pub(crate) fn whole_seconds(ts: Timestamp) -> Timestamp {
    Timestamp::from_second(ts.as_second()).unwrap_or(ts)
}

/// `YYYYMMDDTHHMMSS`, the DATE-TIME form (§3.3.5) without a zone suffix.
fn format_civil(dt: DateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// `YYYYMMDDTHHMMSSZ`, an instant in UTC.
pub(crate) fn format_utc(ts: Timestamp) -> String {
    format!(
        "{}Z",
        format_civil(Offset::UTC.to_datetime(whole_seconds(ts)))
    )
}

/// Writes a DATE-TIME property for `ts`: local time with `TZID` when a zone is known, else UTC.
///
/// RFC 5545 §3.3.5 reads a wall time that occurs twice (when clocks go back) as its *first*
/// occurrence. An instant in the repeated hour's second pass therefore has no correct
/// local-time form, so it is written in UTC instead, which every client reads exactly.
pub(crate) fn date_time(lines: &mut Lines, name: &str, ts: Timestamp, zone: Option<&Zone>) {
    let ts = whole_seconds(ts);
    if let Some(zone) = zone {
        let local = ts.to_zoned_datetime(zone.tz.clone()).datetime();
        // A reading the clock shows twice (a fold) is written in UTC: RFC 5545 means the
        // first, but parsers differ (ical.js takes the second), and UTC reads one way in all.
        if zone.tz.to_ambiguous_timestamp(local).unambiguous().ok() == Some(ts) {
            let tzid = param_value(&zone.id);
            lines.raw(&format!("{name};TZID={tzid}"), &format_civil(local));
            return;
        }
    }
    lines.raw(name, &format_utc(ts));
}

/// `+HHMM`, or `+HHMMSS` for the odd historical offset with seconds (§3.3.14).
fn format_offset(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

/// One STANDARD or DAYLIGHT sub-component: from `onset` on, `to` applies.
struct Observance {
    onset: Timestamp,
    from: Offset,
    to: Offset,
    name: String,
    daylight: bool,
}

/// How far before the earliest and after the latest event the VTIMEZONE reaches, so that a
/// client showing the events' surroundings (or an event moved a little) still has the rules.
const MARGIN: SignedDuration = SignedDuration::from_hours(366 * 24);

/// Writes a VTIMEZONE for `zone` that is exact from a year before `earliest` to a year after
/// `latest`.
///
/// Each observance is one real transition with an explicit DTSTART, no RRULE: it is what the
/// tzdb says, needs no rule inference, and cannot disagree with jiff (RFC 5545 allows any number
/// of observances). The first one is the last transition before the window, so the offset in
/// force at the window's start is defined too. A zone that never changed (UTC) gets a single
/// STANDARD observance.
pub(crate) fn vtimezone(lines: &mut Lines, zone: &Zone, earliest: Timestamp, latest: Timestamp) {
    let window_start = earliest.saturating_sub(MARGIN).unwrap_or(Timestamp::MIN);
    let window_end = latest.saturating_add(MARGIN).unwrap_or(Timestamp::MAX);
    let tz = &zone.tz;
    let offset_before = |ts: Timestamp| {
        // Transitions are never a second apart, so one second earlier is the previous offset.
        tz.to_offset(
            ts.saturating_sub(SignedDuration::from_secs(1))
                .unwrap_or(ts),
        )
    };

    let mut observances = Vec::new();
    let first = tz.preceding(window_start).next();
    // With no transition before the window, every transition is in or after it.
    let from = first.as_ref().map_or(Timestamp::MIN, |t| t.timestamp());
    for t in first.into_iter().chain(tz.following(from)) {
        if t.timestamp() > window_end {
            break;
        }
        observances.push(Observance {
            onset: t.timestamp(),
            from: offset_before(t.timestamp()),
            to: t.offset(),
            name: t.abbreviation().to_string(),
            daylight: t.dst() == Dst::Yes,
        });
    }

    lines.begin("VTIMEZONE");
    lines.text("TZID", &zone.id);
    if observances.is_empty() {
        let info = tz.to_offset_info(window_start);
        let offset = format_offset(info.offset());
        lines.begin("STANDARD");
        // The conventional "since forever" onset; with one observance any date would do.
        lines.raw("DTSTART", "19700101T000000");
        lines.raw("TZOFFSETFROM", &offset);
        lines.raw("TZOFFSETTO", &offset);
        if !info.abbreviation().is_empty() {
            lines.text("TZNAME", info.abbreviation());
        }
        lines.end("STANDARD");
    }
    for o in &observances {
        let kind = if o.daylight { "DAYLIGHT" } else { "STANDARD" };
        lines.begin(kind);
        // An observance's DTSTART is the onset in the wall time in force *before* it (§3.6.5).
        lines.raw("DTSTART", &format_civil(o.from.to_datetime(o.onset)));
        lines.raw("TZOFFSETFROM", &format_offset(o.from));
        lines.raw("TZOFFSETTO", &format_offset(o.to));
        if !o.name.is_empty() {
            lines.text("TZNAME", &o.name);
        }
        lines.end(kind);
    }
    lines.end("VTIMEZONE");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_written_with_sign_hours_minutes_and_only_needed_seconds() {
        assert_eq!(format_offset(Offset::UTC), "+0000");
        assert_eq!(
            format_offset(Offset::from_seconds(-4 * 3600).unwrap()),
            "-0400"
        );
        assert_eq!(
            format_offset(Offset::from_seconds(19_800).unwrap()),
            "+0530"
        );
        assert_eq!(
            format_offset(Offset::from_seconds(-1_800).unwrap()),
            "-0030"
        );
        // Amsterdam's LMT, +00:19:32.
        assert_eq!(
            format_offset(Offset::from_seconds(1_172).unwrap()),
            "+001932"
        );
    }

    #[test]
    fn utc_times_are_written_with_a_z_and_whole_seconds() {
        let ts = Timestamp::new(1_741_505_400, 999_999_999).unwrap();
        assert_eq!(format_utc(ts), "20250309T073000Z");
    }

    #[test]
    fn lookup_uses_the_canonical_name_and_rejects_unknown_zones() {
        assert!(Zone::lookup("Mars/Olympus_Mons").is_none());
        assert!(Zone::lookup("").is_none());
        assert_eq!(Zone::lookup("Europe/Berlin").unwrap().id, "Europe/Berlin");
        // jiff matches names case-insensitively; the TZID is written as the tzdb spells it.
        assert_eq!(
            Zone::lookup("america/new_york").unwrap().id,
            "America/New_York"
        );
    }
}
