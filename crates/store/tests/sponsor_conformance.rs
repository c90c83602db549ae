//! Bookings a sponsor's budget pays for, on both backends and through two nodes: the hold,
//! the member's cap for the period and the budget are checked in the booking's own write, so
//! 64 claims at once from 32 members (two each) against a budget for five sessions and a cap
//! of one per member make exactly five bookings, never two for one member; with a budget for
//! more, exactly one per member. A hold's release gives the budget and the cap back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;
use stint_domain::booking::BookingStatus;
use stint_domain::ids::{OrgId, UserId};
use stint_domain::ledger::{Account, HoldEnd};
use stint_domain::sponsor::{Approval, BudgetRules, Leftover, OrgRole, PayRefusal, Period};
use stint_store::sponsor::BudgetCharge;
use stint_store::{BookingOutcome, NewBooking, Store, StoreError};

#[macro_use]
mod common;
use common::*;

conformance!(
    a_budget_for_five_books_five_whatever_the_race,
    a_cap_of_one_books_one_per_member_whatever_the_race,
    a_release_gives_the_budget_and_the_cap_back,
    refusals_name_their_reason_and_write_nothing,
    funding_is_credited_once,
    an_undecided_request_lapses_and_gives_everything_back,
    what_is_left_expires_once_when_a_period_ends,
);
two_node_conformance!(a_budget_for_five_books_five_through_two_nodes);

const PRICE: i64 = 5;
/// The period every test books in: the month of `t(0)`.
const PERIOD: i64 = 0;

struct World {
    base: Booked,
    org: OrgId,
    members: Vec<UserId>,
    mentors: Vec<UserId>,
}

/// An organisation whose budget holds `sessions` sessions' worth, paying for the clinic with
/// a cap of one session per member per month, its 32 members, and 8 mentors.
async fn world(store: &dyn Store, sessions: i64) -> World {
    let base = booking_world(store).await;
    let admin = store
        .create_account(&new_account("admin@acme.example"), "h", t(0))
        .await
        .unwrap();
    let org = store.create_org("Acme", admin.id, t(0)).await.unwrap().id;
    let rules = BudgetRules {
        period: Period::Month,
        leftover: Leftover::RollOver,
        cap_credits: PRICE,
        cap_sessions: 1,
        skus: [base.sku].into_iter().collect(),
        approval_hours: None,
    };
    store.set_budget_rules(org, &rules, t(0)).await.unwrap();
    let funding = store
        .request_funding(org, sessions * PRICE, "INV-1", admin.id, t(0))
        .await
        .unwrap();
    store.mark_funding_paid(funding.id, t(0)).await.unwrap();
    let mut members = Vec::new();
    for i in 0..32 {
        let m = store
            .create_account(&new_account(&format!("member{i}@acme.example")), "h", t(0))
            .await
            .unwrap();
        store
            .add_member(org, m.id, OrgRole::Member, t(0))
            .await
            .unwrap();
        members.push(m.id);
    }
    let mut mentors = vec![base.mentor];
    for i in 1..8 {
        let m = store
            .create_account(&new_account(&format!("mentor{i}@example.com")), "h", t(0))
            .await
            .unwrap();
        mentors.push(m.id);
    }
    World {
        base,
        org,
        members,
        mentors,
    }
}

/// Member `i`'s `nth` claim: each on its own mentor and time, so only money and caps refuse.
fn claim(w: &World, i: usize, nth: usize) -> NewBooking {
    let slot = (i * 2 + nth) as i64;
    NewBooking {
        mentor_id: w.mentors[slot as usize % w.mentors.len()],
        mentee_id: w.members[i],
        price: PRICE,
        bonus: 0,
        ..at(&w.base, 600 + slot * 60, 30)
    }
}

fn charge(w: &World) -> BudgetCharge {
    BudgetCharge {
        org: w.org,
        period_start: t(PERIOD),
    }
}

