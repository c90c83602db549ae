//! The outcome loop in SQL: prep, assessments, notes, closing, tasks, deliverables, and the
//! one query every metric starts from.

use super::SqlStore;
use super::bookings::ts;
use super::outcome_tallies as tallies;
use crate::StoreError;
use crate::error::is_unique_violation;
use crate::interfaces::Result;
use crate::outbox::BookingChange;
use crate::outcomes::{
    AssessmentRecord, CloseSession, ClosingRecord, DeliverableRecord, NewNote, NoteRecord,
    OutcomeFilter, OutcomeStore, PrepRecord, TaskRecord, TodoFacts,
};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use stint_domain::booking::{BookingId, BookingStatus};
use stint_domain::ids::{CompetencyId, SkuId, UserId};
use stint_domain::outcome::assessment::{Assessment, AssessmentKind, Level};
use stint_domain::outcome::closing::CheckpointResult;
use stint_domain::outcome::metrics::{OutcomeTally, SessionOutcome};
use stint_domain::outcome::notes::NoteKind;
use stint_domain::outcome::prep::Prep;

/// A write naming a booking that does not exist fails its foreign key: that is `NotFound`.
fn missing_booking(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
        _ => e.into(),
    }
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Backend(format!("unreadable {what} in the database").into())
}

fn level(n: i64) -> Result<Level> {
    Level::parse(n).map_err(|_| corrupt("assessment level"))
}

fn date(raw: &str) -> Result<Date> {
    raw.parse().map_err(|_| corrupt("task due date"))
}

fn task_from(r: &AnyRow) -> Result<TaskRecord> {
    Ok(TaskRecord {
        id: r.try_get("id")?,
        booking_id: BookingId(r.try_get("booking_id")?),
        title: r.try_get("title")?,
        due: date(&r.try_get::<String, _>("due")?)?,
        done_at: r
            .try_get::<Option<i64>, _>("done_at")?
            .map(ts)
            .transpose()?,
    })
}

const TASK_COLUMNS: &str = "SELECT id, booking_id, title, due, done_at FROM session_tasks ";

/// The closed sessions `filter` asks for, with their figures, unordered: the SQL and its
/// values. Only
/// the filters asked for are written, as plain equalities an index can answer (`($1 = 0 OR
/// col = $1)` makes SQLite read everyone's sessions); `sql::search::planned_queries` checks
/// the plans.
pub(super) fn outcomes_sql(filter: &OutcomeFilter) -> (String, Vec<i64>) {
    let asked = [
        ("b.mentor_id", filter.mentor.map(|u| u.0)),
        ("b.mentee_id", filter.mentee.map(|u| u.0)),
        ("b.sku_id", filter.sku.map(|s| s.0)),
    ];
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    for (column, value) in asked {
        if let Some(v) = value {
            values.push(v);
            conditions.push(format!("{column} = ${}", values.len()));
        }
    }
    if let Some(since) = filter.closed_since {
        values.push(since.as_second());
        conditions.push(format!("c.closed_at >= ${}", values.len()));
    }
    if let Some(org) = filter.sponsor {
        values.push(org.0);
        conditions.push(format!(
            "b.id IN (SELECT booking_id FROM budget_holds WHERE org_id = ${})",
            values.len()
        ));
    }
    let filter_sql = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT b.id, b.mentor_id, b.mentee_id, b.sku_id, v.competency_id, c.closed_at, c.checkpoint, \
           (SELECT a.level FROM assessments a WHERE a.booking_id = b.id AND a.kind = 'baseline') AS baseline, \
           (SELECT a.level FROM assessments a WHERE a.booking_id = b.id AND a.kind = 'followup') AS followup, \
           (SELECT COUNT(*) FROM session_tasks t WHERE t.booking_id = b.id) AS tasks_total, \
           (SELECT COUNT(*) FROM session_tasks t WHERE t.booking_id = b.id AND t.done_at IS NOT NULL) AS tasks_done \
         FROM session_closings c JOIN bookings b ON b.id = c.booking_id \
         JOIN sku_versions v ON v.sku_id = b.sku_id AND v.version = b.sku_version \
         {filter_sql}"
    );
    (sql, values)
}

