//! Booking "any mentor": of the mentors of the SKU free at the time asked, the **fair rule**
//! picks the one with the least load in the seven days around that time, load measured
//! against each mentor's own weekly cap as far as the operators' weight says
//! (`allocation_cap_weight`: at 0 every mentor counts sessions alike; at 100, the default,
//! three sessions weigh on a mentor capped at 5 a week as twelve do on one capped at 20);
//! mentors level on that are taken in turn (a rotation on the time), so a time several
//! mentors share never goes to the same one by default. Should the chosen mentor's time be
//! taken a moment later, the next in that order is tried.

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
/// The weekly capacity assumed for a mentor with no weekly cap.
const UNCAPPED_WEEK: u32 = 20;

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
    let sessions = app
        .store
        .busy_of(free, from, to)
        .await?
        .into_iter()
        .filter(|(_, busy)| busy.kind == BusyKind::Session)
        .map(|(mentor, busy)| (mentor, busy.start));
    let load = loads(free, sessions, start);
    let caps: HashMap<UserId, Option<u16>> = app
        .store
        .availability_of(free)
        .await?
        .into_iter()
        .map(|(m, rules)| (m, rules.caps.max_per_week))
        .collect();
    let score = weighted(&load, &caps, app.settings.allocation_cap_weight);
    Ok(by_rule(&score, start.as_second() / TURN_SECONDS))
}

/// Each load, with the session asked for, relative to the mentor's weekly capacity as far as
/// `weight` (percent) says: the capacity counted is `weight`% of the way from the same figure
/// for everyone ([`UNCAPPED_WEEK`]) to the mentor's own cap. Scaled to whole numbers, so
/// equal loads on equal capacities are equal.
fn weighted(
    load: &HashMap<UserId, usize>,
    caps: &HashMap<UserId, Option<u16>>,
    weight: u8,
) -> HashMap<UserId, u64> {
    let weight = u64::from(weight.min(100));
    load.iter()
        .map(|(m, n)| {
            let own = caps
                .get(m)
                .copied()
                .flatten()
                .map_or(UNCAPPED_WEEK, u32::from)
                .max(1);
            let capacity =
                (u64::from(UNCAPPED_WEEK) * (100 - weight) + u64::from(own) * weight).max(1);
            // The load once this session is theirs, so a roomier cap takes the first of
            // equals; scaled to keep ratios exact enough in whole numbers.
            let n = u64::try_from(*n).unwrap_or(u64::MAX / 100_000 - 1) + 1;
            (*m, n * 100_000 / capacity)
        })
        .collect()
}

/// Each of `free`'s load for a session at `start`: how many of `sessions` (mentor, start)
/// are theirs and start within [`LOAD_HALF_SPAN`] of it.
fn loads(
    free: &[UserId],
    sessions: impl IntoIterator<Item = (UserId, Timestamp)>,
    start: Timestamp,
) -> HashMap<UserId, usize> {
    let mut load: HashMap<UserId, usize> = free.iter().map(|m| (*m, 0)).collect();
    for (mentor, at) in sessions {
        if (at - start).abs() < LOAD_HALF_SPAN
            && let Some(n) = load.get_mut(&mentor)
        {
            *n += 1;
        }
    }
    load
}

