//! Availability rules and bookings in SQL. Making a booking is `claim/`; this module
//! reads bookings and changes them (reschedule, cancel, no-show). Each change to a mentor's
//! rules or sessions bumps their schedule version (`claim::snapshot`). A reschedule holds
//! the mentor (by that bump) and re-checks the slot like a new booking; the exclusion
//! constraint (PostgreSQL) or trigger (SQLite) is the last line of defence.

use super::SqlStore;
use super::claim::snapshot::{SnapshotAsk, bump_version, snapshot};
use crate::StoreError;
use crate::error::is_overlap_violation;
use crate::interfaces::{Admit, BookingOutcome, BookingStore, IdempotencyKey, NewBooking, Result};
use crate::outbox::BookingChange;
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row, Transaction};
use stint_domain::booking::{
    Booking, BookingContext, BookingEvent, BookingId, BookingStatus, NoShowSide,
};
use stint_domain::ids::{SkuId, UserId};
use stint_domain::ledger::HoldEnd;
use stint_domain::schedule::{Availability, Busy, BusyKind};

macro_rules! booking_select {
    ($where:literal) => {
        concat!(
            "SELECT id, mentor_id, mentee_id, sku_id, sku_version, start_at, end_at, status, sequence, ",
            "meeting_url, cancelled_by, cancel_reason, late_cancel, no_show_side, created_at FROM bookings ",
            $where
        )
    };
}

pub(super) fn ts(secs: i64) -> Result<Timestamp> {
    Timestamp::from_second(secs).map_err(|e| StoreError::Backend(Box::new(e)))
}

pub(super) fn booking_from(row: &AnyRow) -> Result<Booking> {
    let status: String = row.try_get("status")?;
    let side: Option<String> = row.try_get("no_show_side")?;
    Ok(Booking {
        id: BookingId(row.try_get("id")?),
        mentor_id: UserId(row.try_get("mentor_id")?),
        mentee_id: UserId(row.try_get("mentee_id")?),
        sku_id: SkuId(row.try_get("sku_id")?),
        sku_version: row.try_get("sku_version")?,
        start: ts(row.try_get("start_at")?)?,
        end: ts(row.try_get("end_at")?)?,
        status: BookingStatus::parse(&status)
            .ok_or_else(|| super::unknown("booking status", &status))?,
        sequence: row.try_get("sequence")?,
        meeting_url: row.try_get("meeting_url")?,
        cancelled_by: row.try_get::<Option<i64>, _>("cancelled_by")?.map(UserId),
        cancel_reason: row.try_get("cancel_reason")?,
        late_cancel: row.try_get::<i64, _>("late_cancel")? != 0,
        no_show_side: side
            .as_deref()
            .map(|s| NoShowSide::parse(s).ok_or_else(|| super::unknown("no-show side", s)))
            .transpose()?,
        created_at: ts(row.try_get("created_at")?)?,
    })
}

/// A busy row: a Stint session (`session` = 1) or time an external calendar holds.
pub(super) fn busy_from(r: &AnyRow) -> Result<Busy> {
    let session: i64 = r.try_get("session")?;
    Ok(Busy {
        start: ts(r.try_get("start_at")?)?,
        end: ts(r.try_get("end_at")?)?,
        kind: if session == 1 {
            BusyKind::Session
        } else {
            BusyKind::Blocked
        },
    })
}

