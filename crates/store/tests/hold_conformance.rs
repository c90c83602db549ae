//! Holds inside the booking claim, on both backends: a booking that costs credits holds its
//! price from the lots that expire first in the same write as the booking; too few credits
//! book nothing; 32 claims at once from a wallet that pays for three make exactly three
//! bookings, on the locked path (one mentor), the group commit (many mentors) and through
//! two nodes; each hold ends once, divided as the domain's `HoldEnd` says.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use stint_domain::booking::{BookingStatus, NoShowSide};
use stint_domain::ids::UserId;
use stint_domain::ledger::{Account, HoldEnd, Pack};
use stint_store::{BookingOutcome, IdempotencyKey, NewBooking, Store, StoreError};

#[macro_use]
mod common;
use common::*;

conformance!(
    a_booking_holds_its_price_from_the_lots_that_expire_first,
    too_few_credits_book_nothing_and_say_how_many_there_are,
    claims_on_one_mentor_from_a_wallet_for_three_hold_three,
    claims_on_many_mentors_from_a_wallet_for_three_hold_three,
    each_ending_divides_the_hold_once,
    the_checks_read_one_snapshot_while_claims_commit,
);
two_node_conformance!(claims_through_two_nodes_from_a_wallet_for_three_hold_three);

const PRICE: i64 = 5;

/// Credits `credits` to `who` in a lot that lasts `months`, as a paid purchase.
async fn fund(store: &dyn Store, who: UserId, credits: i64, months: u32, at: i64) {
    let pack = Pack {
        name: format!("{credits} for {months} months"),
        credits,
        price_minor: credits * 100,
        currency: "EUR".into(),
        months_valid: Some(months),
        active: true,
    };
    let p = store.create_pack(&pack, t(at)).await.unwrap();
    let bought = store
        .create_purchase(who, &p, "manual", t(at))
        .await
        .unwrap();
    store
        .mark_purchase_paid(bought.id, "INV", t(at))
        .await
        .unwrap();
}

fn priced(w: &Booked, start_min: i64) -> NewBooking {
    NewBooking {
        price: PRICE,
        bonus: 0,
        ..at(w, start_min, 30)
    }
}

async fn lots(store: &dyn Store, who: UserId) -> Vec<i64> {
    store
        .lots_of(who)
        .await
        .unwrap()
        .iter()
        .map(|l| l.remaining)
        .collect()
}

async fn a_booking_holds_its_price_from_the_lots_that_expire_first(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    fund(store.as_ref(), w.mentee, 10, 12, 0).await;
    fund(store.as_ref(), w.mentee, 4, 1, 1).await;
    let wallet = Account::Wallet(w.mentee);
    assert_eq!(store.ledger_balance(wallet).await.unwrap(), 14);

    let key = IdempotencyKey {
        key: "k1".into(),
        request_hash: "h".into(),
    };
    let b = match store
        .create_booking(&priced(&w, 600), Some(&key), &naive, t(10))
        .await
        .unwrap()
    {
        BookingOutcome::Created(b) => b,
        other => panic!("{other:?}"),
    };
    // The same request again replays the booking and holds nothing more.
    assert!(matches!(
        store
            .create_booking(&priced(&w, 600), Some(&key), &naive, t(10))
            .await
            .unwrap(),
        BookingOutcome::Replayed(_)
    ));
    assert_eq!(store.ledger_balance(wallet).await.unwrap(), 9);
    assert_eq!(store.ledger_balance(Account::Held).await.unwrap(), PRICE);
    // The one-month lot (4) went first, then 1 of the twelve-month lot.
    assert_eq!(lots(store.as_ref(), w.mentee).await, vec![9]);
    let entries = store.ledger_entries(wallet, None, 10).await.unwrap();
    assert_eq!(entries[0].amount, -PRICE);
    assert_eq!(entries[0].reference, format!("booking:{}", b.id.0));
    sound(store.as_ref()).await;

    // Cancelled in time: every credit back where it came from.
    store
        .cancel_booking(b.id, w.mentee, "ill", false, HoldEnd::Release, t(20))
        .await
        .unwrap();
    assert_eq!(store.ledger_balance(wallet).await.unwrap(), 14);
    assert_eq!(store.ledger_balance(Account::Held).await.unwrap(), 0);
    let mut left = lots(store.as_ref(), w.mentee).await;
    left.sort();
    assert_eq!(left, vec![4, 10]);
    sound(store.as_ref()).await;
}

