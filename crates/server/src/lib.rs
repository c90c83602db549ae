//! The `stint` program: configuration, wiring of storage, web and the job worker, start-up
//! and graceful shutdown, and the demo data. `main.rs` holds only the command line.

pub mod calendar_sync;
pub mod config;
pub mod demo;
mod events;
pub mod worker;

use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use stint_store::Store;
use stint_web::{AppState, SystemClock, WebConfig};
use tokio::net::TcpListener;

/// Builds the application state from the configuration and an open store.
pub fn state(config: &config::Config, store: Arc<dyn Store>) -> AppState {
    AppState::new(
        store,
        Arc::new(SystemClock),
        WebConfig {
            secure_cookies: config.secure_cookies,
            trust_proxy_headers: config.trust_proxy_headers,
            meeting_base_url: config.meeting_base_url.clone(),
            mail_outbox: match &config.mail.smtp {
                None => Some(config.mail.outbox_dir.clone()),
                Some(_) => None,
            },
            mail_destination: match &config.mail.smtp {
                None => format!("the outbox folder {}", config.mail.outbox_dir.display()),
                Some(smtp) => format!("the SMTP server {}", smtp.server()),
            },
            // A bad key stops start-up earlier (`main` checks it); here it only reads.
            calendar_key: config.calendar_key().ok().flatten(),
        },
    )
}

/// Serves `state` on `listener` until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    use axum::serve::ListenerExt;
    let app = stint_web::app(state).into_make_service_with_connect_info::<SocketAddr>();
    // Answers go out at once: without TCP_NODELAY a response written in more than one piece
    // can wait for the client's delayed acknowledgement.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY on a connection");
        }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP")
}

/// Starts a server on a free local port in the background, for tests; returns its address.
pub async fn spawn(store: Arc<dyn Store>) -> anyhow::Result<SocketAddr> {
    spawn_with_clock(store, Arc::new(SystemClock)).await
}

/// As [`spawn`], with the server reading the time from `clock` (e.g. a `TravelClock`).
pub async fn spawn_with_clock(
    store: Arc<dyn Store>,
    clock: Arc<dyn stint_domain::clock::Clock>,
) -> anyhow::Result<SocketAddr> {
    spawn_configured(&config::Config::default(), store, clock).await
}

/// As [`spawn_with_clock`], with `config`'s settings (its mail outbox and `calendar_key`).
pub async fn spawn_configured(
    config: &config::Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn stint_domain::clock::Clock>,
) -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let mut state = state(config, store);
    state.clock = clock;
    tokio::spawn(async move {
        if let Err(e) = serve(listener, state, std::future::pending()).await {
            tracing::error!(error = %e, "test server stopped");
        }
    });
    Ok(addr)
}

/// Serves `state` on `listener` and, when given, runs `worker` beside it, until `shutdown`
/// completes; then the server finishes requests in flight and the worker its running jobs.
/// If serving fails, the worker is stopped too.
pub async fn serve_with_worker(
    listener: TcpListener,
    state: AppState,
    worker: Option<stint_worker::Worker>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let stop = worker::Shutdown::on(shutdown);
    let worker = worker.map(|w| tokio::spawn(w.run(stop.wait())));
    let served = serve(listener, state, stop.wait()).await;
    stop.trigger();
    if let Some(worker) = worker {
        worker.await.context("the job worker stopped abnormally")?;
    }
    served
}

/// Resolves when the process is asked to stop (Ctrl-C or SIGTERM). The signals are caught
/// from this call on, not from the future's first poll: a signal that arrives while start-up
/// finishes (after the ready line is printed) still stops the process gracefully.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let stop = {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            tokio::select! {
                () = received(interrupt) => {},
                () = received(terminate) => {},
            }
        }
    };
    #[cfg(not(unix))]
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    async move {
        stop.await;
        tracing::info!("shutting down: finishing requests and jobs in flight");
    }
}

/// Waits for a signal; never, if it could not be caught.
#[cfg(unix)]
async fn received(signal: std::io::Result<tokio::signal::unix::Signal>) {
    match signal {
        Ok(mut s) => {
            s.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}
