//! Mentor circles, written once for the API and the pages: operators form a circle of five to
//! eight mentors; its members (and only they) read and write its thread, in Markdown rendered
//! and sanitized once when saved, never pointing at one mentee (`stint_domain::circle::post`
//! says why); members or operators schedule its call at a time every member is free, and the
//! call lands on each member's calendar feed. A daily sweep tells each member of posts by
//! others they have not been told of, one digest per circle, by the channels they chose.

use crate::App;
use crate::access::require;
use crate::error::AppError;
use crate::insights::alerts::Letter;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::circle::{self, Call, Circle, Post};
use stint_domain::ids::UserId;
use stint_domain::nudge::NudgeKind;
use stint_domain::nudge::defer_past_quiet;
use stint_domain::role::Role;
use stint_store::{DigestDue, NewJob};

/// The daily sweep that tells members of new posts.
pub const DIGEST: &str = "circles.digest";
/// One member's digest of one circle.
pub const DIGEST_MAIL: &str = "circles.digest_mail";
/// The most posts a thread shows.
pub const THREAD_LIMIT: i64 = 300;

/// A circle as a member sees it: who is in it, its thread and its calls to come.
#[derive(Debug, Clone)]
pub struct CircleView {
    pub circle: Circle,
    pub posts: Vec<Post>,
    pub calls: Vec<Call>,
}

/// Forms a circle of the mentors `members` (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn form(
    app: &App,
    operator: &Account,
    name: &str,
    members: &[i64],
) -> Result<Circle, AppError> {
    require(operator, Role::Operator)?;
    let mut e = FieldErrors::new();
    let name = e.check("name", circle::name(name));
    let members = e.check("members", circle::members(members));
    if let Some(members) = &members {
        for m in members {
            let account = app.store.account(*m).await?;
            if !account.as_ref().is_some_and(|a| a.has(Role::Mentor)) {
                e.add("members", format!("user {} is not a mentor", m.0));
                break;
            }
        }
    }
    let (Some(name), Some(members)) = (name, members) else {
        return Err(AppError::validation(e));
    };
    if !e.is_empty() {
        return Err(AppError::validation(e));
    }
    Ok(app
        .store
        .create_circle(&name, &members, operator.id, app.now())
        .await?)
}

/// The circles `viewer` sees in a list: every circle for operators (names and members, not
/// their threads), their own for mentors.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(app: &App, viewer: &Account) -> Result<Vec<Circle>, AppError> {
    if viewer.has(Role::Operator) {
        Ok(app.store.circles().await?)
    } else {
        Ok(app.store.circles_of(viewer.id).await?)
    }
}

/// Mentors an operator may place in a circle, by name.
pub async fn mentor_choices(app: &App, operator: &Account) -> Result<Vec<(i64, String)>, AppError> {
    require(operator, Role::Operator)?;
    Ok(app
        .store
        .mentor_choices(2000)
        .await?
        .into_iter()
        .map(|(id, name)| (id.0, name))
        .collect())
}

/// Circle `id` for one of its members; anyone else gets `NotFound`, as if it did not exist.
async fn membership(app: &App, me: &Account, id: i64) -> Result<Circle, AppError> {
    match app.store.circle(id).await? {
        Some(c) if c.has_member(me.id) => Ok(c),
        _ => Err(AppError::not_found("circle")),
    }
}

/// Circle `id` with its thread and calls, for its members only.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn open(app: &App, me: &Account, id: i64) -> Result<CircleView, AppError> {
    let circle = membership(app, me, id).await?;
    let posts = app.store.circle_posts(id, THREAD_LIMIT).await?;
    let calls = app.store.circle_calls(id, app.now()).await?;
    Ok(CircleView {
        circle,
        posts,
        calls,
    })
}

/// A member's post in circle `id`, or a reply to post `parent` there.
#[tracing::instrument(skip_all, fields(circle = id))]
pub async fn post(
    app: &App,
    me: &Account,
    id: i64,
    parent: Option<i64>,
    body: &str,
) -> Result<Post, AppError> {
    membership(app, me, id).await?;
    let body =
        circle::post(body).map_err(|m| AppError::validation(FieldErrors::single("body", m)))?;
    if let Some(parent) = parent {
        let answered = app.store.circle_post(parent).await?;
        if !answered.is_some_and(|p| p.circle == id && p.parent.is_none()) {
            return Err(AppError::validation(FieldErrors::single(
                "parent",
                "reply to a post in this circle's thread",
            )));
        }
    }
    let html = crate::markdown::render(body.clone()).await;
    Ok(app
        .store
        .add_post(id, me.id, parent, &body, &html, app.now())
        .await?)
}

