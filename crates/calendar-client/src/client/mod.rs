//! The CalDAV client: one account on one server. Discovery is in `discover.rs`, writing
//! events in `events.rs`, reading busy time in `busy.rs`.

mod busy;
mod discover;
mod events;

pub use busy::BusyEvent;
pub use discover::CalendarInfo;
pub use events::{Etag, event_url};

use crate::error::{Error, Result, host_of};
use crate::http::{Credentials, Http, Settings, check_url};
use std::fmt;
use url::Url;

/// A CalDAV account: the address given by the user (server root, principal or calendar),
/// Basic credentials, and request settings. Cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct CalDavClient {
    base: Url,
    http: Http,
    settings: Settings,
    username: String,
}

impl fmt::Debug for CalDavClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CalDavClient")
            .field("host", &host_of(&self.base))
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl CalDavClient {
    /// A client for the account. `base_url` must be http(s); user information written into
    /// it is dropped (the credentials are the ones given here).
    pub fn new(base_url: &str, username: &str, password: &str, settings: Settings) -> Result<Self> {
        let mut base = Url::parse(base_url.trim())
            .map_err(|_| Error::Invalid("the calendar address is not a valid URL".to_string()))?;
        check_url(&base)?;
        // Cannot fail for an http(s) URL with a host, which `check_url` ensured.
        let _ = base.set_username("");
        let _ = base.set_password(None);
        let credentials = Credentials {
            username: username.to_string(),
            password: password.to_string(),
        };
        Ok(CalDavClient {
            http: Http::new(&settings, Some(credentials))?,
            base,
            settings,
            username: username.to_string(),
        })
    }

    /// The address this client starts discovery from.
    pub fn base_url(&self) -> &Url {
        &self.base
    }
}
