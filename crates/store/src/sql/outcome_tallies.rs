//! Outcome figures kept up to date (migration 25): each closed session is counted once in
//! its SKU's tallies and once in its mentor's, by checkpoint result and both assessment
//! levels, with its tasks summed. Whatever changes what the figures read of a session (its
//! close, an assessment, a task ticked) reads the session's tally before and after in the same
//! transaction and moves it, so a page with figures reads a few dozen rows, however many
//! sessions there are.

use super::Backend;
use crate::interfaces::Result;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::BTreeMap;
use stint_domain::booking::BookingId;

/// Every tally counted again from the sessions themselves, in one statement (migration 25
/// ran the same one for the sessions closed before it). Read by `testing` and the tests only.
#[cfg_attr(not(any(test, feature = "testing")), allow(dead_code))]
pub(crate) const RECOUNT: &str = "\
WITH s AS ( \
    SELECT b.sku_id, b.mentor_id, c.checkpoint, \
        COALESCE((SELECT a.level FROM assessments a WHERE a.booking_id = b.id AND a.kind = 'baseline'), 0) AS baseline, \
        COALESCE((SELECT a.level FROM assessments a WHERE a.booking_id = b.id AND a.kind = 'followup'), 0) AS followup, \
        (SELECT COUNT(*) FROM session_tasks t WHERE t.booking_id = b.id) AS tasks_total, \
        (SELECT COUNT(*) FROM session_tasks t WHERE t.booking_id = b.id AND t.done_at IS NOT NULL) AS tasks_done \
    FROM session_closings c JOIN bookings b ON b.id = c.booking_id \
) \
INSERT INTO outcome_tallies (scope, owner_id, checkpoint, baseline, followup, sessions, tasks_total, tasks_done) \
SELECT 'sku', sku_id, checkpoint, baseline, followup, COUNT(*), \
       CAST(SUM(tasks_total) AS BIGINT), CAST(SUM(tasks_done) AS BIGINT) \
FROM s GROUP BY sku_id, checkpoint, baseline, followup \
UNION ALL \
SELECT 'mentor', mentor_id, checkpoint, baseline, followup, COUNT(*), \
       CAST(SUM(tasks_total) AS BIGINT), CAST(SUM(tasks_done) AS BIGINT) \
FROM s GROUP BY mentor_id, checkpoint, baseline, followup";

/// The tallies of one SKU or one mentor: the columns `sql::outcomes::graded` reads (a level
/// not taken is 0 in the table, `NULL` here) and the three counts.
pub(super) const READ: &str = "\
SELECT checkpoint, NULLIF(baseline, 0) AS baseline, NULLIF(followup, 0) AS followup, \
       sessions, tasks_total, tasks_done \
FROM outcome_tallies WHERE scope = $1 AND owner_id = $2 AND sessions > 0";

/// Where one closed session is counted, and what it adds there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Counted {
    sku: i64,
    mentor: i64,
    checkpoint: String,
    baseline: i64,
    followup: i64,
    tasks_total: i64,
    tasks_done: i64,
}

fn counted(r: &AnyRow) -> Result<Counted> {
    Ok(Counted {
        sku: r.try_get("sku_id")?,
        mentor: r.try_get("mentor_id")?,
        checkpoint: r.try_get("checkpoint")?,
        baseline: r.try_get("baseline")?,
        followup: r.try_get("followup")?,
        tasks_total: r.try_get("tasks_total")?,
        tasks_done: r.try_get("tasks_done")?,
    })
}

/// Where `booking` is counted now, in `tx`; `None` while it is not closed.
pub(super) async fn of(
    tx: &mut Transaction<'static, Any>,
    booking: BookingId,
) -> Result<Option<Counted>> {
    let row = sqlx::query(
        "SELECT b.sku_id, b.mentor_id, c.checkpoint, \
           COALESCE((SELECT a.level FROM assessments a WHERE a.booking_id = b.id AND a.kind = 'baseline'), 0) AS baseline, \
           COALESCE((SELECT a.level FROM assessments a WHERE a.booking_id = b.id AND a.kind = 'followup'), 0) AS followup, \
           (SELECT COUNT(*) FROM session_tasks t WHERE t.booking_id = b.id) AS tasks_total, \
           (SELECT COUNT(*) FROM session_tasks t WHERE t.booking_id = b.id AND t.done_at IS NOT NULL) AS tasks_done \
         FROM session_closings c JOIN bookings b ON b.id = c.booking_id WHERE c.booking_id = $1",
    )
    .bind(booking.0)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(counted).transpose()
}