/// Two claims from each member at once (spread over `stores`): the bookings made, by member.
async fn race(stores: &[Arc<dyn Store>], w: &World) -> HashMap<UserId, usize> {
    let mut tasks = Vec::new();
    for i in 0..w.members.len() {
        for nth in 0..2 {
            let store = stores[(i + nth) % stores.len()].clone();
            let new = claim(w, i, nth);
            let charge = charge(w);
            tasks.push(tokio::spawn(async move {
                store
                    .create_sponsored_booking(&new, None, &naive, charge, t(10))
                    .await
                    .map(|o| (new.mentee_id, o))
            }));
        }
    }
    let mut made: HashMap<UserId, usize> = HashMap::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok((who, BookingOutcome::Created(_))) => *made.entry(who).or_default() += 1,
            Err(StoreError::Conflict {
                field: "paid_by",
                message,
            }) => assert!(
                message == PayRefusal::BudgetSpent.as_str()
                    || message == PayRefusal::CapReached.as_str(),
                "{message}"
            ),
            other => panic!("a racing claim ended with {other:?}"),
        }
    }
    made
}

async fn five_of_five(stores: &[Arc<dyn Store>]) {
    let store = stores[0].as_ref();
    let w = world(store, 5).await;
    let made = race(stores, &w).await;
    assert_eq!(made.values().sum::<usize>(), 5, "{made:?}");
    assert!(made.values().all(|n| *n == 1), "{made:?}");
    assert_eq!(
        store.ledger_balance(Account::Budget(w.org)).await.unwrap(),
        0
    );
    assert_eq!(
        store.ledger_balance(Account::Held).await.unwrap(),
        5 * PRICE
    );
    // No member's wallet paid anything.
    for m in &w.members {
        assert_eq!(store.ledger_balance(Account::Wallet(*m)).await.unwrap(), 0);
    }
    sound(store).await;
}

async fn a_budget_for_five_books_five_whatever_the_race(store: Arc<dyn Store>) {
    five_of_five(&[store]).await;
}

async fn a_budget_for_five_books_five_through_two_nodes(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    five_of_five(&[a, b]).await;
}

async fn a_cap_of_one_books_one_per_member_whatever_the_race(store: Arc<dyn Store>) {
    let w = world(store.as_ref(), 100).await;
    let made = race(std::slice::from_ref(&store), &w).await;
    assert_eq!(made.len(), 32, "{made:?}");
    assert!(made.values().all(|n| *n == 1), "{made:?}");
    assert_eq!(
        store.ledger_balance(Account::Budget(w.org)).await.unwrap(),
        (100 - 32) * PRICE
    );
    for m in &w.members {
        assert_eq!(
            store.budget_usage(w.org, *m, t(PERIOD)).await.unwrap(),
            (PRICE, 1)
        );
    }
    sound(store.as_ref()).await;
}

async fn book(
    store: &dyn Store,
    w: &World,
    i: usize,
    nth: usize,
) -> Result<BookingOutcome, StoreError> {
    store
        .create_sponsored_booking(&claim(w, i, nth), None, &naive, charge(w), t(10))
        .await
}

