//! Calendar sources, their busy intervals and written events in SQL. Busy intervals are
//! replaced all at once in one transaction, so a reader sees the old set or the new one and a
//! failed sync (which writes nothing) keeps what the last good one read.

use super::SqlStore;
use super::bookings::ts;
use super::claim::snapshot::bump_version;
use crate::StoreError;
use crate::calendars::{
    CalendarChoice, CalendarSource, CalendarStore, NewCalendarSource, SourceChoices, SourceKind,
    SyncRecord, WrittenEvent,
};
use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row, Transaction};
use stint_domain::booking::BookingId;
use stint_domain::ids::UserId;

/// The columns of a source, for every statement that returns one.
macro_rules! source_columns {
    () => {
        "id, mentor_id, kind, url, username, password_sealed, calendar_url, created_at, \
         last_attempt_at, last_success_at, last_error, events_written, busy_intervals_read, \
         calendars_json, writes_sessions, previous_calendar_url"
    };
}

/// The mentor a source belongs to, read inside `tx`.
async fn source_mentor(tx: &mut Transaction<'static, Any>, id: i64) -> Result<UserId> {
    let row = sqlx::query("SELECT mentor_id FROM calendar_sources WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(UserId(row.try_get("mentor_id")?))
}

/// A source's busy intervals as stored (Unix seconds), in order.
async fn stored_busy<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Vec<(i64, i64)>> {
    let rows = sqlx::query(
        "SELECT start_at, end_at FROM calendar_busy WHERE source_id = $1 ORDER BY start_at, end_at",
    )
    .bind(id)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("start_at")?, r.try_get("end_at")?)))
        .collect()
}

/// Longest error text kept: enough to read, not a whole answer.
const MAX_ERROR_CHARS: usize = 1000;

