//! The erasure of one account, in one transaction on both backends. `$1` the account, `$2` and
//! `$3` its name and address as they were, `$4` and `$5` the pseudonym and its address, `$6`
//! now. What was only theirs is deleted; what others' records need (their sessions, the
//! ledger, payouts, outcome tallies) stays under the pseudonym; their name and address are
//! scrubbed from the text others keep. On SQLite `secure_delete` (`SQLITE_PRAGMAS`) zeroes what
//! was deleted, and the log is checkpointed and truncated afterwards, so no old page keeps it.

use super::SqlStore;
use crate::interfaces::Result;
use crate::migrations::Backend;
use crate::privacy_requests::Erasure;
use jiff::Timestamp;
use sqlx::AssertSqlSafe;

/// Sessions in which the account was the mentee.
const AS_MENTEE: &str = "(SELECT id FROM bookings WHERE mentee_id = $1)";

/// Deleted or emptied: the account's own rows, and what its sessions hold about it.
fn removals() -> Vec<String> {
    let mut all = vec![
        // A mentee's sessions: every note (theirs, and their mentor's about them), their
        // prep, their answers and the evidence about them; levels and ticks stay for figures.
        format!("DELETE FROM booking_notes WHERE booking_id IN {AS_MENTEE}"),
        format!("DELETE FROM booking_preps WHERE booking_id IN {AS_MENTEE}"),
        format!("UPDATE assessments SET answers = '[]' WHERE booking_id IN {AS_MENTEE}"),
        format!("UPDATE session_tasks SET title = 'A task' WHERE booking_id IN {AS_MENTEE}"),
        format!(
            "UPDATE session_closings SET evidence = '', followup = '' \
             WHERE booking_id IN {AS_MENTEE}"
        ),
        // A mentor's private notes go; shared notes stay with the mentee, whose record they are.
        "DELETE FROM booking_notes WHERE kind = 'mentor_private' AND booking_id IN \
         (SELECT id FROM bookings WHERE mentor_id = $1)"
            .into(),
        "UPDATE bookings SET cancel_reason = NULL WHERE cancelled_by = $1".into(),
        "UPDATE bookings SET meeting_url = '' WHERE mentor_id = $1".into(),
        "UPDATE booking_events SET note = '' WHERE actor_id = $1".into(),
        // Calendars: what Stint wrote was removed from them before this (the erasure's first
        // step); the account's connections and what was read from them go.
        "DELETE FROM calendar_events WHERE source_id IN \
         (SELECT id FROM calendar_sources WHERE mentor_id = $1)"
            .into(),
        "DELETE FROM calendar_busy WHERE mentor_id = $1".into(),
        "DELETE FROM calendar_sources WHERE mentor_id = $1".into(),
        // Reviews: a mentee's reviews go (and an answer to them); a mentor's reviews go with
        // the profile they were shown on.
        "DELETE FROM mentor_reviews WHERE mentee_id = $1 OR mentor_id = $1".into(),
        "DELETE FROM access_log WHERE owner_id = $1".into(),
        "DELETE FROM privacy_requests WHERE user_id = $1 AND kind = 'export'".into(),
        "DELETE FROM login_attempts WHERE email = $3".into(),
        "DELETE FROM signups WHERE email = $3".into(),
        "DELETE FROM org_invites WHERE email = $3".into(),
        "UPDATE org_domains SET address = $5 WHERE address = $3".into(),
        // Their credentials name them: emptied and revoked, so no copy verifies any more;
        // the row stays, as its number is a place on the published revocation list.
        "UPDATE skill_credentials SET jwt = '', share_token = NULL, \
         revoked_at = COALESCE(revoked_at, $6) WHERE user_id = $1"
            .into(),
        "UPDATE org_members SET left_at = COALESCE(left_at, $6), shares = 'aggregates' \
         WHERE user_id = $1"
            .into(),
    ];
    for (table, column) in [
        ("api_tokens", "user_id"),
        ("web_sessions", "user_id"),
        ("calendar_feeds", "user_id"),
        ("idempotency_keys", "user_id"),
        ("password_resets", "user_id"),
        ("nudge_prefs", "user_id"),
        ("privacy_choices", "user_id"),
        ("privacy_prefs", "user_id"),
        ("privacy_changes", "user_id"),
        ("inbox_items", "user_id"),
        ("nudge_deliveries", "recipient_id"),
        ("mentor_skus", "user_id"),
        ("mentor_languages", "user_id"),
        ("mentor_photos", "user_id"),
        ("mentor_applications", "user_id"),
        ("circle_posts", "author_id"),
        ("circle_members", "user_id"),
        ("chat_channels", "user_id"),
        ("mentor_profiles", "user_id"),
        ("mentor_availability", "user_id"),
        ("user_roles", "user_id"),
    ] {
        all.push(format!("DELETE FROM {table} WHERE {column} = $1"));
    }
    all
}

/// Text others keep that may name the account: scrubbed of its address, and of its name when
/// there is one to scrub.
const SCRUBBED: [(&str, &str); 10] = [
    ("inbox_items", "title"),
    ("inbox_items", "body"),
    ("jobs", "payload"),
    ("webhook_messages", "payload"),
    ("webhook_attempts", "response_excerpt"),
    ("webhook_attempts", "error"),
    ("webhook_endpoints", "description"),
    ("ledger_adjustments", "reason"),
    ("nudge_deliveries", "detail"),
    ("bookings", "cancel_reason"),
];

enum Arg<'a> {
    Int(i64),
    Text(&'a str),
}

pub(super) async fn erase(store: &SqlStore, e: &Erasure<'_>, now: Timestamp) -> Result<u64> {
    let mut tx = store.begin_write().await?;
    let mut changed = 0;
    let mut statements = removals();
    for (table, column) in SCRUBBED {
        statements.push(format!(
            "UPDATE {table} SET {column} = REPLACE({column}, $3, $5) \
             WHERE {column} LIKE '%' || $3 || '%'"
        ));
        if e.name.is_some() {
            statements.push(format!(
                "UPDATE {table} SET {column} = REPLACE({column}, $2, $4) \
                 WHERE {column} LIKE '%' || $2 || '%'"
            ));
        }
    }
    statements.push(
        "UPDATE users SET email = $5, display_name = $4, password_hash = '!erased', \
         timezone = 'UTC' WHERE id = $1"
            .into(),
    );
    statements.push(
        "UPDATE privacy_requests SET state = 'done', finished_at = $6, due_at = $6 \
         WHERE id = $7"
            .into(),
    );
    for sql in &statements {
        // PostgreSQL refuses more values than a statement has parameters: each gets its own.
        let used = (1..=7)
            .filter(|n| sql.contains(&format!("${n}")))
            .max()
            .unwrap_or(0);
        let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
        let args: [Arg; 7] = [
            Arg::Int(e.user.0),
            Arg::Text(e.name.unwrap_or_default()),
            Arg::Text(e.email),
            Arg::Text(e.pseudonym),
            Arg::Text(e.pseudonym_email),
            Arg::Int(now.as_second()),
            Arg::Int(e.request),
        ];
        for a in args.into_iter().take(used) {
            q = match a {
                Arg::Int(i) => q.bind(i),
                Arg::Text(t) => q.bind(t.to_string()),
            };
        }
        changed += q.execute(&mut *tx).await?.rows_affected();
    }
    tx.commit().await?;
    if store.backend() == Backend::Sqlite {
        // The log still holds the pages as they were until it is checkpointed and emptied.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(store.writer())
            .await?;
    }
    Ok(changed)
}
