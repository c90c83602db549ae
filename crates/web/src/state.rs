//! What every handler can reach: the application (its use cases) and the web settings.
//! There is no store here: a handler reaches storage only through a use case.

use jiff::Timestamp;
use std::sync::Arc;
use std::time::Duration;
use stint_app::App;

/// Settings of the HTTP edge.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Set the `Secure` flag on cookies (serve over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// The proxies in front of this server. A request from one of them has its client
    /// address read from `X-Forwarded-For`, skipping these proxies from the right; every
    /// other request's client is its peer address (a header it sends is not believed).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Where people reach Stint (`https://stint.example.org`), for links in calendar files.
    pub public_url: String,
}

/// The job worker running beside this server, as `/readyz` sees it. Given only where a
/// worker runs in this process; the edge knows nothing else of workers.
#[derive(Clone)]
pub struct WorkerLiveness {
    /// When the worker's loop last ran, by the application's clock; `None` before its first
    /// pass.
    pub last_tick: Arc<dyn Fn() -> Option<Timestamp> + Send + Sync>,
    /// How long without a pass before the worker counts as stuck.
    pub stale_after: Duration,
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
    /// The worker of this process, when there is one (`stint serve` with `worker = true`).
    pub worker: Option<WorkerLiveness>,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> Self {
        AppState {
            app,
            config: Arc::new(config),
            worker: None,
        }
    }

    /// This process also runs a job worker: `/readyz` is ready only while it is alive.
    pub fn with_worker(mut self, worker: WorkerLiveness) -> Self {
        self.worker = Some(worker);
        self
    }

    pub fn now(&self) -> Timestamp {
        self.app.now()
    }
}

/// Use cases take `&App`; a handler passes `&state` and it is the application.
impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}