async fn too_few_credits_book_nothing_and_say_how_many_there_are(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    // No wallet at all yet.
    match store
        .create_booking(&priced(&w, 600), None, &naive, t(10))
        .await
    {
        Err(StoreError::Insufficient {
            balance, needed, ..
        }) => assert_eq!((balance, needed), (0, PRICE)),
        other => panic!("{other:?}"),
    }
    fund(store.as_ref(), w.mentee, 4, 12, 0).await;
    match store
        .create_booking(&priced(&w, 600), None, &naive, t(10))
        .await
    {
        Err(StoreError::Insufficient {
            balance, needed, ..
        }) => assert_eq!((balance, needed), (4, PRICE)),
        other => panic!("{other:?}"),
    }
    assert!(store.bookings_of(w.mentee).await.unwrap().is_empty());
    assert_eq!(
        store
            .ledger_balance(Account::Wallet(w.mentee))
            .await
            .unwrap(),
        4
    );
    // A free session needs no credits.
    assert!(
        store
            .create_booking(&at(&w, 700, 30), None, &naive, t(10))
            .await
            .is_ok()
    );
    sound(store.as_ref()).await;
}

/// `claims` made at once (each on its own store of `stores`, in turn): how many were made.
async fn race(stores: &[Arc<dyn Store>], claims: Vec<NewBooking>) -> usize {
    let mut tasks = Vec::new();
    for (i, new) in claims.into_iter().enumerate() {
        let store = stores[i % stores.len()].clone();
        tasks.push(tokio::spawn(async move {
            store.create_booking(&new, None, &naive, t(10)).await
        }));
    }
    let mut made = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(BookingOutcome::Created(_)) => made += 1,
            Err(StoreError::Insufficient { .. }) => {}
            other => panic!("a racing claim ended with {other:?}"),
        }
    }
    made
}

async fn claims_on_one_mentor_from_a_wallet_for_three_hold_three(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    fund(store.as_ref(), w.mentee, 3 * PRICE, 12, 0).await;
    let claims = (0..32).map(|i| priced(&w, 600 + i * 60)).collect();
    assert_eq!(race(std::slice::from_ref(&store), claims).await, 3);
    assert_eq!(
        store
            .ledger_balance(Account::Wallet(w.mentee))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store.ledger_balance(Account::Held).await.unwrap(),
        3 * PRICE
    );
    assert_eq!(store.bookings_of(w.mentee).await.unwrap().len(), 3);
    sound(store.as_ref()).await;
}

/// One mentee and 32 mentors, each claim for another mentor: they meet in the group commit.
async fn many_mentors(store: &dyn Store) -> (Booked, Vec<NewBooking>) {
    let w = booking_world(store).await;
    fund(store, w.mentee, 3 * PRICE, 12, 0).await;
    let mut claims = Vec::new();
    for i in 0..32 {
        let mentor = store
            .create_account(&new_account(&format!("m{i}@example.com")), "h", t(0))
            .await
            .unwrap();
        claims.push(NewBooking {
            mentor_id: mentor.id,
            ..priced(&w, 600)
        });
    }
    (w, claims)
}

async fn claims_on_many_mentors_from_a_wallet_for_three_hold_three(store: Arc<dyn Store>) {
    let (w, claims) = many_mentors(store.as_ref()).await;
    assert_eq!(race(std::slice::from_ref(&store), claims).await, 3);
    assert_eq!(
        store
            .ledger_balance(Account::Wallet(w.mentee))
            .await
            .unwrap(),
        0
    );
    sound(store.as_ref()).await;
}

async fn claims_through_two_nodes_from_a_wallet_for_three_hold_three(
    a: Arc<dyn Store>,
    b: Arc<dyn Store>,
) {
    let (w, claims) = many_mentors(a.as_ref()).await;
    assert_eq!(race(&[a.clone(), b.clone()], claims).await, 3);
    assert_eq!(
        b.ledger_balance(Account::Wallet(w.mentee)).await.unwrap(),
        0
    );
    sound(a.as_ref()).await;
}

