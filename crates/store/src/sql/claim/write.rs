//! The claim's write: a compare-and-set on the mentor's schedule version, and only if it
//! holds (and the mentee's open lots cover the price), the booking, its history event, its
//! idempotency key, the outbox's `booking.changed` job (see `crate::outbox`) and the hold of
//! its price, all or nothing. The exclusion constraint (PostgreSQL) or trigger (SQLite)
//! refuses an overlap whatever the version says; the CHECKs on `ledger_accounts` and
//! `credit_lots` refuse an overspent wallet whatever the funds check says.
//!
//! The hold takes the price from the mentee's lots, the first to expire first (the order of
//! `stint_domain::ledger::take_first_expiring`), records which lots gave what (`hold_lots`),
//! moves the price from the wallet to `held` and writes the transfer `hold:<booking>`.

use crate::interfaces::{IdempotencyKey, NewBooking};
use jiff::Timestamp;
use sqlx::{Any, Executor, Row};
use std::collections::HashMap;
use stint_domain::booking::BookingId;
use stint_domain::ledger::{Account, Credits};

/// What became of one claim's write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Written {
    /// The booking was made.
    Made(BookingId),
    /// The mentor's schedule version had moved on: decide again on a fresh snapshot.
    Moved,
    /// The idempotency key was already used, for this booking (PostgreSQL; SQLite answers
    /// `Moved`, and the fresh snapshot that follows finds the key).
    Keyed {
        booking: BookingId,
        request_hash: String,
    },
    /// The mentee's open lots hold `funds` credits, fewer than the price (read fresh, inside
    /// the write).
    Short { funds: Credits },
}

/// One claim to write: the booking, its key and the version its decision read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClaimWrite<'a> {
    pub new: &'a NewBooking,
    pub key: Option<&'a IdempotencyKey>,
    pub version: i64,
    pub now: Timestamp,
}

impl ClaimWrite<'_> {
    /// The account the price is held from.
    pub(crate) fn payer(&self) -> String {
        Account::Wallet(self.new.mentee_id).to_string()
    }
}

/// SQLite's compare-and-set, run inside a batch's transaction (see `group_commit.rs`) in a
/// savepoint of its own that [`SQLITE_HOLD`] or [`SQLITE_RELEASE`] ends. The first statement
/// reads the mentee's open funds (the writer is alone, so they are current). `changes()` is
/// the row count of the statement before: each insert happens only if the one before it did
/// (the key's insert finds the booking through the outbox job just written, as
/// `last_insert_rowid()`). A key used already makes it write nothing, like a moved version:
/// the claim then reads afresh and finds the key's booking.
pub(crate) const SQLITE_CLAIM: &str = "\
SAVEPOINT claim; \
SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) AS funds FROM credit_lots \
    WHERE $13 > 0 AND user_id = $2 AND remaining > 0 AND (expires_at IS NULL OR expires_at > $8); \
UPDATE users SET booking_version = booking_version + 1 WHERE id = $1 AND booking_version = $11 \
    AND NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE $9 <> '' AND user_id = $2 AND key = $9) \
    AND ($13 = 0 OR (SELECT COALESCE(SUM(remaining), 0) FROM credit_lots WHERE user_id = $2 \
        AND remaining > 0 AND (expires_at IS NULL OR expires_at > $8)) >= $13); \
INSERT INTO bookings (mentor_id, mentee_id, sku_id, sku_version, start_at, end_at, status, \
    sequence, meeting_url, late_cancel, created_at, updated_at) \
    SELECT $1, $2, $3, $4, $5, $6, 'confirmed', 0, $7, 0, $8, $8 WHERE changes() = 1 RETURNING id; \
INSERT INTO booking_events (booking_id, at, actor_id, status, note) \
    SELECT last_insert_rowid(), $8, $2, 'confirmed', 'booked' WHERE changes() = 1; \
INSERT INTO jobs (kind, payload, state, due_at, attempts, max_attempts, created_at, updated_at) \
    SELECT 'booking.changed', json_set($12, '$.booking', booking_id), \
           'queued', $8, 0, 12, $8, $8 FROM booking_events WHERE id = last_insert_rowid() AND changes() = 1; \
INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id, created_at) \
    SELECT $2, $9, $10, CAST(json_extract(payload, '$.booking') AS INTEGER), $8 FROM jobs \
    WHERE id = last_insert_rowid() AND changes() = 1 AND $9 <> ''";

/// Ends a claim's savepoint that wrote nothing to hold.
const SQLITE_RELEASE: &str = "RELEASE claim";

