//! CalDAV for Stint: find a mentor's calendars, write session events into them, and read busy
//! time back, from CalDAV or from a read-only `.ics` address.
//!
//! - [`CalDavClient`]: discovery, `put_event`/`delete_event` with ETag preconditions, `busy`
//!   (calendar-query, expanded here) and `free_busy` (the server's free-busy-query).
//! - [`fetch_ics_busy`]: busy time from a subscribed `.ics` feed.
//! - [`busy`]: the pure iCalendar reader both use, bounded against hostile input.
//!
//! Every answer is read under a size cap ([`Settings::max_response_bytes`]); errors say
//! whether a retry can help ([`Error::is_retryable`]) and never carry the password or a URL's
//! path.

pub mod busy;
mod client;
mod dav;
mod error;
mod http;
mod ics_url;
mod xml;

pub use busy::{BusyInterval, BusyQuery, IcsError, ParsedBusy, parse_busy};
pub use client::{BusyEvent, CalDavClient, CalendarInfo, Etag, event_url};
pub use error::{Error, Result};
pub use http::{DEFAULT_MAX_RESPONSE_BYTES, Settings};
pub use ics_url::fetch_ics_busy;
pub use url::Url;
