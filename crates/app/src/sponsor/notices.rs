//! What an organisation's admins are told, once each, by mail and to the organisation's
//! webhook endpoints: a month's statement (after the month ends), a budget running low (below
//! a fifth of its last funding, once per funding) and a booking waiting for approval. The
//! hourly job and the booking's own job *open* a notice (`SponsorStore::open_notice`: the
//! record and the `sponsor.notice` job in one transaction); the job asks [`letter`] what to
//! send, so the mail and the event carry the figures of when they go out.

use crate::App;
use crate::error::AppError;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use stint_domain::booking::BookingId;
use stint_domain::ids::OrgId;
use stint_domain::sponsor::{Approval, Period};
use stint_store::NewJob;
use stint_webhooks::EventType;

/// The job that sends a notice.
pub const NOTICE_JOB: &str = "sponsor.notice";

/// The `sponsor.notice` job's payload: the organisation and the notice's name.
#[derive(Debug, Serialize, Deserialize)]
pub struct NoticeJob {
    pub org: i64,
    pub notice: String,
}

/// One thing to tell an organisation's admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// The statement of the month that began on this day (UTC).
    Statement(Date),
    /// The budget fell below a fifth of this funding, its last.
    BudgetLow { funding: i64 },
    /// This booking waits for an admin's approval.
    Approval(BookingId),
}

impl Notice {
    /// Its name, unique within an organisation: `statement:2026-11`, `budget-low:12`,
    /// `approval:55`.
    pub fn key(&self) -> String {
        match self {
            Notice::Statement(d) => format!("statement:{}", d.strftime("%Y-%m")),
            Notice::BudgetLow { funding } => format!("budget-low:{funding}"),
            Notice::Approval(b) => format!("approval:{}", b.0),
        }
    }

    pub fn parse(key: &str) -> Option<Notice> {
        let (kind, rest) = key.split_once(':')?;
        match kind {
            "statement" => {
                let (y, m) = rest.split_once('-')?;
                Date::new(y.parse().ok()?, m.parse().ok()?, 1)
                    .ok()
                    .map(Notice::Statement)
            }
            "budget-low" => rest
                .parse()
                .ok()
                .map(|funding| Notice::BudgetLow { funding }),
            "approval" => rest.parse().ok().map(|b| Notice::Approval(BookingId(b))),
            _ => None,
        }
    }

    pub fn event(&self) -> EventType {
        match self {
            Notice::Statement(_) => EventType::StatementReady,
            Notice::BudgetLow { .. } => EventType::BudgetLow,
            Notice::Approval(_) => EventType::ApprovalRequested,
        }
    }
}

/// Opens `notice` for `org` once: false if it was opened before.
pub async fn open(app: &App, org: OrgId, notice: Notice) -> Result<bool, AppError> {
    let now = app.now();
    let key = notice.key();
    let payload = serde_json::to_string(&NoticeJob {
        org: org.0,
        notice: key.clone(),
    })
    .map_err(|_| AppError::internal())?;
    let job = NewJob {
        kind: NOTICE_JOB.to_string(),
        payload,
        dedupe_key: Some(format!("{NOTICE_JOB}:{}:{key}", org.0)),
        due_at: now,
        max_attempts: 8,
    };
    Ok(app
        .store
        .open_notice(org, &key, None, Some(&job), now)
        .await?)
}

/// The hourly check: last month's statement of every organisation that existed then, and a
/// low budget where its balance is under a fifth of its last funding. How many were opened.
#[tracing::instrument(skip_all)]
pub async fn open_due(app: &App) -> Result<usize, AppError> {
    let now = app.now();
    let this_month = Period::Month.start(now);
    let last_month = Period::Month.first_day(
        this_month
            .checked_sub(jiff::SignedDuration::from_hours(24))
            .unwrap_or(this_month),
    );
    let mut opened = 0;
    for org in app.store.orgs().await? {
        if org.created_at < this_month && open(app, org.id, Notice::Statement(last_month)).await? {
            opened += 1;
        }
        let last_paid = app
            .store
            .fundings(Some(org.id))
            .await?
            .into_iter()
            .find(|f| f.paid_at.is_some());
        if let Some(funding) = last_paid {
            let balance = super::budget::balance(app, org.id).await?;
            if balance.saturating_mul(5) < funding.credits
                && open(
                    app,
                    org.id,
                    Notice::BudgetLow {
                        funding: funding.id,
                    },
                )
                .await?
            {
                opened += 1;
            }
        }
    }
    Ok(opened)
}

/// Opens the approval notice of `booking` if its budget waits for an admin (the booking's
/// own job calls this when it is made).
pub async fn approval_requested(app: &App, booking: BookingId) -> Result<bool, AppError> {
    match app.store.budget_hold_of(booking).await? {
        Some(hold) if hold.approval == Some(Approval::Pending) => {
            open(app, hold.org, Notice::Approval(booking)).await
        }
        _ => Ok(false),
    }
}

/// What a notice sends: the mail to each active admin, and the event to the endpoints.
#[derive(Debug, Clone)]
pub struct Letter {
    pub org: OrgId,
    /// Names the webhook message, so a retried job sends it once.
    pub key: String,
    pub event: EventType,
    pub data: serde_json::Value,
    pub subject: String,
    /// The mail's text; `link_path` (under the public address) follows it.
    pub text: String,
    pub link_path: String,
    /// A file to attach: its name and CSV text.
    pub attachment: Option<(String, String)>,
    /// Each active admin's name and address.
    pub admins: Vec<(String, String)>,
}

