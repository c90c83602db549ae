//! Scheduling rules: a mentor's availability in their own time zone, and the pure
//! computation of bookable slots from those rules and the mentor's busy time.
//!
//! Civil times (a weekday, "09:00") are the mentor's words; instants (`Timestamp`) are the
//! machine's. Conversion happens in one place, `slots::civil_instants`, which decides what a
//! DST gap (skipped) and a fold (both occurrences offered) mean for a working interval.

pub mod hours;
pub mod reach;
pub mod rules;
pub mod slots;

pub use reach::busy_reach;
pub use rules::{Availability, ClockTime, DateOverride, DayInterval, LoadCaps, TimeOff};
pub use slots::{Busy, BusyKind, Slot, SlotQuery, slots};
