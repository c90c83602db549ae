//! The `stint` program: configuration, wiring of storage and web, start-up and graceful
//! shutdown, and the demo data. `main.rs` holds only the command line.

pub mod config;
pub mod demo;

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
        },
    )
}

/// Serves `state` on `listener` until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = stint_web::app(state).into_make_service_with_connect_info::<SocketAddr>();
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
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let mut state = state(&config::Config::default(), store);
    state.clock = clock;
    tokio::spawn(async move {
        if let Err(e) = serve(listener, state, std::future::pending()).await {
            tracing::error!(error = %e, "test server stopped");
        }
    });
    Ok(addr)
}

/// Every few minutes, removes expired sessions and tokens and day-old login attempts.
/// Any node may do it; the deletes are idempotent.
pub fn spawn_housekeeping(store: Arc<dyn Store>) {
    use stint_domain::clock::Clock;
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            let now = SystemClock.now();
            let day_ago = now
                .saturating_sub(jiff::SignedDuration::from_hours(24))
                .unwrap_or(now);
            match store.prune_expired(now, day_ago).await {
                Ok(n) if n > 0 => tracing::info!(
                    removed = n,
                    "pruned expired sessions, tokens and login attempts"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "housekeeping failed; will retry"),
            }
        }
    });
}

/// Resolves when the process is asked to stop (Ctrl-C or SIGTERM).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
