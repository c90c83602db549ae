//! Slot search across time zones and DST, and properties over many zones and dates.

use super::*;
use crate::schedule::rules::{DateOverride, DayInterval, LoadCaps, TimeOff};
use jiff::civil::Date;
use proptest::prelude::*;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn iv(a: &str, b: &str) -> DayInterval {
    DayInterval {
        start: ClockTime::parse(a).unwrap(),
        end: ClockTime::parse(b).unwrap(),
    }
}

/// The same hours every day, no notice, a long horizon, 30-minute steps, no caps.
fn every_day(tz: &str, hours: Vec<DayInterval>) -> Availability {
    Availability {
        timezone: tz.into(),
        weekly: std::array::from_fn(|_| hours.clone()),
        overrides: vec![],
        time_off: vec![],
        buffer_before_minutes: 0,
        buffer_after_minutes: 0,
        min_notice_minutes: 0,
        horizon_days: 365,
        slot_step_minutes: 30,
        caps: LoadCaps::default(),
    }
}

fn search(
    rules: &Availability,
    busy: &[Busy],
    minutes: u16,
    from: &str,
    to: &str,
    now: &str,
) -> Vec<String> {
    let tz = TimeZone::get(&rules.timezone).unwrap();
    let q = SlotQuery {
        duration_minutes: minutes,
        from: ts(from),
        to: ts(to),
        now: ts(now),
    };
    slots(rules, &tz, busy, &q)
        .iter()
        .map(|s| s.start.to_string())
        .collect()
}

const EARLY: &str = "2026-01-01T00:00:00Z";

#[test]
fn a_plain_day_in_berlin() {
    let rules = every_day("Europe/Berlin", vec![iv("09:00", "12:00")]);
    let got = search(
        &rules,
        &[],
        30,
        "2026-06-10T00:00:00Z",
        "2026-06-11T00:00:00Z",
        EARLY,
    );
    // 09:00 CEST is 07:00Z; six half-hour starts up to 11:30.
    assert_eq!(
        got,
        [
            "2026-06-10T07:00:00Z",
            "2026-06-10T07:30:00Z",
            "2026-06-10T08:00:00Z",
            "2026-06-10T08:30:00Z",
            "2026-06-10T09:00:00Z",
            "2026-06-10T09:30:00Z"
        ]
    );
}

#[test]
fn kolkata_half_hour_offset() {
    let rules = every_day("Asia/Kolkata", vec![iv("09:00", "10:00")]);
    let got = search(
        &rules,
        &[],
        60,
        "2026-06-10T00:00:00Z",
        "2026-06-11T00:00:00Z",
        EARLY,
    );
    assert_eq!(got, ["2026-06-10T03:30:00Z"]);
}

#[test]
fn new_york_spring_gap_skips_times_that_do_not_exist() {
    // 2026-03-08 02:00 EST jumps to 03:00 EDT.
    let rules = every_day("America/New_York", vec![iv("01:00", "04:00")]);
    let got = search(
        &rules,
        &[],
        30,
        "2026-03-08T00:00:00Z",
        "2026-03-09T00:00:00Z",
        EARLY,
    );
    assert_eq!(
        got,
        [
            "2026-03-08T06:00:00Z",
            "2026-03-08T06:30:00Z",
            "2026-03-08T07:00:00Z",
            "2026-03-08T07:30:00Z"
        ]
    );
}

#[test]
fn new_york_autumn_fold_offers_both_occurrences() {
    // 2026-11-01 02:00 EDT falls back to 01:00 EST: 01:00–02:00 happens twice.
    let rules = every_day("America/New_York", vec![iv("00:30", "02:00")]);
    let got = search(
        &rules,
        &[],
        30,
        "2026-11-01T00:00:00Z",
        "2026-11-02T00:00:00Z",
        EARLY,
    );
    assert_eq!(
        got,
        [
            "2026-11-01T04:30:00Z",
            "2026-11-01T05:00:00Z",
            "2026-11-01T05:30:00Z",
            "2026-11-01T06:00:00Z",
            "2026-11-01T06:30:00Z"
        ]
    );
}

