//! Value syntax (RFC 5545 §3.3): DATE, DATE-TIME, DURATION and PERIOD, read into jiff types.
//! Everything is checked; an impossible date is an error message, never a panic.

use jiff::Span;
use jiff::civil::{Date, DateTime, Time};

/// A DATE or DATE-TIME as written, before its zone is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Civil {
    /// `VALUE=DATE`: a whole day.
    Day(Date),
    /// A local time: with `TZID=` in that zone, without it floating.
    Local(DateTime),
    /// A time ending in `Z`.
    Utc(DateTime),
}

/// The end of a PERIOD: an explicit time or a length.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PeriodEnd {
    At(Civil),
    For(Span),
}

/// Reads a DATE (`YYYYMMDD`) or DATE-TIME (`YYYYMMDDTHHMMSS[Z]`). `value_type` is the `VALUE`
/// parameter; a bare eight-digit value is read as a DATE whatever it says.
pub(crate) fn parse_civil(s: &str, value_type: Option<&str>) -> Result<Civil, String> {
    let s = s.trim();
    let is_date = s.len() == 8 || value_type.is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
    if is_date {
        return parse_date(s).map(Civil::Day);
    }
    let (body, utc) = match s.strip_suffix(['Z', 'z']) {
        Some(body) => (body, true),
        None => (s, false),
    };
    let (date, time) = body
        .split_once(['T', 't'])
        .ok_or_else(|| format!("'{}' is not a date-time", super::tree::short(s)))?;
    let date = parse_date(date)?;
    if time.len() != 6 {
        return Err(format!("'{}' is not a date-time", super::tree::short(s)));
    }
    let hour = digits(time, 0, 2)?;
    let minute = digits(time, 2, 4)?;
    // A leap second (60) is allowed by the syntax; jiff has none, so it reads as :59.
    let second = digits(time, 4, 6)?.min(59);
    let time = Time::new(hour as i8, minute as i8, second as i8, 0)
        .map_err(|_| format!("'{}' is not a valid time", super::tree::short(s)))?;
    let dt = date.to_datetime(time);
    Ok(if utc {
        Civil::Utc(dt)
    } else {
        Civil::Local(dt)
    })
}

fn parse_date(s: &str) -> Result<Date, String> {
    if s.len() != 8 {
        return Err(format!("'{}' is not a date", super::tree::short(s)));
    }
    let year = digits(s, 0, 4)?;
    let month = digits(s, 4, 6)?;
    let day = digits(s, 6, 8)?;
    Date::new(year as i16, month as i8, day as i8)
        .map_err(|_| format!("'{}' is not a valid date", super::tree::short(s)))
}

/// The decimal number in `s[from..to]`, which must be ASCII digits only.
fn digits(s: &str, from: usize, to: usize) -> Result<u32, String> {
    let part = s
        .get(from..to)
        .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            format!(
                "'{}' has a non-digit where a number belongs",
                super::tree::short(s)
            )
        })?;
    part.parse::<u32>()
        .map_err(|_| format!("'{}' has a number out of range", super::tree::short(s)))
}

/// Reads a DURATION (`[+-]P…`): weeks and days are nominal (a day across a DST change is 23
/// or 25 hours), hours, minutes and seconds exact, as §3.3.6 says; jiff's span arithmetic on
/// zoned times does exactly that.
pub(crate) fn parse_duration(s: &str) -> Result<Span, String> {
    let bad = || format!("'{}' is not a duration", super::tree::short(s));
    let t = s.trim();
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let t = t.strip_prefix(['P', 'p']).ok_or_else(bad)?;
    let (mut days, mut seconds) = (0i64, 0i64);
    let mut in_time = false;
    let mut number = String::new();
    let mut any = false;
    for c in t.chars() {
        match c.to_ascii_uppercase() {
            'T' if !in_time && number.is_empty() => in_time = true,
            d if d.is_ascii_digit() => {
                if number.len() >= 9 {
                    return Err(bad());
                }
                number.push(d);
            }
            unit => {
                let n: i64 = number.parse().map_err(|_| bad())?;
                number.clear();
                any = true;
                match (unit, in_time) {
                    ('W', false) => days += n * 7,
                    ('D', false) => days += n,
                    ('H', true) => seconds += n * 3600,
                    ('M', true) => seconds += n * 60,
                    ('S', true) => seconds += n,
                    _ => return Err(bad()),
                }
            }
        }
    }
    if !number.is_empty() || !any {
        return Err(bad());
    }
    let sign = if negative { -1 } else { 1 };
    Span::new()
        .try_days(sign * days)
        .and_then(|span| span.try_seconds(sign * seconds))
        .map_err(|_| bad())
}

/// Reads a PERIOD (`start/end` or `start/duration`).
pub(crate) fn parse_period(s: &str) -> Result<(Civil, PeriodEnd), String> {
    let (start, end) = s
        .split_once('/')
        .ok_or_else(|| format!("'{}' is not a period", super::tree::short(s)))?;
    let start = parse_civil(start, None)?;
    let end = if end.trim_start().starts_with(['P', 'p', '+', '-']) {
        PeriodEnd::For(parse_duration(end)?)
    } else {
        PeriodEnd::At(parse_civil(end, None)?)
    };
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn reads_dates_and_times() {
        assert_eq!(
            parse_civil("20260308", None),
            Ok(Civil::Day(date(2026, 3, 8)))
        );
        assert_eq!(
            parse_civil("20260308T093000Z", None),
            Ok(Civil::Utc(date(2026, 3, 8).at(9, 30, 0, 0)))
        );
        assert_eq!(
            parse_civil("00010101T000060", None),
            Ok(Civil::Local(date(1, 1, 1).at(0, 0, 59, 0)))
        );
    }

    #[test]
    fn refuses_impossible_dates_without_panicking() {
        for bad in [
            "20261345T000000",
            "20260230",
            "2026-03-08",
            "20260308T25",
            "20260308T250000",
            "",
            "T",
            "99999999T999999Z",
            "２０２６０３０８",
            "20260308T0900００",
        ] {
            assert!(parse_civil(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_durations() {
        let span = parse_duration("P1W2DT3H4M5S").unwrap();
        assert_eq!(span.get_days(), 9);
        assert_eq!(span.get_seconds(), 3 * 3600 + 4 * 60 + 5);
        assert_eq!(parse_duration("-PT15M").unwrap().get_seconds(), -900);
        for bad in ["P", "PT", "1H", "PT1D", "P1H", "P99999999999D", "PTH"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_periods() {
        let (start, end) = parse_period("20260301T100000Z/PT1H").unwrap();
        assert_eq!(start, Civil::Utc(date(2026, 3, 1).at(10, 0, 0, 0)));
        assert!(matches!(end, PeriodEnd::For(s) if s.get_seconds() == 3600));
        assert!(parse_period("20260301T100000Z").is_err());
    }
}
