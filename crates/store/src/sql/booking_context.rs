//! A booking with its context (the SKU version bought and both parties, with their roles),
//! read in one query: every view of a booking needs all four, and three reads per booking
//! made lists cost one round trip per row.

use super::SqlStore;
use super::bookings::{booking_from, ts};
use super::catalog::sku_from_as;
use crate::interfaces::Result;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use stint_domain::account::Account;
use stint_domain::booking::{BookingContext, BookingEvent, BookingId, BookingStatus};
use stint_domain::ids::UserId;

/// The context columns: the booking's own (unprefixed, as `booking_from` reads them), the
/// SKU version's with `sku_`, the mentor's with `m_` and the mentee's with `e_`. Roles come
/// as one comma-separated text per party (`string_agg` exists in both PostgreSQL and SQLite).
macro_rules! context_select {
    ($($where:expr),+) => {
        concat!(
            "SELECT b.id, b.mentor_id, b.mentee_id, b.sku_id, b.sku_version, b.start_at, b.end_at, ",
            "b.status, b.sequence, b.meeting_url, b.cancelled_by, b.cancel_reason, b.late_cancel, ",
            "b.no_show_side, b.created_at, ",
            "s.slug AS sku_slug, s.status AS sku_status, s.current_version AS sku_current_version, ",
            "v.title AS sku_title, v.duration_minutes AS sku_duration_minutes, ",
            "v.competency_id AS sku_competency_id, v.checkpoint_id AS sku_checkpoint_id, ",
            "v.outcome AS sku_outcome, v.artifacts AS sku_artifacts, ",
            "v.intake_questions AS sku_intake_questions, v.pre_reads AS sku_pre_reads, ",
            "v.followup_template AS sku_followup_template, ",
            "v.assessment_questions AS sku_assessment_questions, ",
            "v.followup_delay_days AS sku_followup_delay_days, v.price_credits AS sku_price_credits, ",
            "v.cancel_cutoff_hours AS sku_cancel_cutoff_hours, ",
            "v.reschedule_cutoff_hours AS sku_reschedule_cutoff_hours, ",
            "v.late_cancel_percent AS sku_late_cancel_percent, v.bonus_credits AS sku_bonus_credits, ",
            "m.email AS m_email, m.display_name AS m_display_name, m.timezone AS m_timezone, ",
            "(SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = b.mentor_id) AS m_roles, ",
            "e.email AS e_email, e.display_name AS e_display_name, e.timezone AS e_timezone, ",
            "(SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = b.mentee_id) AS e_roles ",
            "FROM bookings b ",
            "JOIN skus s ON s.id = b.sku_id ",
            "JOIN sku_versions v ON v.sku_id = b.sku_id AND v.version = b.sku_version ",
            "JOIN users m ON m.id = b.mentor_id ",
            "JOIN users e ON e.id = b.mentee_id ",
            $($where),+
        )
    };
}

/// The ids of user `$1`'s bookings still to come at `$2`, by each side's `(party, start_at)`
/// index from a day before `$2` (no session is that long: `stint_domain::catalog::DURATION_MAX`).
macro_rules! upcoming_ids {
    () => {
        concat!(
            "SELECT id FROM bookings WHERE mentor_id = $1 AND start_at > $2 - 86400 AND end_at > $2 ",
            "AND status = 'confirmed' ",
            "UNION ALL ",
            "SELECT id FROM bookings WHERE mentee_id = $1 AND start_at > $2 - 86400 AND end_at > $2 ",
            "AND status = 'confirmed'"
        )
    };
}

/// The ids of up to `$5` of user `$1`'s bookings that are not still to come at `$2`, starting
/// before (`$3`, `$4`), newest first on each side's `(party, start_at)` index (`start_at <=
/// $3` is the bound the index is searched by; the rest breaks ties by id). A booking of
/// someone with themself cannot be made, so no id comes twice.
macro_rules! past_ids {
    () => {
        concat!(
            "SELECT id FROM (SELECT id FROM bookings WHERE mentor_id = $1 ",
            "AND NOT (status = 'confirmed' AND end_at > $2) ",
            "AND start_at <= $3 AND (start_at < $3 OR id < $4) ",
            "ORDER BY start_at DESC, id DESC LIMIT $5) AS as_mentor ",
            "UNION ALL ",
            "SELECT id FROM (SELECT id FROM bookings WHERE mentee_id = $1 ",
            "AND NOT (status = 'confirmed' AND end_at > $2) ",
            "AND start_at <= $3 AND (start_at < $3 OR id < $4) ",
            "ORDER BY start_at DESC, id DESC LIMIT $5) AS as_mentee"
        )
    };
}

/// The ids of up to `$4` of user `$1`'s bookings starting after (`$2`, `$3`), earliest first
/// on each side's `(party, start_at)` index.
macro_rules! page_ids {
    () => {
        concat!(
            "SELECT id FROM (SELECT id FROM bookings WHERE mentor_id = $1 ",
            "AND start_at >= $2 AND (start_at > $2 OR id > $3) ",
            "ORDER BY start_at, id LIMIT $4) AS as_mentor ",
            "UNION ALL ",
            "SELECT id FROM (SELECT id FROM bookings WHERE mentee_id = $1 ",
            "AND start_at >= $2 AND (start_at > $2 OR id > $3) ",
            "ORDER BY start_at, id LIMIT $4) AS as_mentee"
        )
    };
}