#[test]
fn lord_howe_thirty_minute_gap_and_fold() {
    let rules = every_day("Australia/Lord_Howe", vec![iv("01:00", "03:00")]);
    // 2026-10-04 02:00 (+10:30) jumps to 02:30 (+11).
    let got = search(
        &rules,
        &[],
        30,
        "2026-10-03T12:00:00Z",
        "2026-10-04T00:00:00Z",
        EARLY,
    );
    assert_eq!(
        got,
        [
            "2026-10-03T14:30:00Z",
            "2026-10-03T15:00:00Z",
            "2026-10-03T15:30:00Z"
        ]
    );
    // 2026-04-05 02:00 (+11) falls back to 01:30 (+10:30): 01:30–02:00 happens twice.
    let rules = every_day("Australia/Lord_Howe", vec![iv("01:00", "02:30")]);
    let got = search(
        &rules,
        &[],
        30,
        "2026-04-04T12:00:00Z",
        "2026-04-05T00:00:00Z",
        EARLY,
    );
    assert_eq!(
        got,
        [
            "2026-04-04T14:00:00Z",
            "2026-04-04T14:30:00Z",
            "2026-04-04T15:00:00Z",
            "2026-04-04T15:30:00Z"
        ]
    );
}

/// The case an independent zoneinfo oracle found: hours that end inside the spring-forward
/// gap end when the clocks jump, so the session ending exactly then is offered.
#[test]
fn hours_ending_inside_a_spring_gap_end_at_the_jump() {
    let rules = every_day("Europe/Berlin", vec![iv("00:30", "02:30")]);
    let got = search(
        &rules,
        &[],
        30,
        "2026-03-28T22:00:00Z",
        "2026-03-29T06:00:00Z",
        EARLY,
    );
    // 00:30, 01:00 and 01:30 CET; the last ends at 02:00 CET, which the clock shows as 03:00.
    assert_eq!(
        got,
        [
            "2026-03-28T23:30:00Z",
            "2026-03-29T00:00:00Z",
            "2026-03-29T00:30:00Z"
        ]
    );
    let tz = TimeZone::get("Europe/Berlin").unwrap();
    let date = jiff::civil::date(2026, 3, 29);
    let span = working_span(&tz, date, &iv("00:30", "02:30")).unwrap();
    assert_eq!(span.1, ts("2026-03-29T01:00:00Z"), "the oracle agrees");
}

#[test]
fn berlin_mentor_and_new_york_mentee_across_both_transitions() {
    // Europe moves on 29 March, the US on 8 March: for three weeks the gap is 5 hours.
    let rules = every_day("Europe/Berlin", vec![iv("15:00", "16:00")]);
    let before = search(
        &rules,
        &[],
        60,
        "2026-03-20T00:00:00Z",
        "2026-03-21T00:00:00Z",
        EARLY,
    );
    let after = search(
        &rules,
        &[],
        60,
        "2026-04-10T00:00:00Z",
        "2026-04-11T00:00:00Z",
        EARLY,
    );
    assert_eq!(before, ["2026-03-20T14:00:00Z"], "15:00 CET");
    assert_eq!(after, ["2026-04-10T13:00:00Z"], "15:00 CEST");
    let ny = TimeZone::get("America/New_York").unwrap();
    assert_eq!(
        ny.to_datetime(ts(&before[0])).time().hour(),
        10,
        "10:00 EDT for the mentee in March"
    );
    assert_eq!(
        ny.to_datetime(ts(&after[0])).time().hour(),
        9,
        "09:00 EDT in April"
    );
}

#[test]
fn notice_horizon_and_window() {
    let mut rules = every_day("UTC", vec![iv("09:00", "12:00")]);
    rules.min_notice_minutes = 90;
    rules.horizon_days = 1;
    let got = search(
        &rules,
        &[],
        60,
        "2026-06-10T00:00:00Z",
        "2026-06-13T00:00:00Z",
        "2026-06-10T08:00:00Z",
    );
    // Notice: nothing before 09:30; horizon: nothing after 08:00 the next day.
    assert_eq!(
        got,
        [
            "2026-06-10T09:30:00Z",
            "2026-06-10T10:00:00Z",
            "2026-06-10T10:30:00Z",
            "2026-06-10T11:00:00Z"
        ]
    );
}