async fn each_ending_divides_the_hold_once(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    fund(store.as_ref(), w.mentee, 100, 12, 0).await;
    let wallet = Account::Wallet(w.mentee);
    let earnings = Account::Earnings(w.mentor);
    let book = |start| {
        let store = store.clone();
        let new = NewBooking {
            price: 20,
            bonus: 0,
            ..at(&w, start, 30)
        };
        async move {
            match store.create_booking(&new, None, &naive, t(10)).await {
                Ok(BookingOutcome::Created(b)) => b,
                other => panic!("{other:?}"),
            }
        }
    };
    let fee = 2_000; // 20%
    // A late cancel by the mentee: half to the mentor (less the fee), half back.
    let late = book(600).await;
    let ending = HoldEnd::on_cancel(true, true, 50, fee);
    store
        .cancel_booking(late.id, w.mentee, "late", true, ending, t(20))
        .await
        .unwrap();
    assert_eq!(store.ledger_balance(earnings).await.unwrap(), 8);
    assert_eq!(store.ledger_balance(Account::Revenue).await.unwrap(), 2);
    assert_eq!(store.ledger_balance(wallet).await.unwrap(), 90);
    // Cancelling again changes nothing.
    assert!(
        store
            .cancel_booking(late.id, w.mentee, "again", true, ending, t(21))
            .await
            .is_err()
    );
    assert_eq!(store.ledger_balance(wallet).await.unwrap(), 90);

    // A mentee no-show: all to the mentor, less the fee.
    let missed = book(700).await;
    let ending = HoldEnd::on_no_show(NoShowSide::Mentee, fee);
    let b = store
        .mark_no_show(missed.id, NoShowSide::Mentee, w.mentor, ending, t(30))
        .await
        .unwrap();
    assert_eq!(b.status, BookingStatus::NoShow);
    assert_eq!(store.ledger_balance(earnings).await.unwrap(), 8 + 16);
    assert_eq!(store.ledger_balance(Account::Revenue).await.unwrap(), 2 + 4);

    // A mentor no-show: all back.
    let absent = book(800).await;
    let ending = HoldEnd::on_no_show(NoShowSide::Mentor, fee);
    store
        .mark_no_show(absent.id, NoShowSide::Mentor, w.mentee, ending, t(30))
        .await
        .unwrap();
    assert_eq!(store.ledger_balance(wallet).await.unwrap(), 90 - 20);
    assert_eq!(store.ledger_balance(Account::Held).await.unwrap(), 0);
    sound(store.as_ref()).await;
}

/// `holding_violations` on a live system: claims commit all the while (eight mentors, one
/// after another), and not one check sees `held` out of step with the open holds, as it would
/// if its reads straddled a commit.
async fn the_checks_read_one_snapshot_while_claims_commit(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    fund(store.as_ref(), w.mentee, 100_000, 12, 0).await;
    let mut mentors = Vec::new();
    for i in 0..8 {
        let m = store
            .create_account(&new_account(&format!("live{i}@example.com")), "h", t(0))
            .await
            .unwrap();
        mentors.push(m.id);
    }
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let mut slot = 0;
            while started.elapsed() < std::time::Duration::from_millis(1500) {
                for mentor in &mentors {
                    let claim = NewBooking {
                        mentor_id: *mentor,
                        ..priced(&w, 600 + slot * 60)
                    };
                    store
                        .create_booking(&claim, None, &naive, t(0))
                        .await
                        .unwrap();
                }
                slot += 1;
            }
            slot
        })
    };
    let mut checks = 0;
    while !writer.is_finished() {
        assert_eq!(
            store.holding_violations().await.unwrap(),
            Vec::<String>::new(),
            "check {checks}"
        );
        checks += 1;
    }
    let rounds = writer.await.unwrap();
    assert!(
        rounds > 3 && checks > 10,
        "{rounds} rounds, {checks} checks"
    );
    sound(store.as_ref()).await;
}
