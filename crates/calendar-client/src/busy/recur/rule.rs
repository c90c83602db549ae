//! Reading an RRULE value (RFC 5545 §3.3.10) into a [`Rule`], with every number range-checked.
//!
//! Supported: FREQ (all seven), INTERVAL, COUNT, UNTIL, BYMONTH, BYMONTHDAY, BYDAY (with
//! ordinals), BYHOUR, BYMINUTE, BYSECOND, BYSETPOS, WKST. BYYEARDAY and BYWEEKNO are rare in
//! calendars people keep and are refused by name, so the caller can warn.

use crate::busy::value::{Civil, parse_civil};
use jiff::civil::Weekday;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Freq {
    Secondly,
    Minutely,
    Hourly,
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    pub(crate) freq: Freq,
    /// At least 1.
    pub(crate) interval: i64,
    pub(crate) count: Option<u64>,
    pub(crate) until: Option<Civil>,
    /// `(ordinal, weekday)`: `2MO` is `(Some(2), Monday)`, `SU` is `(None, Sunday)`.
    pub(crate) by_day: Vec<(Option<i8>, Weekday)>,
    pub(crate) by_month_day: Vec<i8>,
    pub(crate) by_month: Vec<i8>,
    pub(crate) by_hour: Vec<i8>,
    pub(crate) by_minute: Vec<i8>,
    pub(crate) by_second: Vec<i8>,
    pub(crate) by_set_pos: Vec<i16>,
    pub(crate) wkst: Weekday,
}

/// The largest INTERVAL accepted; larger values are nonsense and would only risk overflow.
const MAX_INTERVAL: i64 = 1_000_000;

impl Rule {
    pub(crate) fn parse(s: &str) -> Result<Rule, String> {
        let mut freq = None;
        let mut rule = Rule {
            freq: Freq::Daily,
            interval: 1,
            count: None,
            until: None,
            by_day: Vec::new(),
            by_month_day: Vec::new(),
            by_month: Vec::new(),
            by_hour: Vec::new(),
            by_minute: Vec::new(),
            by_second: Vec::new(),
            by_set_pos: Vec::new(),
            wkst: Weekday::Monday,
        };
        for part in s.trim().split(';').filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("RRULE part '{}' has no value", short(part)))?;
            let key = key.trim().to_ascii_uppercase();
            let value = value.trim();
            match key.as_str() {
                "FREQ" => freq = Some(parse_freq(value)?),
                "INTERVAL" => rule.interval = number(value, 1, MAX_INTERVAL, &key)?,
                "COUNT" => rule.count = Some(number(value, 1, i64::from(u32::MAX), &key)? as u64),
                "UNTIL" => rule.until = Some(parse_civil(value, None)?),
                "BYDAY" => rule.by_day = list(value, parse_by_day)?,
                "BYMONTHDAY" => rule.by_month_day = list(value, |v| signed(v, 31, &key))?,
                "BYMONTH" => {
                    rule.by_month = list(value, |v| number(v, 1, 12, &key).map(|n| n as i8))?
                }
                "BYHOUR" => {
                    rule.by_hour = list(value, |v| number(v, 0, 23, &key).map(|n| n as i8))?
                }
                "BYMINUTE" => {
                    rule.by_minute = list(value, |v| number(v, 0, 59, &key).map(|n| n as i8))?
                }
                // A leap second reads as :59, as in DATE-TIME values.
                "BYSECOND" => {
                    rule.by_second =
                        list(value, |v| number(v, 0, 60, &key).map(|n| n.min(59) as i8))?
                }
                "BYSETPOS" => {
                    rule.by_set_pos = list(value, |v| {
                        let n = number(v.trim_start_matches(['+', '-']), 1, 366, &key)? as i16;
                        Ok(if v.starts_with('-') { -n } else { n })
                    })?
                }
                "WKST" => rule.wkst = weekday(value)?,
                "BYYEARDAY" | "BYWEEKNO" => {
                    return Err(format!("RRULE part {key} is not supported"));
                }
                // X-names and anything newer: ignored, as §3.3.10 asks of unknown parts.
                _ => {}
            }
        }
        rule.freq = freq.ok_or("RRULE has no FREQ")?;
        if rule.count.is_some() && rule.until.is_some() {
            return Err("RRULE has both COUNT and UNTIL".to_string());
        }
        Ok(rule)
    }
}

