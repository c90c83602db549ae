//! Reading what a decision about a mentor's time depends on: their rules, their sessions and
//! the time their other calendars hold over a window, and their *schedule version*. Every
//! write that changes any of these bumps the version (`bump_version`), so a decision made on a
//! snapshot is still valid exactly when the version is still the one read.

use crate::StoreError;
use crate::interfaces::{IdempotencyKey, Result};
use crate::sql::bookings::ts;
use jiff::{SignedDuration, Timestamp};
use sqlx::{Any, Executor, Row, Transaction};
use stint_domain::booking::BookingId;
use stint_domain::ids::UserId;
use stint_domain::schedule::{Availability, Busy, BusyKind};

/// How far around a booking its decision looks: the caps count its ISO week (in the
/// mentor's zone, so up to a day more either side), and back-to-back runs stay within it.
pub(crate) const DECISION_REACH: SignedDuration = SignedDuration::from_hours(24 * 8);

/// What a decision about a mentor's time reads, all from one snapshot.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub rules: Option<Availability>,
    pub busy: Vec<Busy>,
    /// The mentor's schedule version; every change to their sessions, rules or external
    /// busy time bumps it.
    pub version: i64,
    /// The booking an earlier request with the same idempotency key made, if any.
    pub keyed: Option<BookingId>,
}

/// The part of a mentor's schedule to read.
#[derive(Debug, Clone)]
pub(crate) struct SnapshotAsk<'a> {
    pub mentor: UserId,
    /// Busy time overlapping `[from, to)`.
    pub from: Timestamp,
    pub to: Timestamp,
    /// A booking to leave out (the one being moved).
    pub except: Option<BookingId>,
    /// An idempotency key to look up, with the user it belongs to.
    pub key: Option<(UserId, &'a IdempotencyKey)>,
}

/// The window a decision about a session starting at `start` reads.
pub(crate) fn decision_window(start: Timestamp) -> (Timestamp, Timestamp) {
    (
        start.saturating_sub(DECISION_REACH).unwrap_or(start),
        start.saturating_add(DECISION_REACH).unwrap_or(start),
    )
}

impl<'a> SnapshotAsk<'a> {
    /// What a decision about a session of `mentor` starting at `start` reads.
    pub(crate) fn decision(
        mentor: UserId,
        start: Timestamp,
        except: Option<BookingId>,
        key: Option<(UserId, &'a IdempotencyKey)>,
    ) -> Self {
        let (from, to) = decision_window(start);
        SnapshotAsk {
            mentor,
            from,
            to,
            except,
            key,
        }
    }
}

/// The snapshot's one query (`$1` mentor, window `[$3, $2)`, `$4` a booking to leave out,
/// `$5`/`$6` the key's user and key). Busy time is found as `sql::search` explains.
pub(crate) const SNAPSHOT: &str = "\
SELECT CAST('v' AS TEXT) AS kind, booking_version AS n, CAST(NULL AS TEXT) AS txt, \
       CAST(NULL AS BIGINT) AS start_at, CAST(NULL AS BIGINT) AS end_at \
FROM users WHERE id = $1 \
UNION ALL SELECT 'r', NULL, rules, NULL, NULL FROM mentor_availability WHERE user_id = $1 \
UNION ALL SELECT 'b', id, NULL, start_at, end_at FROM bookings \
  WHERE mentor_id = $1 AND start_at > $3 - 86400 AND start_at < $2 AND end_at > $3 AND status IN ('confirmed', 'completed') \
    AND id <> $4 \
UNION ALL SELECT 'x', NULL, NULL, start_at, end_at FROM calendar_busy \
  WHERE mentor_id = $1 AND end_at > $3 AND +start_at < $2 \
UNION ALL SELECT 'k', booking_id, request_hash, NULL, NULL FROM idempotency_keys \
  WHERE user_id = $5 AND key = $6";

/// Reads a [`Snapshot`] in one round trip: the mentor's version, rules, live or completed
/// sessions overlapping the window (less `except`), the time the mentor's external calendars
/// hold in it, and the key's booking.
pub(crate) async fn snapshot<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    ask: &SnapshotAsk<'_>,
) -> Result<Snapshot> {
    let rows = sqlx::query(SNAPSHOT)
        .bind(ask.mentor.0)
        .bind(ask.to.as_second())
        .bind(ask.from.as_second())
        .bind(ask.except.map_or(0, |x| x.0))
        .bind(ask.key.map_or(0, |(user, _)| user.0))
        .bind(ask.key.map_or(String::new(), |(_, k)| k.key.clone()))
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
                if ask
                    .key
                    .is_some_and(|(_, k)| hash.as_deref() != Some(k.request_hash.as_str()))
                {
                    return Err(StoreError::IdempotencyMismatch);
                }
                s.keyed = Some(BookingId(r.try_get("n")?));
            }
        }
    }
    Ok(s)
}

/// Bumps the mentor's schedule version inside `tx`, which also locks the mentor's row until
/// the transaction ends (PostgreSQL; SQLite's writer is already alone). Every write that
/// changes what [`snapshot`] reads of a mentor calls it, so decisions made on an older
/// snapshot (another node's, or a cached one) fail their compare-and-set instead of landing.
pub(crate) async fn bump_version(tx: &mut Transaction<'static, Any>, mentor: UserId) -> Result<()> {
    sqlx::query("UPDATE users SET booking_version = booking_version + 1 WHERE id = $1")
        .bind(mentor.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