/// The hold of a booking just made (`$1`) for mentee `$2`: `$3` credits from wallet `$5` at
/// `$4`, the lots that expire first first, of which `$6` are the outcome bonus (escrowed, not
/// held); then the claim's savepoint ends.
const SQLITE_HOLD: &str = "\
INSERT INTO booking_charges (booking_id, payer, price, state, bonus, bonus_state) \
    VALUES ($1, $5, $3 - $6, 'held', $6, CASE WHEN $6 > 0 THEN 'escrowed' END); \
INSERT INTO hold_lots (booking_id, lot_id, amount) \
    SELECT $1, id, MIN(remaining, $3 - before) FROM ( \
        SELECT id, remaining, SUM(remaining) OVER (ORDER BY expires_at IS NULL, expires_at, id \
            ROWS UNBOUNDED PRECEDING) - remaining AS before \
        FROM credit_lots WHERE user_id = $2 AND remaining > 0 \
            AND (expires_at IS NULL OR expires_at > $4)) WHERE before < $3; \
UPDATE credit_lots SET remaining = remaining - (SELECT h.amount FROM hold_lots h \
        WHERE h.booking_id = $1 AND h.lot_id = credit_lots.id) \
    WHERE id IN (SELECT lot_id FROM hold_lots WHERE booking_id = $1); \
UPDATE ledger_accounts SET balance = balance - $3, version = version + 1 WHERE name = $5; \
UPDATE ledger_accounts SET balance = balance + $3 - $6, version = version + 1 WHERE name = 'held'; \
UPDATE ledger_accounts SET balance = balance + $6, version = version + 1 \
    WHERE name = 'bonus_escrow' AND $6 > 0; \
INSERT INTO ledger_transfers (movement, seq, from_account, to_account, amount, kind, reference, at) \
    VALUES ('hold:' || $1, 0, $5, 'held', $3 - $6, 'hold', 'booking:' || $1, $4); \
INSERT INTO ledger_transfers (movement, seq, from_account, to_account, amount, kind, reference, at) \
    SELECT 'hold:' || $1, 1, $5, 'bonus_escrow', $6, 'bonus_escrow', 'booking:' || $1, $4 \
    WHERE $6 > 0; \
RELEASE claim";

/// Runs [`SQLITE_CLAIM`] for `claim` on `conn`, and the hold if it made a booking: `Made`,
/// `Moved` or `Short`. On an error the savepoint is still open for the caller to roll back.
pub(crate) async fn write_sqlite(
    conn: &mut sqlx::AnyConnection,
    claim: ClaimWrite<'_>,
) -> Result<Written, sqlx::Error> {
    let ClaimWrite {
        new,
        key,
        version,
        now,
    } = claim;
    // `fetch_all`, not `fetch_one`: only it runs every statement of the string.
    let rows = sqlx::query(SQLITE_CLAIM)
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
        .bind(outbox_payload(now))
        .bind(new.total())
        .fetch_all(&mut *conn)
        .await?;
    // The funds first, then the booking's id if one was made.
    let funds: Credits = match rows.first() {
        Some(row) => row.try_get("funds")?,
        None => 0,
    };
    let made = match rows.get(1) {
        Some(row) => Some(BookingId(row.try_get("id")?)),
        None => None,
    };
    match made {
        Some(id) if new.total() > 0 => {
            sqlx::query(SQLITE_HOLD)
                .bind(id.0)
                .bind(new.mentee_id.0)
                .bind(new.total())
                .bind(now.as_second())
                .bind(claim.payer())
                .bind(new.bonus)
                .execute(&mut *conn)
                .await?;
            Ok(Written::Made(id))
        }
        Some(id) => {
            sqlx::query(SQLITE_RELEASE).execute(&mut *conn).await?;
            Ok(Written::Made(id))
        }
        None => {
            sqlx::query(SQLITE_RELEASE).execute(&mut *conn).await?;
            if new.total() > 0 && funds < new.total() {
                Ok(Written::Short { funds })
            } else {
                Ok(Written::Moved)
            }
        }
    }
}

