//! The storage side of kept reports (`stint_app::insights::kept`): a report's figures as
//! JSON under its name, with when they were counted.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;

#[async_trait]
pub trait KeptReportStore: Send + Sync {
    /// Keeps `body` as `name`'s figures counted at `at`, unless figures counted later are
    /// kept already (a slow count that finishes last does not overwrite a newer one).
    async fn keep_report(&self, name: &str, body: &str, at: Timestamp) -> Result<()>;
    /// `name`'s kept figures and when they were counted.
    async fn kept_report(&self, name: &str) -> Result<Option<(String, Timestamp)>>;
    /// The names of every kept report.
    async fn kept_report_names(&self) -> Result<Vec<String>>;
    /// Forgets `name`'s figures (what they count has changed in a way time does not show).
    async fn forget_report(&self, name: &str) -> Result<()>;
}
