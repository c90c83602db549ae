//! Search demand, counted without people: each node adds up what searches for a time found
//! (per week, competency and the searcher's zone band) in memory and writes the sums at most
//! once a minute, so a search costs no write. A node that dies loses at most its last
//! minute of counts.

use crate::App;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use std::sync::Mutex;
use stint_domain::ids::CompetencyId;
use stint_domain::insights::SearchResult;
use stint_domain::mentor::ZoneBand;
use stint_domain::schedule::hours::week_start;
use stint_store::insights::DemandCount;

/// How often a node writes what it counted.
const FLUSH_EVERY: SignedDuration = SignedDuration::from_secs(60);

/// One node's counts not yet written.
#[derive(Debug, Default)]
pub struct DemandTally {
    inner: Mutex<Pending>,
}

#[derive(Debug, Default)]
struct Pending {
    counts: HashMap<(Timestamp, CompetencyId, &'static str), [i64; 3]>,
    since: Option<Timestamp>,
}

impl DemandTally {
    fn add(
        &self,
        key: (Timestamp, CompetencyId, &'static str),
        result: SearchResult,
        now: Timestamp,
    ) -> bool {
        let Ok(mut p) = self.inner.lock() else {
            return false;
        };
        let c = p.counts.entry(key).or_default();
        c[0] += 1;
        match result {
            SearchResult::Empty => c[1] += 1,
            SearchResult::OffHours => c[2] += 1,
            SearchResult::Found => {}
        }
        let since = *p.since.get_or_insert(now);
        now.duration_since(since) >= FLUSH_EVERY
    }

    fn take(&self) -> Vec<DemandCount> {
        let Ok(mut p) = self.inner.lock() else {
            return Vec::new();
        };
        p.since = None;
        p.counts
            .drain()
            .filter_map(
                |((week_start, competency, band), [searches, empty, off_hours])| {
                    Some(DemandCount {
                        week_start,
                        competency,
                        band: ZoneBand::parse(band)?,
                        searches,
                        empty,
                        off_hours,
                    })
                },
            )
            .collect()
    }

    /// Puts counts whose write failed back, to go with the next.
    fn restore(&self, counts: Vec<DemandCount>, now: Timestamp) {
        let Ok(mut p) = self.inner.lock() else {
            return;
        };
        p.since.get_or_insert(now);
        for c in counts {
            let e = p
                .counts
                .entry((c.week_start, c.competency, c.band.as_str()))
                .or_default();
            e[0] += c.searches;
            e[1] += c.empty;
            e[2] += c.off_hours;
        }
    }
}

/// Counts one search for a time of `competency` by someone in zone `tz`; a zone that is not
/// known is not counted. Never fails the search: a failed write is logged and retried later.
pub(crate) async fn record(app: &App, competency: CompetencyId, tz: &str, result: SearchResult) {
    let now = app.now();
    let Some(band) = ZoneBand::of_zone(tz, now) else {
        return;
    };
    if app
        .demand
        .add((week_start(now), competency, band.as_str()), result, now)
    {
        flush(app).await;
    }
}

/// Writes what this node counted so far (the reports do this first, so they include it).
pub async fn flush(app: &App) {
    let counts = app.demand.take();
    if counts.is_empty() {
        return;
    }
    if let Err(e) = app.store.add_demand(&counts).await {
        tracing::warn!(error = %e, "search demand not written; kept for the next write");
        app.demand.restore(counts, app.now());
    }
}
