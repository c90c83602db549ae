//! The HTTP edge of the program: serving the web app (with a worker beside it) and, for
//! tests, spawning it on a free port.

use crate::config::Config;
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use stint_domain::clock::{Clock, SystemClock};
use stint_store::Store;
use stint_web::{AppState, WebConfig, WorkerLiveness};
use tokio::net::TcpListener;

/// Builds the web edge's state from the configuration, an open store and the clock.
pub fn state(config: &Config, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> AppState {
    AppState::new(
        crate::application(config, store, clock),
        WebConfig {
            secure_cookies: config.secure_cookies,
            // A bad list stops start-up earlier (`main` checks it).
            trusted_proxies: config.trusted_proxies().unwrap_or_default(),
            public_url: config.public_url(),
        },
    )
}

/// Serves `state` on `listener` until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    crate::listen::serve(
        listener,
        stint_web::app(state),
        crate::listen::Limits::default(),
        shutdown,
    )
    .await;
    Ok(())
}

/// Starts a server on a free local port in the background, for tests; returns its address.
pub async fn spawn(store: Arc<dyn Store>) -> anyhow::Result<SocketAddr> {
    spawn_with_clock(store, Arc::new(SystemClock)).await
}

/// As [`spawn`], with the server reading the time from `clock` (e.g. a `TravelClock`).
pub async fn spawn_with_clock(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<SocketAddr> {
    spawn_configured(&Config::default(), store, clock).await
}

/// As [`spawn_with_clock`], with `config`'s settings (its mail outbox and `calendar_key`).
pub async fn spawn_configured(
    config: &Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    // Links point at the port actually bound, unless a public_url is configured.
    let config = Config {
        listen: addr.to_string(),
        ..config.clone()
    };
    let state = state(&config, store, clock);
    tokio::spawn(async move {
        if let Err(e) = serve(listener, state, std::future::pending()).await {
            tracing::error!(error = %e, "test server stopped");
        }
    });
    Ok(addr)
}

/// Serves `state` on `listener` and, when given, runs `worker` beside it, until `shutdown`
/// completes; then the server finishes requests in flight and the worker its running jobs.
/// If serving fails, the worker is stopped too. With a worker, `/readyz` also asks whether
/// its loop is alive.
pub async fn serve_with_worker(
    listener: TcpListener,
    state: AppState,
    worker: Option<stint_worker::Worker>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = match &worker {
        Some(w) => state.with_worker(liveness(w)),
        None => state,
    };
    let stop = crate::worker::Shutdown::on(shutdown);
    let worker = worker.map(|w| tokio::spawn(w.run(stop.wait())));
    let served = serve(listener, state, stop.wait()).await;
    stop.trigger();
    if let Some(worker) = worker {
        worker.await.context("the job worker stopped abnormally")?;
    }
    served
}

/// What `/readyz` reads of a worker: its loop's pulse and how long a silence means stuck.
fn liveness(worker: &stint_worker::Worker) -> WorkerLiveness {
    let pulse = worker.pulse();
    WorkerLiveness {
        last_tick: Arc::new(move || pulse.last()),
        stale_after: worker.stale_after(),
    }
}
