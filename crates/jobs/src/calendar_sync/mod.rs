//! Mentors' calendar sync as jobs. `calendar.sync {source}` reads the source's busy time over
//! the mentor's booking horizon and replaces the stored intervals with it; for a CalDAV source
//! it then writes each live booking as an event (created with `If-None-Match: *`, updated with
//! `If-Match` when the booking's sequence moved on, deleted when it was cancelled).
//! `calendar.sync_all`, every fifteen minutes, queues one sync per source.
//!
//! Every attempt ends in the source's health fields: a failure records a message people can act
//! on and keeps what earlier syncs stored (busy intervals are replaced only by a complete read,
//! and each written event is recorded as soon as the server took it). Retrying helps with an
//! unreachable or overloaded server; a refused password or an unreadable answer fails at once.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use std::time::Duration;
use stint_app::{App, CalendarKey};
use stint_calendar_client::Settings;
use stint_domain::clock::Clock;
use stint_egress::EgressPolicy;
use stint_store::calendars::{SYNC_ALL, sync_job};
use stint_store::{CalendarSource, Job, SourceKind, Store, SyncRecord};
use stint_worker::{Handler, JobError, Periodic};

mod caldav;

/// The sweep's schedule.
pub fn periodic() -> Periodic {
    Periodic::new(SYNC_ALL, Duration::from_secs(15 * 60))
}

/// Reads busy time over this many days when the mentor has saved no rules.
const DEFAULT_HORIZON_DAYS: i64 = 60;

/// Whether a UID is one of the events Stint writes (`booking-{id}@stint`): those are the
/// mentor's sessions, already busy time, and must not block their own booking's time.
fn is_ours(uid: Option<&str>) -> bool {
    uid.is_some_and(|u| u.starts_with("booking-") && u.ends_with("@stint"))
}

/// A sync failure: what the health panel shows, and whether waiting can help.
struct Failure {
    message: String,
    retry: bool,
}

impl Failure {
    fn store(e: impl std::fmt::Display) -> Failure {
        Failure {
            message: format!("storage failed: {e}"),
            retry: true,
        }
    }
}

impl From<stint_calendar_client::Error> for Failure {
    fn from(e: stint_calendar_client::Error) -> Failure {
        let message = if e.is_credentials() {
            format!("{e}: check the user name and password, then connect the calendar again")
        } else {
            e.to_string()
        };
        Failure {
            retry: e.is_retryable(),
            message,
        }
    }
}

/// `calendar.sync`: one source.
pub struct SyncCalendar {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    key: Option<CalendarKey>,
    /// For reading a booking's context the way every other use case does.
    app: App,
    timeout: Duration,
    egress: Arc<EgressPolicy>,
}

impl SyncCalendar {
    /// Syncs connect only where `egress` allows (public addresses, by default).
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        key: Option<CalendarKey>,
        egress: Arc<EgressPolicy>,
    ) -> Self {
        let settings = stint_app::Settings {
            egress: egress.clone(),
            ..stint_app::Settings::default()
        };
        SyncCalendar {
            app: App::new(store.clone(), clock.clone(), settings),
            store,
            clock,
            key,
            timeout: Duration::from_secs(30),
            egress,
        }
    }

    async fn sync(&self, source: &CalendarSource, written: &mut u64) -> Result<(), Failure> {
        let mentor = self
            .store
            .account(source.mentor)
            .await
            .map_err(Failure::store)?
            .ok_or_else(|| Failure {
                message: "the mentor's account is gone".into(),
                retry: false,
            })?;
        let horizon = match self
            .store
            .availability(source.mentor)
            .await
            .map_err(Failure::store)?
        {
            Some(rules) => i64::from(rules.horizon_days),
            None => DEFAULT_HORIZON_DAYS,
        };
        let from = self.clock.now();
        let to = from
            .saturating_add(SignedDuration::from_hours(24 * horizon))
            .unwrap_or(from);
        let settings = Settings {
            timeout: self.timeout,
            floating_zone: mentor.zone(),
            egress: self.egress.clone(),
            ..Settings::default()
        };
        match source.kind {
            SourceKind::Ics => {
                let busy =
                    stint_calendar_client::fetch_ics_busy(&source.url, from, to, &settings).await?;
                let intervals: Vec<_> = busy
                    .iter()
                    .filter(|b| !is_ours(b.uid.as_deref()))
                    .map(|b| (b.start, b.end))
                    .collect();
                self.store
                    .replace_calendar_busy(source.id, &merge(intervals))
                    .await
                    .map_err(Failure::store)
            }
            SourceKind::CalDav => {
                self.sync_caldav(source, &mentor, settings, (from, to), written)
                    .await
            }
        }
    }
}

/// Sorted, with overlapping and touching intervals joined.
fn merge(mut v: Vec<(Timestamp, Timestamp)>) -> Vec<(Timestamp, Timestamp)> {
    v.retain(|(s, e)| e > s);
    v.sort();
    let mut out: Vec<(Timestamp, Timestamp)> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

#[derive(serde::Deserialize)]
struct Payload {
    source: i64,
}

#[async_trait]
impl Handler for SyncCalendar {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let payload: Payload = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("unreadable payload: {e}")))?;
        let Some(source) = self
            .store
            .calendar_source(payload.source)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?
        else {
            // Removed since the job was queued.
            return Ok(());
        };
        let mut written = 0;
        let outcome = self.sync(&source, &mut written).await;
        let record = SyncRecord {
            at: self.clock.now(),
            error: outcome.as_ref().err().map(|f| f.message.clone()),
            events_written: written,
        };
        if let Err(e) = self.store.record_calendar_sync(source.id, &record).await {
            tracing::warn!(source = source.id, error = %e, "sync health not recorded");
        }
        match outcome {
            Ok(()) => Ok(()),
            Err(f) => {
                tracing::warn!(source = source.id, error = %f.message, "calendar sync failed");
                Err(if f.retry {
                    JobError::retry(f.message)
                } else {
                    JobError::fatal(f.message)
                })
            }
        }
    }
}

/// `calendar.sync_all`: queues a sync of every source (one per source at a time).
pub struct SyncAll {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl SyncAll {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        SyncAll { store, clock }
    }
}

#[async_trait]
impl Handler for SyncAll {
    async fn run(&self, _job: &Job) -> Result<(), JobError> {
        let retry = |e: stint_store::StoreError| JobError::retry(e.to_string());
        for source in self.store.all_calendar_sources().await.map_err(retry)? {
            self.store
                .enqueue(&sync_job(source.id, self.clock.now()), self.clock.now())
                .await
                .map_err(retry)?;
        }
        Ok(())
    }
}

/// Queues a sync of every CalDAV source of `mentor`, so a booking change reaches their
/// calendar soon.
pub async fn queue_for_mentor(
    store: &dyn Store,
    mentor: stint_domain::ids::UserId,
    now: Timestamp,
) -> Result<(), stint_store::StoreError> {
    for source in store.calendar_sources_of(mentor).await? {
        if source.kind == SourceKind::CalDav {
            store.enqueue(&sync_job(source.id, now), now).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn merging_joins_overlaps_and_drops_empty_intervals() {
        let v = vec![
            (t(50), t(60)),
            (t(0), t(10)),
            (t(5), t(20)),
            (t(20), t(30)),
            (t(70), t(70)),
        ];
        assert_eq!(merge(v), vec![(t(0), t(30)), (t(50), t(60))]);
    }

    #[test]
    fn only_booking_uids_are_ours() {
        assert!(is_ours(Some("booking-12@stint")));
        assert!(!is_ours(Some("dentist@example.com")));
        assert!(!is_ours(None));
    }
}