/// The fair rule on known loads: least first; equals in turn, the rotation `turn` deciding
/// who leads.
fn by_rule<K: Ord + Copy + Default>(load: &HashMap<UserId, K>, turn: i64) -> Vec<UserId> {
    let mut order: Vec<UserId> = load.keys().copied().collect();
    order.sort();
    let n = i64::try_from(order.len()).unwrap_or(1).max(1);
    order.rotate_left(usize::try_from(turn.rem_euclid(n)).unwrap_or(0));
    // Stable: equals keep the rotation's order.
    order.sort_by_key(|m| load.get(m).copied().unwrap_or_default());
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

    /// 1,000 "any mentor" bookings at random quarter-hours over eight weeks, in random order,
    /// each given to whom the fair rule picks from those free then; the sessions each mentor
    /// ends with, and in each week.
    fn simulate(
        mentors: &[UserId],
        free: impl Fn(&mut fastrand::Rng) -> Vec<UserId>,
    ) -> Vec<(UserId, Timestamp)> {
        simulate_capped(mentors, &HashMap::new(), 100, free)
    }

    fn simulate_capped(
        mentors: &[UserId],
        caps: &HashMap<UserId, Option<u16>>,
        weight: u8,
        free: impl Fn(&mut fastrand::Rng) -> Vec<UserId>,
    ) -> Vec<(UserId, Timestamp)> {
        let epoch: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        let mut rng = fastrand::Rng::with_seed(20);
        let mut booked: Vec<(UserId, Timestamp)> = Vec::new();
        for _ in 0..1000 {
            let start = epoch + SignedDuration::from_secs(rng.i64(0..8 * 7 * 96) * TURN_SECONDS);
            let free = free(&mut rng);
            let load = loads(&free, booked.iter().copied(), start);
            let score = weighted(&load, caps, weight);
            let chosen = by_rule(&score, start.as_second() / TURN_SECONDS)[0];
            assert!(mentors.contains(&chosen));
            booked.push((chosen, start));
        }
        booked
    }

    fn spread(counts: &HashMap<UserId, usize>) -> usize {
        counts.values().max().unwrap() - counts.values().min().unwrap()
    }

    #[test]
    fn a_thousand_bookings_spread_evenly_among_mentors_free_alike() {
        let mentors: Vec<UserId> = (1..=5).map(UserId).collect();
        let booked = simulate(&mentors, |_| mentors.clone());
        let mut total: HashMap<UserId, usize> = HashMap::new();
        for (m, _) in &booked {
            *total.entry(*m).or_default() += 1;
        }
        // 200 each on average: no mentor more than 2% of the bookings from another.
        assert!(spread(&total) <= 20, "{total:?}");
        // Nor in any seven days, the span the rule counts (about 25 sessions each on
        // average): around every booked time, nobody has more than 1.7 times the average.
        // (Bookings come for times in any order, so a span is balanced only as well as the
        // bookings made before each of its sessions allowed.)
        let worst = booked
            .iter()
            .map(|(_, t)| {
                let load = loads(&mentors, booked.iter().copied(), *t);
                let most = load.values().copied().max().unwrap() as f64;
                let mean = load.values().sum::<usize>() as f64 / load.len() as f64;
                most / mean
            })
            .fold(0.0, f64::max);
        assert!(worst <= 1.7, "seven days with {worst:.2} times the average");
    }

    #[test]
    fn a_mentor_free_more_often_is_not_given_everything() {
        // Mentor 1 is free at every time asked; the other four each at half of them.
        let mentors: Vec<UserId> = (1..=5).map(UserId).collect();
        let booked = simulate(&mentors, |rng| {
            let mut free = vec![UserId(1)];
            free.extend((2..=5).map(UserId).filter(|_| rng.bool()));
            free
        });
        let ones = booked.iter().filter(|(m, _)| *m == UserId(1)).count();
        // Always asked, never always chosen: about a fifth to a quarter, never most.
        assert!((150..=350).contains(&ones), "mentor 1 took {ones} of 1,000");
    }

    fn counts(booked: &[(UserId, Timestamp)]) -> HashMap<UserId, usize> {
        let mut total: HashMap<UserId, usize> = HashMap::new();
        for (m, _) in booked {
            *total.entry(*m).or_default() += 1;
        }
        total
    }

    #[test]
    fn the_operators_weight_shares_bookings_by_weekly_caps() {
        // Mentor 1 takes up to 20 sessions a week, mentor 2 up to 5; both free alike.
        let mentors = [UserId(1), UserId(2)];
        let caps: HashMap<UserId, Option<u16>> = [(UserId(1), Some(20)), (UserId(2), Some(5))]
            .into_iter()
            .collect();
        // Weight 100: shares follow the caps, about four to one (80% for mentor 1, within
        // 8 points: bookings come for times in any order, so each seven days is only as
        // balanced as the bookings made before allowed; seed 20 gives 75%).
        let full = counts(&simulate_capped(&mentors, &caps, 100, |_| mentors.to_vec()));
        let (one, two) = (full[&UserId(1)], full[&UserId(2)]);
        assert!((720..=880).contains(&one) && one + two == 1000, "{full:?}");
        // Weight 0: caps do not count; sessions split evenly (within 2%).
        let none = counts(&simulate_capped(&mentors, &caps, 0, |_| mentors.to_vec()));
        assert!(spread(&none) <= 20, "{none:?}");
        // Half way: in between.
        let half = counts(&simulate_capped(&mentors, &caps, 50, |_| mentors.to_vec()));
        assert!(
            half[&UserId(1)] > none[&UserId(1)] && half[&UserId(1)] < one,
            "{half:?}"
        );
    }

    #[test]
    fn weights_are_whole_numbers_that_tie_when_loads_and_caps_do() {
        let load: HashMap<UserId, usize> = [(UserId(1), 3), (UserId(2), 3), (UserId(3), 15)]
            .into_iter()
            .collect();
        let caps: HashMap<UserId, Option<u16>> = [(UserId(1), Some(5)), (UserId(3), Some(20))]
            .into_iter()
            .collect();
        let w = weighted(&load, &caps, 100);
        // Four of five weigh as sixteen of twenty (the session asked for counted in each, so
        // 3 + 1 of 5 against 15 + 1 of 20); no cap counts as twenty.
        assert_eq!(w[&UserId(1)], w[&UserId(3)]);
        assert!(w[&UserId(2)] < w[&UserId(1)]);
        let flat = weighted(&load, &caps, 0);
        assert_eq!(flat[&UserId(1)], flat[&UserId(2)]);
    }
}