#[test]
fn sessions_buffers_time_off_and_overrides() {
    let mut rules = every_day("UTC", vec![iv("09:00", "13:00")]);
    rules.slot_step_minutes = 15;
    rules.buffer_after_minutes = 15;
    rules.time_off = vec![TimeOff {
        start: ts("2026-06-10T12:00:00Z"),
        end: ts("2026-06-11T12:00:00Z"),
    }];
    rules.overrides = vec![DateOverride {
        date: jiff::civil::date(2026, 6, 12),
        hours: vec![],
    }];
    let session = Busy {
        start: ts("2026-06-10T10:00:00Z"),
        end: ts("2026-06-10T10:30:00Z"),
        kind: BusyKind::Session,
    };
    let got = search(
        &rules,
        &[session],
        30,
        "2026-06-10T00:00:00Z",
        "2026-06-13T00:00:00Z",
        EARLY,
    );
    assert_eq!(
        got,
        [
            "2026-06-10T09:00:00Z",
            "2026-06-10T09:15:00Z", // ends 09:45, +15 buffer touches 10:00
            "2026-06-10T10:45:00Z",
            "2026-06-10T11:00:00Z",
            "2026-06-10T11:15:00Z", // 11:15 ends 11:45, +15 = 12:00 time off
            // After the time off; a buffer may run past the working hours.
            "2026-06-11T12:00:00Z",
            "2026-06-11T12:15:00Z",
            "2026-06-11T12:30:00Z",
        ]
    );
}

#[test]
fn caps_per_day_per_week_and_back_to_back() {
    let mut rules = every_day("UTC", vec![iv("09:00", "17:00")]);
    rules.slot_step_minutes = 60;
    let s = |a: &str, b: &str| Busy {
        start: ts(a),
        end: ts(b),
        kind: BusyKind::Session,
    };
    let busy = [
        s("2026-06-10T09:00:00Z", "2026-06-10T10:00:00Z"),
        s("2026-06-10T10:00:00Z", "2026-06-10T11:00:00Z"),
    ];
    rules.caps = LoadCaps {
        max_per_day: None,
        max_per_week: None,
        max_consecutive: Some(2),
        break_minutes: 15,
    };
    let day = search(
        &rules,
        &busy,
        60,
        "2026-06-10T00:00:00Z",
        "2026-06-11T00:00:00Z",
        EARLY,
    );
    assert!(
        !day.contains(&"2026-06-10T11:00:00Z".to_string()),
        "a third in a row is refused: {day:?}"
    );
    assert!(
        day.contains(&"2026-06-10T12:00:00Z".to_string()),
        "after a break it is fine: {day:?}"
    );
    rules.caps = LoadCaps {
        max_per_day: Some(2),
        max_per_week: None,
        max_consecutive: None,
        break_minutes: 0,
    };
    assert!(
        search(
            &rules,
            &busy,
            60,
            "2026-06-10T00:00:00Z",
            "2026-06-11T00:00:00Z",
            EARLY
        )
        .is_empty()
    );
    assert!(
        !search(
            &rules,
            &busy,
            60,
            "2026-06-11T00:00:00Z",
            "2026-06-12T00:00:00Z",
            EARLY
        )
        .is_empty()
    );
    rules.caps = LoadCaps {
        max_per_day: None,
        max_per_week: Some(2),
        max_consecutive: None,
        break_minutes: 0,
    };
    // 2026-06-10 is a Wednesday: the rest of that ISO week is full, the next Monday is not.
    assert!(
        search(
            &rules,
            &busy,
            60,
            "2026-06-11T00:00:00Z",
            "2026-06-15T00:00:00Z",
            EARLY
        )
        .is_empty()
    );
    assert!(
        !search(
            &rules,
            &busy,
            60,
            "2026-06-15T00:00:00Z",
            "2026-06-16T00:00:00Z",
            EARLY
        )
        .is_empty()
    );
}

#[test]
fn a_day_ending_at_midnight_and_a_session_longer_than_the_interval() {
    let rules = every_day("UTC", vec![iv("23:00", "24:00")]);
    assert_eq!(
        search(
            &rules,
            &[],
            60,
            "2026-06-10T00:00:00Z",
            "2026-06-11T00:00:00Z",
            EARLY
        ),
        ["2026-06-10T23:00:00Z"]
    );
    assert!(
        search(
            &rules,
            &[],
            90,
            "2026-06-10T00:00:00Z",
            "2026-06-11T00:00:00Z",
            EARLY
        )
        .is_empty()
    );
}

// ---- properties ----------------------------------------------------------------------

const ZONES: [&str; 9] = [
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "America/St_Johns",
    "UTC",
];

fn day_hours() -> impl Strategy<Value = Vec<DayInterval>> {
    // Up to three non-overlapping intervals on a 5-minute grid.
    proptest::collection::vec((0u16..288, 1u16..96), 0..3).prop_map(|raw| {
        let mut out: Vec<DayInterval> = Vec::new();
        let mut cursor = 0u16;
        for (gap, len) in raw {
            let start = (cursor + gap * 5 / 3).min(24 * 60);
            let end = (start + len * 5).min(24 * 60);
            if end > start {
                out.push(DayInterval {
                    start: ClockTime::from_minutes(start).unwrap(),
                    end: ClockTime::from_minutes(end).unwrap(),
                });
                cursor = end;
            }
        }
        out
    })
}

