//! Stint's application layer: every use case (sign-up and log-in, catalog, availability,
//! slot search, booking and its changes, the outcome loop, calendars, webhooks, nudge
//! preferences, credits and money, operator actions) written once. A use case takes the [`App`] (storage, the
//! clock and settings), checks who may do it, and answers with [`AppError`]. Nothing here
//! knows HTTP: the API, the pages, the worker and the CLI are edges over these functions.

pub mod access;
pub mod access_log;
pub mod accounts;
mod allocation;
pub mod applications;
pub mod at_rest;
pub mod auth;
pub mod bookings;
pub mod calendar_choices;
pub mod calendar_files;
pub mod calendars;
pub mod catalog;
pub mod catalog_read;
pub mod chat;
pub mod circles;
pub mod dashboard;
pub mod erasure;
mod error;
pub mod export;
pub mod export_requests;
pub mod health;
pub mod inactivity;
pub mod insights;
pub mod jobs;
pub mod keys;
pub mod letter;
pub mod load;
pub mod markdown;
pub mod materials;
pub mod mentors;
pub mod metrics;
pub mod money;
pub mod note_files;
pub mod nudges;
mod outbound;
pub mod outcomes;
pub mod paging;
pub mod photos;
pub mod picker;
pub mod pilots;
pub mod privacy;
pub mod reviews;
pub mod scheduling;
pub mod sealed;
pub mod skill_credentials;
mod slot_cache;
pub mod slot_pages;
pub mod sponsor;
pub mod standing;
pub mod webhooks;

pub use access::require;
pub use at_rest::DataKeys;
pub use error::{AppError, AppResult, BUY_CREDITS_PATH, ErrorKind, Shortfall, missing};
pub use sealed::CalendarKey;

use jiff::Timestamp;
use std::sync::Arc;
use stint_domain::clock::Clock;
use stint_store::Store;

/// Public Jitsi rooms work without an account; each booking gets an unguessable room name.
pub const DEFAULT_MEETING_BASE_URL: &str = "https://meet.jit.si";

/// The platform's fee unless configured: 15% of what a mentor earns.
pub const DEFAULT_PLATFORM_FEE_BASIS_POINTS: u32 = 1_500;

/// Settings the use cases read.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where per-booking video rooms live when a mentor has no link of their own.
    pub meeting_base_url: String,
    /// The folder mail is written to when no SMTP server is configured (operators read it
    /// at `/operator/mail`); `None` when mail goes out over SMTP.
    pub mail_outbox: Option<std::path::PathBuf>,
    /// Where mail goes, in words, for the operator: "SMTP smtp.example.org:587".
    pub mail_destination: String,
    /// Seals the passwords of mentors' CalDAV accounts; without it, connecting one is refused.
    pub calendar_key: Option<CalendarKey>,
    /// Seals notes and intake answers at rest (`at_rest`); without it they are stored as typed.
    pub data_keys: Option<Arc<DataKeys>>,
    /// Which addresses webhook endpoints and calendars may point to (public ones by default).
    pub egress: Arc<stint_egress::EgressPolicy>,
    /// Whether the demo top-up (credits without payment) is offered.
    pub demo_top_up: bool,
    /// The platform's fee on what mentors earn, in basis points (1/100 of a percent).
    pub platform_fee_basis_points: u32,
    /// How much each mentor's weekly cap weighs in the fair rule, 0 to 100 percent
    /// (`allocation`).
    pub allocation_cap_weight: u8,
    /// Card payments on Stripe's hosted page, when its keys are configured.
    pub stripe: Option<Arc<stint_stripe::Stripe>>,
    /// The site's public address, for the pages a payment provider sends buyers back to
    /// and the issuer of skill credentials (`did:web`).
    pub public_url: String,
    /// The Ed25519 key seed skill credentials are signed with; without one, a key is made
    /// once and kept in the database.
    pub credential_key: Option<[u8; 32]>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            meeting_base_url: DEFAULT_MEETING_BASE_URL.to_string(),
            mail_outbox: None,
            mail_destination: "nowhere (no worker sends mail from this process)".into(),
            calendar_key: None,
            data_keys: None,
            egress: Arc::default(),
            demo_top_up: false,
            platform_fee_basis_points: DEFAULT_PLATFORM_FEE_BASIS_POINTS,
            allocation_cap_weight: 100,
            stripe: None,
            public_url: "http://127.0.0.1:8080".into(),
            credential_key: None,
        }
    }
}

/// What every use case runs against. Cheap to clone. The store is reachable only from
/// inside this crate, so no edge can go around a use case.
#[derive(Clone)]
pub struct App {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    /// Sign-ups counted per client address (`auth::signup_limit`), shared by clones.
    pub(crate) signups: Arc<auth::signup_limit::SignupLimit>,
    /// API tokens whose use this process recorded lately (`auth::token_use`).
    pub(crate) token_uses: Arc<auth::token_use::RecentUse>,
    /// Slots kept while their mentors' schedule versions hold (`slot_cache`).
    pub(crate) slots: Arc<slot_cache::SlotCache>,
    /// Search demand counted since this node last wrote it (`insights::demand`).
    pub(crate) demand: Arc<insights::demand::DemandTally>,
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        App {
            store,
            clock,
            signups: Arc::default(),
            token_uses: Arc::default(),
            slots: Arc::default(),
            demand: Arc::default(),
            settings: Arc::new(settings),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }
}
