//! The claim's write: a compare-and-set on the mentor's schedule version, and only if it
//! holds, the booking, its history event, its idempotency key and the outbox's
//! `booking.changed` job (see `crate::outbox`), all or nothing. The exclusion constraint
//! (PostgreSQL) or trigger (SQLite) refuses an overlap whatever the version says.

use crate::interfaces::{IdempotencyKey, NewBooking};
use jiff::Timestamp;
use sqlx::{Any, Executor, Row};
use std::collections::HashMap;
use stint_domain::booking::BookingId;

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
}

/// One claim to write: the booking, its key and the version its decision read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClaimWrite<'a> {
    pub new: &'a NewBooking,
    pub key: Option<&'a IdempotencyKey>,
    pub version: i64,
    pub now: Timestamp,
}

/// SQLite's compare-and-set, one call to the writer's thread inside a batch's transaction
/// (see `group_commit.rs`), in a savepoint of its own. `changes()` is the row count of the
/// statement before: each insert happens only if the one before it did (the key's insert
/// finds the booking through the outbox job just written, as `last_insert_rowid()`). A key
/// used already makes it write nothing, like a moved version: the claim then reads afresh
/// and finds the key's booking.
// CHARGING: the credit hold joins here as one more conditional statement in the chain.
pub(crate) const SQLITE_CLAIM: &str = "\
SAVEPOINT claim; \
UPDATE users SET booking_version = booking_version + 1 WHERE id = $1 AND booking_version = $11 \
    AND NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE $9 <> '' AND user_id = $2 AND key = $9); \
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
    WHERE id = last_insert_rowid() AND changes() = 1 AND $9 <> ''; \
RELEASE claim";

/// Runs [`SQLITE_CLAIM`] for `claim` on `ex`: `Made` or `Moved`.
pub(crate) async fn write_sqlite<'e, E: Executor<'e, Database = Any>>(
    ex: E,
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
        .fetch_all(ex)
        .await?;
    match rows.first() {
        Some(row) => Ok(Written::Made(BookingId(row.try_get("id")?))),
        None => Ok(Written::Moved),
    }
}

/// PostgreSQL's write of any number of claims in one statement (its own transaction, or part
/// of the caller's). The claims come as a JSON array (`$1`), at most one per mentor and per
/// key. `kx` finds keys used already: those claims write nothing and answer with the key's
/// booking. The mentors' rows are locked in id order first, so two nodes' batches cannot
/// deadlock; a claim whose version still holds bumps it and gets its rows.
// CHARGING: the credit holds join here as one more CTE over `c`, a conditional
// `UPDATE wallets … WHERE balance >= price RETURNING`, which `b` also selects from.
const PG_CLAIMS: &str = "\
WITH c AS MATERIALIZED (SELECT * FROM json_to_recordset($1::json) AS c(mentor_id bigint, \
        mentee_id bigint, sku_id bigint, sku_version bigint, start_at bigint, end_at bigint, \
        meeting_url text, key text, request_hash text, version bigint, at bigint, payload text)), \
kx AS (SELECT c.mentor_id, k.booking_id, k.request_hash FROM c \
       JOIN idempotency_keys k ON k.user_id = c.mentee_id AND k.key = c.key WHERE c.key <> ''), \
l AS (SELECT id FROM users WHERE id = ANY (ARRAY(SELECT mentor_id FROM c)) ORDER BY id FOR UPDATE), \
v AS (UPDATE users u SET booking_version = u.booking_version + 1 FROM c, l \
      WHERE u.id = c.mentor_id AND l.id = u.id AND u.booking_version = c.version \
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
      FROM b JOIN c ON c.mentor_id = b.mentor_id) \
SELECT CAST('made' AS TEXT) AS outcome, id, mentor_id, CAST(NULL AS TEXT) AS request_hash FROM b \
UNION ALL SELECT 'keyed', booking_id, mentor_id, request_hash FROM kx";

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
        let booking = BookingId(row.try_get("id")?);
        let written = if outcome == "made" {
            Written::Made(booking)
        } else {
            Written::Keyed {
                booking,
                request_hash: row.try_get("request_hash")?,
            }
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