/// [`outcomes_sql`] counted by what the figures read of each session (`OutcomeTally`): at
/// most a few dozen rows, however many sessions.
pub(super) fn tallies_sql(filter: &OutcomeFilter) -> (String, Vec<i64>) {
    let (sessions, values) = outcomes_sql(filter);
    let sql = format!(
        "SELECT checkpoint, baseline, followup, COUNT(*) AS sessions, \
           CAST(SUM(tasks_total) AS BIGINT) AS tasks_total, \
           CAST(SUM(tasks_done) AS BIGINT) AS tasks_done \
         FROM ({sessions}) AS s GROUP BY checkpoint, baseline, followup"
    );
    (sql, values)
}

/// What the figures read of a closed session's row: its checkpoint result and both levels.
fn graded(r: &AnyRow) -> Result<(CheckpointResult, Option<Level>, Option<Level>)> {
    let checkpoint: String = r.try_get("checkpoint")?;
    let checkpoint =
        CheckpointResult::parse(&checkpoint).ok_or_else(|| corrupt("checkpoint result"))?;
    let levels = |col: &str| -> Result<Option<Level>> {
        r.try_get::<Option<i64>, _>(col)?.map(level).transpose()
    };
    Ok((checkpoint, levels("baseline")?, levels("followup")?))
}

