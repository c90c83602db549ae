//! A mentor's choices among a CalDAV account's calendars: which are busy time, which one
//! receives sessions, and which source does.

use super::SqlStore;
use crate::StoreError;
use crate::calendars::{CalendarChoice, SourceChoices};
use crate::interfaces::Result;
use sqlx::Row;

pub(super) async fn set_discovered(
    store: &SqlStore,
    id: i64,
    calendars: &[CalendarChoice],
) -> Result<()> {
    sqlx::query("UPDATE calendar_sources SET calendars_json = $1 WHERE id = $2")
        .bind(serde_json::to_string(calendars)?)
        .bind(id)
        .execute(store.writer())
        .await?;
    Ok(())
}

pub(super) async fn choose(store: &SqlStore, id: i64, choices: &SourceChoices<'_>) -> Result<()> {
    let mut tx = store.begin_write().await?;
    let row = sqlx::query(
        "SELECT mentor_id, calendar_url, calendars_json, previous_calendar_url \
         FROM calendar_sources WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let mentor: i64 = row.try_get("mentor_id")?;
    let current: Option<String> = row.try_get("calendar_url")?;
    let previous: Option<String> = row.try_get("previous_calendar_url")?;
    let mut calendars: Vec<CalendarChoice> =
        serde_json::from_str(&row.try_get::<String, _>("calendars_json")?)?;
    for c in &mut calendars {
        c.busy = choices.busy.contains(&c.url);
    }
    let target = choices.target.map(str::to_string).or(current.clone());
    // Moving away from a calendar empties it at the next sync; moving back before that
    // keeps the older one to empty.
    let previous = match (&current, &target) {
        (Some(old), Some(new)) if old != new => previous.or(Some(old.clone())),
        _ => previous,
    }
    .filter(|p| Some(p) != target.as_ref());
    sqlx::query(
        "UPDATE calendar_sources SET calendars_json = $1, calendar_url = $2, \
         previous_calendar_url = $3, writes_sessions = $4 WHERE id = $5",
    )
    .bind(serde_json::to_string(&calendars)?)
    .bind(target)
    .bind(previous)
    .bind(i64::from(choices.writes_sessions))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if choices.writes_sessions {
        sqlx::query(
            "UPDATE calendar_sources SET writes_sessions = 0 WHERE mentor_id = $1 AND id <> $2",
        )
        .bind(mentor)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn clear_previous(store: &SqlStore, id: i64) -> Result<()> {
    sqlx::query("UPDATE calendar_sources SET previous_calendar_url = NULL WHERE id = $1")
        .bind(id)
        .execute(store.writer())
        .await?;
    Ok(())
}
