//! What a slot search reads: the rules and busy time of the mentors it is about, in the
//! window it is about, and the mentors who deliver a SKU. Nothing here grows with the number
//! of other mentors or with anyone's past. [`planned_queries`] also names the per-person
//! figures' queries (`sql/outcomes.rs`), whose plans must start from that person's sessions.
//!
//! Sessions overlapping `[from, to)` are found by `(mentor_id, start_at)` from a day before
//! `from` (no session is that long: [`LONGEST_SESSION_SECONDS`]), so a mentor's past is never
//! walked and bookings carry no extra index to keep up on every claim. External busy time can
//! last days, so it is found by `calendar_busy_mentor_end` (migration 24); its `start_at`
//! bound is written `+start_at` so that SQLite, which has no statistics to choose by, cannot
//! pick the older `(mentor_id, start_at)` index and walk the whole past instead (a no-op on
//! PostgreSQL). `crates/store/tests/query_plans.rs` checks each plan on both backends with
//! [`planned_queries`], so a lost index fails CI.

use super::SqlStore;
use super::bookings::busy_from;
use crate::OutcomeFilter;
use crate::interfaces::Result;
use crate::migrations::Backend;
use jiff::Timestamp;
use sqlx::{AssertSqlSafe, Row};
use stint_domain::ids::UserId;
use stint_domain::schedule::{Availability, Busy};

/// How far before a window a session overlapping it can start: longer than any session
/// (the snapshot, `mentor_busy` and the upcoming lists write the same 86400).
pub const LONGEST_SESSION_SECONDS: i64 = 86_400;

/// `column` is one of the ids of the JSON array bound as `param`.
pub(super) fn ids_in(backend: Backend, column: &str, param: &str) -> String {
    match backend {
        Backend::Sqlite => format!("{column} IN (SELECT value FROM json_each({param}))"),
        // One array (an InitPlan), so the index is searched for each id with the rest of
        // its condition; `IN (SELECT …)` would let the planner hash-join a scan instead.
        Backend::Postgres => format!(
            "{column} = ANY(CAST(ARRAY(SELECT json_array_elements_text(CAST({param} AS JSON))) AS BIGINT[]))"
        ),
    }
}

/// Sessions and external busy time of the mentors in `$1` overlapping `[$3, $2)`.
fn busy_sql(backend: Backend) -> String {
    let bookings = ids_in(backend, "mentor_id", "$1");
    let calendars = ids_in(backend, "mentor_id", "$1");
    format!(
        "SELECT mentor_id, start_at, end_at, CAST(1 AS BIGINT) AS session FROM bookings \
         WHERE {bookings} AND start_at > $3 - {LONGEST_SESSION_SECONDS} AND start_at < $2 \
           AND end_at > $3 AND status IN ('confirmed', 'completed') \
         UNION ALL SELECT mentor_id, start_at, end_at, 0 FROM calendar_busy \
         WHERE {calendars} AND end_at > $3 AND +start_at < $2 \
         ORDER BY mentor_id, start_at"
    )
}

/// The saved rules of the mentors in `$1`.
fn availability_sql(backend: Backend) -> String {
    let mentors = ids_in(backend, "user_id", "$1");
    format!("SELECT user_id, rules FROM mentor_availability WHERE {mentors}")
}

/// Who delivers SKU `$1` while it is active and they are listed: the rows `MENTORS_FOR_SKU` and
/// `BOOKABLE_MENTORS` select from, by name.
macro_rules! of_active_sku {
    ($columns:literal) => {
        concat!(
            "SELECT ",
            $columns,
            " FROM mentor_skus ms JOIN skus s ON s.id = ms.sku_id AND s.status = 'active' \
             JOIN mentor_profiles p ON p.user_id = ms.user_id AND p.standing = 'listed' \
             JOIN users u ON u.id = p.user_id \
             JOIN user_roles r ON r.user_id = p.user_id AND r.role = 'mentor' \
             WHERE ms.sku_id = $1 ORDER BY u.display_name, p.user_id"
        )
    };
}

/// The mentors who deliver SKU `$1` while it is active, with their profiles, by name.
pub(super) const MENTORS_FOR_SKU: &str = of_active_sku!(
    "p.user_id, u.display_name, u.timezone, p.headline, p.bio, p.experience, p.meeting_url, \
     p.standing, p.resume_on"
);

/// The same mentors as a slot search needs them, with their schedule versions.
pub(super) const BOOKABLE_MENTORS: &str =
    of_active_sku!("p.user_id, u.display_name, u.timezone, u.booking_version");

/// A JSON array of ids, as `ids_in` reads it.
pub(super) fn json_ids(ids: &[UserId]) -> String {
    serde_json::to_string(&ids.iter().map(|u| u.0).collect::<Vec<_>>()).unwrap_or_default()
}

impl SqlStore {
    pub(super) async fn availability_of_mentors(
        &self,
        mentors: &[UserId],
    ) -> Result<Vec<(UserId, Availability)>> {
        if mentors.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(AssertSqlSafe(availability_sql(self.backend())))
            .bind(json_ids(mentors))
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    UserId(r.try_get("user_id")?),
                    serde_json::from_str(&r.try_get::<String, _>("rules")?)?,
                ))
            })
            .collect()
    }

    pub(super) async fn busy_of_mentors(
        &self,
        mentors: &[UserId],
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(UserId, Busy)>> {
        if mentors.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(AssertSqlSafe(busy_sql(self.backend())))
            .bind(json_ids(mentors))
            .bind(to.as_second())
            .bind(from.as_second())
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| Ok((UserId(r.try_get("mentor_id")?), busy_from(r)?)))
            .collect()
    }
}