/// PostgreSQL's write of any number of claims in one statement (its own transaction, or part
/// of the caller's). The claims come as a JSON array (`$1`), at most one per mentor, per key
/// and per paying wallet. `kx` finds keys used already: those claims write nothing and answer
/// with the key's booking. Rows are locked in one order everywhere — the mentors' by id, then
/// the ledger accounts by name (`la`, after `l`; `write_movement` takes accounts in the same
/// order) — so two nodes' batches cannot deadlock. A claim goes ahead (`g`) if its mentor's
/// version still holds and, when it costs credits, its wallet's version as locked is the one
/// this statement's snapshot read (so the lots read, `f` and `ht`, are current) and the open
/// lots cover the price. A claim whose wallet is current but short answers `short`. Should a
/// batch carry two claims on one wallet after all, only the first goes ahead (`g`): two holds
/// in one statement would both spend the same funds.
const PG_CLAIMS: &str = "\
WITH c AS MATERIALIZED (SELECT * FROM json_to_recordset($1::json) AS c(mentor_id bigint, \
        mentee_id bigint, sku_id bigint, sku_version bigint, start_at bigint, end_at bigint, \
        meeting_url text, key text, request_hash text, version bigint, at bigint, payload text, \
        price bigint, bonus bigint, payer text)), \
kx AS (SELECT c.mentor_id, k.booking_id, k.request_hash FROM c \
       JOIN idempotency_keys k ON k.user_id = c.mentee_id AND k.key = c.key WHERE c.key <> ''), \
l AS (SELECT id FROM users WHERE id = ANY (ARRAY(SELECT mentor_id FROM c)) ORDER BY id FOR UPDATE), \
la AS (SELECT name, version FROM ledger_accounts \
       WHERE (SELECT count(*) FROM l) >= 0 AND (name = ANY (ARRAY(SELECT payer FROM c WHERE price > 0)) \
             OR (name = 'held' AND EXISTS (SELECT 1 FROM c WHERE price > 0)) \
             OR (name = 'bonus_escrow' AND EXISTS (SELECT 1 FROM c WHERE bonus > 0))) \
       ORDER BY name FOR UPDATE), \
f AS (SELECT c.mentor_id, CAST(COALESCE(SUM(cl.remaining), 0) AS BIGINT) AS funds, \
             bool_and(la.version IS NOT DISTINCT FROM sa.version) AS current FROM c \
      LEFT JOIN la ON la.name = c.payer LEFT JOIN ledger_accounts sa ON sa.name = c.payer \
      LEFT JOIN credit_lots cl ON cl.user_id = c.mentee_id AND cl.remaining > 0 \
           AND (cl.expires_at IS NULL OR cl.expires_at > c.at) \
      WHERE c.price > 0 GROUP BY c.mentor_id), \
g AS (SELECT c.mentor_id FROM c LEFT JOIN f ON f.mentor_id = c.mentor_id \
      WHERE c.price = 0 OR (f.current AND f.funds >= c.price \
        AND c.mentor_id = (SELECT min(o.mentor_id) FROM c o WHERE o.payer = c.payer AND o.price > 0))), \
v AS (UPDATE users u SET booking_version = u.booking_version + 1 FROM c, l \
      WHERE u.id = c.mentor_id AND l.id = u.id AND u.booking_version = c.version \
        AND c.mentor_id IN (SELECT mentor_id FROM g) \
        AND NOT EXISTS (SELECT 1 FROM kx WHERE kx.mentor_id = c.mentor_id) RETURNING u.id), \
b AS (INSERT INTO bookings (mentor_id, mentee_id, sku_id, sku_version, start_at, end_at, status, \
        sequence, meeting_url, late_cancel, created_at, updated_at) \
      SELECT c.mentor_id, c.mentee_id, c.sku_id, c.sku_version, c.start_at, c.end_at, 'confirmed', \
             0, c.meeting_url, 0, c.at, c.at FROM c JOIN v ON v.id = c.mentor_id \
      RETURNING id, mentor_id, mentee_id, created_at), \
e AS (INSERT INTO booking_events (booking_id, at, actor_id, status, note) \
      SELECT id, created_at, mentee_id, 'confirmed', 'booked' FROM b), \
k AS (INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id, created_at) \
      SELECT c.mentee_id, c.key, c.request_hash, b.id, c.at FROM b JOIN c ON c.mentor_id = b.mentor_id \
      WHERE c.key <> ''), \
o AS (INSERT INTO jobs (kind, payload, state, due_at, attempts, max_attempts, created_at, updated_at) \
      SELECT 'booking.changed', jsonb_set(c.payload::jsonb, '{booking}', to_jsonb(b.id))::text, \
             'queued', b.created_at, 0, 12, b.created_at, b.created_at \
      FROM b JOIN c ON c.mentor_id = b.mentor_id), \
h AS (SELECT b.id, c.payer, c.price, c.bonus, c.at, c.mentee_id FROM b \
      JOIN c ON c.mentor_id = b.mentor_id WHERE c.price > 0), \
hc AS (INSERT INTO booking_charges (booking_id, payer, price, state, bonus, bonus_state) \
       SELECT id, payer, price - bonus, 'held', bonus, CASE WHEN bonus > 0 THEN 'escrowed' END \
       FROM h), \
ht AS (SELECT h.id AS booking_id, x.id AS lot_id, LEAST(x.remaining, h.price - x.before) AS amount \
       FROM h CROSS JOIN LATERAL (SELECT id, remaining, SUM(remaining) OVER (ORDER BY \
            expires_at IS NULL, expires_at, id ROWS UNBOUNDED PRECEDING) - remaining AS before \
            FROM credit_lots WHERE user_id = h.mentee_id AND remaining > 0 \
              AND (expires_at IS NULL OR expires_at > h.at)) x \
       WHERE x.before < h.price), \
hl AS (INSERT INTO hold_lots (booking_id, lot_id, amount) SELECT booking_id, lot_id, amount FROM ht), \
lu AS (UPDATE credit_lots cl SET remaining = cl.remaining - ht.amount FROM ht WHERE cl.id = ht.lot_id), \
wu AS (UPDATE ledger_accounts a SET balance = a.balance - h.price, version = a.version + 1 \
       FROM h WHERE a.name = h.payer), \
hu AS (UPDATE ledger_accounts a SET balance = a.balance + s.total, version = a.version + 1 \
       FROM (SELECT CAST(SUM(price - bonus) AS BIGINT) AS total FROM h) s \
       WHERE a.name = 'held' AND s.total > 0), \
eu AS (UPDATE ledger_accounts a SET balance = a.balance + s.total, version = a.version + 1 \
       FROM (SELECT CAST(SUM(bonus) AS BIGINT) AS total FROM h) s \
       WHERE a.name = 'bonus_escrow' AND s.total > 0), \
ho AS (INSERT INTO ledger_transfers (movement, seq, from_account, to_account, amount, kind, \
              reference, at) \
       SELECT 'hold:' || id, 0, payer, 'held', price - bonus, 'hold', 'booking:' || id, at FROM h \
       UNION ALL \
       SELECT 'hold:' || id, 1, payer, 'bonus_escrow', bonus, 'bonus_escrow', 'booking:' || id, at \
       FROM h WHERE bonus > 0) \
SELECT CAST('made' AS TEXT) AS outcome, id, mentor_id, CAST(NULL AS TEXT) AS request_hash, \
       CAST(NULL AS BIGINT) AS funds FROM b \
UNION ALL SELECT 'keyed', booking_id, mentor_id, request_hash, NULL FROM kx \
UNION ALL SELECT 'short', NULL, c.mentor_id, NULL, f.funds FROM c JOIN f ON f.mentor_id = c.mentor_id \
    WHERE f.current AND f.funds < c.price \
      AND NOT EXISTS (SELECT 1 FROM kx WHERE kx.mentor_id = c.mentor_id)";

