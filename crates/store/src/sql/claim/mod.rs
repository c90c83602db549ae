//! Claiming a mentor's time: making a booking without ever double-booking or overloading.
//!
//! A decision reads a snapshot of the mentor (`snapshot.rs`: rules, busy time around the
//! start, their schedule version and any earlier use of the request's idempotency key), lets
//! the caller's `admit` decide, and writes (`write.rs`). Two ways, one rule:
//!
//! - **Optimistic** (first): no lock is held while deciding. The write bumps the version only
//!   if it is still the one read, and only then inserts the booking; otherwise the claim
//!   starts again from a fresh snapshot. Writes that arrive together share one commit
//!   (`group_commit.rs`). The snapshot may come from this node's schedule cache
//!   (`crate::sql::cache`): the compare-and-set makes a stale one harmless, and a refusal
//!   decided on it is checked against a fresh read before the caller hears it.
//! - **Locked** (after a few lost races, so a mentor booked by many at once is served in
//!   turn): the snapshot is read inside a write transaction that already holds the mentor
//!   (SQLite's single writer; PostgreSQL's row lock, taken by bumping the version).
//!
//! Either way the exclusion constraint (PostgreSQL) or trigger (SQLite) refuses overlaps.
//!
//! A booking that costs credits holds its price in the same write (`write.rs`): a mentee whose
//! open lots hold too little gets `StoreError::Insufficient` and nothing is written.

pub(crate) mod group_commit;
pub(crate) mod snapshot;
pub(crate) mod write;

use super::SqlStore;
use super::bookings::booking_by_id;
use crate::StoreError;
use crate::error::{is_overlap_violation, is_unique_violation};
use crate::interfaces::{Admit, BookingOutcome, IdempotencyKey, NewBooking, Result};
use crate::migrations::Backend;
use crate::sponsor::BudgetCharge;
use crate::sql::sponsor::holds::hold_from_budget;
use jiff::{SignedDuration, Timestamp};
use snapshot::{Snapshot, SnapshotAsk, decision_window};
use sqlx::{Any, AssertSqlSafe, Transaction};
use stint_domain::booking::{Booking, BookingId, BookingStatus};
use stint_domain::ids::UserId;
use stint_domain::schedule::{Busy, BusyKind};
use write::{ClaimWrite, Written, write_postgres, write_sqlite};

/// Optimistic attempts before falling back to the locked path: a mentor booked by many
/// at once is served in turn rather than by retrying forever.
const OPTIMISTIC_ATTEMPTS: usize = 3;
/// Attempts on the locked path: each fails only if the mentee's wallet changed meanwhile.
const LOCKED_ATTEMPTS: usize = 5;
/// How much further ahead than a decision needs a cache fill reads, so the mentor's next
/// claims (usually later the same days) find their window in the cache.
const CACHE_READ_AHEAD: SignedDuration = SignedDuration::from_hours(24 * 14);

