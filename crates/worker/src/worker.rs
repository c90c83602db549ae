//! The worker's loop: enqueue periodic work, lease what is due, run it, sleep until the next
//! job is due (or at most `idle_max`), and on shutdown stop leasing and let running jobs
//! finish within the grace period.

use crate::completions::{self, Completions, Writer};
use crate::handler::Registry;
use crate::job::drive;
use crate::periodic::Periodic;
use crate::settings::WorkerSettings;
use crate::time::{after, until};
use jiff::Timestamp;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use stint_domain::clock::Clock;
use stint_store::Store;
use tokio::task::JoinSet;

/// A due job that could not be leased (another worker took it a moment ago, or a dead
/// worker's lease ends this very second) is looked at again this soon, not in a busy loop.
const POLL_FLOOR: Duration = Duration::from_millis(50);

/// What the worker's loop and its jobs' tasks share.
pub(crate) struct Shared {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) registry: Registry,
    pub(crate) settings: WorkerSettings,
    /// Where a job that ran well is marked done (with others done meanwhile).
    pub(crate) completions: Completions,
}

/// When the worker's loop last ran, by the worker's clock: what a readiness check in the
/// same process looks at. One atomic word, so the loop pays nothing to publish it.
#[derive(Debug, Clone)]
pub struct Pulse(Arc<AtomicI64>);

/// No pass of the loop yet.
const NEVER: i64 = i64::MIN;

impl Pulse {
    fn new() -> Pulse {
        Pulse(Arc::new(AtomicI64::new(NEVER)))
    }

    fn beat(&self, now: Timestamp) {
        self.0.store(now.as_second(), Ordering::Relaxed);
    }

    /// The start of the loop's latest pass; `None` before the first.
    pub fn last(&self) -> Option<Timestamp> {
        match self.0.load(Ordering::Relaxed) {
            NEVER => None,
            s => Timestamp::from_second(s).ok(),
        }
    }
}

/// Runs jobs from the queue until told to stop.
pub struct Worker {
    shared: Arc<Shared>,
    periodic: Vec<Periodic>,
    pulse: Pulse,
    /// Started with the loop, in `run`.
    writer: Option<Writer>,
}

