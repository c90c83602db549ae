//! Outcome bonuses as use cases: the mentee confirms the milestone while the window is open,
//! which pays the escrowed bonus to the mentor; once the window has closed, the worker
//! returns what nobody confirmed (`credits.expire`, hourly). The rules are
//! `stint_domain::ledger::bonus`; the store moves the credits once.

use crate::App;
use crate::bookings::visible;
use crate::error::AppError;
use stint_domain::account::Account;
use stint_domain::booking::BookingId;
use stint_domain::ledger::bonus::BonusState;

/// Bonuses returned per batch.
const BATCH: u32 = 200;

/// The mentee of `id` confirms they reached the session's milestone: its bonus goes to the
/// mentor, once. Only the mentee may (anyone else who can see the session: 403), only after
/// the session was closed and within the window.
#[tracing::instrument(skip_all, fields(booking = %id))]
pub async fn confirm(app: &App, viewer: &Account, id: BookingId) -> Result<(), AppError> {
    confirmable(app, viewer, id).await?;
    pay(app, id).await
}

/// Refuses, as [`confirm`] would, unless the viewer may confirm `id`'s milestone now. The
/// follow-up check-in asks this before it saves anything, then [`pay`]s.
pub(crate) async fn confirmable(
    app: &App,
    viewer: &Account,
    id: BookingId,
) -> Result<(), AppError> {
    let b = visible(app, viewer, id).await?;
    if viewer.id != b.mentee_id {
        return Err(AppError::forbidden());
    }
    let hold = app
        .store
        .booking_holds(&[id])
        .await?
        .into_iter()
        .next()
        .filter(|h| h.bonus > 0)
        .ok_or_else(|| AppError::conflict("bonus", "this session has no outcome bonus"))?;
    match (hold.bonus_state, hold.bonus_until) {
        (Some(BonusState::Paid), _) => Err(AppError::conflict(
            "bonus",
            "you confirmed the milestone already; the bonus was paid",
        )),
        (Some(BonusState::Returned), _) => Err(AppError::too_late(
            "bonus",
            "the bonus went back to your wallet: the session did not take place, or the window closed",
        )),
        (_, None) => Err(AppError::too_early(
            "bonus",
            "you can confirm the milestone once your mentor has closed the session",
        )),
        (_, Some(until)) if app.now() > until => Err(AppError::too_late(
            "bonus",
            format!(
                "the window to confirm closed on {}",
                until.strftime("%-d %B %Y")
            ),
        )),
        _ => Ok(()),
    }
}

/// Pays `id`'s escrowed bonus to its mentor, once ([`confirmable`] asked first).
pub(crate) async fn pay(app: &App, id: BookingId) -> Result<(), AppError> {
    if !app
        .store
        .pay_bonus(id, app.settings.platform_fee_basis_points, app.now())
        .await?
    {
        return Err(AppError::conflict(
            "bonus",
            "the bonus changed a moment ago; reload the session",
        ));
    }
    Ok(())
}

/// Returns every escrowed bonus whose window has closed to its payer: the bookings.
#[tracing::instrument(skip_all)]
pub async fn return_due(app: &App) -> Result<Vec<BookingId>, AppError> {
    let mut all = Vec::new();
    loop {
        let batch = app.store.return_due_bonuses(app.now(), BATCH).await?;
        let done = batch.len() < BATCH as usize;
        all.extend(batch);
        if done {
            break;
        }
    }
    if !all.is_empty() {
        tracing::info!(
            bonuses = all.len(),
            "outcome bonuses returned after their window"
        );
    }
    Ok(all)
}
