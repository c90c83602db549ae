//! The storage interface of mentors' calendar sync: the sources a mentor connected (CalDAV
//! accounts and read-only `.ics` addresses) with their sync health, the busy intervals each
//! source gave at its last successful read, and the event each booking is in each CalDAV
//! calendar. The job kinds live here too, so the web layer (a "Sync now" button) and the
//! worker (which runs them) name them the same way.

use crate::interfaces::Result;
use crate::jobs::NewJob;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::booking::BookingId;
use stint_domain::ids::UserId;

/// The job that syncs one source; payload `{"source": id}`.
pub const SYNC: &str = "calendar.sync";
/// The periodic job that queues [`SYNC`] for every source.
pub const SYNC_ALL: &str = "calendar.sync_all";

/// The `calendar.sync` job of `source`, due now. Its dedupe key keeps one queued per source,
/// however many triggers (the periodic sweep, a booking change, a button) ask for it.
pub fn sync_job(source: i64, now: Timestamp) -> NewJob {
    NewJob {
        kind: SYNC.to_string(),
        payload: format!("{{\"source\":{source}}}"),
        dedupe_key: Some(format!("{SYNC}:{source}")),
        due_at: now,
        max_attempts: 5,
    }
}

/// What kind of source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A CalDAV account: bookings written in, busy time read back.
    CalDav,
    /// A read-only `.ics` address: busy time only.
    Ics,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::CalDav => "caldav",
            SourceKind::Ics => "ics",
        }
    }

    pub fn parse(s: &str) -> Option<SourceKind> {
        match s {
            "caldav" => Some(SourceKind::CalDav),
            "ics" => Some(SourceKind::Ics),
            _ => None,
        }
    }
}

/// A source to add. Its input is checked (and the password sealed) before it reaches storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCalendarSource {
    pub mentor: UserId,
    pub kind: SourceKind,
    pub url: String,
    pub username: String,
    /// The sealed password (CalDAV); never the password itself.
    pub password_sealed: Option<String>,
}

/// A source as stored, with its sync health.
#[derive(Clone, PartialEq, Eq)]
pub struct CalendarSource {
    pub id: i64,
    pub mentor: UserId,
    pub kind: SourceKind,
    pub url: String,
    pub username: String,
    pub password_sealed: Option<String>,
    /// The calendar discovery found (CalDAV).
    pub calendar_url: Option<String>,
    pub created_at: Timestamp,
    pub last_attempt_at: Option<Timestamp>,
    pub last_success_at: Option<Timestamp>,
    /// Why the last sync failed; cleared by a success.
    pub last_error: Option<String>,
    /// Events written or removed in the calendar so far.
    pub events_written: u64,
    /// Busy intervals read at the last successful sync.
    pub busy_intervals_read: u64,
    /// The account's event calendars as discovery last found them, each ticked as busy
    /// time or not (CalDAV; empty before the first sync).
    pub calendars: Vec<CalendarChoice>,
    /// Whether sessions are written into this source's `calendar_url` (one source per
    /// mentor at most).
    pub writes_sessions: bool,
    /// A calendar sessions were written into before the mentor picked another; the next
    /// sync removes Stint's events from it.
    pub previous_calendar_url: Option<String>,
}

/// One calendar of a CalDAV account, and whether its events count as busy time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CalendarChoice {
    pub url: String,
    pub name: String,
    pub busy: bool,
}

/// What a mentor chose for one CalDAV source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceChoices<'a> {
    pub writes_sessions: bool,
    /// The calendar sessions go into (one of the source's calendars).
    pub target: Option<&'a str>,
    /// The calendars whose events are busy time; the others are not.
    pub busy: &'a [String],
}

impl std::fmt::Debug for CalendarSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CalendarSource")
            .field("id", &self.id)
            .field("mentor", &self.mentor)
            .field("kind", &self.kind)
            .field("username", &self.username)
            .field("calendar_url", &self.calendar_url.is_some())
            .field("last_error", &self.last_error)
            .finish_non_exhaustive()
    }
}

/// The event a booking is in a CalDAV calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenEvent {
    pub booking: BookingId,
    pub uid: String,
    pub etag: String,
    /// The booking's sequence the event shows.
    pub sequence: i64,
}

/// How one sync attempt ended, for the health panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRecord {
    pub at: Timestamp,
    /// `None` for a success (which clears the last error).
    pub error: Option<String>,
    /// Events written or removed by this attempt.
    pub events_written: u64,
}

#[async_trait]
pub trait CalendarStore: Send + Sync {
    async fn add_calendar_source(
        &self,
        new: &NewCalendarSource,
        now: Timestamp,
    ) -> Result<CalendarSource>;
    async fn calendar_source(&self, id: i64) -> Result<Option<CalendarSource>>;
    /// A mentor's sources, oldest first.
    async fn calendar_sources_of(&self, mentor: UserId) -> Result<Vec<CalendarSource>>;
    /// Every source, for the periodic sweep.
    async fn all_calendar_sources(&self) -> Result<Vec<CalendarSource>>;
    /// Removes a source with its busy intervals and event records; `NotFound` if none.
    async fn remove_calendar_source(&self, id: i64) -> Result<()>;
    async fn set_calendar_url(&self, id: i64, calendar_url: &str) -> Result<()>;
    /// Replaces all busy intervals of the source, in one transaction, and counts them.
    async fn replace_calendar_busy(&self, id: i64, busy: &[(Timestamp, Timestamp)]) -> Result<()>;
    /// The source's stored busy intervals, by start.
    async fn calendar_busy(&self, id: i64) -> Result<Vec<(Timestamp, Timestamp)>>;
    /// Records an attempt's end in the health fields.
    async fn record_calendar_sync(&self, id: i64, record: &SyncRecord) -> Result<()>;
    async fn written_events(&self, id: i64) -> Result<Vec<WrittenEvent>>;
    async fn save_written_event(&self, id: i64, event: &WrittenEvent, now: Timestamp)
    -> Result<()>;
    async fn forget_written_event(&self, id: i64, booking: BookingId) -> Result<()>;
    /// Stores the calendars discovery found (with the ticks the caller kept).
    async fn set_discovered_calendars(&self, id: i64, calendars: &[CalendarChoice]) -> Result<()>;
    /// Applies a mentor's choices in one transaction: the busy ticks, the target (the old one
    /// kept as `previous_calendar_url` to be emptied), and whether sessions are written here,
    /// which, when on, turns it off on the mentor's other sources.
    async fn choose_calendars(&self, id: i64, choices: &SourceChoices<'_>) -> Result<()>;
    /// Forgets the previous target once its events are removed.
    async fn clear_previous_calendar(&self, id: i64) -> Result<()>;
}