/// A booking by id, `NotFound` if there is none.
pub(super) async fn booking_by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: BookingId,
) -> Result<Booking> {
    let row = sqlx::query(booking_select!("WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(ex)
        .await?;
    row.as_ref()
        .map(booking_from)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

impl SqlStore {
    pub(super) async fn event(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: BookingId,
        actor: Option<UserId>,
        status: BookingStatus,
        note: &str,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query("INSERT INTO booking_events (booking_id, at, actor_id, status, note) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.0)
            .bind(now.as_second())
            .bind(actor.map(|a| a.0))
            .bind(status.as_str())
            .bind(note.to_string())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    pub(crate) async fn booking_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: BookingId,
    ) -> Result<Booking> {
        booking_by_id(&mut **tx, id).await
    }
}

#[async_trait]
impl BookingStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn availability(&self, mentor: UserId) -> Result<Option<Availability>> {
        let row = sqlx::query("SELECT rules FROM mentor_availability WHERE user_id = $1")
            .bind(mentor.0)
            .fetch_optional(self.reader())
            .await?;
        match row {
            Some(r) => Ok(Some(serde_json::from_str(
                &r.try_get::<String, _>("rules")?,
            )?)),
            None => Ok(None),
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn save_availability(
        &self,
        mentor: UserId,
        rules: &Availability,
        now: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO mentor_availability (user_id, rules, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at",
        )
        .bind(mentor.0)
        .bind(serde_json::to_string(rules)?)
        .bind(now.as_second())
        .execute(&mut *tx)
        .await;
        match done {
            Ok(_) => {}
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
                return Err(StoreError::NotFound);
            }
            Err(e) => return Err(e.into()),
        }
        // New rules: claims decided on the old ones must look again (see `claim::snapshot`).
        bump_version(&mut tx, mentor).await?;
        tx.commit().await?;
        self.forget_schedule(mentor);
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_calendar_feed(
        &self,
        user: UserId,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
        )
        .bind(user.0)
        .bind(token_hash.to_string())
        .bind(now.as_second())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn revoke_calendar_feed(&self, user: UserId) -> Result<()> {
        sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1")
            .bind(user.0)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn has_calendar_feed(&self, user: UserId) -> Result<bool> {
        let row = sqlx::query("SELECT user_id FROM calendar_feeds WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(self.reader())
            .await?;
        Ok(row.is_some())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_feed_owner(&self, token_hash: &str) -> Result<Option<UserId>> {
        let row = sqlx::query("SELECT user_id FROM calendar_feeds WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .fetch_optional(self.reader())
            .await?;
        row.map(|r| Ok(UserId(r.try_get("user_id")?))).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn availability_of(&self, mentors: &[UserId]) -> Result<Vec<(UserId, Availability)>> {
        self.availability_of_mentors(mentors).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn busy_of(
        &self,
        mentors: &[UserId],
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(UserId, Busy)>> {
        self.busy_of_mentors(mentors, from, to).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mentor_busy(
        &self,
        mentor: UserId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Busy>> {
        let rows = sqlx::query(
            // The window's rows only, as `sql::search` explains.
            "SELECT start_at, end_at, CAST(1 AS BIGINT) AS session FROM bookings WHERE mentor_id = $1 \
             AND start_at > $3 - 86400 AND start_at < $2 AND end_at > $3 AND status IN ('confirmed', 'completed') \
             UNION ALL SELECT start_at, end_at, 0 FROM calendar_busy WHERE mentor_id = $1 \
             AND end_at > $3 AND +start_at < $2 \
             ORDER BY start_at",
        )
        .bind(mentor.0)
        .bind(to.as_second())
        .bind(from.as_second())
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(busy_from).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_booking(
        &self,
        new: &NewBooking,
        key: Option<&IdempotencyKey>,
        admit: Admit<'_>,
        now: Timestamp,
    ) -> Result<BookingOutcome> {
        self.create_or_replay(new, key, admit, now).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn booking(&self, id: BookingId) -> Result<Option<Booking>> {
        let row = sqlx::query(booking_select!("WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(booking_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn booking_by_key(&self, mentee: UserId, key: &str) -> Result<Option<Booking>> {
        let row = sqlx::query(booking_select!(
            "WHERE id = (SELECT booking_id FROM idempotency_keys WHERE user_id = $1 AND key = $2)"
        ))
        .bind(mentee.0)
        .bind(key.to_string())
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(booking_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn bookings_of(&self, user: UserId) -> Result<Vec<Booking>> {
        let rows = sqlx::query(booking_select!(
            "WHERE mentor_id = $1 OR mentee_id = $1 ORDER BY start_at, id"
        ))
        .bind(user.0)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(booking_from).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn booking_events(&self, id: BookingId) -> Result<Vec<BookingEvent>> {
        let rows = sqlx::query("SELECT at, actor_id, status, note FROM booking_events WHERE booking_id = $1 ORDER BY id")
            .bind(id.0)
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(super::booking_context::event_from)
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn booking_context(&self, id: BookingId) -> Result<Option<BookingContext>> {
        self.context_by_id(id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn booking_contexts_of(&self, user: UserId) -> Result<Vec<BookingContext>> {
        self.contexts_of(user).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn upcoming_contexts_of(
        &self,
        user: UserId,
        now: Timestamp,
    ) -> Result<Vec<BookingContext>> {
        self.upcoming_of(user, now).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn past_contexts_of(
        &self,
        user: UserId,
        now: Timestamp,
        before: Option<(Timestamp, BookingId)>,
        limit: u32,
    ) -> Result<Vec<BookingContext>> {
        self.past_of(user, now, before, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn booking_contexts_page(
        &self,
        user: UserId,
        after: Option<(Timestamp, BookingId)>,
        limit: u32,
    ) -> Result<Vec<BookingContext>> {
        self.page_of(user, after, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn booking_events_for(
        &self,
        bookings: &[BookingId],
    ) -> Result<Vec<(BookingId, BookingEvent)>> {
        self.events_for(bookings).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn reschedule_booking(
        &self,
        id: BookingId,
        start: Timestamp,
        end: Timestamp,
        actor: UserId,
        admit: Admit<'_>,
        now: Timestamp,
    ) -> Result<Booking> {
        let mut tx = self.begin_write().await?;
        let current = self.booking_in(&mut tx, id).await?;
        bump_version(&mut tx, current.mentor_id).await?;
        // Read again now that the mentor is held: the booking may have changed meanwhile.
        let current = self.booking_in(&mut tx, id).await?;
        if current.status != BookingStatus::Confirmed {
            return Err(StoreError::conflict(
                "status",
                format!("a {} booking cannot be moved", current.status.as_str()),
            ));
        }
        let ask = SnapshotAsk::decision(current.mentor_id, start, Some(id), None);
        let s = snapshot(&mut *tx, &ask).await?;
        if !admit(s.rules.as_ref(), &s.busy) {
            return Err(StoreError::SlotTaken);
        }
        let moved = sqlx::query(
            "UPDATE bookings SET start_at = $1, end_at = $2, sequence = sequence + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(start.as_second())
        .bind(end.as_second())
        .bind(now.as_second())
        .bind(id.0)
        .execute(&mut *tx)
        .await;
        match moved {
            Ok(_) => {}
            Err(e) if is_overlap_violation(&e) => return Err(StoreError::SlotTaken),
            Err(e) => return Err(e.into()),
        }
        let note = format!("rescheduled from {} to {}", current.start, start);
        self.event(
            &mut tx,
            id,
            Some(actor),
            BookingStatus::Confirmed,
            &note,
            now,
        )
        .await?;
        super::outbox::booking_changed(&mut tx, id, BookingChange::Rescheduled, None, now).await?;
        let booking = self.booking_in(&mut tx, id).await?;
        tx.commit().await?;
        self.forget_schedule(booking.mentor_id);
        Ok(booking)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn cancel_booking(
        &self,
        id: BookingId,
        actor: UserId,
        reason: &str,
        late: bool,
        hold: HoldEnd,
        now: Timestamp,
    ) -> Result<Booking> {
        let mut tx = self.begin_write().await?;
        let current = self.booking_in(&mut tx, id).await?;
        if current.status != BookingStatus::Confirmed {
            return Err(StoreError::conflict(
                "status",
                format!("a {} booking cannot be cancelled", current.status.as_str()),
            ));
        }
        self.cancel_in(&mut tx, &current, actor, reason, late, hold, now)
            .await?;
        let booking = self.booking_in(&mut tx, id).await?;
        tx.commit().await?;
        self.forget_schedule(booking.mentor_id);
        Ok(booking)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_no_show(
        &self,
        id: BookingId,
        side: NoShowSide,
        actor: UserId,
        hold: HoldEnd,
        now: Timestamp,
    ) -> Result<Booking> {
        let mut tx = self.begin_write().await?;
        let current = self.booking_in(&mut tx, id).await?;
        if current.status != BookingStatus::Confirmed {
            return Err(StoreError::conflict(
                "status",
                format!(
                    "a {} booking cannot be marked as a no-show",
                    current.status.as_str()
                ),
            ));
        }
        // A no-show no longer counts as busy time (see `claim::snapshot`).
        bump_version(&mut tx, current.mentor_id).await?;
        sqlx::query("UPDATE bookings SET status = 'no_show', no_show_side = $1, updated_at = $2 WHERE id = $3")
            .bind(side.as_str())
            .bind(now.as_second())
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        super::holds::end_hold(&mut tx, self.backend, id, current.mentor_id, hold, now).await?;
        self.event(
            &mut tx,
            id,
            Some(actor),
            BookingStatus::NoShow,
            &format!("{} did not come", side.as_str()),
            now,
        )
        .await?;
        super::outbox::booking_changed(&mut tx, id, BookingChange::NoShow, None, now).await?;
        let booking = self.booking_in(&mut tx, id).await?;
        tx.commit().await?;
        self.forget_schedule(booking.mentor_id);
        Ok(booking)
    }
}

impl SqlStore {
    /// Cancels `current` (a confirmed booking, read in `tx`) as `actor`, ending its hold as
    /// `hold` says and queueing the change, in `tx`: the cancel use case's write, shared with a
    /// sponsor's decline or lapse.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn cancel_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        current: &Booking,
        actor: UserId,
        reason: &str,
        late: bool,
        hold: HoldEnd,
        now: Timestamp,
    ) -> Result<()> {
        let id = current.id;
        // The time is free again: claims decided on a snapshot with this session in it
        // must look again (see `claim::snapshot`).
        bump_version(tx, current.mentor_id).await?;
        sqlx::query(
            "UPDATE bookings SET status = 'cancelled', cancelled_by = $1, cancel_reason = $2, late_cancel = $3, \
             sequence = sequence + 1, updated_at = $4 WHERE id = $5",
        )
        .bind(actor.0)
        .bind(reason.to_string())
        .bind(i64::from(late))
        .bind(now.as_second())
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
        super::holds::end_hold(tx, self.backend, id, current.mentor_id, hold, now).await?;
        let note = if late {
            format!("cancelled late: {reason}")
        } else {
            format!("cancelled: {reason}")
        };
        self.event(tx, id, Some(actor), BookingStatus::Cancelled, &note, now)
            .await?;
        super::outbox::booking_changed(tx, id, BookingChange::Cancelled, None, now).await?;
        Ok(())
    }
}