/// Schedules circle `id`'s call (a member or an operator) at `start` for `minutes`, at a time
/// no member has a session or calendar event; it appears on each member's calendar feed.
/// `start` is RFC 3339, or a wall time (`2026-06-03T17:00`) in the scheduler's zone.
#[tracing::instrument(skip_all, fields(circle = id))]
pub async fn schedule_call(
    app: &App,
    me: &Account,
    id: i64,
    start: &str,
    minutes: i64,
    location: &str,
) -> Result<Call, AppError> {
    let circle = if me.has(Role::Operator) {
        app.store
            .circle(id)
            .await?
            .ok_or_else(|| AppError::not_found("circle"))?
    } else {
        membership(app, me, id).await?
    };
    let start = start_of(me, start)?;
    let now = app.now();
    let end = circle::call(start, minutes, now).map_err(AppError::validation)?;
    let location = location.trim();
    if !location.is_empty() && (!location.starts_with("https://") || location.len() > 500) {
        return Err(AppError::validation(FieldErrors::single(
            "location",
            "a meeting link starts with https:// (500 characters at most)",
        )));
    }
    for m in &circle.members {
        if !app.store.mentor_busy(m.user, start, end).await?.is_empty() {
            return Err(AppError::conflict(
                "start",
                format!("{} is busy then; choose another time", m.name),
            ));
        }
    }
    Ok(app
        .store
        .add_call(id, start, end, location, me.id, now)
        .await?)
}

/// An RFC 3339 instant, or a wall time in `me`'s zone.
fn start_of(me: &Account, raw: &str) -> Result<Timestamp, AppError> {
    let raw = raw.trim();
    if let Ok(t) = raw.parse::<Timestamp>() {
        return Ok(t);
    }
    raw.parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|wall| me.zone().to_timestamp(wall).ok())
        .ok_or_else(|| {
            AppError::validation(FieldErrors::single(
                "start",
                "must be a time like 2026-12-01T17:00 (your zone) or 2026-12-01T17:00:00+01:00",
            ))
        })
}

/// The calls of `me`'s circles from a month ago on, for their calendar feed.
pub async fn calls_for_feed(app: &App, me: &Account) -> Result<Vec<Call>, AppError> {
    let since = app
        .now()
        .checked_sub(jiff::SignedDuration::from_hours(24 * 31))
        .unwrap_or(app.now());
    Ok(app.store.calls_of(me.id, since).await?)
}

/// The digest job's payload: one member, one circle, the posts up to `upto`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DigestMail {
    pub member: i64,
    pub circle: i64,
    pub upto: i64,
    pub posts: i64,
}

/// The daily sweep: a digest job for each member and circle with posts by others they have
/// not been told of, due when their quiet hours allow. Returns how many were queued.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn digest(app: &App) -> Result<usize, AppError> {
    let now = app.now();
    let mut queued = 0;
    for due in app.store.digests_due().await? {
        let Some(member) = app.store.account(due.member).await? else {
            continue;
        };
        let prefs = app.store.nudge_prefs(member.id).await?;
        let job = NewJob {
            kind: DIGEST_MAIL.into(),
            payload: serde_json::to_string(&mail_of(&due)).map_err(|_| AppError::internal())?,
            dedupe_key: None,
            due_at: defer_past_quiet(now, &member.zone(), prefs.quiet),
            max_attempts: 8,
        };
        if app.store.mark_digest(&due, &job, now).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

fn mail_of(due: &DigestDue) -> DigestMail {
    DigestMail {
        member: due.member.0,
        circle: due.circle,
        upto: due.upto,
        posts: due.posts,
    }
}

/// What a digest says; `None` when its member or circle is gone, or they left it.
pub async fn digest_letter(app: &App, job: &DigestMail) -> Result<Option<Letter>, AppError> {
    let Some(who) = app.store.account(UserId(job.member)).await? else {
        return Ok(None);
    };
    let Some(circle) = app.store.circle(job.circle).await? else {
        return Ok(None);
    };
    if !circle.has_member(who.id) {
        return Ok(None);
    }
    let posts = if job.posts == 1 {
        "1 new post".to_string()
    } else {
        format!("{} new posts", job.posts)
    };
    let subject = format!("{}: {posts}", circle.name);
    let text = format!(
        "Mentors in {} wrote {posts} since you were last told. Read and reply in the circle's thread.",
        circle.name
    );
    let link = format!("/mentor/circles/{}", circle.id);
    Ok(Some(
        Letter::to(app, who, NudgeKind::CirclePost, subject, text, link).await?,
    ))
}
