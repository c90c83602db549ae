//! Refunds and corrections on both backends: a refund gives back only unspent credits of a
//! paid purchase, and its parts give back exactly the price; a correction gives credits in a
//! lot of their own or takes them from the lots that expire first, never more than there
//! are. Every one is recorded, and the ledger still agrees with the lots.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use stint_domain::ids::UserId;
use stint_domain::ledger::{Account, Pack};
use stint_store::adjustments::AdjustmentKind;
use stint_store::{Store, StoreError};

#[macro_use]
mod common;
use common::*;

conformance!(
    refunds_give_back_unspent_credits_and_exactly_the_price,
    corrections_give_and_take_and_never_overdraw,
);

async fn people(store: &dyn Store) -> (UserId, UserId) {
    let op = store
        .create_account(&new_account("op@example.com"), "h", t(0))
        .await
        .unwrap();
    let ana = store
        .create_account(&new_account("ana@example.com"), "h", t(0))
        .await
        .unwrap();
    (op.id, ana.id)
}

async fn refunds_give_back_unspent_credits_and_exactly_the_price(store: Arc<dyn Store>) {
    let (op, ana) = people(store.as_ref()).await;
    let pack = Pack {
        name: "Three".into(),
        credits: 3,
        price_minor: 10_000,
        currency: "EUR".into(),
        months_valid: Some(12),
        active: true,
    };
    let p = store.create_pack(&pack, t(0)).await.unwrap();
    let bought = store
        .create_purchase(ana, &p, "manual", t(0))
        .await
        .unwrap();
    // Not paid yet: nothing to refund.
    assert!(matches!(
        store.refund(op, bought.id, 1, "r", t(1)).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        store.refund(op, 9_999, 1, "r", t(1)).await,
        Err(StoreError::NotFound)
    ));
    store
        .mark_purchase_paid(bought.id, "INV", t(2))
        .await
        .unwrap();
    assert!(matches!(
        store.refund(op, bought.id, 4, "too many", t(3)).await,
        Err(StoreError::Invalid(_))
    ));
    let mut money = 0;
    for _ in 0..3 {
        let r = store
            .refund(op, bought.id, 1, "one at a time", t(4))
            .await
            .unwrap();
        assert_eq!(
            (r.kind, r.credits, r.user),
            (AdjustmentKind::Refund, -1, ana)
        );
        money += r.money.unwrap().minor;
    }
    assert_eq!(money, 10_000, "three thirds give back exactly the price");
    assert!(matches!(
        store.refund(op, bought.id, 1, "again", t(5)).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.ledger_balance(Account::Wallet(ana)).await.unwrap(), 0);
    assert_eq!(store.adjustments(10).await.unwrap().len(), 3);
    sound(store.as_ref()).await;
}

async fn corrections_give_and_take_and_never_overdraw(store: Arc<dyn Store>) {
    let (op, ana) = people(store.as_ref()).await;
    let wallet = Account::Wallet(ana);
    assert!(matches!(
        store.correct(op, ana, -1, "nothing there", t(1)).await,
        Err(StoreError::Insufficient { balance: 0, .. })
    ));
    assert!(matches!(
        store.correct(op, ana, 0, "zero", t(1)).await,
        Err(StoreError::Invalid(_))
    ));
    let given = store.correct(op, ana, 30, "goodwill", t(2)).await.unwrap();
    assert_eq!(
        (given.kind, given.credits),
        (AdjustmentKind::Correction, 30)
    );
    assert_eq!(store.ledger_balance(wallet).await.unwrap(), 30);
    let lots = store.lots_of(ana).await.unwrap();
    assert_eq!((lots.len(), lots[0].expires_at), (1, None));
    assert!(matches!(
        store.correct(op, ana, -31, "too much", t(3)).await,
        Err(StoreError::Insufficient { balance: 30, .. })
    ));
    store
        .correct(op, ana, -12, "double grant", t(4))
        .await
        .unwrap();
    assert_eq!(store.ledger_balance(wallet).await.unwrap(), 18);
    let listed = store.adjustments(10).await.unwrap();
    assert_eq!(
        listed.iter().map(|a| a.credits).collect::<Vec<_>>(),
        vec![-12, 30],
        "newest first"
    );
    assert_eq!(listed[0].reason, "double grant");
    sound(store.as_ref()).await;
}
