//! Employer sponsorship's use cases, for the API, the pages and the worker alike:
//!
//! - `orgs.rs` — operators create an organisation with its first admin; who administers what.
//! - `budget.rs` — the budget's rules, its funding by invoice (an operator marks it paid),
//!   and paying for a booking with it (`pay_check`, used by `scheduling::claim`).
//! - `card.rs` — funding the budget by card (credit packs paid on Stripe's page).
//! - `members.rs` — invitations (mailed as a single-use link), joining, leaving.
//! - `domains.rs` — joining by an e-mail domain, verified by a link mailed to an address there.
//! - `notices.rs` — what admins are told once, by mail and to their endpoints: a month's
//!   statement, a low budget, a booking to approve.
//! - `retention.rs` — the 90-day retention comparison from the organisation's own list.
//! - `sharing.rs` — what a member lets the organisation see ("my progress"), and that progress.
//! - `webhooks.rs` — the organisation's own webhook endpoints, for its events only.
//! - `approvals.rs` — bookings waiting for an admin's approval: approve, decline, lapse.
//! - `console.rs` — what an admin sees: balance, spend, members, and outcomes in aggregate,
//!   each figure about people shown only over groups `stint_domain::sponsor` allows.
//!
//! An organisation is visible only to its own admins: anyone else, an admin of another
//! organisation included, is told it does not exist.

pub mod approvals;
pub mod budget;
pub mod card;
pub mod console;
pub mod domains;
pub mod members;
pub mod notices;
pub mod orgs;
pub mod retention;
pub mod sharing;
pub mod webhooks;

use crate::App;
use crate::error::AppError;
use stint_domain::account::Account;
use stint_domain::ids::OrgId;
use stint_domain::sponsor::OrgRole;
use stint_store::sponsor::OrgRecord;

/// Refuses a mail-sending request once `limit` of them (made at `created`) fell in the last
/// hour: 429 with `Retry-After`, the message naming `what` was sent.
pub(crate) fn within_hourly_limit(
    app: &App,
    created: impl Iterator<Item = jiff::Timestamp>,
    limit: usize,
    what: &str,
) -> Result<(), AppError> {
    let now = app.now();
    let hour_ago = now
        .saturating_sub(jiff::SignedDuration::from_hours(1))
        .unwrap_or(now);
    if created.filter(|t| *t > hour_ago).count() >= limit {
        return Err(AppError::new(
            crate::error::ErrorKind::RateLimited,
            "rate_limited",
            format!("At most {limit} {what} an hour; try again later."),
        )
        .retry_after(3600));
    }
    Ok(())
}

/// A digest of a secret nobody keeps: a row that will carry a mailed link is written with
/// it, and the job that mails the link replaces it with the link's own.
pub(crate) fn unsent_digest() -> Result<String, AppError> {
    Ok(crate::auth::secret::digest(
        &crate::auth::secret::new_secret()?,
    ))
}

/// Queues job `kind` (with `payload`) that mails the link of row `id`, once.
pub(crate) async fn queue_link_mail(
    app: &App,
    kind: &str,
    payload: &impl serde::Serialize,
    id: i64,
) -> Result<(), AppError> {
    let now = app.now();
    let payload = serde_json::to_string(payload).map_err(|_| AppError::internal())?;
    app.store
        .enqueue(
            &stint_store::NewJob {
                kind: kind.to_string(),
                payload,
                dedupe_key: Some(format!("{kind}:{id}")),
                due_at: now,
                max_attempts: 5,
            },
            now,
        )
        .await?;
    Ok(())
}

/// `org`, if `actor` is one of its active admins; `NotFound` for everyone else.
pub(crate) async fn administered(
    app: &App,
    actor: &Account,
    org: OrgId,
) -> Result<OrgRecord, AppError> {
    let admin = app
        .store
        .memberships_of(actor.id)
        .await?
        .iter()
        .any(|m| m.org == org && m.role == OrgRole::Admin && m.is_active());
    if !admin {
        return Err(AppError::not_found("organisation"));
    }
    app.store
        .org(org)
        .await?
        .ok_or_else(|| AppError::not_found("organisation"))
}
