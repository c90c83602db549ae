//! The job worker of this program: its handlers and periodic work, and a shutdown signal
//! that the HTTP server and the worker beside it both wait on.

use crate::calendar_sync;
use crate::config::Config;
use crate::events::OnBookingChanged;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use stint_domain::clock::Clock;
use stint_notify::NudgeSettings;
use stint_store::Store;
use stint_worker::{Registry, Worker, WorkerSettings, housekeeping};
use tokio::sync::watch;

/// The worker `stint serve` and `stint worker` run: every job kind Stint has. Fails only
/// when the mail settings cannot work (an outbox folder that cannot be made, say) or the
/// `calendar_key` is not a key.
pub fn build(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: &Config,
) -> anyhow::Result<Worker> {
    let mailer = Arc::new(stint_mail::Mailer::new(&config.mail)?);
    let prune = housekeeping::Prune::new(store.clone(), clock.clone());
    let registry = Registry::new()
        .with(housekeeping::PRUNE, Arc::new(prune))
        .with(
            stint_webhooks::KIND,
            Arc::new(stint_webhooks::Deliver::new(store.clone(), clock.clone())),
        );
    let nudges = NudgeSettings {
        public_url: config.public_url(),
    };
    let send = stint_notify::Sender::new(store.clone(), clock.clone(), mailer, Arc::new(nudges));
    let registry = registry
        .with(stint_notify::SEND, Arc::new(send))
        // Nudge planning and webhooks, in one handler for the outbox's job.
        .with(
            stint_store::outbox::BOOKING_CHANGED,
            Arc::new(OnBookingChanged::new(store.clone(), clock.clone())),
        )
        .with(
            stint_store::calendars::SYNC,
            Arc::new(calendar_sync::SyncCalendar::new(
                store.clone(),
                clock.clone(),
                config.calendar_key()?,
            )),
        )
        .with(
            stint_store::calendars::SYNC_ALL,
            Arc::new(calendar_sync::SyncAll::new(store.clone(), clock.clone())),
        );
    let lease = Duration::from_secs(config.worker_lease_secs.max(3));
    let settings = WorkerSettings {
        lease,
        heartbeat_every: lease / 3,
        batch: config.worker_batch.max(1),
        ..WorkerSettings::default()
    };
    Ok(Worker::new(store, clock, registry, settings)
        .with_periodic(housekeeping::periodic())
        .with_periodic(calendar_sync::periodic()))
}

/// One stop request, seen by every task that waits on it.
#[derive(Clone)]
pub struct Shutdown(Arc<watch::Sender<bool>>);

impl Shutdown {
    /// A shutdown that happens when `signal` completes (or [`Shutdown::trigger`] is called).
    pub fn on(signal: impl Future<Output = ()> + Send + 'static) -> Shutdown {
        let stop = Shutdown(Arc::new(watch::channel(false).0));
        let trigger = stop.clone();
        tokio::spawn(async move {
            signal.await;
            trigger.trigger();
        });
        stop
    }

    pub fn trigger(&self) {
        self.0.send_replace(true);
    }

    /// Resolves once the shutdown has happened.
    pub fn wait(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut stopped = self.0.subscribe();
        async move {
            // An error means the sender is gone, which only happens at the end anyway.
            let _ = stopped.wait_for(|stop| *stop).await;
        }
    }
}
