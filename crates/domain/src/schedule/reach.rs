//! How much busy time a slot search must see: a window's slots depend on sessions outside
//! it through the caps (the whole ISO week counts, and a chain of back-to-back sessions may
//! run in from either side), so a search reads this stretch, and no more.

use crate::catalog::DURATION_MAX;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, tz::TimeZone};

/// At most this many sessions back to back (`caps.max_consecutive`).
pub const MAX_CONSECUTIVE: u16 = 12;
/// The longest break that may still count as back to back (`caps.break_minutes`).
pub const MAX_BREAK_MINUTES: u16 = 240;

/// Zones are between 12 hours behind and 14 hours ahead of UTC.
const BEHIND: SignedDuration = SignedDuration::from_hours(12);
const AHEAD: SignedDuration = SignedDuration::from_hours(14);

/// The stretch `[from, to)` whose busy time decides the slots of a search of `[start, end)`,
/// in any zone and under any caps the rules allow: the ISO weeks the window touches in the
/// mentor's zone (a week starts between 14 hours before and 12 hours after Monday 00:00
/// UTC), and the longest chain of back-to-back sessions (`MAX_CONSECUTIVE` of at most
/// `DURATION_MAX` minutes, each less than `MAX_BREAK_MINUTES` after the last) either side,
/// which also covers any buffer.
pub fn busy_reach(start: Timestamp, end: Timestamp) -> (Timestamp, Timestamp) {
    let chain = SignedDuration::from_mins(
        i64::from(MAX_CONSECUTIVE) * (DURATION_MAX + i64::from(MAX_BREAK_MINUTES)),
    );
    let utc_date = |t: Timestamp| TimeZone::UTC.to_datetime(t).date();
    let midnight = |d: Date| {
        d.at(0, 0, 0, 0)
            .to_zoned_datetime(TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MIN)
    };
    let first_day = utc_date(start.saturating_sub(BEHIND).unwrap_or(start));
    let monday = monday_on_or_before(first_day);
    let last_day = utc_date(end.saturating_add(AHEAD).unwrap_or(end));
    let next_monday = monday_on_or_before(last_day)
        .checked_add(SignedDuration::from_hours(24 * 7))
        .unwrap_or(last_day);
    let from = midnight(monday)
        .saturating_sub(AHEAD)
        .unwrap_or(Timestamp::MIN)
        .min(start.saturating_sub(chain).unwrap_or(Timestamp::MIN));
    let to = midnight(next_monday)
        .saturating_add(BEHIND)
        .unwrap_or(Timestamp::MAX)
        .max(end.saturating_add(chain).unwrap_or(Timestamp::MAX));
    (from, to)
}

/// The Monday of `d`'s ISO week.
fn monday_on_or_before(d: Date) -> Date {
    let back = i64::from(d.weekday().to_monday_zero_offset());
    d.checked_sub(SignedDuration::from_hours(24 * back))
        .unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_wednesday_reaches_its_week_in_every_zone_and_no_further() {
        // Wednesday 2026-12-09: its week runs Monday 7th to Monday 14th, which starts as
        // early as Sunday 10:00 UTC (UTC+14) and ends as late as Monday 12:00 UTC (UTC-12).
        let (from, to) = busy_reach(ts("2026-12-09T00:00:00Z"), ts("2026-12-10T00:00:00Z"));
        assert_eq!(from, ts("2026-12-06T10:00:00Z"));
        assert_eq!(to, ts("2026-12-14T12:00:00Z"));
    }

    #[test]
    fn a_monday_reaches_the_week_before_where_it_is_still_sunday() {
        // At Monday 00:00 UTC it is Sunday 12:00 in UTC-12, in the week before.
        let (from, _) = busy_reach(ts("2026-12-07T00:00:00Z"), ts("2026-12-08T00:00:00Z"));
        assert_eq!(from, ts("2026-11-29T10:00:00Z"));
    }

    #[test]
    fn a_tuesday_reaches_back_for_a_chain_of_sessions() {
        // 60 hours of chain before Tuesday 00:00 reach further back than the week's start.
        let (from, _) = busy_reach(ts("2026-12-08T00:00:00Z"), ts("2026-12-09T00:00:00Z"));
        assert_eq!(from, ts("2026-12-05T12:00:00Z"));
    }
}
