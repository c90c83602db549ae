//! The storage interfaces, split by capability. The web layer holds `Arc<dyn Store>`.

use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::account::{Account, NewAccount};
use stint_domain::booking::{Booking, BookingContext, BookingEvent, BookingId, NoShowSide};
use stint_domain::catalog::{
    Checkpoint, CheckpointInput, Competency, CompetencyInput, SkuContent, SkuStatus, SkuVersion,
};
use stint_domain::ids::{CheckpointId, CompetencyId, SkuId, UserId};
use stint_domain::mentor::{BookableMentor, DirectoryFilter, MentorProfile, MentorProfileInput};
use stint_domain::role::Role;
use stint_domain::schedule::{Availability, Busy};

use crate::StoreError;
use crate::logins::{LoginCounts, LoginOutcome, LoginWindows};

pub type Result<T> = std::result::Result<T, StoreError>;

/// Accounts, roles, web sessions, API tokens and login throttling.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates an account; a taken e-mail is `Conflict { field: "email" }`.
    async fn create_account(
        &self,
        new: &NewAccount,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<Account>;
    async fn account(&self, id: UserId) -> Result<Option<Account>>;
    async fn account_by_email(&self, email: &str) -> Result<Option<Account>>;
    /// The account and its password hash, for logging in.
    async fn credentials(&self, email: &str) -> Result<Option<(Account, String)>>;
    /// Up to `limit` accounts in id order, after account `after` when given (a stable cursor:
    /// each page reads only its own rows).
    async fn accounts_page(&self, after: Option<UserId>, limit: u32) -> Result<Vec<Account>>;
    /// How many accounts there are, counted by the database.
    async fn account_count(&self) -> Result<u64>;
    /// Changes the name and time zone a person is known by.
    async fn update_profile(
        &self,
        id: UserId,
        display_name: &str,
        timezone: &str,
    ) -> Result<Account>;
    async fn grant_role(&self, id: UserId, role: Role) -> Result<()>;
    async fn revoke_role(&self, id: UserId, role: Role) -> Result<()>;

    async fn create_web_session(
        &self,
        token_hash: &str,
        user: UserId,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<()>;
    /// The account behind an unexpired web session.
    async fn web_session_account(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<Account>>;
    async fn delete_web_session(&self, token_hash: &str) -> Result<()>;

    async fn create_api_token(
        &self,
        token_hash: &str,
        user: UserId,
        label: &str,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<()>;
    /// The account behind an unexpired API token.
    async fn api_token_account(&self, token_hash: &str, now: Timestamp) -> Result<Option<Account>>;
    async fn delete_api_token(&self, token_hash: &str) -> Result<()>;

    /// The counts around a log-in as `email` from `address`, without recording anything: an
    /// attempt the throttle would refuse anyway costs no write.
    async fn login_counts(
        &self,
        email: &str,
        address: &str,
        windows: &LoginWindows,
    ) -> Result<LoginCounts>;
    /// Records an attempt to log in as `email` from `address` (counted as a failure until
    /// it is finished), then counts the attempts around it: its id and the counts.
    async fn begin_login_attempt(
        &self,
        email: &str,
        address: &str,
        now: Timestamp,
        windows: &LoginWindows,
    ) -> Result<(i64, LoginCounts)>;
    /// Ends the attempt `id`: a success is kept as one, a password not checked is forgotten.
    async fn finish_login_attempt(&self, id: i64, outcome: LoginOutcome) -> Result<()>;
    /// Deletes expired sessions and tokens, failed login attempts older than
    /// `attempts_before` and successful ones older than 30 days (which mark an address the
    /// owner logs in from), so credentials and addresses are not kept longer than they
    /// serve. Returns rows removed.
    async fn prune_expired(&self, now: Timestamp, attempts_before: Timestamp) -> Result<u64>;
}

/// Competencies, checkpoints and versioned SKUs.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    async fn competencies(&self) -> Result<Vec<Competency>>;
    async fn competency(&self, id: CompetencyId) -> Result<Option<Competency>>;
    async fn competency_by_slug(&self, slug: &str) -> Result<Option<Competency>>;
    async fn create_competency(
        &self,
        input: &CompetencyInput,
        now: Timestamp,
    ) -> Result<Competency>;
    async fn update_competency(&self, slug: &str, input: &CompetencyInput) -> Result<Competency>;
    async fn add_checkpoint(
        &self,
        competency: CompetencyId,
        input: &CheckpointInput,
    ) -> Result<Checkpoint>;
    async fn update_checkpoint(
        &self,
        id: CheckpointId,
        input: &CheckpointInput,
    ) -> Result<Checkpoint>;

    /// Creates a SKU as a draft at version 1.
    async fn create_sku(
        &self,
        slug: &str,
        content: &SkuContent,
        by: Option<UserId>,
        now: Timestamp,
    ) -> Result<SkuVersion>;
    /// Edits a SKU: in place while it was never published, else as a new version.
    async fn update_sku(
        &self,
        slug: &str,
        content: &SkuContent,
        by: Option<UserId>,
        now: Timestamp,
    ) -> Result<SkuVersion>;
    /// Moves a SKU along draft → active ⇄ retired; an illegal move is `Conflict { field: "status" }`.
    async fn set_sku_status(
        &self,
        slug: &str,
        status: SkuStatus,
        now: Timestamp,
    ) -> Result<SkuVersion>;
    /// Current versions of all SKUs, optionally only those with `status`.
    async fn skus(&self, status: Option<SkuStatus>) -> Result<Vec<SkuVersion>>;
    async fn sku(&self, slug: &str) -> Result<Option<SkuVersion>>;
    async fn sku_by_id(&self, id: SkuId) -> Result<Option<SkuVersion>>;
    async fn sku_version(&self, slug: &str, version: i64) -> Result<Option<SkuVersion>>;
    /// A version by the SKU's id, as frozen in a booking.
    async fn sku_version_by_id(&self, id: SkuId, version: i64) -> Result<Option<SkuVersion>>;
    /// Every version of a SKU, newest first.
    async fn sku_versions(&self, slug: &str) -> Result<Vec<SkuVersion>>;
}

/// Mentor profiles and which SKUs each mentor delivers.
#[async_trait]
pub trait MentorStore: Send + Sync {
    /// Creates or replaces a mentor's profile; unknown SKU slugs are `Invalid` with field `skus.N`.
    async fn save_mentor_profile(
        &self,
        user: UserId,
        input: &MentorProfileInput,
        now: Timestamp,
    ) -> Result<MentorProfile>;
    async fn mentor_profile(&self, user: UserId) -> Result<Option<MentorProfile>>;
    /// The directory a page at a time: mentors who can be booked now (a profile, the mentor
    /// role and an active session type; narrowed by `filter`), by display name, after mentor
    /// `after` in that order (a stable cursor), at most `limit`.
    async fn directory_page(
        &self,
        filter: &DirectoryFilter,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<MentorProfile>>;
    /// How many mentors the directory (narrowed by `filter`) has, counted by the database.
    async fn directory_count(&self, filter: &DirectoryFilter) -> Result<u64>;
    /// Keeps `user`'s photo (replacing one they had).
    async fn save_mentor_photo(&self, user: UserId, photo: &MentorPhoto) -> Result<()>;
    async fn mentor_photo(&self, user: UserId) -> Result<Option<MentorPhoto>>;
    /// Removes `user`'s photo; whether there was one.
    async fn remove_mentor_photo(&self, user: UserId) -> Result<bool>;
    /// The zones mentors with a profile are in (the directory's band filter reads them).
    async fn mentor_zones(&self) -> Result<Vec<String>>;
    /// The languages mentors hold sessions in, each once whatever its letter case.
    async fn mentor_language_names(&self) -> Result<Vec<String>>;
    /// The current version of the SKU `slug` (whatever its status) if `mentor` is a mentor
    /// who delivers it, with what a booking needs of the mentor: one query, for the booking path.
    async fn offering(&self, slug: &str, mentor: UserId) -> Result<Option<Offering>>;
    /// Mentors who deliver a SKU.
    async fn mentors_for_sku(&self, sku: SkuId) -> Result<Vec<MentorProfile>>;
    /// Mentors who deliver a SKU while it is active, as a slot search needs them (no
    /// profile text, no other SKUs; the schedule version, which every change to a mentor's
    /// sessions, rules or other calendars bumps): one query, by name.
    async fn bookable_mentors(&self, sku: SkuId) -> Result<Vec<BookableMentor>>;
}

/// A SKU as delivered by one mentor.
#[derive(Debug, Clone)]
pub struct Offering {
    pub sku: SkuVersion,
    pub mentor_name: String,
    pub mentor_timezone: String,
    /// The mentor's own video link; empty for a room built from the configured base URL.
    pub mentor_meeting_url: String,
}

/// A booking to make. The caller has already resolved the SKU version and meeting room.
#[derive(Debug, Clone)]
pub struct NewBooking {
    pub mentor_id: UserId,
    pub mentee_id: UserId,
    pub sku_id: SkuId,
    pub sku_version: i64,
    pub start: Timestamp,
    pub end: Timestamp,
    pub meeting_url: String,
    /// Credits held from the mentee's wallet in the same write as the booking (the SKU
    /// version's price); 0 holds nothing.
    pub price: stint_domain::ledger::Credits,
    /// The SKU version's outcome bonus, escrowed from the same wallet in the same write
    /// (`ledger::bonus`); 0 for none. Only with a price.
    pub bonus: stint_domain::ledger::Credits,
}

impl NewBooking {
    /// What the claim takes from the mentee's wallet: the price and the bonus.
    pub fn total(&self) -> stint_domain::ledger::Credits {
        self.price + self.bonus
    }
}

/// A retry-safety key: the same key and request replay the first answer.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub key: String,
    /// A digest of the request body, so a reused key with another body is refused.
    pub request_hash: String,
}

/// Whether a booking was made now or is the replay of an earlier request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingOutcome {
    Created(Booking),
    Replayed(Booking),
}

/// Decides, inside the booking transaction and with the mentor's time locked, whether the
/// requested time is still a slot: given the mentor's rules (if saved) and busy time.
pub type Admit<'a> = &'a (dyn Fn(Option<&Availability>, &[Busy]) -> bool + Send + Sync);

/// Availability rules and bookings. No two confirmed bookings of a mentor ever overlap:
/// the database refuses it, whatever the callers do.
#[async_trait]
pub trait BookingStore: Send + Sync {
    async fn availability(&self, mentor: UserId) -> Result<Option<Availability>>;
    async fn save_availability(
        &self,
        mentor: UserId,
        rules: &Availability,
        now: Timestamp,
    ) -> Result<()>;
    /// The saved rules of `mentors` (those who saved any), for searching many at once.
    async fn availability_of(&self, mentors: &[UserId]) -> Result<Vec<(UserId, Availability)>>;
    /// Sessions (confirmed or completed) of `mentors` that overlap `[from, to)`, by mentor;
    /// completed ones still count toward caps. Time the mentors' external calendars hold
    /// (the calendar sync's busy intervals) comes as `BusyKind::Blocked`. Reads only the
    /// window (see `sql::search`), whatever the mentors' history.
    async fn busy_of(
        &self,
        mentors: &[UserId],
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(UserId, Busy)>>;
    /// Sessions (confirmed or completed) of a mentor that overlap `[from, to)`, as busy time,
    /// with the time their external calendars hold as `BusyKind::Blocked`.
    async fn mentor_busy(
        &self,
        mentor: UserId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Busy>>;
    /// Books a slot: `SlotTaken` when `admit` refuses or another booking got there first,
    /// `IdempotencyMismatch` when the key was used for another request.
    async fn create_booking(
        &self,
        new: &NewBooking,
        key: Option<&IdempotencyKey>,
        admit: Admit<'_>,
        now: Timestamp,
    ) -> Result<BookingOutcome>;
    /// Sets the user's calendar-feed secret (by digest), replacing and so revoking any other.
    async fn set_calendar_feed(&self, user: UserId, token_hash: &str, now: Timestamp)
    -> Result<()>;
    async fn revoke_calendar_feed(&self, user: UserId) -> Result<()>;
    async fn has_calendar_feed(&self, user: UserId) -> Result<bool>;
    /// The owner of a feed secret's digest.
    async fn calendar_feed_owner(&self, token_hash: &str) -> Result<Option<UserId>>;
    async fn booking(&self, id: BookingId) -> Result<Option<Booking>>;
    /// The booking `mentee` made with idempotency key `key`, if any.
    async fn booking_by_key(&self, mentee: UserId, key: &str) -> Result<Option<Booking>>;
    /// Bookings where `user` is mentor or mentee, by start time.
    async fn bookings_of(&self, user: UserId) -> Result<Vec<Booking>>;
    async fn booking_events(&self, id: BookingId) -> Result<Vec<BookingEvent>>;
    /// A booking with its SKU version and both parties, in one query.
    async fn booking_context(&self, id: BookingId) -> Result<Option<BookingContext>>;
    /// [`Self::booking_context`] of every booking where `user` is mentor or mentee, by start.
    async fn booking_contexts_of(&self, user: UserId) -> Result<Vec<BookingContext>>;
    /// [`Self::booking_context`] of `user`'s upcoming bookings (confirmed, not yet ended at
    /// `now`), by start: found through each side's `(party, end_at)` index.
    async fn upcoming_contexts_of(
        &self,
        user: UserId,
        now: Timestamp,
    ) -> Result<Vec<BookingContext>>;
    /// [`Self::booking_context`] of up to `limit` of `user`'s other bookings (ended, cancelled
    /// or missed), newest start first, older than `before` (start, id) when given: each side's
    /// `(party, start_at)` index walked back from there, so a page costs the same however long
    /// the history.
    async fn past_contexts_of(
        &self,
        user: UserId,
        now: Timestamp,
        before: Option<(Timestamp, BookingId)>,
        limit: u32,
    ) -> Result<Vec<BookingContext>>;
    /// [`Self::booking_context`] of up to `limit` of `user`'s bookings, by start (then id),
    /// after `after` (start, id) when given: each side's `(party, start_at)` index walked
    /// from there, so a page costs the same however long the history.
    async fn booking_contexts_page(
        &self,
        user: UserId,
        after: Option<(Timestamp, BookingId)>,
        limit: u32,
    ) -> Result<Vec<BookingContext>>;
    /// The histories of `bookings`, each event with its booking, in order, in one query.
    async fn booking_events_for(
        &self,
        bookings: &[BookingId],
    ) -> Result<Vec<(BookingId, BookingEvent)>>;
    /// Moves a confirmed booking; `admit` sees the mentor's busy time without this booking.
    async fn reschedule_booking(
        &self,
        id: BookingId,
        start: Timestamp,
        end: Timestamp,
        actor: UserId,
        admit: Admit<'_>,
        now: Timestamp,
    ) -> Result<Booking>;
    async fn cancel_booking(
        &self,
        id: BookingId,
        actor: UserId,
        reason: &str,
        late: bool,
        hold: stint_domain::ledger::HoldEnd,
        now: Timestamp,
    ) -> Result<Booking>;
    /// Marks a confirmed booking as missed by `side`, ending its hold as `hold` says.
    async fn mark_no_show(
        &self,
        id: BookingId,
        side: NoShowSide,
        actor: UserId,
        hold: stint_domain::ledger::HoldEnd,
        now: Timestamp,
    ) -> Result<Booking>;
}

/// Everything the application needs from storage.
#[async_trait]
pub trait Store:
    AccountStore
    + CatalogStore
    + MentorStore
    + BookingStore
    + crate::outcomes::OutcomeStore
    + crate::jobs::JobStore
    + crate::nudges::NudgeStore
    + crate::webhooks::WebhookStore
    + crate::calendars::CalendarStore
    + crate::credentials::CredentialStore
    + crate::signups::SignupStore
    + crate::ledger::LedgerStore
    + crate::money::MoneyStore
    + crate::payouts::PayoutStore
    + crate::adjustments::AdjustmentStore
    + crate::sponsor::SponsorStore
    + crate::retention::RetentionStore
    + crate::access_log::AccessLogStore
    + crate::privacy_requests::PrivacyRequestStore
    + crate::reviews::ReviewStore
    + crate::insights::InsightStore
    + crate::alerts::AlertStore
    + crate::experiments::ExperimentStore
    + crate::pilots::PilotStore
    + crate::risk::RiskStore
    + crate::kept_reports::KeptReportStore
    + crate::standing::StandingStore
    + crate::applications::ApplicationStore
    + crate::circles::CircleStore
    + crate::skill_credentials::SkillCredentialStore
    + crate::chat::ChatStore
    + crate::value::ValueStore
    + crate::materials::MaterialStore
    + crate::at_rest::AtRestStore
{
    /// Answers once the database does (for `/healthz`).
    async fn ping(&self) -> Result<()>;
    fn backend_name(&self) -> &'static str;
    /// The connection pools as they are now (for `/metrics`).
    fn pools(&self) -> Vec<PoolStats>;
}

/// A mentor's photo as it is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorPhoto {
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub updated_at: Timestamp,
}

/// One connection pool's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// `main` (PostgreSQL), or `read` and `write` (SQLite: one writer, several readers).
    pub name: &'static str,
    /// Connections open, in use or idle.
    pub open: u32,
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}