impl Worker {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        registry: Registry,
        settings: WorkerSettings,
    ) -> Worker {
        let (completions, writer) = completions::channel();
        Worker {
            shared: Arc::new(Shared {
                store,
                clock,
                registry,
                settings,
                completions,
            }),
            periodic: Vec::new(),
            pulse: Pulse::new(),
            writer: Some(writer),
        }
    }

    /// Adds periodic work this worker keeps enqueued (its kind needs a handler somewhere).
    pub fn with_periodic(mut self, periodic: Periodic) -> Worker {
        self.periodic.push(periodic);
        self
    }

    pub fn name(&self) -> &str {
        &self.shared.settings.name
    }

    pub fn settings(&self) -> &WorkerSettings {
        &self.shared.settings
    }

    /// A handle on when the loop last ran; clones see every later pass.
    pub fn pulse(&self) -> Pulse {
        self.pulse.clone()
    }

    /// How long the loop may go without a pass before it counts as stuck. A pass waits at
    /// most `idle_max`, plus its few queries; a slow database may hold one up for a while,
    /// but not past a heartbeat period, after which running jobs' leases start to suffer.
    pub fn stale_after(&self) -> Duration {
        let s = &self.shared.settings;
        (3 * s.idle_max).max(s.heartbeat_every)
    }

    /// Runs until `shutdown` completes, then waits up to the grace period for running jobs.
    /// Storage errors are logged and retried; the worker itself never gives up.
    pub async fn run(mut self, shutdown: impl Future<Output = ()> + Send) {
        // The writer ends once the loop and every job's task have let go of `Shared`.
        if let Some(writer) = self.writer.take() {
            tokio::spawn(writer.run(
                self.shared.store.clone(),
                self.shared.clock.clone(),
                self.shared.settings.name.clone(),
            ));
        }
        let s = &self.shared.settings;
        tracing::info!(
            worker = %s.name, lease_secs = s.lease.as_secs(), batch = s.batch,
            kinds = ?self.shared.registry, "job worker started"
        );
        tokio::pin!(shutdown);
        let mut running = JoinSet::new();
        // The period each periodic entry was last enqueued for, so it is written once per
        // period rather than on every pass.
        let mut planned: Vec<Option<Timestamp>> = vec![None; self.periodic.len()];
        loop {
            let now = self.shared.clock.now();
            self.pulse.beat(now);
            self.plan(&mut planned, now).await;
            let free = s
                .batch
                .saturating_sub(u32::try_from(running.len()).unwrap_or(u32::MAX));
            let pause = if free == 0 {
                // Full: a finishing job wakes the loop below.
                s.idle_max
            } else if self.lease(&mut running, free, now).await {
                // A full batch: more may be due right now.
                Duration::ZERO
            } else {
                self.pause(now).await
            };
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                Some(_) = running.join_next(), if !running.is_empty() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
        self.drain(running).await;
    }

    /// Enqueues each periodic entry's next period, once per period.
    async fn plan(&self, planned: &mut [Option<Timestamp>], now: Timestamp) {
        for (periodic, last) in self.periodic.iter().zip(planned.iter_mut()) {
            let start = periodic.next_start(now);
            if *last == Some(start) {
                continue;
            }
            match self.shared.store.enqueue(&periodic.job(start), now).await {
                Ok(_) => *last = Some(start),
                Err(e) => tracing::warn!(
                    kind = %periodic.kind, error = %e, "could not enqueue periodic job; will retry"
                ),
            }
        }
    }

    /// Leases up to `free` due jobs and starts each in its own task; `true` when all `free`
    /// were taken.
    async fn lease(&self, running: &mut JoinSet<()>, free: u32, now: Timestamp) -> bool {
        let s = &self.shared.settings;
        match self
            .shared
            .store
            .lease_jobs(&s.name, now, after(now, s.lease), free)
            .await
        {
            Ok(jobs) => {
                let full = u32::try_from(jobs.len()).is_ok_and(|n| n >= free);
                for job in jobs {
                    running.spawn(drive(self.shared.clone(), job));
                }
                full
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not lease jobs; will retry");
                false
            }
        }
    }

    /// How long to sleep: until the next job is due, at most `idle_max`.
    async fn pause(&self, now: Timestamp) -> Duration {
        let idle = self.shared.settings.idle_max;
        match self.shared.store.next_due().await {
            Ok(Some(due)) if due > now => until(now, due).min(idle),
            Ok(Some(_)) => POLL_FLOOR.min(idle),
            Ok(None) => idle,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the next due time; will retry");
                idle
            }
        }
    }

    /// After shutdown: no more leases; running jobs get the grace period to finish.
    async fn drain(&self, mut running: JoinSet<()>) {
        let s = &self.shared.settings;
        if !running.is_empty() {
            tracing::info!(worker = %s.name, running = running.len(), "job worker stopping: finishing running jobs");
        }
        let finished = tokio::time::timeout(s.grace, async {
            while running.join_next().await.is_some() {}
        })
        .await;
        if finished.is_err() {
            tracing::warn!(
                worker = %s.name, abandoned = running.len(),
                "grace period over; stopping the jobs still running and handing them back"
            );
            running.shutdown().await;
            // Handed back now rather than left to their leases: another worker takes them
            // at once. If this fails (the database is gone too), the leases still run out.
            let now = self.shared.clock.now();
            if let Err(e) = self.shared.store.release_jobs(&s.name, now).await {
                tracing::warn!(worker = %s.name, error = %e, "could not hand back the stopped jobs; they run again once their leases run out");
            }
        }
        tracing::info!(worker = %s.name, "job worker stopped");
    }
}
