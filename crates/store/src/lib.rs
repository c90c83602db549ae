//! Stint's storage: the interfaces the rest of the program talks to, and one SQL
//! implementation that runs on SQLite (embedded default) and PostgreSQL (several nodes).
//!
//! SQL is written once where both databases accept it (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`); each backend keeps its own migrations with the same versions and names.

pub mod access_log;
pub mod adjustments;
pub mod alerts;
pub mod applications;
pub mod at_rest;
pub mod calendars;
pub mod chat;
pub mod circles;
pub mod credentials;
mod error;
pub mod experiments;
pub mod insights;
mod interfaces;
mod jobs;
pub mod kept_reports;
pub mod ledger;
mod logins;
pub mod materials;
mod migrations;
pub mod money;
mod nudges;
pub mod outbox;
mod outcomes;
pub mod payouts;
pub mod pilots;
pub mod privacy_requests;
pub mod retention;
pub mod reviews;
pub mod risk;
pub mod signups;
pub mod skill_credentials;
pub mod sponsor;
mod sql;
pub mod standing;
#[cfg(feature = "testing")]
pub mod testing;
pub mod value;
mod webhooks;

pub use access_log::{AccessEntry, AccessLogStore, NewAccess};
pub use adjustments::AdjustmentStore;
pub use alerts::{AlertStore, OpenShortfall};
pub use applications::ApplicationStore;
pub use at_rest::{AtRestStore, StoredNote};
pub use calendars::{
    CalendarChoice, CalendarSource, CalendarStore, NewCalendarSource, SourceChoices, SourceKind,
    SyncRecord, WrittenEvent,
};
pub use chat::{ChatChannel, ChatStore};
pub use circles::{CircleStore, DigestDue};
pub use credentials::{ApiTokenInfo, CredentialStore, Keep};
pub use error::StoreError;
pub use experiments::{ExperimentRecord, ExperimentStore, ExposedPerson};
pub use insights::InsightStore;
pub use interfaces::{
    AccountStore, Admit, BookingOutcome, BookingStore, CatalogStore, IdempotencyKey, MentorPhoto,
    MentorStore, NewBooking, Offering, PoolStats, Store,
};
pub use jobs::{Enqueued, Job, JobState, JobStore, NewJob};
pub use kept_reports::KeptReportStore;
pub use ledger::LedgerStore;
pub use logins::{LoginCounts, LoginOutcome, LoginWindows};
pub use materials::{Attachment, Material, MaterialStore};
pub use migrations::{Backend, migration_names};
pub use money::MoneyStore;
pub use nudges::{Delivery, DeliveryStatus, InboxItem, NewDelivery, NewInboxItem, NudgeStore};
pub use outcomes::{
    AssessmentRecord, CloseSession, ClosingRecord, DeliverableRecord, NewNote, NoteRecord,
    OutcomeFilter, OutcomeStore, PrepRecord, TaskRecord, TodoFacts,
};
pub use payouts::PayoutStore;
pub use privacy_requests::{Erasure, PrivacyRequest, PrivacyRequestStore};
pub use retention::{RetentionRun, RetentionStore};
pub use reviews::ReviewStore;
pub use risk::{RiskSessions, RiskStore};
pub use signups::{PendingSignup, SignupStore};
pub use skill_credentials::{SkillCredential, SkillCredentialStore};
pub use sponsor::SponsorStore;
pub use sql::search::{PlannedQuery, planned_queries};
pub use sql::{SQLITE_PRAGMAS, SqlStore};
pub use standing::{StandingStore, UnlistedMentor};
pub use value::ValueStore;
pub use webhooks::{
    NewWebhookAttempt, NewWebhookEndpoint, WebhookAttempt, WebhookEndpoint, WebhookEndpointUpdate,
    WebhookHealth, WebhookMessage, WebhookStore,
};

/// Opens the database named by `url` (`sqlite://…` or `postgres://…`) and brings its
/// schema up to date.
pub async fn open(url: &str) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    let store = SqlStore::connect(url).await?;
    store.migrate().await?;
    Ok(std::sync::Arc::new(store))
}
