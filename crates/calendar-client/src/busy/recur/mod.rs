//! Recurrence rules: reading an RRULE and expanding it, bounded. Hand-written rather than a
//! crate because the expansion must work in jiff's civil time (the zones are jiff's) and must
//! be able to start near the query window instead of at DTSTART.

mod expand;
mod rule;

pub(crate) use expand::{Bounds, Ended, expand};
pub(crate) use rule::{Freq, Rule};