/// What the `sponsor.notice` job sends now; `None` when there is nothing to say any more
/// (an organisation gone, a request decided before its notice went out).
pub async fn letter(app: &App, job: &NoticeJob) -> Result<Option<Letter>, AppError> {
    let org_id = OrgId(job.org);
    let (Some(org), Some(notice)) = (app.store.org(org_id).await?, Notice::parse(&job.notice))
    else {
        return Ok(None);
    };
    let admins: Vec<(String, String)> = app
        .store
        .members(org_id)
        .await?
        .into_iter()
        .filter(|m| m.is_active() && m.role == stint_domain::sponsor::OrgRole::Admin)
        .map(|m| (m.name, m.email))
        .collect();
    let console = format!("/sponsor/{}", org_id.0);
    let name = &org.name;
    let (data, subject, text, link_path, attachment) = match notice {
        Notice::Statement(first) => {
            let (file, csv, lines) = super::console::statement_of(app, &org, first).await?;
            let month = first.strftime("%Y-%m").to_string();
            let spent: i64 = lines.iter().map(|l| l.held - l.returned).sum();
            let data = serde_json::json!({
                "org_id": org_id.0,
                "month": month,
                "sessions": lines.len(),
                "credits_spent": spent,
                "statement_url": format!("/api/v1/sponsor/orgs/{}/statement?month={month}", org_id.0),
            });
            let text = format!(
                "{name}'s mentoring statement for {} is ready: {} sessions, {spent} credits \
                 spent. The statement is attached (sessions and credits, no names); the \
                 console has the figures.",
                first.strftime("%B %Y"),
                lines.len()
            );
            let subject = format!("{name}'s Stint statement for {}", first.strftime("%B %Y"));
            (
                data,
                subject,
                text,
                format!("{console}#spend-title"),
                Some((file, csv)),
            )
        }
        Notice::BudgetLow { funding } => {
            let balance = super::budget::balance(app, org_id).await?;
            let funded = app
                .store
                .fundings(Some(org_id))
                .await?
                .into_iter()
                .find(|f| f.id == funding)
                .map_or(0, |f| f.credits);
            let data = serde_json::json!({
                "org_id": org_id.0,
                "balance_credits": balance,
                "last_funding_credits": funded,
            });
            let text = format!(
                "{name}'s mentoring budget is running low: {balance} credits are left of the \
                 {funded} last funded. Members cannot book with it once it is spent; add funds \
                 from the console."
            );
            let subject = format!("{name}'s mentoring budget is running low");
            (
                data,
                subject,
                text,
                format!("{console}#funding-title"),
                None,
            )
        }
        Notice::Approval(booking) => {
            let Some(hold) = app.store.budget_hold_of(booking).await? else {
                return Ok(None);
            };
            let (Some(Approval::Pending), Some(due)) = (hold.approval, hold.approval_due) else {
                return Ok(None);
            };
            let Some(ctx) = app.store.booking_context(booking).await? else {
                return Ok(None);
            };
            let data = serde_json::json!({
                "org_id": org_id.0,
                "booking_id": booking.0,
                "sku": ctx.sku.slug,
                "start": ctx.booking.start.to_string(),
                "credits": hold.credits,
                "approval_due": due.to_string(),
            });
            let utc = |t: Timestamp| t.strftime("%a %-d %b %Y %H:%M UTC").to_string();
            let text = format!(
                "{} asks {name} to pay {} credits for a {} session on {}. Approve or decline \
                 it by {}; if nobody decides by then, the request lapses and the session is \
                 cancelled.",
                ctx.mentee.display_name,
                hold.credits,
                ctx.sku.content.title,
                utc(ctx.booking.start),
                utc(due)
            );
            let subject = format!("A session waits for {name}'s approval");
            (
                data,
                subject,
                text,
                format!("{console}#approvals-title"),
                None,
            )
        }
    };
    Ok(Some(Letter {
        org: org_id,
        key: format!("sponsor.notice:{}:{}", org_id.0, job.notice),
        event: notice.event(),
        data,
        subject,
        text,
        link_path,
        attachment,
        admins,
    }))
}

/// Sends the letter's event to the organisation's endpoints (and operators' subscribed to
/// it), once under its key however often the job runs.
pub async fn emit(app: &App, letter: &Letter) -> Result<(), AppError> {
    stint_webhooks::emit_once_for_org(
        app.store.as_ref(),
        letter.org,
        &letter.key,
        letter.event,
        &letter.data,
        app.now(),
    )
    .await
    .map_err(crate::webhooks::emit_failed)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_round_trip_by_name() {
        let all = [
            Notice::Statement(Date::new(2026, 11, 1).unwrap()),
            Notice::BudgetLow { funding: 12 },
            Notice::Approval(BookingId(55)),
        ];
        for n in all {
            assert_eq!(Notice::parse(&n.key()), Some(n), "{}", n.key());
        }
        assert_eq!(all[0].key(), "statement:2026-11");
        assert_eq!(Notice::parse("statement:2026-13"), None);
        assert_eq!(Notice::parse("nothing:1"), None);
    }
}
