//! The SQL implementation of the storage interfaces, shared by SQLite and PostgreSQL
//! through sqlx's `Any` driver.
//!
//! SQLite: WAL journal, foreign keys on, and every write goes through a pool of exactly
//! one connection under `BEGIN IMMEDIATE`, so writers queue inside the process instead of
//! racing for the file lock (no `SQLITE_BUSY` reaches a user); readers use their own pool
//! and never block the writer. PostgreSQL: one pool for both.

mod access_log;
mod accounts;
mod adjustments;
mod alerts;
mod applications;
mod at_rest;
mod booking_context;
mod bookings;
mod cache;
mod calendar_choices;
mod calendars;
mod catalog;
mod chat;
mod circles;
mod claim;
mod credentials;
mod directory;
mod erasure;
mod experiments;
mod forecast_body;
mod holds;
mod insights;
mod jobs;
mod kept_reports;
mod ledger;
mod logins;
mod materials;
mod mentors;
mod money;
mod nudges;
mod outbox;
pub(crate) mod outcome_tallies;
mod outcomes;
mod payouts;
mod pilots;
mod privacy_requests;
mod retention;
mod reviews;
mod risk;
mod rows;
pub(crate) mod search;
mod signups;
mod skill_credentials;
pub(crate) mod sponsor;
mod standing;
mod value;
mod webhooks;
mod who;

use crate::migrations::Backend;
use crate::{Store, StoreError};
use async_trait::async_trait;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::str::FromStr;
use std::time::Duration;
use stint_domain::clock::{Clock, SystemClock};

#[derive(Clone)]
pub struct SqlStore {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    /// Booking claims, written in batches (group commit).
    claims: claim::group_commit::ClaimQueue,
    /// What is kept in memory to spare round trips (`cache/`); shared by the store's clones.
    caches: std::sync::Arc<cache::Caches>,
    /// Session and token look-ups sent in batches (`who.rs`); PostgreSQL only, where each
    /// round trip costs both processes a wake-up.
    who: Option<who::AccountLookups>,
}

impl SqlStore {
    /// Connects without migrating; caches age by the system clock.
    pub async fn connect(url: &str) -> Result<SqlStore, StoreError> {
        SqlStore::connect_with_clock(url, std::sync::Arc::new(SystemClock)).await
    }

    /// Connects without migrating; caches age by `clock`.
    pub async fn connect_with_clock(
        url: &str,
        clock: std::sync::Arc<dyn Clock>,
    ) -> Result<SqlStore, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or(StoreError::UnsupportedUrl)?;
        match backend {
            Backend::Sqlite => {
                let url = sqlite_url(url)?;
                let options = AnyConnectOptions::from_str(&url)?;
                let write = sqlite_pool(1).connect_with(options.clone()).await?;
                let read = sqlite_pool(8).connect_with(options).await?;
                Ok(SqlStore {
                    read,
                    claims: claim::group_commit::ClaimQueue::start(write.clone(), backend),
                    caches: std::sync::Arc::new(cache::Caches::new(clock.clone())),
                    who: None,
                    write,
                    backend,
                })
            }
            Backend::Postgres => {
                let options = AnyConnectOptions::from_str(url)?;
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    // No ping before each use: it would double the round trips of every
                    // request. A connection PostgreSQL dropped fails its next query and is
                    // then discarded; connections are renewed every half hour regardless.
                    .test_before_acquire(false)
                    .max_lifetime(Duration::from_secs(30 * 60))
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // Stint's statements are short; compiling one (JIT) costs more
                            // than running it, and a batch's row estimates can trigger it.
                            conn.execute("SET jit = off").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?;
                Ok(SqlStore {
                    read: pool.clone(),
                    claims: claim::group_commit::ClaimQueue::start(pool.clone(), backend),
                    caches: std::sync::Arc::new(cache::Caches::new(clock.clone())),
                    who: Some(who::AccountLookups::start(pool.clone())),
                    write: pool,
                    backend,
                })
            }
        }
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.backend.migrator().run(&self.write).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a write transaction. On SQLite it takes the write lock up front, so a
    /// transaction that reads before it writes cannot fail half-way with `SQLITE_BUSY`.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        })
    }

    /// The booking claims' writer (group commit).
    fn claim_queue(&self) -> &claim::group_commit::ClaimQueue {
        &self.claims
    }

    fn caches(&self) -> &cache::Caches {
        &self.caches
    }

    fn who(&self) -> Option<&who::AccountLookups> {
        self.who.as_ref()
    }

    /// After a change to a mentor's sessions, rules or external busy time on this node.
    pub(crate) fn forget_schedule(&self, mentor: stint_domain::ids::UserId) {
        self.caches.schedules.forget(mentor);
    }

    /// After a change to accounts, roles, mentor profiles or the catalog on this node.
    fn forget_people_and_catalog(&self) {
        self.caches.forget_people_and_catalog();
    }

    pub(crate) fn reader(&self) -> &AnyPool {
        &self.read
    }

    pub(crate) fn writer(&self) -> &AnyPool {
        &self.write
    }
}

/// The settings of every SQLite connection; public so benchmarks measure the same durability.
/// `secure_delete`: what is deleted is overwritten with zeros, so an erased account's data is
/// not left behind in free pages of the file.
pub const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 15000; PRAGMA secure_delete = ON;";

fn sqlite_pool(max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .min_connections(1)
        // A SQLite connection is a file handle in this process; it cannot go stale, so the
        // ping sqlx would send before each use is pure overhead.
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // busy_timeout covers other processes (e.g. `stint user create` beside a server).
                // synchronous = FULL: a commit reaches the disk before it is answered, so a
                // confirmed booking (or, later, a credit charge) survives a power cut, as on
                // PostgreSQL. NORMAL would be ~10x faster and could lose the last commits.
                conn.execute(SQLITE_PRAGMAS).await?;
                Ok(())
            })
        })
}

/// Makes sure the file's folder exists and the file is created on first use.
fn sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::UnsupportedUrl);
    }
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| StoreError::Backend(Box::new(e)))?;
    }
    Ok(if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

#[async_trait]
impl Store for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    fn pools(&self) -> Vec<crate::PoolStats> {
        let stats = |name: &'static str, pool: &AnyPool| {
            let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
            crate::PoolStats {
                name,
                open: pool.size(),
                idle,
                max: pool.options().get_max_connections(),
            }
        };
        match self.backend {
            // One pool serves reads and writes (the claims' writer takes from it too).
            Backend::Postgres => vec![stats("main", &self.write)],
            Backend::Sqlite => vec![stats("read", &self.read), stats("write", &self.write)],
        }
    }
}

/// A value read from the database that this release does not know (a status a newer
/// release wrote, or a damaged row): an error naming it, never a silent default.
pub(crate) fn unknown(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("unknown {what} {value:?} in the database").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = std::env::temp_dir().join("stint-url-test");
        let url = format!("sqlite://{}/x.db", dir.display());
        assert_eq!(sqlite_url(&url).ok(), Some(format!("{url}?mode=rwc")));
        assert!(sqlite_url("sqlite::memory:").is_err());
    }
}
