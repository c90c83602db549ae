//! What every handler can reach: storage, the clock and the web settings.

use jiff::Timestamp;
use std::sync::Arc;
use stint_domain::clock::Clock;
use stint_store::Store;

/// Settings of the HTTP edge.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Set the `Secure` flag on cookies (serve over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy),
    /// for login throttling.
    pub trust_proxy_headers: bool,
    /// Where per-booking video rooms live when a mentor has no link of their own.
    pub meeting_base_url: String,
    /// The folder mail is written to when no SMTP server is configured (operators read it
    /// at `/operator/mail`); `None` when mail goes out over SMTP.
    pub mail_outbox: Option<std::path::PathBuf>,
    /// Where mail goes, in words, for the operator: "SMTP smtp.example.org:587".
    pub mail_destination: String,
    /// Seals the passwords of mentors' CalDAV accounts; without it, connecting one is refused.
    pub calendar_key: Option<crate::sealed::CalendarKey>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            trust_proxy_headers: false,
            meeting_base_url: DEFAULT_MEETING_BASE_URL.to_string(),
            mail_outbox: None,
            mail_destination: "nowhere (no worker sends mail from this process)".into(),
            calendar_key: None,
        }
    }
}

/// Public Jitsi rooms work without an account; each booking gets an unguessable room name.
pub const DEFAULT_MEETING_BASE_URL: &str = "https://meet.jit.si";

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: WebConfig) -> Self {
        AppState {
            store,
            clock,
            config: Arc::new(config),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

/// The real clock; the only place that reads the system time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The system clock set ahead by an adjustable amount. Tests use it to live through a
/// session's whole life (book, meet, close, follow up a week later) in seconds.
#[derive(Debug, Default)]
pub struct TravelClock {
    ahead_seconds: std::sync::atomic::AtomicI64,
}

impl TravelClock {
    /// Moves the clock forward by `d` (backward if negative).
    pub fn advance(&self, d: jiff::SignedDuration) {
        self.ahead_seconds
            .fetch_add(d.as_secs(), std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for TravelClock {
    fn now(&self) -> Timestamp {
        let ahead = self.ahead_seconds.load(std::sync::atomic::Ordering::SeqCst);
        let now = SystemClock.now();
        now.saturating_add(jiff::SignedDuration::from_secs(ahead))
            .unwrap_or(now)
    }
}
