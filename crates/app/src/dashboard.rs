//! What a person's dashboard shows: their mentor profile, their upcoming sessions, a
//! mentor's schedule for today and the coming week with what each session needs, and, for
//! operators, the size of the catalog and of the community.

use crate::App;
use crate::error::AppError;
use stint_domain::account::Account;
use stint_domain::booking::{Booking, BookingStatus};
use stint_domain::catalog::SkuStatus;
use stint_domain::mentor::MentorProfile;
use stint_domain::role::Role;

/// The operator's counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct CatalogCounts {
    pub active_skus: usize,
    pub draft_skus: usize,
    pub competencies: usize,
    pub accounts: usize,
}

pub struct Overview {
    pub profile: Option<MentorProfile>,
    pub counts: CatalogCounts,
    /// Confirmed sessions not yet over, soonest first.
    pub upcoming: Vec<Booking>,
    /// A mentor's sessions from the start of today to a week on, in their zone.
    pub schedule: Vec<ScheduleRow>,
}

/// One session of a mentor's week and what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRow {
    pub booking: stint_domain::booking::BookingId,
    pub start: jiff::Timestamp,
    pub end: jiff::Timestamp,
    pub title: String,
    pub mentee: String,
    /// The mentee answered the intake questions and took the baseline.
    pub prep_done: bool,
    /// Over and not yet closed: the mentor's turn.
    pub ready_to_close: bool,
}

/// Days of schedule the dashboard shows after today.
const SCHEDULE_DAYS: i64 = 7;

/// `me`'s sessions as mentor from the start of today (in their zone) to a week on, out of
/// `mine` (their bookings, read once for the whole overview); only those get their context.
async fn schedule(app: &App, me: &Account, mine: &[Booking]) -> Result<Vec<ScheduleRow>, AppError> {
    if !me.has(Role::Mentor) {
        return Ok(Vec::new());
    }
    let now = app.now();
    let today = now.to_zoned_datetime(me.zone()).date();
    let from = today
        .at(0, 0, 0, 0)
        .to_zoned_datetime(me.zone())
        .map(|z| z.timestamp())
        .unwrap_or(now);
    let to = from
        .saturating_add(jiff::SignedDuration::from_hours(24 * (SCHEDULE_DAYS + 1)))
        .unwrap_or(now);
    let mut contexts = Vec::new();
    for b in mine.iter().filter(|b| {
        b.mentor_id == me.id
            && b.status == BookingStatus::Confirmed
            && b.start >= from
            && b.start < to
    }) {
        if let Some(c) = app.store.booking_context(b.id).await? {
            contexts.push(c);
        }
    }
    let ids: Vec<_> = contexts.iter().map(|c| c.booking.id).collect();
    let facts = app.store.todo_facts(&ids).await?;
    let mut rows: Vec<ScheduleRow> = contexts
        .iter()
        .map(|c| {
            let f = facts.iter().find(|f| f.booking == c.booking.id);
            let answered = f.and_then(|f| f.prep.as_ref()).is_some_and(|p| {
                p.intake_answers.iter().filter(|a| !a.is_empty()).count()
                    >= c.sku.content.intake_questions.len()
            });
            let baseline = f.is_some_and(|f| {
                f.taken
                    .contains(&stint_domain::outcome::assessment::AssessmentKind::Baseline)
            });
            ScheduleRow {
                booking: c.booking.id,
                start: c.booking.start,
                end: c.booking.end,
                title: c.sku.content.title.clone(),
                mentee: c.mentee.display_name.clone(),
                prep_done: answered && baseline,
                ready_to_close: c.booking.end <= now,
            }
        })
        .collect();
    rows.sort_by_key(|r| r.start);
    Ok(rows)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn overview(app: &App, me: &Account) -> Result<Overview, AppError> {
    let profile = if me.has(Role::Mentor) {
        app.store.mentor_profile(me.id).await?
    } else {
        None
    };
    let mut counts = CatalogCounts::default();
    if me.has(Role::Operator) {
        let skus = app.store.skus(None).await?;
        counts.active_skus = skus
            .iter()
            .filter(|s| s.status == SkuStatus::Active)
            .count();
        counts.draft_skus = skus.iter().filter(|s| s.status == SkuStatus::Draft).count();
        counts.competencies = app.store.competencies().await?.len();
        counts.accounts = usize::try_from(app.store.account_count().await?).unwrap_or(usize::MAX);
    }
    let now = app.now();
    let mine = app.store.bookings_of(me.id).await?;
    let schedule = schedule(app, me, &mine).await?;
    let upcoming = mine
        .into_iter()
        .filter(|b| b.status == BookingStatus::Confirmed && b.end > now)
        .collect();
    Ok(Overview {
        profile,
        counts,
        upcoming,
        schedule,
    })
}