fn opt_ts(v: Option<i64>) -> Result<Option<Timestamp>> {
    v.map(ts).transpose()
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn source_from(r: &AnyRow) -> Result<CalendarSource> {
    let kind: String = r.try_get("kind")?;
    Ok(CalendarSource {
        id: r.try_get("id")?,
        mentor: UserId(r.try_get("mentor_id")?),
        kind: SourceKind::parse(&kind)
            .ok_or_else(|| StoreError::Backend(format!("unknown source kind {kind}").into()))?,
        url: r.try_get("url")?,
        username: r.try_get("username")?,
        password_sealed: r.try_get("password_sealed")?,
        calendar_url: r.try_get("calendar_url")?,
        created_at: ts(r.try_get("created_at")?)?,
        last_attempt_at: opt_ts(r.try_get("last_attempt_at")?)?,
        last_success_at: opt_ts(r.try_get("last_success_at")?)?,
        last_error: r.try_get("last_error")?,
        events_written: count(r.try_get("events_written")?),
        busy_intervals_read: count(r.try_get("busy_intervals_read")?),
        calendars: serde_json::from_str(&r.try_get::<String, _>("calendars_json")?)?,
        writes_sessions: r.try_get::<i64, _>("writes_sessions")? != 0,
        previous_calendar_url: r.try_get("previous_calendar_url")?,
    })
}

fn changed_one(rows: u64) -> Result<()> {
    if rows == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

#[async_trait]
impl CalendarStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn add_calendar_source(
        &self,
        new: &NewCalendarSource,
        now: Timestamp,
    ) -> Result<CalendarSource> {
        let row = sqlx::query(concat!(
            // Sessions go into a mentor's first CalDAV source only; another may be chosen later.
            "INSERT INTO calendar_sources (mentor_id, kind, url, username, password_sealed, created_at, \
             writes_sessions) VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $2 = 'caldav' AND NOT EXISTS \
             (SELECT 1 FROM calendar_sources WHERE mentor_id = $1 AND writes_sessions = 1) \
             THEN 1 ELSE 0 END) RETURNING ",
            source_columns!()
        ))
            .bind(new.mentor.0)
            .bind(new.kind.as_str())
            .bind(new.url.clone())
            .bind(new.username.clone())
            .bind(new.password_sealed.clone())
            .bind(now.as_second())
            .fetch_one(self.writer())
            .await?;
        source_from(&row)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_source(&self, id: i64) -> Result<Option<CalendarSource>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            source_columns!(),
            " FROM calendar_sources WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(source_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_sources_of(&self, mentor: UserId) -> Result<Vec<CalendarSource>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            source_columns!(),
            " FROM calendar_sources WHERE mentor_id = $1 ORDER BY id"
        ))
        .bind(mentor.0)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(source_from).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn all_calendar_sources(&self) -> Result<Vec<CalendarSource>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            source_columns!(),
            " FROM calendar_sources ORDER BY id"
        ))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(source_from).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn remove_calendar_source(&self, id: i64) -> Result<()> {
        // Children first: ON DELETE CASCADE needs foreign keys on, which SQLite has, but the
        // explicit deletes keep the order plain on both.
        let mut tx = self.begin_write().await?;
        let mentor = source_mentor(&mut tx, id).await?;
        for sql in [
            "DELETE FROM calendar_busy WHERE source_id = $1",
            "DELETE FROM calendar_events WHERE source_id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        let done = sqlx::query("DELETE FROM calendar_sources WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        changed_one(done.rows_affected())?;
        // Its busy time is gone: claims decided with it must look again.
        bump_version(&mut tx, mentor).await?;
        tx.commit().await?;
        self.forget_schedule(mentor);
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_calendar_url(&self, id: i64, calendar_url: &str) -> Result<()> {
        let done = sqlx::query("UPDATE calendar_sources SET calendar_url = $1 WHERE id = $2")
            .bind(calendar_url.to_string())
            .bind(id)
            .execute(self.writer())
            .await?;
        changed_one(done.rows_affected())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn replace_calendar_busy(&self, id: i64, busy: &[(Timestamp, Timestamp)]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let mentor = source_mentor(&mut tx, id).await?;
        let mut wanted: Vec<(i64, i64)> = busy
            .iter()
            .filter(|(s, e)| e > s)
            .map(|(s, e)| (s.as_second(), e.as_second()))
            .collect();
        wanted.sort_unstable();
        if stored_busy(&mut *tx, id).await? == wanted {
            // The same busy time as last read: nothing to write, no claim to unsettle.
            return Ok(());
        }
        sqlx::query("DELETE FROM calendar_busy WHERE source_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let mut n: i64 = 0;
        for (start, end) in &wanted {
            sqlx::query(
                "INSERT INTO calendar_busy (source_id, mentor_id, start_at, end_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(mentor.0)
            .bind(*start)
            .bind(*end)
            .execute(&mut *tx)
            .await?;
            n += 1;
        }
        sqlx::query("UPDATE calendar_sources SET busy_intervals_read = $1 WHERE id = $2")
            .bind(n)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // Other busy time: claims decided without it must look again (see `claim::snapshot`).
        bump_version(&mut tx, mentor).await?;
        tx.commit().await?;
        self.forget_schedule(mentor);
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_busy(&self, id: i64) -> Result<Vec<(Timestamp, Timestamp)>> {
        stored_busy(self.reader(), id)
            .await?
            .into_iter()
            .map(|(start, end)| Ok((ts(start)?, ts(end)?)))
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn record_calendar_sync(&self, id: i64, record: &SyncRecord) -> Result<()> {
        let written = i64::try_from(record.events_written).unwrap_or(i64::MAX);
        let done = match &record.error {
            None => sqlx::query(
                "UPDATE calendar_sources SET last_attempt_at = $1, last_success_at = $1, \
                 last_error = NULL, events_written = events_written + $2 WHERE id = $3",
            )
            .bind(record.at.as_second())
            .bind(written)
            .bind(id),
            Some(error) => sqlx::query(
                "UPDATE calendar_sources SET last_attempt_at = $1, last_error = $2, \
                 events_written = events_written + $3 WHERE id = $4",
            )
            .bind(record.at.as_second())
            .bind(error.chars().take(MAX_ERROR_CHARS).collect::<String>())
            .bind(written)
            .bind(id),
        }
        .execute(self.writer())
        .await?;
        changed_one(done.rows_affected())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn written_events(&self, id: i64) -> Result<Vec<WrittenEvent>> {
        let rows = sqlx::query(
            "SELECT booking_id, uid, etag, sequence FROM calendar_events WHERE source_id = $1 ORDER BY booking_id",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(WrittenEvent {
                    booking: BookingId(r.try_get("booking_id")?),
                    uid: r.try_get("uid")?,
                    etag: r.try_get("etag")?,
                    sequence: r.try_get("sequence")?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn save_written_event(
        &self,
        id: i64,
        event: &WrittenEvent,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO calendar_events (source_id, booking_id, uid, etag, sequence, written_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source_id, booking_id) DO UPDATE SET \
             uid = excluded.uid, etag = excluded.etag, sequence = excluded.sequence, written_at = excluded.written_at",
        )
        .bind(id)
        .bind(event.booking.0)
        .bind(event.uid.clone())
        .bind(event.etag.clone())
        .bind(event.sequence)
        .bind(now.as_second())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_discovered_calendars(&self, id: i64, calendars: &[CalendarChoice]) -> Result<()> {
        super::calendar_choices::set_discovered(self, id, calendars).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn choose_calendars(&self, id: i64, choices: &SourceChoices<'_>) -> Result<()> {
        super::calendar_choices::choose(self, id, choices).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn clear_previous_calendar(&self, id: i64) -> Result<()> {
        super::calendar_choices::clear_previous(self, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn forget_written_event(&self, id: i64, booking: BookingId) -> Result<()> {
        sqlx::query("DELETE FROM calendar_events WHERE source_id = $1 AND booking_id = $2")
            .bind(id)
            .bind(booking.0)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}
