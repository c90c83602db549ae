//! Slot search speed, in-process: one mentor over 30 days, and 1,000 mentors over 7 days
//! (the pure computation; loading rules and busy time is measured with the server).
//! Run: `cargo bench -p stint-domain --bench slots`. Prints p50/p99 per case.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::time::Instant;
use stint_domain::schedule::{
    Availability, Busy, BusyKind, ClockTime, DayInterval, SlotQuery, slots,
};

const ZONES: [&str; 5] = [
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Australia/Lord_Howe",
];

fn rules(zone: &str) -> Availability {
    let mut r = Availability::default_for(zone);
    let day = vec![
        DayInterval {
            start: ClockTime::from_minutes(8 * 60).unwrap_or(ClockTime::MIDNIGHT),
            end: ClockTime::from_minutes(12 * 60).unwrap_or(ClockTime::MIDNIGHT),
        },
        DayInterval {
            start: ClockTime::from_minutes(13 * 60).unwrap_or(ClockTime::MIDNIGHT),
            end: ClockTime::from_minutes(18 * 60).unwrap_or(ClockTime::MIDNIGHT),
        },
    ];
    r.weekly = [
        day.clone(),
        day.clone(),
        day.clone(),
        day.clone(),
        day,
        Vec::new(),
        Vec::new(),
    ];
    r.slot_step_minutes = 15;
    r.buffer_after_minutes = 10;
    r.horizon_days = 90;
    r.min_notice_minutes = 0;
    r
}

/// A busy mentor: two sessions every weekday (`from` is a Monday) for the whole window.
fn busy(from: Timestamp, days: i64) -> Vec<Busy> {
    let mut out = Vec::new();
    for d in (0..days).filter(|d| d % 7 < 5) {
        for h in [9, 15] {
            let start = from
                .checked_add(SignedDuration::from_hours(24 * d + h))
                .unwrap_or(from);
            let end = start
                .checked_add(SignedDuration::from_mins(45))
                .unwrap_or(start);
            out.push(Busy {
                start,
                end,
                kind: BusyKind::Session,
            });
        }
    }
    out
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(name: &str, mut ms: Vec<f64>, target_p99: f64, found: usize) {
    ms.sort_by(|a, b| a.total_cmp(b));
    let (p50, p99) = (percentile(&ms, 0.5), percentile(&ms, 0.99));
    let verdict = if p99 <= target_p99 { "meets" } else { "MISSES" };
    println!(
        "{name}: {} runs, {found} slots, p50 {p50:.3} ms, p99 {p99:.3} ms ({verdict} target p99 <= {target_p99} ms)",
        ms.len()
    );
}

fn main() {
    let now: Timestamp = "2026-03-01T00:00:00Z"
        .parse()
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let from = now
        .checked_add(SignedDuration::from_hours(24))
        .unwrap_or(now);

    // One mentor, 30 days, across the March DST changes.
    let r = rules("Europe/Berlin");
    let tz = TimeZone::get(&r.timezone).unwrap_or(TimeZone::UTC);
    let b = busy(from, 30);
    let q = SlotQuery {
        duration_minutes: 45,
        from,
        to: from
            .checked_add(SignedDuration::from_hours(24 * 30))
            .unwrap_or(from),
        now,
    };
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..2000 {
        let t = Instant::now();
        found = slots(&r, &tz, &b, &q).len();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    report("one mentor, 30 days", times, 5.0, found);

    // 1,000 mentors in five zones, 7 days each.
    let mentors: Vec<(Availability, TimeZone, Vec<Busy>)> = (0..1000)
        .map(|i| {
            let r = rules(ZONES[i % ZONES.len()]);
            let tz = TimeZone::get(&r.timezone).unwrap_or(TimeZone::UTC);
            (r, tz, busy(from, 7))
        })
        .collect();
    let q = SlotQuery {
        duration_minutes: 30,
        from,
        to: from
            .checked_add(SignedDuration::from_hours(24 * 7))
            .unwrap_or(from),
        now,
    };
    let mut times = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        found = mentors
            .iter()
            .map(|(r, tz, b)| slots(r, tz, b, &q).len())
            .sum();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    report("1,000 mentors, 7 days", times, 50.0, found);
}
