//! Booking "any mentor": of the mentors of the SKU free at the time asked, the **fair rule**
//! picks the one with the fewest sessions in the seven days around that time; mentors level
//! on that are taken in turn (a rotation on the time), so a time several mentors share never
//! goes to the same one by default. Should the chosen mentor's time be taken a moment later,
//! the next in that order is tried.

use crate::App;
use crate::catalog_read::{bookable_sku, mentors_to_search};
use crate::error::AppError;
use crate::scheduling::{BookRequest, Booked, claim, offers, parse_start};
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::ids::UserId;
use stint_domain::schedule::BusyKind;

/// Mentors tried before the time counts as taken.
const TRIES: usize = 3;
/// Half the span whose sessions count as a mentor's load.
const LOAD_HALF_SPAN: SignedDuration = SignedDuration::from_hours(84);
/// The rotation among equals moves on every quarter of an hour of start time.
const TURN_SECONDS: i64 = 900;

/// Books `req` (whose `mentor_id` is `None`) with a mentor chosen by the fair rule.
pub(crate) async fn claim_any(
    app: &App,
    mentee: &Account,
    req: &BookRequest<'_>,
) -> Result<Booked, AppError> {
    let start = parse_start(req.start).map_err(AppError::validation)?;
    // A retry of a request already booked replays it, whoever is free now.
    if let Some(key) = req.idempotency_key
        && let Some(made) = app.store.booking_by_key(mentee.id, key).await?
    {
        return claim(app, mentee, req, made.mentor_id).await;
    }
    let sku = bookable_sku(app, req.sku_slug).await.map_err(|e| {
        if e.is(crate::ErrorKind::NotFound) {
            AppError::validation(FieldErrors::single("sku", "is not a session type on offer"))
        } else {
            e
        }
    })?;
    let mentors: Vec<_> = mentors_to_search(app, &sku, None)
        .await?
        .into_iter()
        .filter(|m| m.user_id != mentee.id)
        .collect();
    let just_after = start
        .saturating_add(SignedDuration::from_secs(1))
        .unwrap_or(start);
    let free: Vec<UserId> = offers(app, &sku, &mentors, start, just_after)
        .await?
        .into_iter()
        .filter(|o| o.slot.start == start)
        .map(|o| o.mentor_id)
        .collect();
    let mut last = AppError::slot_taken();
    for mentor in fair_order(app, &free, start).await?.into_iter().take(TRIES) {
        match claim(app, mentee, req, mentor).await {
            Err(e) if e.code == "slot_taken" => last = e,
            done => return done,
        }
    }
    Err(last)
}

/// `free` in the order the fair rule tries them for a session at `start`.
async fn fair_order(app: &App, free: &[UserId], start: Timestamp) -> Result<Vec<UserId>, AppError> {
    if free.len() < 2 {
        return Ok(free.to_vec());
    }
    let from = start.saturating_sub(LOAD_HALF_SPAN).unwrap_or(start);
    let to = start.saturating_add(LOAD_HALF_SPAN).unwrap_or(start);
    let mut load: HashMap<UserId, usize> = free.iter().map(|m| (*m, 0)).collect();
    for (mentor, busy) in app.store.busy_of(free, from, to).await? {
        if busy.kind == BusyKind::Session {
            *load.entry(mentor).or_default() += 1;
        }
    }
    Ok(by_rule(&load, start.as_second() / TURN_SECONDS))
}

/// The fair rule on known loads: fewest sessions first; equals in turn, the rotation `turn`
/// deciding who leads.
fn by_rule(load: &HashMap<UserId, usize>, turn: i64) -> Vec<UserId> {
    let mut order: Vec<UserId> = load.keys().copied().collect();
    order.sort();
    let n = i64::try_from(order.len()).unwrap_or(1).max(1);
    order.rotate_left(usize::try_from(turn.rem_euclid(n)).unwrap_or(0));
    // Stable: equals keep the rotation's order.
    order.sort_by_key(|m| load.get(m).copied().unwrap_or(0));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_loaded_leads_and_equals_take_turns() {
        let load: HashMap<UserId, usize> = [(UserId(1), 2), (UserId(2), 0), (UserId(3), 0)]
            .into_iter()
            .collect();
        assert_eq!(by_rule(&load, 0), [UserId(2), UserId(3), UserId(1)]);
        assert_eq!(by_rule(&load, 1), [UserId(2), UserId(3), UserId(1)]);
        assert_eq!(by_rule(&load, 2), [UserId(3), UserId(2), UserId(1)]);
        let even: HashMap<UserId, usize> = [(UserId(7), 1), (UserId(9), 1)].into_iter().collect();
        let leads: Vec<UserId> = (0..4).map(|t| by_rule(&even, t)[0]).collect();
        assert_eq!(leads, [UserId(7), UserId(9), UserId(7), UserId(9)]);
    }
}