/// A failed claim write: an overlap the database refused is a taken slot; anything else
/// stays the database's error (a reused idempotency key is recognised by the caller).
pub(crate) fn claim_error(e: sqlx::Error) -> StoreError {
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
        // Holding the mentor, only the mentee's wallet can still move (their own booking or
        // purchase a moment ago, on PostgreSQL): then look again.
        for _ in 0..LOCKED_ATTEMPTS {
            if let Some(outcome) = self.claim_locked(new, key, admit, None, now).await? {
                return Ok(outcome);
            }
        }
        Err(StoreError::Backend(
            "the mentee's wallet kept changing while booking".into(),
        ))
    }

    /// Makes a booking a budget pays for: always on the locked path, whose transaction also
    /// takes the hold from the budget (`crate::sql::sponsor::holds`), so the claim, the cap
    /// and the budget are one write. The claim itself holds nothing from the wallet.
    pub(crate) async fn claim_sponsored(
        &self,
        new: &NewBooking,
        key: Option<&IdempotencyKey>,
        admit: Admit<'_>,
        charge: BudgetCharge,
        now: Timestamp,
    ) -> Result<BookingOutcome> {
        for _ in 0..LOCKED_ATTEMPTS {
            if let Some(outcome) = self
                .claim_locked(new, key, admit, Some(charge), now)
                .await?
            {
                return Ok(outcome);
            }
        }
        Err(StoreError::Backend(
            "the mentor's schedule kept changing while booking".into(),
        ))
    }

    /// The answer to a claim whose wallet holds too little.
    fn short(new: &NewBooking, funds: i64) -> StoreError {
        StoreError::Insufficient {
            account: stint_domain::ledger::Account::Wallet(new.mentee_id).to_string(),
            balance: funds,
            needed: new.total(),
        }
    }

    /// `None` when the mentor's version moved between read and write.
    async fn claim_optimistic(
        &self,
        new: &NewBooking,
        key: Option<&IdempotencyKey>,
        admit: Admit<'_>,
        now: Timestamp,
    ) -> Result<Option<BookingOutcome>> {
        let (from, to) = decision_window(new.start);
        if let Some(cached) = self.caches().schedules.get(new.mentor_id, from, to) {
            let s = &cached.snapshot;
            if admit(s.rules.as_ref(), &s.busy) {
                return self.write_claim(new, key, s, now).await;
            }
            // Refused on cached time: decided again below, on a fresh read.
        }
        let s = self.read_for_claim(new, key).await?;
        if let Some(id) = s.keyed {
            let b = booking_by_id(self.reader(), id).await?;
            return Ok(Some(BookingOutcome::Replayed(b)));
        }
        if !admit(s.rules.as_ref(), &s.busy) {
            return Err(StoreError::SlotTaken);
        }
        self.write_claim(new, key, &s, now).await
    }

    /// A fresh snapshot for a claim, read further ahead than the decision needs and kept in
    /// the schedule cache for the mentor's next claims.
    async fn read_for_claim(
        &self,
        new: &NewBooking,
        key: Option<&IdempotencyKey>,
    ) -> Result<Snapshot> {
        let mut ask = SnapshotAsk::decision(
            new.mentor_id,
            new.start,
            None,
            key.map(|k| (new.mentee_id, k)),
        );
        ask.to = ask.to.saturating_add(CACHE_READ_AHEAD).unwrap_or(ask.to);
        let s = snapshot::snapshot(self.reader(), &ask).await?;
        self.caches()
            .schedules
            .fill(new.mentor_id, ask.from, ask.to, &s);
        Ok(s)
    }

    /// Writes a claim decided on `s`, batched with the claims that arrive together.
    async fn write_claim(
        &self,
        new: &NewBooking,
        key: Option<&IdempotencyKey>,
        s: &Snapshot,
        now: Timestamp,
    ) -> Result<Option<BookingOutcome>> {
        let claim = ClaimWrite {
            new,
            key,
            version: s.version,
            now,
        };
        match self.claim_queue().write(claim).await? {
            Written::Made(id) => {
                let session = Busy {
                    start: new.start,
                    end: new.end,
                    kind: BusyKind::Session,
                };
                self.caches()
                    .schedules
                    .record(new.mentor_id, s.version, session);
                Ok(Some(BookingOutcome::Created(created(new, id, now))))
            }
            Written::Moved => {
                self.forget_schedule(new.mentor_id);
                Ok(None)
            }
            Written::Keyed {
                booking,
                request_hash,
            } => self.replay(key, booking, &request_hash).await.map(Some),
            Written::Short { funds } => Err(Self::short(new, funds)),
        }
    }

    /// The answer to a request whose key was used already: the key's booking as it is now,
    /// if the request is the same one.
    async fn replay(
        &self,
        key: Option<&IdempotencyKey>,
        booking: BookingId,
        request_hash: &str,
    ) -> Result<BookingOutcome> {
        if key.is_none_or(|k| k.request_hash != request_hash) {
            return Err(StoreError::IdempotencyMismatch);
        }
        Ok(BookingOutcome::Replayed(
            booking_by_id(self.writer(), booking).await?,
        ))
    }

    /// `None` when the mentee's wallet moved between read and write. With a `charge`, the
    /// budget it names pays instead of the wallet, in the same transaction.
    async fn claim_locked(
        &self,
        new: &NewBooking,
        key: Option<&IdempotencyKey>,
        admit: Admit<'_>,
        charge: Option<BudgetCharge>,
        now: Timestamp,
    ) -> Result<Option<BookingOutcome>> {
        self.forget_schedule(new.mentor_id);
        let mut tx = self.begin_for_mentor(new.mentor_id).await?;
        let ask = SnapshotAsk::decision(
            new.mentor_id,
            new.start,
            None,
            key.map(|k| (new.mentee_id, k)),
        );
        let s = snapshot::snapshot(&mut *tx, &ask).await?;
        if let Some(id) = s.keyed {
            return Ok(Some(BookingOutcome::Replayed(
                booking_by_id(&mut *tx, id).await?,
            )));
        }
        if !admit(s.rules.as_ref(), &s.busy) {
            return Err(StoreError::SlotTaken);
        }
        // The same write as the optimistic path; holding the mentor, the version cannot move.
        // A budget's booking is written free of the wallet and held from the budget after.
        let unpaid = charge.map(|_| NewBooking {
            price: 0,
            bonus: 0,
            ..new.clone()
        });
        let claim = ClaimWrite {
            new: unpaid.as_ref().unwrap_or(new),
            key,
            version: s.version,
            now,
        };
        let written = match self.backend() {
            Backend::Postgres => write_postgres(&mut *tx, &[claim])
                .await
                .map_err(claim_error)?
                .pop()
                .unwrap_or(Written::Moved),
            Backend::Sqlite => write_sqlite(&mut tx, claim).await.map_err(claim_error)?,
        };
        match written {
            Written::Made(id) => {
                if let Some(charge) = charge {
                    hold_from_budget(&mut tx, self.backend(), id, new, charge, now).await?;
                }
                tx.commit().await?;
                Ok(Some(BookingOutcome::Created(created(new, id, now))))
            }
            Written::Keyed {
                booking,
                request_hash,
            } => {
                drop(tx);
                self.replay(key, booking, &request_hash).await.map(Some)
            }
            Written::Short { funds } => Err(Self::short(new, funds)),
            Written::Moved => Ok(None),
        }
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
                snapshot::bump_version(&mut tx, mentor).await?;
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
                let ask =
                    SnapshotAsk::decision(new.mentor_id, new.start, None, Some((new.mentee_id, k)));
                let s = snapshot::snapshot(self.writer(), &ask).await?;
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
