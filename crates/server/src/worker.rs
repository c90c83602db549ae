//! The job worker of this program, built from its configuration, and a shutdown signal
//! that the HTTP server and the worker beside it both wait on.

use crate::config::Config;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use stint_domain::clock::Clock;
use stint_store::Store;
use stint_worker::Worker;
use tokio::sync::watch;

/// The worker `stint serve` and `stint worker` run: every job kind Stint has (see
/// `stint_jobs`). Fails only when the mail settings cannot work (an outbox folder that
/// cannot be made, say) or the `calendar_key` is not a key.
pub fn build(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: &Config,
) -> anyhow::Result<Worker> {
    let settings = stint_jobs::JobSettings {
        mail: config.mail.clone(),
        public_url: config.public_url(),
        calendar_key: config.calendar_key()?,
        data_keys: config.data_keys()?,
        lease: Duration::from_secs(config.worker_lease_secs.max(3)),
        batch: config.worker_batch.max(1),
        egress: Arc::new(config.egress()?),
        stripe: config.stripe.clone(),
    };
    Ok(stint_jobs::worker(store, clock, &settings)?)
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