prop_compose! {
    fn scenario()(
        zone in 0..ZONES.len(),
        weekly in proptest::array::uniform7(day_hours()),
        day in 0i64..730,
        near_transition in any::<bool>(),
        which_transition in 0usize..4,
        back in 0i64..(3 * 24 * 60),
        now_offset_min in 0i64..(3 * 24 * 60),
        span_days in 1i64..10,
        step in proptest::sample::select(vec![5u16, 15, 20, 30, 60]),
        duration in proptest::sample::select(vec![20u16, 30, 45, 60]),
        before in 0u16..30, after in 0u16..30,
        notice in 0u32..(48 * 60),
        horizon in 1u16..30,
        caps in (proptest::option::of(1u16..4), proptest::option::of(1u16..10), proptest::option::of(1u16..4), 5u16..60),
        sessions in proptest::collection::vec((0i64..(12 * 24 * 60), proptest::sample::select(vec![20i64, 30, 45, 60]), any::<bool>()), 0..12),
    ) -> (Availability, Vec<Busy>, SlotQuery) {
        let year_start = ts("2026-01-01T00:00:00Z");
        let tz = TimeZone::get(ZONES[zone]).unwrap();
        // Half the cases start just before one of the zone's DST transitions in 2026–27,
        // where the mistakes live; the rest anywhere in those two years.
        let transition = tz.following(year_start).nth(which_transition).map(|t| t.timestamp());
        let base = match transition {
            Some(t) if near_transition => t.checked_sub(mins(back)).unwrap(),
            _ => year_start.checked_add(SignedDuration::from_hours(24 * day)).unwrap(),
        };
        let now = base.checked_sub(mins(now_offset_min / 8)).unwrap();
        let rules = Availability {
            timezone: ZONES[zone].into(),
            weekly,
            overrides: vec![],
            time_off: vec![],
            buffer_before_minutes: before,
            buffer_after_minutes: after,
            min_notice_minutes: notice,
            horizon_days: horizon,
            slot_step_minutes: step,
            caps: LoadCaps { max_per_day: caps.0, max_per_week: caps.1, max_consecutive: caps.2, break_minutes: caps.3 },
        };
        let busy = sessions
            .into_iter()
            .map(|(at, len, session)| {
                let start = base.checked_add(mins(at)).unwrap();
                Busy { start, end: start.checked_add(mins(len)).unwrap(), kind: if session { BusyKind::Session } else { BusyKind::Blocked } }
            })
            .collect();
        let query = SlotQuery { duration_minutes: duration, from: base, to: base.checked_add(SignedDuration::from_hours(24 * span_days)).unwrap(), now };
        (rules, busy, query)
    }
}

/// An independent reading of "working hours" by scanning the clock minute by minute: the
/// real time from the first minute the mentor's clock shows inside `iv` on `date` to the
/// end of the last such minute. (In a fold the clock passes some readings twice; the
/// mentor works straight through.)
fn working_span(
    tz: &TimeZone,
    date: Date,
    iv: &crate::schedule::rules::DayInterval,
) -> Option<(Timestamp, Timestamp)> {
    let midnight_utc = ts(&format!("{date}T00:00:00Z"));
    let (mut first, mut last) = (None, None);
    let mut t = midnight_utc
        .checked_sub(SignedDuration::from_hours(15))
        .unwrap();
    let stop = midnight_utc
        .checked_add(SignedDuration::from_hours(39))
        .unwrap();
    while t < stop {
        let dt = tz.to_datetime(t);
        let m = u16::try_from(i32::from(dt.hour()) * 60 + i32::from(dt.minute())).unwrap();
        if dt.date() == date && iv.start.minutes() <= m && m < iv.end.minutes() {
            first.get_or_insert(t);
            last = Some(t.checked_add(mins(1)).unwrap());
        }
        t = t.checked_add(mins(1)).unwrap();
    }
    first.zip(last)
}

