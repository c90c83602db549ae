//! A seeded random simulation of the money in Stint, checked after every step against a
//! simple model: purchases, bookings (holds, some with an outcome bonus in escrow),
//! reschedules, cancels in time and late (each with its SKU version's late share), no-shows of
//! either side, closings, bonuses confirmed or returned after their window, expiries, refunds,
//! corrections and payouts, in any order. After
//! each step the accounts it touched hold what the model says; every thousand steps (and at
//! the end) every wallet's lots are compared too and both invariant checks must be clean.
//!
//! `STINT_SIMULATION_OPS` sets the number of steps (default: 100,000 on SQLite, 20,000 on
//! PostgreSQL, whose every commit is a network round trip); `STINT_SIMULATION_SEED` the seed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;
use std::sync::Arc;
use stint_domain::booking::{BookingId, NoShowSide};
use stint_domain::ids::UserId;
use stint_domain::ledger::{
    Account, Credits, HoldEnd, Lot, LotTake, Pack, bonus, refund_money, restore_to_lots,
    take_first_expiring,
};
use stint_domain::outcome::closing::{CheckpointResult, Closing};
use stint_store::payouts::Owed;
use stint_store::{BookingOutcome, CloseSession, NewBooking, Store, StoreError};

#[macro_use]
mod common;
use common::*;

mod sqlite {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_ledger_follows_the_model_through_a_random_simulation() {
        let db = stint_store::testing::fresh_sqlite();
        let store = crate::common::open(db.url()).await;
        super::simulate(store, super::ops(100_000)).await;
    }
}

mod postgres {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(peer_postgres),
        ignore = "needs PostgreSQL: set STINT_TEST_POSTGRES_URL"
    )]
    async fn the_ledger_follows_the_model_through_a_random_simulation() {
        let db = stint_store::testing::fresh_postgres().await;
        let store = crate::common::open(db.url()).await;
        super::simulate(store, super::ops(20_000)).await;
    }
}

