//! Claiming a mentor's time: making a booking without ever double-booking or overloading.
//!
//! Every booking reads one snapshot of the mentor (rules, sessions around the start, the
//! mentor's booking version and any earlier use of the request's idempotency key), lets the
//! caller's `admit` decide, and writes. Two ways to write, one rule:
//!
//! - **Optimistic** (first): the snapshot is read outside any write transaction, and the
//!   write bumps the version only if it is still the one read, inserting the booking, its
//!   history event and its key only then (PostgreSQL: one statement, its own transaction;
//!   SQLite: one call in a savepoint of a transaction shared with the claims that arrived
//!   together, see `group_commit.rs`). A booking of the same mentor in between makes it write nothing, and
//!   the claim starts again from a fresh snapshot. No lock is held while deciding, so the
//!   write is as short as a plain insert.
//! - **Locked** (after a few lost races, so a mentor booked by many at once is served in
//!   turn): the snapshot is read inside a write transaction that already holds the mentor
//!   (SQLite's single writer; PostgreSQL's row lock, taken by bumping the version).
//!
//! Either way the exclusion constraint (PostgreSQL) or trigger (SQLite) refuses overlaps.

use super::SqlStore;
use super::bookings::{booking_by_id, ts};
use crate::StoreError;
use crate::error::{is_overlap_violation, is_unique_violation};
use crate::interfaces::{Admit, BookingOutcome, IdempotencyKey, NewBooking, Result};
use crate::migrations::Backend;
use jiff::{SignedDuration, Timestamp};
use sqlx::{Any, AssertSqlSafe, Executor, Row, Transaction};
use stint_domain::booking::{Booking, BookingId, BookingStatus};
use stint_domain::ids::UserId;
use stint_domain::schedule::{Availability, Busy, BusyKind};

/// The span of busy time the caps look at around a booking: its ISO week and then some.
const CAP_WINDOW_HOURS: i64 = 24 * 8;
/// Optimistic attempts before falling back to the locked path: a mentor booked by many
/// at once is served in turn rather than by retrying forever.
const OPTIMISTIC_ATTEMPTS: usize = 3;

/// What a decision about a mentor's time reads, all from one snapshot.
pub(super) struct Snapshot {
    pub rules: Option<Availability>,
    pub busy: Vec<Busy>,
    /// The mentor's booking version; every change to their sessions bumps it.
    pub version: i64,
    /// The booking an earlier request with the same idempotency key made, if any.
    pub keyed: Option<BookingId>,
}

/// Reads a [`Snapshot`] in one round trip: the mentor's version, rules, live or completed sessions
/// overlapping the cap window around `around` (less `except`), the time the mentor's external
/// calendars hold in that window, and the key's booking.
pub(super) async fn snapshot<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    mentor: UserId,
    around: Timestamp,
    except: Option<BookingId>,
    key: Option<(UserId, &IdempotencyKey)>,
) -> Result<Snapshot> {
    let span = SignedDuration::from_hours(CAP_WINDOW_HOURS);
    let (from, to) = (
        around.saturating_sub(span).unwrap_or(around),
        around.saturating_add(span).unwrap_or(around),
    );
    let rows = sqlx::query(
        "SELECT CAST('v' AS TEXT) AS kind, booking_version AS n, CAST(NULL AS TEXT) AS txt, \
                CAST(NULL AS BIGINT) AS start_at, CAST(NULL AS BIGINT) AS end_at \
         FROM users WHERE id = $1 \
         UNION ALL SELECT 'r', NULL, rules, NULL, NULL FROM mentor_availability WHERE user_id = $1 \
         UNION ALL SELECT 'b', id, NULL, start_at, end_at FROM bookings \
           WHERE mentor_id = $1 AND status IN ('confirmed', 'completed') AND start_at < $2 AND end_at > $3 AND id <> $4 \
         UNION ALL SELECT 'x', NULL, NULL, start_at, end_at FROM calendar_busy \
           WHERE mentor_id = $1 AND start_at < $2 AND end_at > $3 \
         UNION ALL SELECT 'k', booking_id, request_hash, NULL, NULL FROM idempotency_keys \
           WHERE user_id = $5 AND key = $6",
    )
    .bind(mentor.0)
    .bind(to.as_second())
    .bind(from.as_second())
    .bind(except.map_or(0, |x| x.0))
    .bind(key.map_or(0, |(user, _)| user.0))
    .bind(key.map_or(String::new(), |(_, k)| k.key.clone()))
    .fetch_all(ex)
    .await?;
    let mut s = Snapshot {
        rules: None,
        busy: Vec::with_capacity(rows.len()),
        version: 0,
        keyed: None,
    };
    for r in &rows {
        let kind: String = r.try_get("kind")?;
        match kind.as_str() {
            "v" => s.version = r.try_get("n")?,
            "r" => {
                let json: Option<String> = r.try_get("txt")?;
                s.rules = json.map(|j| serde_json::from_str(&j)).transpose()?;
            }
            "b" => s.busy.push(Busy {
                start: ts(r.try_get("start_at")?)?,
                end: ts(r.try_get("end_at")?)?,
                kind: BusyKind::Session,
            }),
            // Time the mentor's other calendars hold (read by the calendar sync).
            "x" => s.busy.push(Busy {
                start: ts(r.try_get("start_at")?)?,
                end: ts(r.try_get("end_at")?)?,
                kind: BusyKind::Blocked,
            }),
            _ => {
                let hash: Option<String> = r.try_get("txt")?;
                if key.is_some_and(|(_, k)| hash.as_deref() != Some(k.request_hash.as_str())) {
                    return Err(StoreError::IdempotencyMismatch);
                }
                s.keyed = Some(BookingId(r.try_get("n")?));
            }
        }
    }
    Ok(s)
}

