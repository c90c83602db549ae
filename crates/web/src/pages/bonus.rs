//! The outcome bonus on the session page: where it stands, in words for each party, and the
//! mentee's button that confirms the milestone (`stint_app::money::bonus`).

use super::render::{PageResult, failure_for};
use crate::auth::PageUser;
use crate::auth::csrf::CsrfForm;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use stint_domain::booking::BookingId;
use stint_domain::ledger::bonus::BonusState;
use stint_store::ledger::HoldRecord;

/// Where `hold`'s bonus stands for the mentee or the mentor (`other` is the other party),
/// with dates in `tz`; empty without a bonus.
pub(crate) fn words(hold: &HoldRecord, is_mentor: bool, other: &str, tz: &TimeZone) -> String {
    let n = hold.bonus;
    if n == 0 {
        return String::new();
    }
    let credits = if n == 1 { "credit" } else { "credits" };
    let by = |t: Timestamp| {
        t.to_zoned_datetime(tz.clone())
            .strftime("%-d %B %Y")
            .to_string()
    };
    match (hold.bonus_state, hold.bonus_until, is_mentor) {
        (Some(BonusState::Escrowed), None, false) => format!(
            "{n} {credits} in escrow. Once {other} closes the session, confirm here that you reached \
             the milestone and they go to {other}; if you do not within 30 days, they come back to you."
        ),
        (Some(BonusState::Escrowed), None, true) => format!(
            "{n} {credits} in escrow, yours if {other} confirms the milestone within 30 days after you close the session."
        ),
        (Some(BonusState::Escrowed), Some(until), false) => format!(
            "{n} {credits} in escrow until {}: confirm below if you reached the milestone.",
            by(until)
        ),
        (Some(BonusState::Escrowed), Some(until), true) => format!(
            "{n} {credits} in escrow until {}, waiting for {other} to confirm the milestone.",
            by(until)
        ),
        (Some(BonusState::Paid), _, false) => {
            format!("{n} {credits} paid to {other}: you confirmed the milestone.")
        }
        (Some(BonusState::Paid), _, true) => format!(
            "{n} {credits} paid to you (less the platform's fee): {other} reached the milestone."
        ),
        (_, _, false) => format!("{n} {credits} back in your wallet."),
        (_, _, true) => format!("{n} {credits} returned to {other}."),
    }
}

/// Whether the mentee may confirm the milestone now.
pub(crate) fn can_confirm(hold: &HoldRecord, is_mentee: bool, now: Timestamp) -> bool {
    is_mentee
        && hold.bonus_state == Some(BonusState::Escrowed)
        && hold.bonus_until.is_some_and(|until| now <= until)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmFields {}

/// The mentee's "I reached the milestone" button.
pub async fn confirm(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<ConfirmFields>,
) -> PageResult {
    stint_app::money::bonus::confirm(&state, &me, BookingId(id))
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    Ok(Redirect::to(&format!("/sessions/{id}?bonus=paid")).into_response())
}
