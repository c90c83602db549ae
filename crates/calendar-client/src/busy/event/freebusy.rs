//! VFREEBUSY components (a free-busy answer, or a feed that publishes only busy time):
//! each FREEBUSY period is busy unless its FBTYPE is FREE.

use super::Sink;
use super::read::{Length, length_between, resolve};
use crate::busy::Warnings;
use crate::busy::tree::Component;
use crate::busy::value::{PeriodEnd, parse_period};
use crate::busy::zone::Zones;

/// FREEBUSY periods of a VFREEBUSY (`FBTYPE=FREE` is not busy). `false` once the cap is hit.
pub(super) fn free_busy(
    c: &Component,
    zones: &mut Zones,
    sink: &mut Sink,
    warnings: &mut Warnings,
) -> bool {
    let uid = c.prop("UID").map(|p| p.value.trim().to_string());
    for p in c.props_named("FREEBUSY") {
        if p.param("FBTYPE")
            .is_some_and(|t| t.eq_ignore_ascii_case("FREE"))
        {
            continue;
        }
        for item in p.value.split(',').filter(|s| !s.trim().is_empty()) {
            let period = parse_period(item).and_then(|(start, end)| {
                let start = resolve(start, None, zones, warnings);
                let length = match end {
                    PeriodEnd::For(span) => Length::Nominal(span),
                    PeriodEnd::At(end) => {
                        length_between(&start, &resolve(end, None, zones, warnings))?
                    }
                };
                Ok((start, length))
            });
            match period {
                Ok((start, length)) => {
                    if let Some(z) = start.zoned()
                        && !sink.offer(&z, &length, &uid, warnings)
                    {
                        return false;
                    }
                }
                Err(message) => warnings.push(format!("FREEBUSY period skipped: {message}")),
            }
        }
    }
    true
}
