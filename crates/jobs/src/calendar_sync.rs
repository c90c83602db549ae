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
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use stint_app::{App, CalendarKey};
use stint_calendar_client::{CalDavClient, Settings, Url};
use stint_domain::account::Account;
use stint_domain::booking::{Booking, BookingStatus};
use stint_domain::clock::Clock;
use stint_egress::EgressPolicy;
use stint_store::calendars::{SYNC_ALL, sync_job};
use stint_store::{CalendarSource, Job, SourceKind, Store, SyncRecord, WrittenEvent};
use stint_worker::{Handler, JobError, Periodic};

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

    async fn sync_caldav(
        &self,
        source: &CalendarSource,
        mentor: &Account,
        settings: Settings,
        (from, to): (Timestamp, Timestamp),
        written: &mut u64,
    ) -> Result<(), Failure> {
        let key = self.key.as_ref().ok_or_else(|| Failure {
            message: "no calendar_key is configured, so the saved password cannot be read".into(),
            retry: false,
        })?;
        let sealed = source.password_sealed.as_deref().unwrap_or_default();
        let password = key.open(sealed).map_err(|e| Failure {
            message: format!("{e}: connect the calendar again"),
            retry: false,
        })?;
        let client = CalDavClient::new(&source.url, &source.username, &password, settings)?;
        let calendar = self.calendar_url(source, &client).await?;

        // The events first: ours (by UID, with their ETags) apart from the mentor's own.
        let events = client.busy(&calendar, from, to).await?;
        let mut ours: HashMap<String, String> = HashMap::new();
        let mut intervals = Vec::new();
        for e in &events {
            if is_ours(e.uid.as_deref()) {
                if let (Some(uid), Some(etag)) = (&e.uid, &e.etag) {
                    ours.insert(uid.clone(), etag.0.clone());
                }
            } else {
                intervals.push((e.start, e.end));
            }
        }
        let bookings: Vec<Booking> = self
            .store
            .bookings_of(source.mentor)
            .await
            .map_err(Failure::store)?
            .into_iter()
            .filter(|b| b.mentor_id == source.mentor)
            .collect();

        // Bookings out, before free-busy is read: a cancelled or moved session's old event is
        // gone by then, so its old time is never read back as busy.
        let failures = self
            .write_bookings(
                &client, &calendar, source, mentor, &bookings, &ours, written,
            )
            .await?;

        match client.free_busy(&calendar, from, to).await {
            // Free-busy cannot tell our events apart: time one of the mentor's sessions
            // covers is theirs already.
            Ok(free_busy) => intervals.extend(
                free_busy
                    .iter()
                    .filter(|f| {
                        !bookings.iter().any(|b| {
                            matches!(
                                b.status,
                                BookingStatus::Confirmed | BookingStatus::Completed
                            ) && b.start <= f.start
                                && f.end <= b.end
                        })
                    })
                    .map(|f| (f.start, f.end)),
            ),
            Err(e) => {
                tracing::debug!(source = source.id, error = %e, "no free-busy from this calendar")
            }
        }
        self.store
            .replace_calendar_busy(source.id, &merge(intervals))
            .await
            .map_err(Failure::store)?;
        failures.into_result(bookings.len())
    }

    /// Writes every booking that changed since it was last written. One booking the server
    /// refuses never stops the others: its failure is collected and the rest go on.
    #[allow(clippy::too_many_arguments)]
    async fn write_bookings(
        &self,
        client: &CalDavClient,
        calendar: &Url,
        source: &CalendarSource,
        mentor: &Account,
        bookings: &[Booking],
        ours: &HashMap<String, String>,
        written: &mut u64,
    ) -> Result<Failures, Failure> {
        let records: HashMap<_, _> = self
            .store
            .written_events(source.id)
            .await
            .map_err(Failure::store)?
            .into_iter()
            .map(|w| (w.booking, w))
            .collect();
        let now = self.clock.now();
        let mut failures = Failures::default();
        for b in bookings {
            let record = records.get(&b.id);
            let result = match (b.status, record) {
                (BookingStatus::Confirmed, None) if b.end > now => {
                    self.put(client, calendar, source, mentor, b, None, ours)
                        .await
                }
                (BookingStatus::Confirmed, Some(w)) if w.sequence != b.sequence => {
                    self.put(client, calendar, source, mentor, b, Some(w), ours)
                        .await
                }
                (BookingStatus::Cancelled, Some(w)) => {
                    self.delete(client, calendar, source, b, w, ours).await
                }
                _ => continue,
            };
            match result {
                Ok(()) => *written += 1,
                // Storage failing is not about this booking: stop and retry the whole sync.
                Err(Written::Store(f)) => return Err(f),
                Err(Written::Calendar(f)) => {
                    tracing::warn!(source = source.id, booking = %b.id, error = %f.message,
                        "a session could not be written to the calendar");
                    failures.add(f);
                }
            }
        }
        Ok(failures)
    }

    async fn delete(
        &self,
        client: &CalDavClient,
        calendar: &Url,
        source: &CalendarSource,
        b: &Booking,
        w: &WrittenEvent,
        ours: &HashMap<String, String>,
    ) -> Result<(), Written> {
        let etag = ours.get(&w.uid).unwrap_or(&w.etag);
        match client.delete_event(calendar, &w.uid, Some(etag)).await {
            // Changed since: it is still the cancelled session's event, and goes.
            Err(stint_calendar_client::Error::PreconditionFailed) => client
                .delete_event(calendar, &w.uid, None)
                .await
                .map_err(Written::calendar)?,
            other => other.map_err(Written::calendar)?,
        }
        self.store
            .forget_written_event(source.id, b.id)
            .await
            .map_err(|e| Written::Store(Failure::store(e)))
    }

    /// The calendar events go into: the one found before, or the first event calendar
    /// discovery finds (remembered for next time).
    async fn calendar_url(
        &self,
        source: &CalendarSource,
        client: &CalDavClient,
    ) -> Result<Url, Failure> {
        if let Some(url) = source
            .calendar_url
            .as_deref()
            .and_then(|u| Url::parse(u).ok())
        {
            return Ok(url);
        }
        let found = client
            .discover()
            .await?
            .into_iter()
            .find(|c| c.supports_events())
            .ok_or_else(|| Failure {
                message: "the account has no calendar that holds events".into(),
                retry: false,
            })?;
        self.store
            .set_calendar_url(source.id, found.url.as_str())
            .await
            .map_err(Failure::store)?;
        Ok(found.url)
    }

    /// Writes booking `b`: a new event, or over `record` with its ETag. When the server
    /// answers 412, the event is adopted: replaced with the ETag just read when it changed,
    /// created again when the mentor deleted it, and as a last resort overwritten (it is
    /// Stint's own event, and the session it shows has moved).
    #[allow(clippy::too_many_arguments)]
    async fn put(
        &self,
        client: &CalDavClient,
        calendar: &Url,
        source: &CalendarSource,
        mentor: &Account,
        b: &Booking,
        record: Option<&WrittenEvent>,
        ours: &HashMap<String, String>,
    ) -> Result<(), Written> {
        let c = stint_app::bookings::context_of(&self.app, b.clone())
            .await
            .map_err(|_| {
                Written::Store(Failure {
                    message: format!("the event of booking {} could not be built", b.id),
                    retry: true,
                })
            })?;
        let facts = stint_ical::BookingFacts {
            booking: &c.booking,
            sku: &c.sku.content,
            mentor: &c.mentor,
            mentee: &c.mentee,
        };
        let event = stint_ical::booking_event(&facts, mentor, None, self.clock.now());
        let body = stint_ical::feed("Stint", std::slice::from_ref(&event));
        let uid = event.uid.clone();
        let seen = ours.get(&uid).map(String::as_str);
        let first = record.map(|w| w.etag.as_str()).or(seen);
        let etag = match client.put_event(calendar, &uid, &body, first).await {
            Err(stint_calendar_client::Error::PreconditionFailed) => {
                adopt(client, calendar, &uid, &body, first, seen).await
            }
            other => other,
        }
        .map_err(Written::calendar)?;
        let record = WrittenEvent {
            booking: b.id,
            uid,
            etag: etag.0,
            sequence: b.sequence,
        };
        self.store
            .save_written_event(source.id, &record, self.clock.now())
            .await
            .map_err(|e| Written::Store(Failure::store(e)))
    }
}

