//! The CalDAV half of a sync: the account's calendars (discovered each time, with the
//! mentor's ticks kept), Stint's events in the target calendar, the sessions written, and
//! busy time read from every calendar ticked as busy.

use super::{Failure, SyncCalendar, is_ours, merge};
use jiff::Timestamp;
use std::collections::HashMap;
use stint_calendar_client::{CalDavClient, Settings, Url};
use stint_domain::account::Account;
use stint_domain::booking::{Booking, BookingStatus};
use stint_store::{CalendarChoice, CalendarSource, WrittenEvent};

impl SyncCalendar {
    pub(super) async fn sync_caldav(
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
        let (calendar, busy_calendars) = self.calendars(source, &client).await?;

        // The events first: Stint's own in the target (by UID, with their ETags), never busy
        // time; the mentor's own in every calendar ticked as busy.
        let mut ours: HashMap<String, String> = HashMap::new();
        let mut intervals = Vec::new();
        let mut read = busy_calendars.clone();
        if !read.contains(&calendar) {
            read.push(calendar.clone());
        }
        for cal in &read {
            let counts = busy_calendars.contains(cal);
            for e in client.busy(cal, from, to).await? {
                if is_ours(e.uid.as_deref()) {
                    if let (true, Some(uid), Some(etag)) = (*cal == calendar, &e.uid, &e.etag) {
                        ours.insert(uid.clone(), etag.0.clone());
                    }
                } else if counts {
                    intervals.push((e.start, e.end));
                }
            }
        }
        // Sessions moved away from a calendar (another target, or another source): emptied.
        if let Some(previous) = source.previous_calendar_url.as_deref() {
            if let Ok(previous) = Url::parse(previous) {
                self.empty(&client, &previous, source, written).await?;
            }
            self.store
                .clear_previous_calendar(source.id)
                .await
                .map_err(Failure::store)?;
        }
        if !source.writes_sessions {
            self.empty(&client, &calendar, source, written).await?;
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
        let failures = if source.writes_sessions {
            self.write_bookings(
                &client, &calendar, source, mentor, &bookings, &ours, written,
            )
            .await?
        } else {
            Failures::default()
        };

        for cal in &busy_calendars {
            match client.free_busy(cal, from, to).await {
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
                // One party's account is being erased: the event goes, whatever the session.
                (_, Some(w)) if w.sequence < 0 => {
                    self.delete(client, calendar, source, b, w, ours).await
                }
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

    /// The account's event calendars, discovered on every sync (a calendar added or
    /// removed in the account shows up), with the mentor's busy ticks kept by address and
    /// new calendars counted as busy. The target is the one chosen, else the first.
    async fn calendars(
        &self,
        source: &CalendarSource,
        client: &CalDavClient,
    ) -> Result<(Url, Vec<Url>), Failure> {
        let found: Vec<CalendarChoice> = client
            .discover()
            .await?
            .into_iter()
            .filter(|c| c.supports_events())
            .map(|c| {
                let url = c.url.to_string();
                let busy = source
                    .calendars
                    .iter()
                    .find(|s| s.url == url)
                    .is_none_or(|s| s.busy);
                CalendarChoice {
                    name: c.display_name.unwrap_or_else(|| url.clone()),
                    url,
                    busy,
                }
            })
            .collect();
        if found != source.calendars {
            self.store
                .set_discovered_calendars(source.id, &found)
                .await
                .map_err(Failure::store)?;
        }
        let chosen = source
            .calendar_url
            .as_deref()
            .filter(|u| found.iter().any(|c| c.url == *u));
        let target = match chosen.or(found.first().map(|c| c.url.as_str())) {
            Some(url) => url.to_string(),
            None => {
                return Err(Failure {
                    message: "the account has no calendar that holds events".into(),
                    retry: false,
                });
            }
        };
        if source.calendar_url.as_deref() != Some(target.as_str()) {
            self.store
                .set_calendar_url(source.id, &target)
                .await
                .map_err(Failure::store)?;
        }
        let parse = |u: &str| {
            Url::parse(u).map_err(|_| Failure {
                message: "the calendar server gave an address that is not a URL".into(),
                retry: false,
            })
        };
        let busy = found
            .iter()
            .filter(|c| c.busy)
            .map(|c| parse(&c.url))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((parse(&target)?, busy))
    }

    /// Removes Stint's events from `calendar` and forgets them: the mentor moved sessions to
    /// another calendar, or another source.
    async fn empty(
        &self,
        client: &CalDavClient,
        calendar: &Url,
        source: &CalendarSource,
        written: &mut u64,
    ) -> Result<(), Failure> {
        let records = self
            .store
            .written_events(source.id)
            .await
            .map_err(Failure::store)?;
        for w in records {
            client.delete_event(calendar, &w.uid, None).await?;
            self.store
                .forget_written_event(source.id, w.booking)
                .await
                .map_err(Failure::store)?;
            *written += 1;
        }
        Ok(())
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