#[async_trait]
impl OutcomeStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn save_prep(&self, booking: BookingId, prep: &Prep, now: Timestamp) -> Result<()> {
        sqlx::query(
            "INSERT INTO booking_preps (booking_id, intake_answers, pre_reads_read, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (booking_id) DO UPDATE SET \
             intake_answers = excluded.intake_answers, pre_reads_read = excluded.pre_reads_read, \
             updated_at = excluded.updated_at",
        )
        .bind(booking.0)
        .bind(serde_json::to_string(&prep.intake_answers)?)
        .bind(serde_json::to_string(&prep.pre_reads_read)?)
        .bind(now.as_second())
        .execute(self.writer())
        .await
        .map_err(missing_booking)?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn prep(&self, booking: BookingId) -> Result<Option<PrepRecord>> {
        let row = sqlx::query(
            "SELECT intake_answers, pre_reads_read, updated_at FROM booking_preps WHERE booking_id = $1",
        )
        .bind(booking.0)
        .fetch_optional(self.reader())
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(PrepRecord {
            prep: Prep {
                intake_answers: serde_json::from_str(&r.try_get::<String, _>("intake_answers")?)?,
                pre_reads_read: serde_json::from_str(&r.try_get::<String, _>("pre_reads_read")?)?,
            },
            updated_at: ts(r.try_get("updated_at")?)?,
        }))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn save_assessment(
        &self,
        booking: BookingId,
        kind: AssessmentKind,
        assessment: &Assessment,
        now: Timestamp,
    ) -> Result<AssessmentRecord> {
        let mut tx = self.begin_write().await?;
        let before = tallies::locked(&mut tx, self.backend, booking).await?;
        let done = sqlx::query(
            "INSERT INTO assessments (booking_id, kind, level, answers, submitted_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(booking.0)
        .bind(kind.as_str())
        .bind(assessment.level.get())
        .bind(serde_json::to_string(&assessment.answers)?)
        .bind(now.as_second())
        .execute(&mut *tx)
        .await;
        match done {
            Ok(_) => {
                let after = tallies::of(&mut tx, booking).await?;
                tallies::moved(&mut tx, before, after).await?;
                let kind_name = Some(kind.as_str().to_string());
                let change = BookingChange::AssessmentSubmitted;
                super::outbox::booking_changed(&mut tx, booking, change, kind_name, now).await?;
                tx.commit().await?;
                Ok(AssessmentRecord {
                    kind,
                    level: assessment.level,
                    answers: assessment.answers.clone(),
                    submitted_at: now,
                })
            }
            Err(e) if is_unique_violation(&e) => Err(StoreError::conflict(
                "kind",
                format!("the {} assessment was already taken", kind.as_str()),
            )),
            Err(e) => Err(missing_booking(e)),
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn assessments(&self, booking: BookingId) -> Result<Vec<AssessmentRecord>> {
        let rows = sqlx::query(
            "SELECT kind, level, answers, submitted_at FROM assessments WHERE booking_id = $1 \
             ORDER BY submitted_at, kind",
        )
        .bind(booking.0)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(AssessmentRecord {
                    kind: AssessmentKind::parse(&kind).ok_or_else(|| corrupt("assessment kind"))?,
                    level: level(r.try_get("level")?)?,
                    answers: serde_json::from_str(&r.try_get::<String, _>("answers")?)?,
                    submitted_at: ts(r.try_get("submitted_at")?)?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn save_note(&self, note: &NewNote<'_>, now: Timestamp) -> Result<NoteRecord> {
        sqlx::query(
            "INSERT INTO booking_notes (booking_id, kind, body, body_html, author_id, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (booking_id, kind) DO UPDATE SET \
             body = excluded.body, body_html = excluded.body_html, \
             author_id = excluded.author_id, updated_at = excluded.updated_at",
        )
        .bind(note.booking.0)
        .bind(note.kind.as_str())
        .bind(note.body.to_string())
        .bind(note.html.to_string())
        .bind(note.author.0)
        .bind(now.as_second())
        .execute(self.writer())
        .await
        .map_err(missing_booking)?;
        Ok(NoteRecord {
            kind: note.kind,
            body: note.body.to_string(),
            html: note.html.to_string(),
            author_id: note.author,
            updated_at: now,
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn notes(&self, booking: BookingId) -> Result<Vec<NoteRecord>> {
        let rows = sqlx::query(
            "SELECT kind, body, body_html, author_id, updated_at FROM booking_notes \
             WHERE booking_id = $1 ORDER BY kind",
        )
        .bind(booking.0)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(NoteRecord {
                    kind: NoteKind::parse(&kind).ok_or_else(|| corrupt("note kind"))?,
                    body: r.try_get("body")?,
                    html: r.try_get("body_html")?,
                    author_id: UserId(r.try_get("author_id")?),
                    updated_at: ts(r.try_get("updated_at")?)?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn close_session(&self, close: &CloseSession<'_>, now: Timestamp) -> Result<()> {
        let id = close.booking;
        let mut tx = self.begin_write().await?;
        // The status check and the change are one statement, so two closings cannot both pass;
        // it also names the mentor, whom the hold pays.
        let mentor: Option<i64> = sqlx::query_scalar(
            "UPDATE bookings SET status = 'completed', updated_at = $1 WHERE id = $2 AND status = 'confirmed' \
             RETURNING mentor_id",
        )
        .bind(now.as_second())
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(mentor) = mentor else {
            let current = super::bookings::booking_by_id(&mut *tx, id).await?;
            return Err(StoreError::conflict(
                "status",
                match current.status {
                    BookingStatus::Completed => "this session is already closed".to_string(),
                    s => format!("a {} session cannot be closed", s.as_str()),
                },
            ));
        };
        let c = close.closing;
        sqlx::query(
            "INSERT INTO session_closings (booking_id, checkpoint, evidence, followup, closed_by, \
             closed_at, followup_opens_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.0)
        .bind(c.checkpoint.as_str())
        .bind(c.evidence.clone())
        .bind(c.followup.clone())
        .bind(close.closed_by.0)
        .bind(now.as_second())
        .bind(close.followup_opens_at.as_second())
        .execute(&mut *tx)
        .await?;
        for (i, t) in c.tasks.iter().enumerate() {
            sqlx::query(
                "INSERT INTO session_tasks (booking_id, position, title, due) VALUES ($1, $2, $3, $4)",
            )
            .bind(id.0)
            .bind(i as i64)
            .bind(t.title.clone())
            .bind(t.due.to_string())
            .execute(&mut *tx)
            .await?;
        }
        for (i, title) in close.artifacts.iter().enumerate() {
            sqlx::query(
                "INSERT INTO session_deliverables (booking_id, position, title) VALUES ($1, $2, $3)",
            )
            .bind(id.0)
            .bind(i as i64)
            .bind(title.clone())
            .execute(&mut *tx)
            .await?;
        }
        let counted = tallies::of(&mut tx, id).await?;
        tallies::moved(&mut tx, None, counted).await?;
        super::holds::end_hold(&mut tx, self.backend, id, UserId(mentor), close.hold, now).await?;
        let note = format!("closed: checkpoint {}", c.checkpoint.label().to_lowercase());
        self.event(
            &mut tx,
            id,
            Some(close.closed_by),
            BookingStatus::Completed,
            &note,
            now,
        )
        .await?;
        super::outbox::booking_changed(&mut tx, id, BookingChange::Completed, None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn todo_facts(&self, bookings: &[BookingId]) -> Result<Vec<TodoFacts>> {
        if bookings.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = bookings.iter().map(|b| b.0).collect();
        let sql = format!(
            "SELECT b.id, p.intake_answers, p.pre_reads_read, c.followup_opens_at, \
               (SELECT string_agg(a.kind, ',') FROM assessments a WHERE a.booking_id = b.id) AS taken \
             FROM bookings b LEFT JOIN booking_preps p ON p.booking_id = b.id \
             LEFT JOIN session_closings c ON c.booking_id = b.id WHERE {}",
            super::search::ids_in(self.backend(), "b.id", "$1")
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(serde_json::to_string(&ids)?)
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| {
                let intake: Option<String> = r.try_get("intake_answers")?;
                let read: Option<String> = r.try_get("pre_reads_read")?;
                let prep = match (intake, read) {
                    (Some(i), Some(p)) => Some(Prep {
                        intake_answers: serde_json::from_str(&i)?,
                        pre_reads_read: serde_json::from_str(&p)?,
                    }),
                    _ => None,
                };
                let taken: Option<String> = r.try_get("taken")?;
                Ok(TodoFacts {
                    booking: BookingId(r.try_get("id")?),
                    prep,
                    taken: taken
                        .unwrap_or_default()
                        .split(',')
                        .filter_map(AssessmentKind::parse)
                        .collect(),
                    followup_opens_at: r
                        .try_get::<Option<i64>, _>("followup_opens_at")?
                        .map(ts)
                        .transpose()?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn closing(&self, booking: BookingId) -> Result<Option<ClosingRecord>> {
        let row = sqlx::query(
            "SELECT checkpoint, evidence, followup, closed_by, closed_at, followup_opens_at \
             FROM session_closings WHERE booking_id = $1",
        )
        .bind(booking.0)
        .fetch_optional(self.reader())
        .await?;
        let Some(r) = row else { return Ok(None) };
        let checkpoint: String = r.try_get("checkpoint")?;
        Ok(Some(ClosingRecord {
            checkpoint: CheckpointResult::parse(&checkpoint)
                .ok_or_else(|| corrupt("checkpoint result"))?,
            evidence: r.try_get("evidence")?,
            followup: r.try_get("followup")?,
            closed_by: UserId(r.try_get("closed_by")?),
            closed_at: ts(r.try_get("closed_at")?)?,
            followup_opens_at: ts(r.try_get("followup_opens_at")?)?,
        }))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn tasks(&self, booking: BookingId) -> Result<Vec<TaskRecord>> {
        let sql = format!("{TASK_COLUMNS}WHERE booking_id = $1 ORDER BY position");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(booking.0)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(task_from).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn tasks_of(&self, mentee: UserId) -> Result<Vec<TaskRecord>> {
        let rows = sqlx::query(
            "SELECT t.id, t.booking_id, t.title, t.due, t.done_at FROM session_tasks t \
             JOIN bookings b ON b.id = t.booking_id WHERE b.mentee_id = $1 \
             ORDER BY t.due, t.booking_id, t.position",
        )
        .bind(mentee.0)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(task_from).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_task_done(
        &self,
        booking: BookingId,
        task: i64,
        done: bool,
        now: Timestamp,
    ) -> Result<TaskRecord> {
        let mut tx = self.begin_write().await?;
        let before = tallies::locked(&mut tx, self.backend, booking).await?;
        let changed =
            sqlx::query("UPDATE session_tasks SET done_at = $1 WHERE id = $2 AND booking_id = $3")
                .bind(done.then_some(now.as_second()))
                .bind(task)
                .bind(booking.0)
                .execute(&mut *tx)
                .await?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        let after = tallies::of(&mut tx, booking).await?;
        tallies::moved(&mut tx, before, after).await?;
        let sql = format!("{TASK_COLUMNS}WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(task)
            .fetch_one(&mut *tx)
            .await?;
        if done {
            let change = BookingChange::TaskDone;
            super::outbox::booking_changed(&mut tx, booking, change, Some(task.to_string()), now)
                .await?;
        }
        tx.commit().await?;
        task_from(&row)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn deliverables(&self, booking: BookingId) -> Result<Vec<DeliverableRecord>> {
        let rows = sqlx::query(
            "SELECT position, title, ticked_at FROM session_deliverables WHERE booking_id = $1 \
             ORDER BY position",
        )
        .bind(booking.0)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DeliverableRecord {
                    position: r.try_get("position")?,
                    title: r.try_get("title")?,
                    ticked_at: r
                        .try_get::<Option<i64>, _>("ticked_at")?
                        .map(ts)
                        .transpose()?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn tick_deliverable(
        &self,
        booking: BookingId,
        position: i64,
        ticked: bool,
        now: Timestamp,
    ) -> Result<()> {
        let changed = sqlx::query(
            "UPDATE session_deliverables SET ticked_at = $1 WHERE booking_id = $2 AND position = $3",
        )
        .bind(ticked.then_some(now.as_second()))
        .bind(booking.0)
        .bind(position)
        .execute(self.writer())
        .await?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn outcome_tallies(&self, filter: OutcomeFilter) -> Result<Vec<OutcomeTally>> {
        // One SKU's or one mentor's figures are kept up to date; others are counted.
        let kept = match filter {
            OutcomeFilter {
                sku: Some(sku),
                mentor: None,
                mentee: None,
                sponsor: None,
                closed_since: None,
            } => Some(("sku", sku.0)),
            OutcomeFilter {
                sku: None,
                mentor: Some(m),
                mentee: None,
                sponsor: None,
                closed_since: None,
            } => Some(("mentor", m.0)),
            _ => None,
        };
        let rows = if let Some((scope, owner)) = kept {
            sqlx::query(tallies::READ)
                .bind(scope)
                .bind(owner)
                .fetch_all(self.reader())
                .await?
        } else {
            let (sql, values) = tallies_sql(&filter);
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for v in values {
                query = query.bind(v);
            }
            query.fetch_all(self.reader()).await?
        };
        rows.iter()
            .map(|r| {
                let (checkpoint, baseline, followup) = graded(r)?;
                let count = |col: &str| -> Result<u64> {
                    Ok(u64::try_from(r.try_get::<Option<i64>, _>(col)?.unwrap_or(0)).unwrap_or(0))
                };
                Ok(OutcomeTally {
                    checkpoint,
                    baseline,
                    followup,
                    sessions: count("sessions")?,
                    tasks_total: count("tasks_total")?,
                    tasks_done: count("tasks_done")?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn outcomes(&self, filter: OutcomeFilter) -> Result<Vec<SessionOutcome>> {
        let (sql, values) = outcomes_sql(&filter);
        let sql = format!("{sql} ORDER BY c.closed_at, b.id");
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for v in values {
            query = query.bind(v);
        }
        let rows = query.fetch_all(self.reader()).await?;
        rows.iter()
            .map(|r| {
                let (checkpoint, baseline, followup) = graded(r)?;
                let count = |col: &str| -> Result<u32> {
                    Ok(u32::try_from(r.try_get::<i64, _>(col)?).unwrap_or(u32::MAX))
                };
                Ok(SessionOutcome {
                    booking_id: BookingId(r.try_get("id")?),
                    mentor_id: UserId(r.try_get("mentor_id")?),
                    mentee_id: UserId(r.try_get("mentee_id")?),
                    sku_id: SkuId(r.try_get("sku_id")?),
                    competency_id: CompetencyId(r.try_get("competency_id")?),
                    closed_at: ts(r.try_get("closed_at")?)?,
                    checkpoint,
                    baseline,
                    followup,
                    tasks_total: count("tasks_total")?,
                    tasks_done: count("tasks_done")?,
                })
            })
            .collect()
    }
}