/// Like [`of`], first taking the booking's row lock on PostgreSQL, so that two changes to
/// one session (a follow-up and a task ticked at once) move its tally one after the other,
/// each reading where the other left it. SQLite has one writer at a time already.
pub(super) async fn locked(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    booking: BookingId,
) -> Result<Option<Counted>> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT id FROM bookings WHERE id = $1 FOR UPDATE")
            .bind(booking.0)
            .fetch_optional(&mut **tx)
            .await?;
    }
    of(tx, booking).await
}

/// The tally row of one scope and grade: `(scope, owner, checkpoint, baseline, followup)`.
type Key = (&'static str, i64, String, i64, i64);

/// Moves a session's count from where it was to where it is. The rows change in key order,
/// so two transactions moving different sessions between the same tallies cannot deadlock.
pub(super) async fn moved(
    tx: &mut Transaction<'static, Any>,
    before: Option<Counted>,
    after: Option<Counted>,
) -> Result<()> {
    if before == after {
        return Ok(());
    }
    let mut deltas: BTreeMap<Key, [i64; 3]> = BTreeMap::new();
    for (c, sign) in [(before, -1), (after, 1)] {
        let Some(c) = c else { continue };
        for (scope, owner) in [("mentor", c.mentor), ("sku", c.sku)] {
            let key = (scope, owner, c.checkpoint.clone(), c.baseline, c.followup);
            let d = deltas.entry(key).or_default();
            d[0] += sign;
            d[1] += sign * c.tasks_total;
            d[2] += sign * c.tasks_done;
        }
    }
    for ((scope, owner, checkpoint, baseline, followup), [sessions, total, done]) in deltas {
        if sessions == 0 && total == 0 && done == 0 {
            continue;
        }
        // A session arriving may open the row; any other change is to a row its session is
        // already counted in (the table's checks refuse a count below zero).
        let query = if sessions > 0 {
            sqlx::query(
                "INSERT INTO outcome_tallies (scope, owner_id, checkpoint, baseline, followup, \
                   sessions, tasks_total, tasks_done) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (scope, owner_id, checkpoint, baseline, followup) DO UPDATE SET \
                   sessions = outcome_tallies.sessions + excluded.sessions, \
                   tasks_total = outcome_tallies.tasks_total + excluded.tasks_total, \
                   tasks_done = outcome_tallies.tasks_done + excluded.tasks_done",
            )
            .bind(scope)
            .bind(owner)
            .bind(checkpoint)
            .bind(baseline)
            .bind(followup)
            .bind(sessions)
            .bind(total)
            .bind(done)
        } else {
            sqlx::query(
                "UPDATE outcome_tallies SET sessions = sessions + $1, \
                   tasks_total = tasks_total + $2, tasks_done = tasks_done + $3 \
                 WHERE scope = $4 AND owner_id = $5 AND checkpoint = $6 AND baseline = $7 \
                   AND followup = $8",
            )
            .bind(sessions)
            .bind(total)
            .bind(done)
            .bind(scope)
            .bind(owner)
            .bind(checkpoint)
            .bind(baseline)
            .bind(followup)
        };
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::RECOUNT;

    fn words(sql: &str) -> String {
        sql.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace("( ", "(")
            .replace(" )", ")")
    }

    /// Migration 25 counted the sessions before it with the statement the store recounts by.
    #[test]
    fn the_migration_counts_as_the_store_recounts() {
        for migration in [
            include_str!("../../migrations/sqlite/20261205000025_outcome_tallies.sql"),
            include_str!("../../migrations/postgres/20261205000025_outcome_tallies.sql"),
        ] {
            let backfill = migration
                .split("WITH s AS")
                .nth(1)
                .expect("the migration counts the sessions before it");
            let backfill = format!("WITH s AS{}", backfill.trim_end().trim_end_matches(';'));
            assert_eq!(words(&backfill), words(RECOUNT));
        }
    }
}
