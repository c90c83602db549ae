//! Quiet hours in the recipient's own zone: a nudge due inside them waits for their end.

use super::prefs::QuietHours;
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// `due`, or the end of the quiet hours it falls in, read in `zone` (on a day whose end
/// time does not exist, because the clocks jump over it, the first instant after the jump).
pub fn defer_past_quiet(due: Timestamp, zone: &TimeZone, quiet: Option<QuietHours>) -> Timestamp {
    let Some(q) = quiet else { return due };
    let local = due.to_zoned_datetime(zone.clone());
    if !q.contains(local.time()) {
        return due;
    }
    let mut day = local.date();
    // At most two steps: the end is later today (a morning) or tomorrow (an evening).
    for _ in 0..2 {
        if let Ok(end) = day.to_datetime(q.end).to_zoned_datetime(zone.clone())
            && end.timestamp() > due
        {
            return end.timestamp();
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    due
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{Time, date};

    fn at(zone: &str, y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Timestamp {
        date(y, mo, d)
            .at(h, mi, 0, 0)
            .in_tz(zone)
            .unwrap()
            .timestamp()
    }

    fn night() -> Option<QuietHours> {
        Some(QuietHours {
            start: Time::constant(22, 0, 0, 0),
            end: Time::constant(7, 0, 0, 0),
        })
    }

    #[test]
    fn a_nudge_in_the_evening_waits_for_the_next_morning() {
        let z = TimeZone::get("Asia/Kolkata").unwrap();
        let due = at("Asia/Kolkata", 2026, 12, 1, 23, 15);
        assert_eq!(
            defer_past_quiet(due, &z, night()),
            at("Asia/Kolkata", 2026, 12, 2, 7, 0)
        );
    }

    #[test]
    fn a_nudge_before_dawn_waits_until_seven_the_same_day() {
        let z = TimeZone::get("Europe/Berlin").unwrap();
        let due = at("Europe/Berlin", 2026, 12, 1, 3, 0);
        assert_eq!(
            defer_past_quiet(due, &z, night()),
            at("Europe/Berlin", 2026, 12, 1, 7, 0)
        );
    }

    #[test]
    fn outside_quiet_hours_or_without_them_nothing_moves() {
        let z = TimeZone::get("Europe/Berlin").unwrap();
        let due = at("Europe/Berlin", 2026, 12, 1, 12, 0);
        assert_eq!(defer_past_quiet(due, &z, night()), due);
        let late = at("Europe/Berlin", 2026, 12, 1, 23, 0);
        assert_eq!(defer_past_quiet(late, &z, None), late);
    }

    #[test]
    fn the_end_is_seven_local_across_a_dst_change() {
        // Europe/Berlin leaves summer time in the night of 24–25 October 2026.
        let z = TimeZone::get("Europe/Berlin").unwrap();
        let due = at("Europe/Berlin", 2026, 10, 24, 23, 0);
        let moved = defer_past_quiet(due, &z, night());
        assert_eq!(moved, at("Europe/Berlin", 2026, 10, 25, 7, 0));
        assert_eq!(
            moved.to_zoned_datetime(z).time(),
            Time::constant(7, 0, 0, 0)
        );
        // Eight hours of wall clock, nine of real time: 02:00–03:00 happens twice.
        assert_eq!((moved - due).as_hours(), 9);
    }

    #[test]
    fn an_end_inside_a_dst_gap_is_the_first_instant_after_it() {
        // New York springs from 02:00 to 03:00 on 8 March 2026.
        let z = TimeZone::get("America/New_York").unwrap();
        let q = Some(QuietHours {
            start: Time::constant(1, 0, 0, 0),
            end: Time::constant(2, 30, 0, 0),
        });
        let due = at("America/New_York", 2026, 3, 8, 1, 15);
        let moved = defer_past_quiet(due, &z, q);
        assert_eq!(
            moved.to_zoned_datetime(z).time(),
            Time::constant(3, 30, 0, 0)
        );
    }
}