/// Runs [`PG_CLAIMS`] for `claims` on `ex`: one answer per claim, in order. The caller
/// keeps mentors and keys apart (see `group_commit::one_per_mentor_and_key`).
pub(crate) async fn write_postgres<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    claims: &[ClaimWrite<'_>],
) -> Result<Vec<Written>, sqlx::Error> {
    let json: Vec<serde_json::Value> = claims
        .iter()
        .map(|c| {
            serde_json::json!({
                "mentor_id": c.new.mentor_id.0,
                "mentee_id": c.new.mentee_id.0,
                "sku_id": c.new.sku_id.0,
                "sku_version": c.new.sku_version,
                "start_at": c.new.start.as_second(),
                "end_at": c.new.end.as_second(),
                "meeting_url": c.new.meeting_url,
                "key": c.key.map_or("", |k| k.key.as_str()),
                "request_hash": c.key.map_or("", |k| k.request_hash.as_str()),
                "version": c.version,
                "at": c.now.as_second(),
                "payload": outbox_payload(c.now),
                "price": c.new.total(),
                "bonus": c.new.bonus,
                "payer": c.payer(),
            })
        })
        .collect();
    let rows = sqlx::query(PG_CLAIMS)
        .bind(serde_json::Value::Array(json).to_string())
        .fetch_all(ex)
        .await?;
    let mut by_mentor: HashMap<i64, Written> = HashMap::with_capacity(rows.len());
    for row in &rows {
        let outcome: String = row.try_get("outcome")?;
        let written = match outcome.as_str() {
            "made" => Written::Made(BookingId(row.try_get("id")?)),
            "short" => Written::Short {
                funds: row.try_get("funds")?,
            },
            _ => Written::Keyed {
                booking: BookingId(row.try_get("id")?),
                request_hash: row.try_get("request_hash")?,
            },
        };
        by_mentor.insert(row.try_get("mentor_id")?, written);
    }
    Ok(claims
        .iter()
        .map(|c| {
            by_mentor
                .remove(&c.new.mentor_id.0)
                .unwrap_or(Written::Moved)
        })
        .collect())
}

/// The claim's `booking.changed` payload, written by the type the outbox handler reads
/// (`BookingChanged`); the SQL only sets the booking id it has just made.
fn outbox_payload(now: Timestamp) -> String {
    let template = crate::outbox::BookingChanged::new(
        BookingId(0),
        crate::outbox::BookingChange::Created,
        now,
    );
    serde_json::to_string(&template).unwrap_or_default()
}
