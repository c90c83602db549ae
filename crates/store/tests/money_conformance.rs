//! Credit packs, purchases and lots on both backends: a purchase is credited once however
//! often (and however concurrently) it is marked paid, its credits land in a lot with the
//! pack's expiry, and the pack's later changes do not change what was bought.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use stint_domain::ledger::{Account, Pack, TransferKind};
use stint_store::ledger::Money;
use stint_store::money::{Paid, PurchaseState};
use stint_store::{Store, StoreError};

#[macro_use]
mod common;
use common::*;

conformance!(
    packs_are_listed_active_first_and_edited_in_place,
    a_purchase_marked_paid_ten_times_at_once_is_credited_once,
    lots_expire_once_into_the_expired_account,
);

fn pack(name: &str, credits: i64, price_minor: i64, months: Option<u32>) -> Pack {
    Pack {
        name: name.into(),
        credits,
        price_minor,
        currency: "EUR".into(),
        months_valid: months,
        active: true,
    }
}

async fn packs_are_listed_active_first_and_edited_in_place(store: Arc<dyn Store>) {
    let small = store
        .create_pack(&pack("Single", 30, 5_000, Some(6)), t(0))
        .await
        .unwrap();
    let big = store
        .create_pack(&pack("Ten", 300, 40_000, Some(12)), t(0))
        .await
        .unwrap();
    let listed: Vec<String> = store
        .packs(false)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.pack.name)
        .collect();
    assert_eq!(listed, ["Ten", "Single"], "cheapest per credit first");
    let retired = Pack {
        active: false,
        ..big.pack.clone()
    };
    store.update_pack(big.id, &retired, t(10)).await.unwrap();
    assert_eq!(store.packs(false).await.unwrap().len(), 1);
    assert_eq!(store.packs(true).await.unwrap().len(), 2);
    assert_eq!(store.pack(small.id).await.unwrap().unwrap(), small);
    assert!(matches!(
        store.update_pack(9_999, &retired, t(10)).await,
        Err(StoreError::NotFound)
    ));
}

async fn a_purchase_marked_paid_ten_times_at_once_is_credited_once(store: Arc<dyn Store>) {
    let ana = store
        .create_account(&new_account("ana@example.com"), "h", t(0))
        .await
        .unwrap();
    let p = store
        .create_pack(&pack("Starter", 90, 13_500, Some(12)), t(0))
        .await
        .unwrap();
    let bought = store
        .create_purchase(ana.id, &p, "manual", t(100))
        .await
        .unwrap();
    assert_eq!(bought.state, PurchaseState::Pending);
    // The pack changes after the purchase: the purchase keeps its terms.
    store
        .update_pack(p.id, &pack("Starter", 120, 20_000, Some(1)), t(150))
        .await
        .unwrap();

    let mut tasks = Vec::new();
    for i in 0..10 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .mark_purchase_paid(bought.id, &format!("INV-{i}"), t(200))
                .await
        }));
    }
    let mut now = 0;
    for task in tasks {
        match task.await.unwrap().unwrap() {
            Paid::Now(_) => now += 1,
            Paid::Already(p) => assert_eq!(p.state, PurchaseState::Paid),
        }
    }
    assert_eq!(now, 1, "credited once");
    let wallet = Account::Wallet(ana.id);
    assert_eq!(store.ledger_balance(wallet).await.unwrap(), 90);
    let entries = store.ledger_entries(wallet, None, 10).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].kind, TransferKind::Purchase);
    assert_eq!(
        entries[0].money,
        Some(Money {
            minor: 13_500,
            currency: "EUR".into()
        })
    );
    let lots = store.lots_of(ana.id).await.unwrap();
    assert_eq!(lots.len(), 1);
    assert_eq!((lots[0].credits, lots[0].remaining), (90, 90));
    assert_eq!(
        lots[0].expires_at,
        stint_domain::ledger::lot_expiry(t(200), Some(12)),
        "the pack's validity when it was bought"
    );
    let paid = store.purchase(bought.id).await.unwrap().unwrap();
    assert_eq!(
        (paid.state, paid.paid_at),
        (PurchaseState::Paid, Some(t(200)))
    );
    assert!(paid.provider_ref.starts_with("INV-"));
    assert_eq!(store.purchases_of(ana.id, 10).await.unwrap().len(), 1);
    assert!(
        store
            .purchases_in(PurchaseState::Pending, "manual", 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store.mark_purchase_paid(9_999, "", t(300)).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.ledger_violations().await.unwrap().is_empty());
}

async fn lots_expire_once_into_the_expired_account(store: Arc<dyn Store>) {
    let ana = store
        .create_account(&new_account("ana@example.com"), "h", t(0))
        .await
        .unwrap();
    let short = store
        .create_pack(&pack("Month", 30, 4_500, Some(1)), t(0))
        .await
        .unwrap();
    let long = store
        .create_pack(&pack("Never", 10, 1_500, None), t(0))
        .await
        .unwrap();
    for p in [&short, &long] {
        let bought = store
            .create_purchase(ana.id, p, "manual", t(0))
            .await
            .unwrap();
        store.mark_purchase_paid(bought.id, "", t(0)).await.unwrap();
    }
    let day = 86_400;
    assert!(
        store
            .expire_lots(t(20 * day), 100)
            .await
            .unwrap()
            .is_empty(),
        "not yet"
    );
    // Two workers at once: each lot expires once.
    let (a, b) = (store.clone(), store.clone());
    let (x, y) = tokio::join!(
        async move { a.expire_lots(t(40 * day), 100).await.unwrap() },
        async move { b.expire_lots(t(40 * day), 100).await.unwrap() }
    );
    let all: Vec<_> = x.into_iter().chain(y).collect();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!((all[0].user, all[0].credits), (ana.id, 30));
    let wallet = Account::Wallet(ana.id);
    assert_eq!(
        store.ledger_balance(wallet).await.unwrap(),
        10,
        "the lot that never expires stays"
    );
    assert_eq!(store.ledger_balance(Account::Expired).await.unwrap(), 30);
    assert_eq!(
        store.ledger_entries(wallet, None, 1).await.unwrap()[0].kind,
        TransferKind::Expiry
    );
    let lots = store.lots_of(ana.id).await.unwrap();
    assert_eq!(lots.len(), 1);
    assert_eq!(lots[0].expires_at, None);
    assert!(
        store
            .expire_lots(t(400 * day), 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.ledger_violations().await.unwrap().is_empty());
}
