//! Bookings that wait for a sponsor admin's approval, where the budget asks for it: the
//! admins' list, approving or declining each once, and the lapse of a request nobody decided
//! in time (the `sponsor.approval_lapse` job, queued with the booking). Declining and lapsing
//! cancel the booking and give its credits back to the budget.

use super::administered;
use crate::App;
use crate::error::AppError;
use stint_domain::account::Account;
use stint_domain::booking::BookingId;
use stint_domain::ids::OrgId;
use stint_domain::sponsor::Approval;
use stint_store::sponsor::ApprovalRow;

pub use stint_store::sponsor::APPROVAL_LAPSE;

/// What `sponsor.approval_lapse` carries.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct LapseJob {
    pub booking: i64,
}

/// The requests waiting for a decision, the first to lapse first (its admins).
pub async fn pending(app: &App, admin: &Account, org: OrgId) -> Result<Vec<ApprovalRow>, AppError> {
    administered(app, admin, org).await?;
    Ok(app.store.pending_approvals(org).await?)
}

/// Approves or declines a request (its admins). A request decided already, or lapsed, is a
/// conflict; another organisation's is not found.
#[tracing::instrument(level = "debug", skip_all, fields(org = %org, booking = %booking))]
pub async fn decide(
    app: &App,
    admin: &Account,
    org: OrgId,
    booking: BookingId,
    approve: bool,
) -> Result<(), AppError> {
    administered(app, admin, org).await?;
    let decision = if approve {
        Approval::Approved
    } else {
        Approval::Declined
    };
    let decided = app
        .store
        .decide_approval(Some(org), booking, decision, app.now())
        .await
        .map_err(crate::error::missing("request"))?;
    if decided {
        Ok(())
    } else {
        Err(AppError::conflict(
            "approval",
            "this request was decided already or has lapsed",
        ))
    }
}

/// Lapses `booking`'s request if it is still undecided once due (the job's use case); nothing
/// happens to one decided meanwhile.
pub async fn lapse(app: &App, booking: BookingId) -> Result<bool, AppError> {
    match app
        .store
        .decide_approval(None, booking, Approval::Lapsed, app.now())
        .await
    {
        Ok(lapsed) => Ok(lapsed),
        Err(stint_store::StoreError::NotFound) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Where a budget-paid booking's approval stands, for the session's page.
#[derive(Debug, Clone)]
pub struct ApprovalState {
    pub org_name: String,
    pub approval: Approval,
    /// When an undecided request lapses.
    pub due: Option<jiff::Timestamp>,
}

/// The approval of `booking` if a budget that asks for it pays for it (someone who may see
/// the booking: its parties and operators); `None` otherwise.
pub async fn state_of(
    app: &App,
    viewer: &Account,
    booking: BookingId,
) -> Result<Option<ApprovalState>, AppError> {
    crate::bookings::visible(app, viewer, booking).await?;
    Ok(app.store.budget_hold_of(booking).await?.and_then(|h| {
        h.approval.map(|approval| ApprovalState {
            org_name: h.org_name,
            approval,
            due: h.approval_due,
        })
    }))
}