/// After a 412 on writing `uid` with precondition `first`: the ETag read in this sync
/// (`seen`), then creating it anew (deleted by the mentor), then overwriting it.
async fn adopt(
    client: &CalDavClient,
    calendar: &Url,
    uid: &str,
    body: &str,
    first: Option<&str>,
    seen: Option<&str>,
) -> Result<stint_calendar_client::Etag, stint_calendar_client::Error> {
    use stint_calendar_client::Error::PreconditionFailed;
    if seen.is_some() && seen != first {
        match client.put_event(calendar, uid, body, seen).await {
            Err(PreconditionFailed) => {}
            other => return other,
        }
    }
    if first.is_some() {
        match client.put_event(calendar, uid, body, None).await {
            Err(PreconditionFailed) => {}
            other => return other,
        }
    }
    client.overwrite_event(calendar, uid, body).await
}

/// Why one booking was not written: the calendar refused it (the others go on), or storage
/// failed (the sync stops).
enum Written {
    Calendar(Failure),
    Store(Failure),
}

impl Written {
    fn calendar(e: stint_calendar_client::Error) -> Written {
        Written::Calendar(Failure::from(e))
    }
}

/// The bookings a sync could not write.
#[derive(Default)]
struct Failures {
    count: usize,
    first: Option<Failure>,
    retry: bool,
}

impl Failures {
    fn add(&mut self, f: Failure) {
        self.count += 1;
        self.retry |= f.retry;
        self.first.get_or_insert(f);
    }

    /// The sync's outcome: fine, or one message for the health panel naming how many of
    /// the `total` sessions failed and the first reason.
    fn into_result(self, total: usize) -> Result<(), Failure> {
        match self.first {
            None => Ok(()),
            Some(first) => Err(Failure {
                message: format!(
                    "{} of {total} sessions could not be written to the calendar (the others were): {}",
                    self.count, first.message
                ),
                retry: self.retry,
            }),
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
