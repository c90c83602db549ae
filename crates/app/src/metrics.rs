//! What operators measure of the application, in Prometheus's text format: counters kept in
//! this process (bookings made and refused, nudges sent and failed) and the job queue, read
//! from the database each time it is scraped. Nothing here knows HTTP: the web edge serves
//! [`exposition`] at `/metrics`, after its own request figures.

use crate::App;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::LazyLock;
use std::sync::atomic::AtomicU64;

/// Why a booking was refused: the stable code of its error (`slot_taken`,
/// `validation_failed`, …), a short fixed list, so the series stay few.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct Refusal {
    reason: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct Connections {
    pool: &'static str,
    state: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct Pool {
    pool: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct QueueState {
    state: &'static str,
}

/// The application's counters. One set per process, as Prometheus expects of a scrape
/// target: the API, the pages and the worker beside them all count into it.
pub struct Metrics {
    registry: Registry,
    bookings_made: Counter,
    bookings_refused: Family<Refusal, Counter>,
    nudges_sent: Counter,
    nudges_failed: Counter,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// This process's counters.
pub fn global() -> &'static Metrics {
    &METRICS
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::default();
        let bookings_made = Counter::default();
        let bookings_refused = Family::<Refusal, Counter>::default();
        let nudges_sent = Counter::default();
        let nudges_failed = Counter::default();
        // Counters are written `<name>_total` by the encoder.
        registry.register(
            "stint_bookings_made",
            "Bookings made (a replayed idempotent request is not counted again)",
            bookings_made.clone(),
        );
        registry.register(
            "stint_bookings_refused",
            "Booking requests refused, by the code of the refusal",
            bookings_refused.clone(),
        );
        registry.register(
            "stint_nudges_sent",
            "Nudges delivered (in-app or by e-mail) by the worker of this process",
            nudges_sent.clone(),
        );
        registry.register(
            "stint_nudges_failed",
            "Failed nudge delivery attempts in the worker of this process (each is retried with backoff)",
            nudges_failed.clone(),
        );
        Metrics {
            registry,
            bookings_made,
            bookings_refused,
            nudges_sent,
            nudges_failed,
        }
    }

    pub fn booking_made(&self) {
        self.bookings_made.inc();
    }

    /// `reason` is an error code: a fixed word, never user input.
    pub fn booking_refused(&self, reason: &'static str) {
        self.bookings_refused
            .get_or_create(&Refusal { reason })
            .inc();
    }

    pub fn nudge_sent(&self) {
        self.nudges_sent.inc();
    }

    pub fn nudge_failed(&self) {
        self.nudges_failed.inc();
    }

    /// Appends the counters to `out`.
    pub fn encode(&self, out: &mut String) -> std::fmt::Result {
        encode(out, &self.registry)
    }
}

/// The counters, then the job queue as the database has it now. A queue that cannot be read
/// is left out (and logged) rather than failing the scrape: the counters are still worth
/// having, and a missing series is what an alert on the queue notices.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn exposition(app: &App, out: &mut String) -> std::fmt::Result {
    global().encode(out)?;
    encode_pools(&app.store.pools(), out)?;
    match crate::jobs::queue_stats(app).await {
        Ok(stats) => encode_queue(&stats, out),
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the job queue could not be read");
            Ok(())
        }
    }
}

/// The database connection pools: connections in use and idle, and each pool's limit (a
/// pool always at its limit is the database, or too small a pool, holding requests up).
fn encode_pools(pools: &[stint_store::PoolStats], out: &mut String) -> std::fmt::Result {
    let mut registry = Registry::default();
    let connections = Family::<Connections, Gauge>::default();
    let limits = Family::<Pool, Gauge>::default();
    for p in pools {
        let in_use = p.open.saturating_sub(p.idle);
        for (state, n) in [("in_use", in_use), ("idle", p.idle)] {
            connections
                .get_or_create(&Connections {
                    pool: p.name,
                    state,
                })
                .set(i64::from(n));
        }
        limits
            .get_or_create(&Pool { pool: p.name })
            .set(i64::from(p.max));
    }
    registry.register(
        "stint_db_connections",
        "Database connections open in this process, by pool and state (in_use, idle)",
        connections,
    );
    registry.register(
        "stint_db_connections_max",
        "The most connections each pool opens",
        limits,
    );
    encode(out, &registry)
}

/// The queue's gauges, made afresh for each scrape from what was just read.
fn encode_queue(stats: &crate::jobs::QueueStats, out: &mut String) -> std::fmt::Result {
    let mut registry = Registry::default();
    let jobs = Family::<QueueState, Gauge>::default();
    for (state, n) in &stats.counts {
        jobs.get_or_create(&QueueState {
            state: state.as_str(),
        })
        .set(i64::try_from(*n).unwrap_or(i64::MAX));
    }
    registry.register("stint_jobs", "Jobs in the durable queue, by state", jobs);
    let age = Gauge::<f64, AtomicU64>::default();
    age.set(stats.oldest_due_age.as_secs_f64());
    registry.register(
        "stint_jobs_oldest_due_age_seconds",
        "How long the longest-waiting job a worker could lease now (due, or its lease run out) has waited; 0 when none waits",
        age,
    );
    encode(out, &registry)
}