/// Bumps the mentor's booking version inside `tx`, which also locks the mentor's row until
/// the transaction ends (PostgreSQL; SQLite's writer is already alone).
pub(super) async fn bump_version(tx: &mut Transaction<'static, Any>, mentor: UserId) -> Result<()> {
    sqlx::query("UPDATE users SET booking_version = booking_version + 1 WHERE id = $1")
        .bind(mentor.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A failed claim write: an overlap the database refused is a taken slot; anything else
/// stays the database's error (a reused idempotency key is recognised by the caller).
pub(super) fn claim_error(e: sqlx::Error) -> StoreError {
    if is_overlap_violation(&e) {
        StoreError::SlotTaken
    } else {
        e.into()
    }
}

/// The booking as written, without reading it back.
fn created(new: &NewBooking, id: BookingId, now: Timestamp) -> Booking {
    Booking {
        id,
        mentor_id: new.mentor_id,
        mentee_id: new.mentee_id,
        sku_id: new.sku_id,
        sku_version: new.sku_version,
        start: new.start,
        end: new.end,
        status: BookingStatus::Confirmed,
        sequence: 0,
        meeting_url: new.meeting_url.clone(),
        cancelled_by: None,
        cancel_reason: None,
        late_cancel: false,
        no_show_side: None,
        created_at: now,
    }
}

/// Binds a new booking as `$1`…`$10` of the write statements below, and the version the
/// decision read as `$11`.
pub(super) fn bind_new<'q>(
    sql: &'static str,
    new: &'q NewBooking,
    key: Option<&'q IdempotencyKey>,
    now: Timestamp,
    version: i64,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
    sqlx::query(sql)
        .bind(new.mentor_id.0)
        .bind(new.mentee_id.0)
        .bind(new.sku_id.0)
        .bind(new.sku_version)
        .bind(new.start.as_second())
        .bind(new.end.as_second())
        .bind(new.meeting_url.clone())
        .bind(now.as_second())
        .bind(key.map_or(String::new(), |k| k.key.clone()))
        .bind(key.map_or(String::new(), |k| k.request_hash.clone()))
        .bind(version)
}

/// PostgreSQL's one-statement write: version compare-and-set, booking, history event,
/// idempotency key and the outbox's `booking.changed` job (see `crate::outbox`), all or nothing. No row back means the version had moved on.
// CHARGING: the credit hold joins here as one more CTE, a conditional
// `UPDATE wallets … WHERE balance >= price RETURNING`, which `b` also selects from.
const PG_CLAIM: &str = "\
WITH v AS (UPDATE users SET booking_version = booking_version + 1 \
           WHERE id = $1 AND booking_version = $11 RETURNING id), \
b AS (INSERT INTO bookings (mentor_id, mentee_id, sku_id, sku_version, start_at, end_at, status, \
        sequence, meeting_url, late_cancel, created_at, updated_at) \
      SELECT $1, $2, $3, $4, $5, $6, 'confirmed', 0, $7, 0, $8, $8 FROM v RETURNING id), \
e AS (INSERT INTO booking_events (booking_id, at, actor_id, status, note) \
      SELECT id, $8, $2, 'confirmed', 'booked' FROM b), \
k AS (INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id, created_at) \
      SELECT $2, $9, $10, id, $8 FROM b WHERE $9 <> ''), \
o AS (INSERT INTO jobs (kind, payload, state, due_at, attempts, max_attempts, created_at, updated_at) \
      SELECT 'booking.changed', '{\"booking\":' || id || ',\"change\":\"created\",\"at\":' || $8 || '}', \
             'queued', $8, 0, 12, $8, $8 FROM b) \
SELECT id FROM b";

/// SQLite's compare-and-set, one call to the writer's thread inside a batch's transaction
/// (see `group_commit.rs`), in a savepoint of its own. `changes()` is the row count of the
/// statement before: each insert happens only if the one before it did (the key's insert
/// finds the booking through the outbox job just written, as `last_insert_rowid()`).
pub(super) const SQLITE_CLAIM: &str = "\
SAVEPOINT claim; \
UPDATE users SET booking_version = booking_version + 1 WHERE id = $1 AND booking_version = $11; \
INSERT INTO bookings (mentor_id, mentee_id, sku_id, sku_version, start_at, end_at, status, \
    sequence, meeting_url, late_cancel, created_at, updated_at) \
    SELECT $1, $2, $3, $4, $5, $6, 'confirmed', 0, $7, 0, $8, $8 WHERE changes() = 1 RETURNING id; \
INSERT INTO booking_events (booking_id, at, actor_id, status, note) \
    SELECT last_insert_rowid(), $8, $2, 'confirmed', 'booked' WHERE changes() = 1; \
INSERT INTO jobs (kind, payload, state, due_at, attempts, max_attempts, created_at, updated_at) \
    SELECT 'booking.changed', '{\"booking\":' || booking_id || ',\"change\":\"created\",\"at\":' || $8 || '}', \
           'queued', $8, 0, 12, $8, $8 FROM booking_events WHERE id = last_insert_rowid() AND changes() = 1; \
INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id, created_at) \
    SELECT $2, $9, $10, CAST(json_extract(payload, '$.booking') AS INTEGER), $8 FROM jobs \
    WHERE id = last_insert_rowid() AND changes() = 1 AND $9 <> ''; \
RELEASE claim";

impl SqlStore {
    /// Makes a booking (or replays the one its key made), as the module explains.
    pub(super) async fn claim(
        &self,
        new: &NewBooking,
        key: Option<&IdempotencyKey>,
        admit: Admit<'_>,
        now: Timestamp,
    ) -> Result<BookingOutcome> {
        for _ in 0..OPTIMISTIC_ATTEMPTS {
            if let Some(outcome) = self.claim_optimistic(new, key, admit, now).await? {
                return Ok(outcome);
            }
        }
        self.claim_locked(new, key, admit, now).await
    }

    /// `None` when the mentor's version moved between read and write.
    async fn claim_optimistic(
        &self,
        new: &NewBooking,
        key: Option<&IdempotencyKey>,
        admit: Admit<'_>,
        now: Timestamp,
    ) -> Result<Option<BookingOutcome>> {
        let keyed = key.map(|k| (new.mentee_id, k));
        let s = snapshot(self.reader(), new.mentor_id, new.start, None, keyed).await?;
        if let Some(id) = s.keyed {
            let b = booking_by_id(self.reader(), id).await?;
            return Ok(Some(BookingOutcome::Replayed(b)));
        }
        if !admit(s.rules.as_ref(), &s.busy) {
            return Err(StoreError::SlotTaken);
        }
        let written = match self.backend() {
            // One statement is its own transaction.
            Backend::Postgres => bind_new(PG_CLAIM, new, key, now, s.version)
                .fetch_optional(self.writer())
                .await
                .map_err(claim_error)?
                .map(|row| row.try_get::<i64, _>("id").map(BookingId))
                .transpose()?,
            // Batched with the claims that arrive together: one disk sync for all.
            Backend::Sqlite => self.claim_queue()?.write(new, key, s.version, now).await?,
        };
        Ok(written.map(|id| BookingOutcome::Created(created(new, id, now))))
    }

    async fn claim_locked(
        &self,
        new: &NewBooking,
        key: Option<&IdempotencyKey>,
        admit: Admit<'_>,
        now: Timestamp,
    ) -> Result<BookingOutcome> {
        let mut tx = self.begin_for_mentor(new.mentor_id).await?;
        let keyed = key.map(|k| (new.mentee_id, k));
        let s = snapshot(&mut *tx, new.mentor_id, new.start, None, keyed).await?;
        if let Some(id) = s.keyed {
            return Ok(BookingOutcome::Replayed(booking_by_id(&mut *tx, id).await?));
        }
        if !admit(s.rules.as_ref(), &s.busy) {
            return Err(StoreError::SlotTaken);
        }
        // CHARGING: the credit hold (money issue) is placed here, in this same transaction,
        // so a booking and its hold commit or roll back together.
        // The same write as the optimistic path; holding the mentor, the version cannot move.
        let sql = match self.backend() {
            Backend::Postgres => PG_CLAIM,
            Backend::Sqlite => SQLITE_CLAIM,
        };
        // `fetch_all`, not `fetch_one`: on SQLite only it runs every statement of the string.
        let rows = bind_new(sql, new, key, now, s.version)
            .fetch_all(&mut *tx)
            .await
            .map_err(claim_error)?;
        let row = rows.first().ok_or_else(|| {
            StoreError::Backend("the mentor's booking version moved while held".into())
        })?;
        let id = BookingId(row.try_get::<i64, _>("id")?);
        tx.commit().await?;
        Ok(BookingOutcome::Created(created(new, id, now)))
    }

    /// A write transaction holding the mentor: on PostgreSQL `BEGIN` and the version bump
    /// (which takes the mentor's row lock) travel in one round trip.
    pub(super) async fn begin_for_mentor(
        &self,
        mentor: UserId,
    ) -> Result<Transaction<'static, Any>> {
        match self.backend() {
            Backend::Postgres => {
                // An integer id formatted into SQL cannot inject anything.
                let sql = format!(
                    "BEGIN; UPDATE users SET booking_version = booking_version + 1 WHERE id = {}",
                    mentor.0
                );
                Ok(self.writer().begin_with(AssertSqlSafe(sql)).await?)
            }
            Backend::Sqlite => {
                let mut tx = self.begin_write().await?;
                bump_version(&mut tx, mentor).await?;
                Ok(tx)
            }
        }
    }

    /// A booking, replaying a key whose first use won a race against this one.
    pub(super) async fn create_or_replay(
        &self,
        new: &NewBooking,
        key: Option<&IdempotencyKey>,
        admit: Admit<'_>,
        now: Timestamp,
    ) -> Result<BookingOutcome> {
        match self.claim(new, key, admit, now).await {
            // Two requests with one key for different mentors race on the key itself: the
            // loser answers with the winner's booking (or the mismatch).
            Err(StoreError::Backend(e))
                if e.downcast_ref::<sqlx::Error>()
                    .is_some_and(is_unique_violation) =>
            {
                let Some(k) = key else {
                    return Err(StoreError::Backend(e));
                };
                let s = snapshot(
                    self.writer(),
                    new.mentor_id,
                    new.start,
                    None,
                    Some((new.mentee_id, k)),
                )
                .await?;
                match s.keyed {
                    Some(id) => Ok(BookingOutcome::Replayed(
                        booking_by_id(self.writer(), id).await?,
                    )),
                    None => Err(StoreError::Backend(e)),
                }
            }
            other => other,
        }
    }
}