fn refusal(r: Result<BookingOutcome, StoreError>) -> String {
    match r {
        Err(StoreError::Conflict {
            field: "paid_by",
            message,
        }) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn a_release_gives_the_budget_and_the_cap_back(store: Arc<dyn Store>) {
    let w = world(store.as_ref(), 5).await;
    let Ok(BookingOutcome::Created(b)) = book(store.as_ref(), &w, 0, 0).await else {
        panic!("the first booking was refused");
    };
    assert_eq!(
        refusal(book(store.as_ref(), &w, 0, 1).await),
        PayRefusal::CapReached.as_str()
    );
    store
        .cancel_booking(
            b.id,
            w.members[0],
            "in time",
            false,
            HoldEnd::Release,
            t(20),
        )
        .await
        .unwrap();
    assert_eq!(
        store.ledger_balance(Account::Budget(w.org)).await.unwrap(),
        5 * PRICE
    );
    assert_eq!(
        store
            .budget_usage(w.org, w.members[0], t(PERIOD))
            .await
            .unwrap(),
        (0, 0)
    );
    // The cap is free again.
    assert!(matches!(
        book(store.as_ref(), &w, 0, 1).await,
        Ok(BookingOutcome::Created(_))
    ));
    // A member who leaves keeps what was booked and books nothing more with the budget.
    assert!(store.leave_org(w.org, w.members[0], t(30)).await.unwrap());
    assert_eq!(store.bookings_of(w.members[0]).await.unwrap().len(), 2);
    let held = store.booking_holds(&[b.id]).await.unwrap();
    assert_eq!(held[0].payer, Account::Budget(w.org));
    assert_eq!(
        refusal(book(store.as_ref(), &w, 0, 0).await),
        PayRefusal::NotAMember.as_str()
    );
    sound(store.as_ref()).await;
}

async fn refusals_name_their_reason_and_write_nothing(store: Arc<dyn Store>) {
    let w = world(store.as_ref(), 5).await;
    let outsider = store
        .create_account(&new_account("outsider@example.com"), "h", t(0))
        .await
        .unwrap();
    let mut stranger = claim(&w, 1, 0);
    stranger.mentee_id = outsider.id;
    let r = store
        .create_sponsored_booking(&stranger, None, &naive, charge(&w), t(10))
        .await;
    assert_eq!(refusal(r), PayRefusal::NotAMember.as_str());
    // Another session type than the budget pays for.
    let (c, cp) = (
        store.competencies().await.unwrap()[0].id,
        store.competencies().await.unwrap()[0].checkpoints[0].id,
    );
    let other = store
        .create_sku("other", &content(c, cp, "Other"), None, t(0))
        .await
        .unwrap();
    let mut off_list = claim(&w, 1, 0);
    off_list.sku_id = other.sku_id;
    let r = store
        .create_sponsored_booking(&off_list, None, &naive, charge(&w), t(10))
        .await;
    assert_eq!(refusal(r), PayRefusal::SkuNotAllowed.as_str());
    // More than a whole cap.
    let mut dear = claim(&w, 1, 0);
    dear.price = PRICE + 1;
    let r = store
        .create_sponsored_booking(&dear, None, &naive, charge(&w), t(10))
        .await;
    assert_eq!(refusal(r), PayRefusal::OverCap.as_str());
    // Nothing of any of them was written.
    for who in [outsider.id, w.members[1]] {
        assert!(store.bookings_of(who).await.unwrap().is_empty());
    }
    assert_eq!(
        store.ledger_balance(Account::Budget(w.org)).await.unwrap(),
        5 * PRICE
    );
    assert_eq!(
        store
            .budget_usage(w.org, w.members[1], t(PERIOD))
            .await
            .unwrap(),
        (0, 0)
    );
    sound(store.as_ref()).await;
}

async fn funding_is_credited_once(store: Arc<dyn Store>) {
    let w = world(store.as_ref(), 5).await;
    let pending = store
        .request_funding(w.org, 40, "INV-2", w.members[0], t(50))
        .await
        .unwrap();
    assert_eq!(store.fundings(None).await.unwrap().len(), 1);
    store.mark_funding_paid(pending.id, t(60)).await.unwrap();
    assert!(matches!(
        store.mark_funding_paid(pending.id, t(61)).await,
        Err(StoreError::Conflict {
            field: "funding",
            ..
        })
    ));
    assert!(matches!(
        store.mark_funding_paid(9_999, t(61)).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.ledger_balance(Account::Budget(w.org)).await.unwrap(),
        5 * PRICE + 40
    );
    assert!(store.fundings(None).await.unwrap().is_empty());
    assert_eq!(store.fundings(Some(w.org)).await.unwrap().len(), 2);
    sound(store.as_ref()).await;
}

async fn an_undecided_request_lapses_and_gives_everything_back(store: Arc<dyn Store>) {
    let w = world(store.as_ref(), 5).await;
    let mut rules = store.org(w.org).await.unwrap().unwrap().rules.unwrap();
    rules.approval_hours = Some(1);
    store.set_budget_rules(w.org, &rules, t(0)).await.unwrap();
    let made = |r: Result<BookingOutcome, StoreError>| match r {
        Ok(BookingOutcome::Created(b)) => b,
        other => panic!("{other:?}"),
    };
    let approved = made(book(store.as_ref(), &w, 0, 0).await);
    let lapsing = made(book(store.as_ref(), &w, 1, 0).await);
    assert_eq!(store.pending_approvals(w.org).await.unwrap().len(), 2);
    assert_eq!(
        store.ledger_balance(Account::Budget(w.org)).await.unwrap(),
        3 * PRICE
    );
    // Approved once; a second decision changes nothing.
    assert!(
        store
            .decide_approval(Some(w.org), approved.id, Approval::Approved, t(20))
            .await
            .unwrap()
    );
    assert!(
        !store
            .decide_approval(Some(w.org), approved.id, Approval::Declined, t(21))
            .await
            .unwrap()
    );
    // Another organisation cannot decide it.
    assert!(matches!(
        store
            .decide_approval(
                Some(OrgId(w.org.0 + 1)),
                lapsing.id,
                Approval::Approved,
                t(22)
            )
            .await,
        Err(StoreError::NotFound)
    ));
    // Not due yet: nothing lapses.
    assert!(
        !store
            .decide_approval(None, lapsing.id, Approval::Lapsed, t(30))
            .await
            .unwrap()
    );
    // Due (an hour after it was asked): the booking is cancelled, budget and cap come back.
    assert!(
        store
            .decide_approval(None, lapsing.id, Approval::Lapsed, t(10 + 3600))
            .await
            .unwrap()
    );
    let after = store.booking(lapsing.id).await.unwrap().unwrap();
    assert_eq!(after.status, BookingStatus::Cancelled);
    assert_eq!(
        store.ledger_balance(Account::Budget(w.org)).await.unwrap(),
        4 * PRICE
    );
    assert_eq!(
        store
            .budget_usage(w.org, w.members[1], t(PERIOD))
            .await
            .unwrap(),
        (0, 0)
    );
    assert!(store.pending_approvals(w.org).await.unwrap().is_empty());
    // The lapse's job was queued with the booking.
    let queued = store.jobs(None, None, 100).await.unwrap();
    assert_eq!(
        queued
            .iter()
            .filter(|j| j.kind == stint_store::sponsor::APPROVAL_LAPSE)
            .count(),
        2
    );
    sound(store.as_ref()).await;
}

async fn what_is_left_expires_once_when_a_period_ends(store: Arc<dyn Store>) {
    let w = world(store.as_ref(), 5).await;
    let mut rules = store.org(w.org).await.unwrap().unwrap().rules.unwrap();
    rules.leftover = Leftover::Expire;
    store.set_budget_rules(w.org, &rules, t(5)).await.unwrap();
    let Ok(BookingOutcome::Created(b)) = book(store.as_ref(), &w, 0, 0).await else {
        panic!("the booking was refused");
    };
    // The period the rules were set in is not closed again.
    assert_eq!(
        store
            .close_budget_period(w.org, Period::Month.start(t(5)), t(20))
            .await
            .unwrap(),
        None
    );
    // The next month: the last one's 4 sessions' worth left expires, once; its own funding
    // stays.
    let feb = Period::Month.end(t(5));
    let funding = store
        .request_funding(w.org, 7, "FEB", w.members[0], feb)
        .await
        .unwrap();
    store.mark_funding_paid(funding.id, feb).await.unwrap();
    assert_eq!(
        store.close_budget_period(w.org, feb, feb).await.unwrap(),
        Some(4 * PRICE)
    );
    assert_eq!(
        store.close_budget_period(w.org, feb, feb).await.unwrap(),
        None
    );
    assert_eq!(
        store.ledger_balance(Account::Budget(w.org)).await.unwrap(),
        7
    );
    assert_eq!(
        store.ledger_balance(Account::Expired).await.unwrap(),
        4 * PRICE
    );
    // A hold released later comes back to the budget.
    store
        .cancel_booking(b.id, w.members[0], "in time", false, HoldEnd::Release, feb)
        .await
        .unwrap();
    assert_eq!(
        store.ledger_balance(Account::Budget(w.org)).await.unwrap(),
        7 + PRICE
    );
    sound(store.as_ref()).await;
}