fn ops(default: usize) -> usize {
    std::env::var("STINT_SIMULATION_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const MENTEES: usize = 6;
const MENTORS: usize = 5;
const FEE: u32 = 1_500;

/// A lot as the model keeps it.
#[derive(Debug, Clone)]
struct ModelLot {
    remaining: Credits,
    expires_at: Option<Timestamp>,
    purchase: Option<(i64, Credits, i64)>, // (purchase id, credits bought, price minor)
    refunded: Credits,
}

#[derive(Debug, Clone)]
struct ModelBooking {
    mentee: usize,
    mentor: usize,
    price: Credits,
    bonus: Credits,
    start: Timestamp,
    taken: Vec<LotTake>,
}

#[derive(Default)]
struct Model {
    /// Per mentee: lot id → lot.
    lots: Vec<BTreeMap<i64, ModelLot>>,
    earnings: Vec<Credits>,
    held: Credits,
    escrow: Credits,
    revenue: Credits,
    expired: Credits,
    open: BTreeMap<i64, ModelBooking>,
    /// Closed sessions whose bonus waits in escrow, with the end of its window.
    windows: BTreeMap<i64, (ModelBooking, Timestamp)>,
}

impl Model {
    fn wallet(&self, mentee: usize) -> Credits {
        self.lots[mentee].values().map(|l| l.remaining).sum()
    }

    fn spendable(&self, mentee: usize, now: Timestamp) -> Credits {
        self.lots[mentee]
            .values()
            .filter(|l| l.expires_at.is_none_or(|e| e > now))
            .map(|l| l.remaining)
            .sum()
    }

    fn domain_lots(&self, mentee: usize) -> Vec<Lot> {
        self.lots[mentee]
            .iter()
            .map(|(id, l)| Lot {
                id: *id,
                remaining: l.remaining,
                expires_at: l.expires_at,
            })
            .collect()
    }

    /// Ends booking `id`'s hold as `end` says, at `now`: a settled session's bonus waits for
    /// the mentee's word; any other ending gives it back with what the hold returns.
    fn end(&mut self, id: i64, end: HoldEnd, mentor_id: UserId, wallet: Account, now: Timestamp) {
        let Some(b) = self.open.remove(&id) else {
            return;
        };
        self.held -= b.price;
        let mut back = end.returned(b.price);
        if b.bonus > 0 {
            if matches!(end, HoldEnd::Settle { .. }) {
                self.windows.insert(id, (b.clone(), bonus::window_end(now)));
            } else {
                self.escrow -= b.bonus;
                back += b.bonus;
            }
        }
        for t in end.transfers(b.price, wallet, mentor_id) {
            match t.to {
                Account::Earnings(_) => self.earnings[b.mentor] += t.amount,
                Account::Revenue => self.revenue += t.amount,
                _ => {}
            }
        }
        self.restore(&b, back);
    }

    /// Gives `back` credits to the lots `b` took from, as the store does.
    fn restore(&mut self, b: &ModelBooking, back: Credits) {
        let taken: Vec<(Lot, Credits)> = b
            .taken
            .iter()
            .map(|t| {
                let l = &self.lots[b.mentee][&t.lot];
                (
                    Lot {
                        id: t.lot,
                        remaining: l.remaining,
                        expires_at: l.expires_at,
                    },
                    t.amount,
                )
            })
            .collect();
        for r in restore_to_lots(&taken, back) {
            if let Some(l) = self.lots[b.mentee].get_mut(&r.lot) {
                l.remaining += r.amount;
            }
        }
    }
}

struct World {
    store: Arc<dyn Store>,
    op: UserId,
    mentees: Vec<UserId>,
    mentors: Vec<UserId>,
    sku: stint_domain::ids::SkuId,
    packs: Vec<stint_store::money::PackRecord>,
}

async fn world(store: Arc<dyn Store>) -> World {
    let (c, cp) = seed_competency(store.as_ref()).await;
    let sku = store
        .create_sku("clinic", &content(c, cp, "Clinic"), None, t(0))
        .await
        .unwrap();
    let make = |prefix: &'static str, n: usize| {
        let store = store.clone();
        async move {
            let mut ids = Vec::new();
            for i in 0..n {
                let a = store
                    .create_account(&new_account(&format!("{prefix}{i}@example.com")), "h", t(0))
                    .await
                    .unwrap();
                ids.push(a.id);
            }
            ids
        }
    };
    let mentees = make("mentee", MENTEES).await;
    let mentors = make("mentor", MENTORS).await;
    let op = make("op", 1).await[0];
    let mut packs = Vec::new();
    for (credits, months) in [(10, Some(1)), (25, Some(3)), (7, None), (40, Some(12))] {
        let pack = Pack {
            name: format!("{credits}"),
            credits,
            price_minor: credits * 137,
            currency: "EUR".into(),
            months_valid: months,
            active: true,
        };
        packs.push(store.create_pack(&pack, t(0)).await.unwrap());
    }
    World {
        store,
        op,
        mentees,
        mentors,
        sku: sku.sku_id,
        packs,
    }
}

async fn simulate(store: Arc<dyn Store>, steps: usize) {
    let seed: u64 = std::env::var("STINT_SIMULATION_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_261_205);
    let mut rng = fastrand::Rng::with_seed(seed);
    let w = world(store).await;
    let s = w.store.clone();
    let mut m = Model {
        lots: vec![BTreeMap::new(); MENTEES],
        earnings: vec![0; MENTORS],
        ..Model::default()
    };
    let mut now = t(1_000);
    // Each booking gets a time of its own, so only money can refuse one.
    let mut next_slot = t(10 * 365 * 86_400);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for step in 0..steps {
        now = now.checked_add(SignedDuration::from_secs(60)).unwrap();
        let mentee = rng.usize(..MENTEES);
        let what = match rng.u32(..100) {
            0..=11 => "purchase",
            12..=44 => "book",
            45..=52 => "reschedule",
            53..=62 => "cancel",
            63..=67 => "no_show",
            68..=82 => "close",
            83..=85 => "expire",
            86 => "bonus",
            87..=90 => "refund",
            91..=96 => "correct",
            _ => "payout",
        };
        *counts.entry(what).or_default() += 1;
        match what {
            "purchase" => {
                let pack = &w.packs[rng.usize(..w.packs.len())];
                let p = s
                    .create_purchase(w.mentees[mentee], pack, "manual", now)
                    .await
                    .unwrap();
                s.mark_purchase_paid(p.id, "sim", now).await.unwrap();
                let lot = s
                    .lots_of(w.mentees[mentee])
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|l| l.purchase_id == Some(p.id))
                    .expect("the purchase's lot");
                m.lots[mentee].insert(
                    lot.id,
                    ModelLot {
                        remaining: p.credits,
                        expires_at: lot.expires_at,
                        purchase: Some((p.id, p.credits, p.price_minor)),
                        refunded: 0,
                    },
                );
            }
            "book" => {
                let mentor = rng.usize(..MENTORS);
                let price = rng.i64(1..=30);
                let bonus = if rng.u32(..4) == 0 {
                    rng.i64(1..=10)
                } else {
                    0
                };
                let total = price + bonus;
                next_slot = next_slot
                    .checked_add(SignedDuration::from_hours(2))
                    .unwrap();
                let new = NewBooking {
                    mentor_id: w.mentors[mentor],
                    mentee_id: w.mentees[mentee],
                    sku_id: w.sku,
                    sku_version: 1,
                    start: next_slot,
                    end: next_slot
                        .checked_add(SignedDuration::from_mins(30))
                        .unwrap(),
                    meeting_url: String::new(),
                    price,
                    bonus,
                };
                let can = m.spendable(mentee, now);
                match s.create_booking(&new, None, &naive, now).await {
                    Ok(BookingOutcome::Created(b)) => {
                        assert!(
                            can >= total,
                            "step {step}: booked {total} with {can} spendable"
                        );
                        let taken = take_first_expiring(&m.domain_lots(mentee), total, now)
                            .expect("the model agrees there is enough");
                        for tk in &taken {
                            m.lots[mentee].get_mut(&tk.lot).unwrap().remaining -= tk.amount;
                        }
                        m.held += price;
                        m.escrow += bonus;
                        m.open.insert(
                            b.id.0,
                            ModelBooking {
                                mentee,
                                mentor,
                                price,
                                bonus,
                                start: next_slot,
                                taken,
                            },
                        );
                    }
                    Err(StoreError::Insufficient {
                        balance, needed, ..
                    }) => {
                        assert!(
                            can < total,
                            "step {step}: refused {total} with {can} spendable"
                        );
                        assert_eq!((balance, needed), (can, total), "step {step}");
                    }
                    other => panic!("step {step}: booking ended with {other:?}"),
                }
            }
            "reschedule" | "cancel" | "no_show" | "close" => {
                let Some((&id, b)) = pick(&m.open, &mut rng) else {
                    continue;
                };
                let b = b.clone();
                let mentor_id = w.mentors[b.mentor];
                let payer = Account::Wallet(w.mentees[b.mentee]);
                let booking = BookingId(id);
                match what {
                    "reschedule" => {
                        next_slot = next_slot
                            .checked_add(SignedDuration::from_hours(2))
                            .unwrap();
                        let end = next_slot
                            .checked_add(SignedDuration::from_mins(30))
                            .unwrap();
                        s.reschedule_booking(
                            booking,
                            next_slot,
                            end,
                            w.mentees[b.mentee],
                            &naive,
                            now,
                        )
                        .await
                        .unwrap();
                        m.open.get_mut(&id).unwrap().start = next_slot;
                    }
                    "cancel" => {
                        let late = rng.bool();
                        let by_mentee = rng.bool();
                        // Each cancel as if its SKU version said another share.
                        let share = [0, 25, 50, 100][rng.usize(..4)];
                        let end = HoldEnd::on_cancel(late, by_mentee, share, FEE);
                        let actor = if by_mentee {
                            w.mentees[b.mentee]
                        } else {
                            mentor_id
                        };
                        s.cancel_booking(booking, actor, "sim", late, end, now)
                            .await
                            .unwrap();
                        m.end(id, end, mentor_id, payer, now);
                    }
                    "no_show" => {
                        let side = if rng.bool() {
                            NoShowSide::Mentee
                        } else {
                            NoShowSide::Mentor
                        };
                        let end = HoldEnd::on_no_show(side, FEE);
                        s.mark_no_show(booking, side, mentor_id, end, now)
                            .await
                            .unwrap();
                        m.end(id, end, mentor_id, payer, now);
                    }
                    _ => {
                        let end = HoldEnd::Settle {
                            fee_basis_points: FEE,
                        };
                        let closing = Closing {
                            checkpoint: CheckpointResult::Reached,
                            evidence: "sim".into(),
                            followup: "sim".into(),
                            tasks: vec![],
                        };
                        s.close_session(
                            &CloseSession {
                                booking,
                                closing: &closing,
                                artifacts: &[],
                                closed_by: mentor_id,
                                followup_opens_at: now,
                                hold: end,
                            },
                            now,
                        )
                        .await
                        .unwrap();
                        m.end(id, end, mentor_id, payer, now);
                    }
                }
                let _ = b.start;
            }
            "expire" => {
                now = now
                    .checked_add(SignedDuration::from_hours(24 * rng.i64(1..=20)))
                    .unwrap();
                let returned = s.return_due_bonuses(now, 10_000).await.unwrap();
                let due: Vec<i64> = m
                    .windows
                    .iter()
                    .filter(|(_, (_, until))| *until < now)
                    .map(|(id, _)| *id)
                    .collect();
                let mut got: Vec<i64> = returned.iter().map(|b| b.0).collect();
                got.sort();
                assert_eq!(got, due, "step {step}: bonuses returned");
                for id in due {
                    let (b, _) = m.windows.remove(&id).unwrap();
                    m.escrow -= b.bonus;
                    m.restore(&b, b.bonus);
                }
                let expired = s.expire_lots(now, 10_000).await.unwrap();
                let mut expected = 0;
                for lots in &mut m.lots {
                    for l in lots.values_mut() {
                        if l.expires_at.is_some_and(|e| e <= now) && l.remaining > 0 {
                            expected += l.remaining;
                            m.expired += l.remaining;
                            l.remaining = 0;
                        }
                    }
                }
                assert_eq!(
                    expired.iter().map(|e| e.credits).sum::<Credits>(),
                    expected,
                    "step {step}"
                );
            }
            "bonus" => {
                if m.windows.is_empty() {
                    continue;
                }
                let id = *m.windows.keys().nth(rng.usize(..m.windows.len())).unwrap();
                let (b, until) = m.windows[&id].clone();
                let paid = s.pay_bonus(BookingId(id), FEE, now).await.unwrap();
                assert_eq!(paid, now <= until, "step {step}: bonus of {id}");
                if paid {
                    m.windows.remove(&id);
                    m.escrow -= b.bonus;
                    for t in bonus::paid_transfers(b.bonus, w.mentors[b.mentor], FEE) {
                        match t.to {
                            Account::Earnings(_) => m.earnings[b.mentor] += t.amount,
                            Account::Revenue => m.revenue += t.amount,
                            _ => {}
                        }
                    }
                    // Paid once: asking again changes nothing.
                    assert!(!s.pay_bonus(BookingId(id), FEE, now).await.unwrap());
                }
            }
            "refund" => {
                let refundable: Vec<(i64, ModelLot)> = m.lots[mentee]
                    .iter()
                    .filter(|(_, l)| l.purchase.is_some())
                    .map(|(id, l)| (*id, l.clone()))
                    .collect();
                if refundable.is_empty() {
                    continue;
                }
                let (lot_id, lot) = refundable[rng.usize(..refundable.len())].clone();
                let (purchase, bought, price) = lot.purchase.unwrap();
                let credits = rng.i64(1..=bought);
                match s.refund(w.op, purchase, credits, "sim", now).await {
                    Ok(r) => {
                        assert!(credits <= lot.remaining, "step {step}");
                        assert_eq!(
                            r.money.unwrap().minor,
                            refund_money(price, bought, lot.refunded, credits),
                            "step {step}"
                        );
                        let l = m.lots[mentee].get_mut(&lot_id).unwrap();
                        l.remaining -= credits;
                        l.refunded += credits;
                    }
                    Err(StoreError::Invalid(_)) => {
                        assert!(credits > lot.remaining, "step {step}")
                    }
                    other => panic!("step {step}: refund ended with {other:?}"),
                }
            }
            "correct" => {
                let credits = if rng.bool() {
                    rng.i64(1..=20)
                } else {
                    -rng.i64(1..=20)
                };
                let before = m.wallet(mentee);
                match s
                    .correct(w.op, w.mentees[mentee], credits, "sim", now)
                    .await
                {
                    Ok(_) if credits > 0 => {
                        let lot = s
                            .lots_of(w.mentees[mentee])
                            .await
                            .unwrap()
                            .into_iter()
                            .filter(|l| l.purchase_id.is_none())
                            .max_by_key(|l| l.id)
                            .unwrap();
                        m.lots[mentee].insert(
                            lot.id,
                            ModelLot {
                                remaining: credits,
                                expires_at: None,
                                purchase: None,
                                refunded: 0,
                            },
                        );
                    }
                    Ok(_) => {
                        let takes =
                            take_first_expiring(&m.domain_lots(mentee), -credits, Timestamp::MIN)
                                .expect("the model agrees there is enough");
                        for tk in takes {
                            m.lots[mentee].get_mut(&tk.lot).unwrap().remaining -= tk.amount;
                        }
                    }
                    Err(StoreError::Insufficient { balance, .. }) => {
                        assert!(-credits > before, "step {step}");
                        assert_eq!(balance, before, "step {step}");
                    }
                    other => panic!("step {step}: correction ended with {other:?}"),
                }
            }
            _ => {
                let owed: Vec<Owed> = (0..MENTORS)
                    .filter(|i| m.earnings[*i] > 0)
                    .map(|i| Owed {
                        mentor: w.mentors[i],
                        credits: m.earnings[i],
                    })
                    .collect();
                if owed.is_empty() {
                    continue;
                }
                s.run_payouts(w.op, &owed, now).await.unwrap();
                m.earnings.iter_mut().for_each(|e| *e = 0);
            }
        }
        for (i, who) in w.mentees.iter().enumerate() {
            assert_eq!(
                s.ledger_balance(Account::Wallet(*who)).await.unwrap(),
                m.wallet(i),
                "step {step} ({what}): wallet of mentee {i}"
            );
        }
        assert_eq!(
            s.ledger_balance(Account::Held).await.unwrap(),
            m.held,
            "step {step} ({what}): held"
        );
        assert_eq!(
            s.ledger_balance(Account::BonusEscrow).await.unwrap(),
            m.escrow,
            "step {step} ({what}): bonus escrow"
        );
        if step % 1_000 == 999 || step + 1 == steps {
            check_everything(&w, &m, step).await;
        }
    }
    eprintln!("simulated {steps} steps: {counts:?}");
}

/// Some open booking, chosen at random.
fn pick<'a>(
    open: &'a BTreeMap<i64, ModelBooking>,
    rng: &mut fastrand::Rng,
) -> Option<(&'a i64, &'a ModelBooking)> {
    if open.is_empty() {
        return None;
    }
    open.iter().nth(rng.usize(..open.len()))
}