proptest! {
    // A fixed seed keeps the suite deterministic; change it to explore further.
    #![proptest_config(ProptestConfig {
        cases: 300,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_125),
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_slot_keeps_every_rule((rules, busy, q) in scenario()) {
        let tz = TimeZone::get(&rules.timezone).unwrap();
        let found = slots(&rules, &tz, &busy, &q);
        let duration = mins(q.duration_minutes.into());
        let (before, after) = (mins(rules.buffer_before_minutes.into()), mins(rules.buffer_after_minutes.into()));
        let earliest = q.now.checked_add(mins(rules.min_notice_minutes.into())).unwrap();
        let latest = q.now.checked_add(SignedDuration::from_hours(24 * i64::from(rules.horizon_days))).unwrap();
        let mut spans = std::collections::HashMap::new();
        for w in found.windows(2) {
            prop_assert!(w[0].start < w[1].start, "sorted and unique");
        }
        for s in &found {
            prop_assert_eq!(s.end.duration_since(s.start), duration);
            prop_assert!(s.start >= q.from && s.start < q.to, "inside the window");
            prop_assert!(s.start >= earliest, "respects notice");
            prop_assert!(s.start <= latest, "respects the horizon");
            // The session lies inside the working span of an interval of its own civil date.
            let date = tz.to_datetime(s.start).date();
            let inside = rules.hours_on(date).iter().any(|iv| {
                let span = *spans.entry((date, iv.start, iv.end)).or_insert_with(|| working_span(&tz, date, iv));
                span.is_some_and(|(a, b)| a <= s.start && s.end <= b)
            });
            prop_assert!(inside, "{:?} outside the working hours of {} in {}", s, date, rules.timezone);
            for b in &busy {
                let (bs, be) = match b.kind {
                    BusyKind::Session => (b.start.checked_sub(before).unwrap(), b.end.checked_add(after).unwrap()),
                    BusyKind::Blocked => (b.start, b.end),
                };
                let (ss, se) = (s.start.checked_sub(before).unwrap(), s.end.checked_add(after).unwrap());
                prop_assert!(se <= bs || be <= ss, "slot {:?} collides with {:?}", s, b);
            }
            let date = tz.to_datetime(s.start).date();
            let sessions: Vec<&Busy> = busy.iter().filter(|b| b.kind == BusyKind::Session).collect();
            if let Some(max) = rules.caps.max_per_day {
                let n = sessions.iter().filter(|b| tz.to_datetime(b.start).date() == date).count();
                prop_assert!(n < usize::from(max), "daily cap");
            }
            if let Some(max) = rules.caps.max_per_week {
                let week = date.iso_week_date();
                let n = sessions.iter().filter(|b| {
                    let w = tz.to_datetime(b.start).date().iso_week_date();
                    (w.year(), w.week()) == (week.year(), week.week())
                }).count();
                prop_assert!(n < usize::from(max), "weekly cap");
            }
            if let Some(max) = rules.caps.max_consecutive {
                // Chain of sessions, the candidate included, with gaps under the break.
                let mut all: Vec<(Timestamp, Timestamp)> = sessions.iter().map(|b| (b.start, b.end)).collect();
                all.push((s.start, s.end));
                all.sort();
                let at = all.iter().position(|x| *x == (s.start, s.end)).unwrap();
                let gap = mins(rules.caps.break_minutes.into());
                let (mut lo, mut hi) = (at, at);
                while lo > 0 && all[lo - 1].1.checked_add(gap).unwrap() > all[lo].0 { lo -= 1; }
                while hi + 1 < all.len() && all[hi].1.checked_add(gap).unwrap() > all[hi + 1].0 { hi += 1; }
                prop_assert!(hi - lo < usize::from(max), "back-to-back cap");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_206),
        ..ProptestConfig::default()
    })]

    /// A search that reads only `busy_reach` of its window finds exactly the slots it would
    /// with all of the mentor's busy time (here from six days before the window on).
    #[test]
    fn busy_time_beyond_the_reach_changes_no_slot((rules, busy, q) in scenario()) {
        let tz = TimeZone::get(&rules.timezone).unwrap();
        let six_days = SignedDuration::from_hours(24 * 6);
        let busy: Vec<Busy> = busy
            .into_iter()
            .map(|b| Busy { start: b.start.checked_sub(six_days).unwrap(), end: b.end.checked_sub(six_days).unwrap(), kind: b.kind })
            .collect();
        let (from, to) = crate::schedule::busy_reach(q.from, q.to);
        let near: Vec<Busy> = busy.iter().filter(|b| b.end > from && b.start < to).copied().collect();
        prop_assert_eq!(slots(&rules, &tz, &near, &q), slots(&rules, &tz, &busy, &q));
    }
}