fn parse_freq(v: &str) -> Result<Freq, String> {
    Ok(match v.to_ascii_uppercase().as_str() {
        "SECONDLY" => Freq::Secondly,
        "MINUTELY" => Freq::Minutely,
        "HOURLY" => Freq::Hourly,
        "DAILY" => Freq::Daily,
        "WEEKLY" => Freq::Weekly,
        "MONTHLY" => Freq::Monthly,
        "YEARLY" => Freq::Yearly,
        _ => return Err(format!("RRULE FREQ '{}' is unknown", short(v))),
    })
}

/// A comma-separated list, each item read by `item`, duplicates removed. At most 400 items,
/// more than any valid list needs.
fn list<T: PartialEq>(v: &str, item: impl Fn(&str) -> Result<T, String>) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for part in v.split(',') {
        if out.len() >= 400 {
            return Err("RRULE list is too long".to_string());
        }
        let parsed = item(part.trim())?;
        if !out.contains(&parsed) {
            out.push(parsed);
        }
    }
    Ok(out)
}

fn number(v: &str, min: i64, max: i64, key: &str) -> Result<i64, String> {
    v.parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("RRULE {key} value '{}' is out of range", short(v)))
}

/// `±n` with `1 ≤ n ≤ max`.
fn signed(v: &str, max: i64, key: &str) -> Result<i8, String> {
    let n = number(v.trim_start_matches(['+', '-']), 1, max, key)? as i8;
    Ok(if v.starts_with('-') { -n } else { n })
}

fn parse_by_day(v: &str) -> Result<(Option<i8>, Weekday), String> {
    let split = v.len().saturating_sub(2);
    let (ordinal, day) = v
        .split_at_checked(split)
        .ok_or_else(|| format!("RRULE BYDAY value '{}' is not a weekday", short(v)))?;
    let ordinal = if ordinal.is_empty() {
        None
    } else {
        Some(signed(ordinal, 53, "BYDAY")?)
    };
    Ok((ordinal, weekday(day)?))
}

fn weekday(v: &str) -> Result<Weekday, String> {
    Ok(match v.to_ascii_uppercase().as_str() {
        "MO" => Weekday::Monday,
        "TU" => Weekday::Tuesday,
        "WE" => Weekday::Wednesday,
        "TH" => Weekday::Thursday,
        "FR" => Weekday::Friday,
        "SA" => Weekday::Saturday,
        "SU" => Weekday::Sunday,
        _ => return Err(format!("'{}' is not a weekday", short(v))),
    })
}

fn short(s: &str) -> String {
    crate::busy::tree::short(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_full_rule() {
        let r =
            Rule::parse("FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR,2MO,TU;BYSETPOS=-1;WKST=SU;COUNT=5")
                .unwrap();
        assert_eq!(r.freq, Freq::Monthly);
        assert_eq!(r.interval, 2);
        assert_eq!(r.count, Some(5));
        assert_eq!(
            r.by_day,
            vec![
                (Some(-1), Weekday::Friday),
                (Some(2), Weekday::Monday),
                (None, Weekday::Tuesday)
            ]
        );
        assert_eq!(r.by_set_pos, vec![-1]);
        assert_eq!(r.wkst, Weekday::Sunday);
    }

    #[test]
    fn refuses_bad_rules_by_message() {
        for bad in [
            "",
            "INTERVAL=2",
            "FREQ=FORTNIGHTLY",
            "FREQ=DAILY;INTERVAL=0",
            "FREQ=DAILY;INTERVAL=-3",
            "FREQ=DAILY;COUNT=99999999999",
            "FREQ=DAILY;BYMONTH=13",
            "FREQ=DAILY;BYDAY=XX",
            "FREQ=DAILY;BYDAY=99MO",
            "FREQ=YEARLY;BYWEEKNO=20",
            "FREQ=DAILY;COUNT=2;UNTIL=20260101",
            "FREQ=DAILY;UNTIL=2026",
            "FREQ=DAILY;BYDAY=é",
        ] {
            assert!(Rule::parse(bad).is_err(), "{bad}");
        }
    }
}