async fn check_everything(w: &World, m: &Model, step: usize) {
    let s = &w.store;
    for (i, who) in w.mentees.iter().enumerate() {
        let mut stored: Vec<(i64, Credits)> = s
            .lots_of(*who)
            .await
            .unwrap()
            .iter()
            .map(|l| (l.id, l.remaining))
            .collect();
        stored.sort();
        let modelled: Vec<(i64, Credits)> = m.lots[i]
            .iter()
            .filter(|(_, l)| l.remaining > 0)
            .map(|(id, l)| (*id, l.remaining))
            .collect();
        assert_eq!(stored, modelled, "step {step}: lots of mentee {i}");
    }
    for (i, who) in w.mentors.iter().enumerate() {
        assert_eq!(
            s.ledger_balance(Account::Earnings(*who)).await.unwrap(),
            m.earnings[i],
            "step {step}: earnings of mentor {i}"
        );
    }
    assert_eq!(
        s.ledger_balance(Account::Revenue).await.unwrap(),
        m.revenue,
        "step {step}: revenue"
    );
    assert_eq!(
        s.ledger_balance(Account::Expired).await.unwrap(),
        m.expired,
        "step {step}: expired"
    );
    assert_eq!(
        s.ledger_violations().await.unwrap(),
        Vec::<String>::new(),
        "step {step}"
    );
    assert_eq!(
        s.holding_violations().await.unwrap(),
        Vec::<String>::new(),
        "step {step}"
    );
}