/// A page of user `$1`'s bookings with their contexts, by start (see `page_ids!`).
pub(super) const PAGE: &str = context_select!(
    "WHERE b.id IN (",
    page_ids!(),
    ") ORDER BY b.start_at, b.id LIMIT $4"
);

/// User `$1`'s upcoming bookings at `$2` with their contexts.
pub(super) const UPCOMING: &str = context_select!(
    "WHERE b.id IN (",
    upcoming_ids!(),
    ") ORDER BY b.start_at, b.id"
);

/// A page of user `$1`'s other bookings with their contexts (see `past_ids!`).
pub(super) const PAST: &str = context_select!(
    "WHERE b.id IN (",
    past_ids!(),
    ") ORDER BY b.start_at DESC, b.id DESC LIMIT $5"
);

/// `sku_from_as` reads the SKU's id and version as `sku_id` and `sku_version`: the booking's
/// own columns, equal to them by the joins.
fn context_from(row: &AnyRow) -> Result<BookingContext> {
    let booking = booking_from(row)?;
    let sku = sku_from_as(row, "sku_")?;
    let mentor = party(row, "m_", booking.mentor_id)?;
    let mentee = party(row, "e_", booking.mentee_id)?;
    Ok(BookingContext {
        booking,
        sku,
        mentor,
        mentee,
    })
}

fn party(row: &AnyRow, prefix: &str, id: UserId) -> Result<Account> {
    let text = |name: &str| -> Result<String> {
        Ok(row.try_get::<String, _>(format!("{prefix}{name}").as_str())?)
    };
    let listed: Option<String> = row.try_get(format!("{prefix}roles").as_str())?;
    let roles = super::rows::roles_listed(listed.as_deref());
    Ok(Account {
        id,
        email: text("email")?,
        display_name: text("display_name")?,
        timezone: text("timezone")?,
        roles,
    })
}

impl SqlStore {
    pub(super) async fn context_by_id(&self, id: BookingId) -> Result<Option<BookingContext>> {
        let row = sqlx::query(context_select!("WHERE b.id = $1"))
            .bind(id.0)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(context_from).transpose()
    }

    pub(super) async fn contexts_of(&self, user: UserId) -> Result<Vec<BookingContext>> {
        let rows = sqlx::query(context_select!(
            "WHERE b.mentor_id = $1 OR b.mentee_id = $1 ORDER BY b.start_at, b.id"
        ))
        .bind(user.0)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(context_from).collect()
    }

    pub(super) async fn upcoming_of(
        &self,
        user: UserId,
        now: Timestamp,
    ) -> Result<Vec<BookingContext>> {
        let rows = sqlx::query(UPCOMING)
            .bind(user.0)
            .bind(now.as_second())
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(context_from).collect()
    }

    pub(super) async fn past_of(
        &self,
        user: UserId,
        now: Timestamp,
        before: Option<(Timestamp, BookingId)>,
        limit: u32,
    ) -> Result<Vec<BookingContext>> {
        let (start, id) = before.map_or((i64::MAX, i64::MAX), |(t, b)| (t.as_second(), b.0));
        let rows = sqlx::query(PAST)
            .bind(user.0)
            .bind(now.as_second())
            .bind(start)
            .bind(id)
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(context_from).collect()
    }

    pub(super) async fn page_of(
        &self,
        user: UserId,
        after: Option<(Timestamp, BookingId)>,
        limit: u32,
    ) -> Result<Vec<BookingContext>> {
        let (start, id) = after.map_or((i64::MIN, 0), |(t, b)| (t.as_second(), b.0));
        let rows = sqlx::query(PAGE)
            .bind(user.0)
            .bind(start)
            .bind(id)
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(context_from).collect()
    }

    /// The histories of `bookings`, in one query, in order.
    pub(super) async fn events_for(
        &self,
        bookings: &[BookingId],
    ) -> Result<Vec<(BookingId, BookingEvent)>> {
        if bookings.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = bookings.iter().map(|b| b.0).collect();
        let sql = format!(
            "SELECT e.booking_id, e.at, e.actor_id, e.status, e.note FROM booking_events e \
             WHERE {} ORDER BY e.id",
            super::search::ids_in(self.backend(), "e.booking_id", "$1")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(serde_json::to_string(&ids)?)
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| Ok((BookingId(r.try_get("booking_id")?), event_from(r)?)))
            .collect()
    }
}

/// A history row (`at`, `actor_id`, `status`, `note`).
pub(super) fn event_from(r: &AnyRow) -> Result<BookingEvent> {
    let status: String = r.try_get("status")?;
    Ok(BookingEvent {
        at: ts(r.try_get("at")?)?,
        actor: r.try_get::<Option<i64>, _>("actor_id")?.map(UserId),
        status: BookingStatus::parse(&status)
            .ok_or_else(|| super::unknown("booking status", &status))?,
        note: r.try_get("note")?,
    })
}
