//! The `stint` program: configuration, wiring of storage, the application, the web edge
//! and the job worker, start-up and graceful shutdown, and the demo data. `main.rs` holds
//! only the command line. Without the `web` feature the program is the worker and the
//! administrative commands alone (`cargo build -p stint --no-default-features`).

pub mod config;
pub mod data_keys;
pub mod demo;
#[cfg(feature = "web")]
mod http;
#[cfg(feature = "web")]
mod listen;
pub mod model;
pub mod worker;

#[cfg(feature = "web")]
pub use http::{serve, serve_with_worker, spawn, spawn_configured, spawn_with_clock, state};

use std::sync::Arc;
use stint_app::{App, Settings};
use stint_domain::clock::Clock;
use stint_store::Store;

/// Builds the application from the configuration, an open store and the clock.
pub fn application(config: &config::Config, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> App {
    // A bad list stops start-up earlier (`main` checks it); here it only reads.
    let egress = Arc::new(config.egress().unwrap_or_default());
    App::new(
        store,
        clock,
        Settings {
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
            data_keys: config.data_keys().ok().flatten(),
            stripe: stint_stripe::Stripe::new(config.stripe.clone(), egress.clone()).map(Arc::new),
            egress,
            demo_top_up: config.demo_top_up,
            platform_fee_basis_points: config.platform_fee_basis_points.min(10_000),
            allocation_cap_weight: config.allocation_cap_weight.min(100),
            public_url: config.public_url(),
            credential_key: config.credential_key().ok().flatten(),
        },
    )
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