/// A query whose plan the tests check: its SQL with example values in place of the
/// parameters, and what its plan must name (an index, with the columns it is searched by).
#[derive(Debug, Clone)]
pub struct PlannedQuery {
    pub name: &'static str,
    pub sql: String,
    /// Each must appear in the plan: the index name, on either backend.
    pub indexes: &'static [&'static str],
    /// Conditions an index must be searched by together: for each pair, one line of the plan
    /// (spaces removed) holds both, e.g. `("mentor_id=", "start_at>")`.
    pub searched_by: &'static [(&'static str, &'static str)],
}

/// `sql` with `$n` replaced by `values[n - 1]` (highest first, so `$1` never eats `$10`).
fn with_values(sql: &str, values: &[&str]) -> String {
    let mut out = sql.to_string();
    for (i, v) in values.iter().enumerate().rev() {
        out = out.replace(&format!("${}", i + 1), v);
    }
    out
}

/// The closed sessions `filter` asks for, counted as the figures read them, with example
/// values.
fn outcomes_with(filter: OutcomeFilter) -> String {
    let (sql, values) = super::outcomes::tallies_sql(&filter);
    let values: Vec<String> = values.iter().map(i64::to_string).collect();
    with_values(&sql, &values.iter().map(String::as_str).collect::<Vec<_>>())
}

/// The search queries and the indexes their plans must use, for `backend`.
pub fn planned_queries(backend: Backend) -> Vec<PlannedQuery> {
    vec![
        PlannedQuery {
            name: "busy time of some mentors in a window",
            sql: with_values(
                &busy_sql(backend),
                &["'[1, 2, 3]'", "2000000000", "1900000000"],
            ),
            indexes: &["bookings_mentor_time", "calendar_busy_mentor_end"],
            searched_by: &[("mentor_id", "start_at>"), ("mentor_id", "end_at>")],
        },
        PlannedQuery {
            name: "one mentor's snapshot for a claim",
            sql: with_values(
                super::claim::snapshot::SNAPSHOT,
                &["1", "2000000000", "1900000000", "0", "0", "''"],
            ),
            indexes: &["bookings_mentor_time", "calendar_busy_mentor_end"],
            searched_by: &[("mentor_id", "start_at>"), ("mentor_id", "end_at>")],
        },
        PlannedQuery {
            name: "one mentee's closed sessions (/progress)",
            sql: outcomes_with(OutcomeFilter {
                mentee: Some(UserId(1)),
                ..OutcomeFilter::default()
            }),
            indexes: &["bookings_mentee_time"],
            searched_by: &[],
        },
        PlannedQuery {
            name: "one mentor's or one SKU's figures (/impact, a SKU page)",
            sql: with_values(super::outcome_tallies::READ, &["'mentor'", "1"]),
            indexes: &["outcome_tallies_grade"],
            searched_by: &[("scope=", "owner_id=")],
        },
        PlannedQuery {
            name: "a person's upcoming sessions (/sessions)",
            sql: with_values(super::booking_context::UPCOMING, &["1", "1900000000"]),
            indexes: &["bookings_mentor_time", "bookings_mentee_time"],
            searched_by: &[("mentor_id", "start_at>"), ("mentee_id", "start_at>")],
        },
        PlannedQuery {
            name: "a page of a person's bookings (the API's list)",
            sql: with_values(
                super::booking_context::PAGE,
                &["1", "1900000000", "7", "100"],
            ),
            indexes: &["bookings_mentor_time", "bookings_mentee_time"],
            searched_by: &[("mentor_id", "start_at>"), ("mentee_id", "start_at>")],
        },
        PlannedQuery {
            name: "a page of one state's jobs (/operator/jobs)",
            sql: with_values(&super::jobs::list_sql(true), &["'dead'", "1000", "100"]),
            indexes: &["jobs_state_id"],
            searched_by: &[],
        },
        PlannedQuery {
            name: "the jobs due, for the worker's lease",
            sql: with_values(&super::jobs::due_sql(backend), &["", "", "1900000000", "8"]),
            // SQLite plans by the indexes' shape (it keeps no statistics unless told to) and
            // took `jobs_state_id`'s `state = ?` for this; PostgreSQL plans by statistics, which
            // an empty table has none of, so there the plan is not pinned.
            indexes: match backend {
                Backend::Sqlite => &["jobs_state_due"],
                Backend::Postgres => &[],
            },
            searched_by: match backend {
                Backend::Sqlite => &[("state=", "due_at<")],
                Backend::Postgres => &[],
            },
        },
        PlannedQuery {
            name: "a page of a person's past sessions (/sessions)",
            sql: with_values(
                super::booking_context::PAST,
                &["1", "1900000000", "1900000000", "99", "50"],
            ),
            indexes: &["bookings_mentor_time", "bookings_mentee_time"],
            searched_by: &[("mentor_id", "start_at<"), ("mentee_id", "start_at<")],
        },
        PlannedQuery {
            name: "the mentors of a SKU",
            sql: with_values(MENTORS_FOR_SKU, &["1"]),
            indexes: &["mentor_skus_sku"],
            searched_by: &[],
        },
        PlannedQuery {
            name: "the mentors of a SKU, for a slot search",
            sql: with_values(BOOKABLE_MENTORS, &["1"]),
            indexes: &["mentor_skus_sku"],
            searched_by: &[],
        },
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_session_outlasts_the_bound_the_searches_use() {
        let longest = stint_domain::catalog::DURATION_MAX * 60;
        assert!(longest < super::LONGEST_SESSION_SECONDS);
    }
}
