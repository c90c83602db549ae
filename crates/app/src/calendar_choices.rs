//! A mentor's choices for a CalDAV account with several calendars: which ones count as busy
//! time, which one receives their sessions, and whether this account receives them at all
//! (one account per mentor does, so a second calendar account never gets every session
//! again). The sync applies them: a calendar moved away from is emptied of Stint's events.

use crate::App;
use crate::calendars::{owned, sync_now};
use crate::error::{AppError, ErrorKind};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_store::{CalendarSource, SourceChoices, SourceKind};

/// What the mentor changes; a field left out keeps its value.
#[derive(Debug, Clone, Default)]
pub struct ChoiceInput {
    pub writes_sessions: Option<bool>,
    /// The address of the calendar sessions go into.
    pub target_calendar: Option<String>,
    /// The addresses of the calendars whose events are busy time (the others are not).
    pub busy_calendars: Option<Vec<String>>,
}

/// Applies `input` to the mentor's source `id` and queues a sync of each of their sources
/// it touches. 404 for another's source; 422 naming the field for a calendar that is not the
/// account's, or for an `.ics` source (it has no calendars to choose).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn choose(
    app: &App,
    me: &Account,
    id: i64,
    input: &ChoiceInput,
) -> Result<CalendarSource, AppError> {
    let source = owned(app, me, id).await?;
    if source.kind != SourceKind::CalDav {
        return Err(AppError::field(
            ErrorKind::Invalid,
            "validation_failed",
            "writes_sessions",
            "a read-only .ics address has no calendars to choose and receives no sessions",
        ));
    }
    let known = |url: &str| source.calendars.iter().any(|c| c.url == url);
    let mut errors = FieldErrors::new();
    if let Some(target) = &input.target_calendar
        && !known(target)
    {
        errors.add("target_calendar", "is not one of this account's calendars");
    }
    if let Some(busy) = &input.busy_calendars
        && busy.iter().any(|u| !known(u))
    {
        errors.add(
            "busy_calendars",
            "names a calendar this account does not have",
        );
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let current_busy: Vec<String> = source
        .calendars
        .iter()
        .filter(|c| c.busy)
        .map(|c| c.url.clone())
        .collect();
    let writes = input.writes_sessions.unwrap_or(source.writes_sessions);
    let choices = SourceChoices {
        writes_sessions: writes,
        target: input.target_calendar.as_deref(),
        busy: input.busy_calendars.as_deref().unwrap_or(&current_busy),
    };
    app.store.choose_calendars(source.id, &choices).await?;
    // This source, and (when it now takes the sessions) the others, which empty theirs.
    for other in app.store.calendar_sources_of(me.id).await? {
        if other.id == source.id || (writes && other.kind == SourceKind::CalDav) {
            sync_now(app, me, other.id).await?;
        }
    }
    owned(app, me, id).await
}
