//! A mentor's rules open around the clock, every 20 minutes, no notice, no caps: for the tests
//! and benchmarks that book many sessions and want only the write to decide. Included with
//! `#[path]`.

use stint_domain::schedule::{Availability, ClockTime, DayInterval};

pub fn always_open(zone: &str) -> Availability {
    let mut r = Availability::default_for(zone);
    let day = vec![DayInterval {
        start: ClockTime::MIDNIGHT,
        end: ClockTime::END_OF_DAY,
    }];
    r.weekly = std::array::from_fn(|_| day.clone());
    r.min_notice_minutes = 0;
    r.buffer_after_minutes = 0;
    r.horizon_days = 365;
    r.slot_step_minutes = 20;
    r.caps = Default::default();
    r
}
