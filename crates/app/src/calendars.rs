//! A mentor's calendar sources as they manage them: connect a CalDAV account (the password
//! sealed with the server's `calendar_key` before it is stored, never shown again), add a
//! read-only `.ics` address, remove one, and ask for a sync now. Only the owning mentor sees
//! or changes a source; anyone else gets 404. The API and the pages both call these.

use crate::App;
use crate::access::require;
use crate::error::AppError;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::role::Role;
use stint_store::calendars::sync_job;
use stint_store::{CalendarSource, Enqueued, NewCalendarSource, SourceKind};

const MAX_URL: usize = 2000;
const MAX_USERNAME: usize = 200;
const MAX_PASSWORD: usize = 1000;
/// Sources one mentor may connect: enough for every calendar they keep, no more.
const MAX_SOURCES: usize = 10;

/// A source to connect, as typed.
#[derive(Debug, Clone, Default)]
pub struct CalendarInput {
    /// `caldav` or `ics`.
    pub kind: String,
    pub url: String,
    pub username: String,
    pub password: String,
}

/// An address a calendar may live at: http(s) (and `webcal` for a feed), with a host and
/// without a user name or password in it.
fn check_url(raw: &str, feed: bool) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("is required".into());
    }
    if raw.chars().count() > MAX_URL {
        return Err(format!("must be at most {MAX_URL} characters"));
    }
    let parsed = url::Url::parse(raw)
        .map_err(|_| "must be a full http:// or https:// address".to_string())?;
    let schemes: &[&str] = if feed {
        &["http", "https", "webcal"]
    } else {
        &["http", "https"]
    };
    if !schemes.contains(&parsed.scheme()) {
        return Err("must start with http:// or https://".into());
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("must not contain a user name or password; use the fields for them".into());
    }
    Ok(raw.to_string())
}

impl CalendarInput {
    /// Checks every field at once; for CalDAV, seals the password with the server's key.
    fn validate(&self, app: &App, me: &Account) -> Result<NewCalendarSource, AppError> {
        let mut e = FieldErrors::new();
        let kind = SourceKind::parse(self.kind.trim());
        if kind.is_none() {
            e.add("kind", "must be caldav or ics");
        }
        let feed = kind == Some(SourceKind::Ics);
        let url = e.check(
            "url",
            check_url(&self.url, feed).and_then(|u| crate::outbound::allowed(app, u)),
        );
        let username = self.username.trim();
        if kind == Some(SourceKind::CalDav) {
            if username.is_empty() {
                e.add("username", "is required for a CalDAV account");
            } else if username.chars().count() > MAX_USERNAME {
                e.add(
                    "username",
                    format!("must be at most {MAX_USERNAME} characters"),
                );
            }
            if self.password.is_empty() {
                e.add("password", "is required for a CalDAV account");
            } else if self.password.chars().count() > MAX_PASSWORD {
                e.add(
                    "password",
                    format!("must be at most {MAX_PASSWORD} characters"),
                );
            }
        }
        if !e.is_empty() {
            return Err(e.into());
        }
        let (Some(kind), Some(url)) = (kind, url) else {
            return Err(AppError::internal());
        };
        let password_sealed = match kind {
            SourceKind::Ics => None,
            SourceKind::CalDav => {
                let key = app.settings.calendar_key.as_ref().ok_or_else(no_key)?;
                Some(key.seal(&self.password).map_err(|err| {
                    tracing::error!(error = %err, "a calendar password could not be sealed");
                    AppError::internal()
                })?)
            }
        };
        Ok(NewCalendarSource {
            mentor: me.id,
            kind,
            url,
            username: if kind == SourceKind::CalDav {
                username.to_string()
            } else {
                String::new()
            },
            password_sealed,
        })
    }
}

fn no_key() -> AppError {
    AppError::new(
        crate::ErrorKind::Unavailable,
        "calendar_key_missing",
        "CalDAV calendars cannot be connected on this server yet: its operator must set calendar_key.",
    )
}

fn not_found() -> AppError {
    AppError::not_found("calendar")
}

/// The mentor's sources, oldest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(app: &App, me: &Account) -> Result<Vec<CalendarSource>, AppError> {
    require(me, Role::Mentor)?;
    Ok(app.store.calendar_sources_of(me.id).await?)
}

/// The mentor's own source `id`; 404 for anyone else's.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn owned(app: &App, me: &Account, id: i64) -> Result<CalendarSource, AppError> {
    require(me, Role::Mentor)?;
    match app.store.calendar_source(id).await? {
        Some(s) if s.mentor == me.id => Ok(s),
        _ => Err(not_found()),
    }
}

/// Connects a source and queues its first sync. Nothing is written unless every field is valid.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn connect(
    app: &App,
    me: &Account,
    input: &CalendarInput,
) -> Result<CalendarSource, AppError> {
    require(me, Role::Mentor)?;
    let new = input.validate(app, me)?;
    if app.store.calendar_sources_of(me.id).await?.len() >= MAX_SOURCES {
        return Err(AppError::field(
            crate::ErrorKind::Conflict,
            "too_many_calendars",
            "url",
            format!("at most {MAX_SOURCES} calendars can be connected; remove one first"),
        ));
    }
    let source = app.store.add_calendar_source(&new, app.now()).await?;
    sync_now(app, me, source.id).await?;
    Ok(source)
}

/// Removes a source with the busy time it gave. Events already written stay in the calendar.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn remove(app: &App, me: &Account, id: i64) -> Result<(), AppError> {
    let source = owned(app, me, id).await?;
    app.store
        .remove_calendar_source(source.id)
        .await
        .map_err(crate::missing("calendar"))
}

/// Queues a sync of the source (one at a time per source); the job's id.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn sync_now(app: &App, me: &Account, id: i64) -> Result<i64, AppError> {
    let source = owned(app, me, id).await?;
    let now = app.now();
    Ok(
        match app.store.enqueue(&sync_job(source.id, now), now).await? {
            Enqueued::New(id) | Enqueued::Duplicate(id) => id,
        },
    )
}

/// Where a source stands, in a word, for the health panel.
pub fn health(s: &CalendarSource) -> &'static str {
    match (&s.last_attempt_at, &s.last_error) {
        (None, _) => "waiting",
        (Some(_), None) => "ok",
        (Some(_), Some(_)) => "failing",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_addresses_are_http_with_a_host_and_no_credentials() {
        assert!(check_url("https://cal.example.com/dav/", false).is_ok());
        assert!(check_url("webcal://cal.example.com/a.ics", true).is_ok());
        assert!(check_url("webcal://cal.example.com/a.ics", false).is_err());
        assert!(check_url("ftp://cal.example.com/", false).is_err());
        assert!(check_url("javascript:alert(1)", true).is_err());
        assert!(check_url("", false).is_err());
        assert!(check_url("https://u:p@cal.example.com/", false).is_err());
        assert!(check_url(&format!("https://h/{}", "a".repeat(MAX_URL)), false).is_err());
    }
}
