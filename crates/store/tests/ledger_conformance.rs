//! The credit ledger's storage on both backends: movements all or nothing and once per key,
//! balances that never go negative under racing spends (within one store and across two
//! nodes), statements with running balances, transfers the database will not change, and
//! `ledger_violations` finding what is broken.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::Timestamp;
use std::sync::Arc;
use stint_domain::ids::UserId;
use stint_domain::ledger::{Account, Transfer, TransferKind};
use stint_store::ledger::{Money, Moved, Movement};
use stint_store::{Store, StoreError};

#[macro_use]
mod common;

conformance!(
    a_movement_happens_once_and_all_or_nothing,
    racing_spends_from_one_wallet_never_overdraw_it,
    statements_show_every_entry_with_its_running_balance,
);
two_node_conformance!(racing_spends_through_two_nodes_never_overdraw_a_wallet);

with_url!(
    transfers_are_never_changed_or_deleted,
    violations_name_what_is_broken
);
const ANA: Account = Account::Wallet(UserId(1));
const MAYA: Account = Account::Earnings(UserId(2));

fn at() -> Timestamp {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

fn movement(key: &str, transfers: &[(Account, Account, i64, TransferKind)]) -> Movement {
    Movement {
        key: key.into(),
        transfers: transfers
            .iter()
            .map(|&(from, to, amount, kind)| Transfer {
                from,
                to,
                amount,
                kind,
            })
            .collect(),
        reference: String::new(),
        money: None,
    }
}

async fn buy(store: &Arc<dyn Store>, key: &str, credits: i64) {
    let mut m = movement(
        key,
        &[(Account::World, ANA, credits, TransferKind::Purchase)],
    );
    m.money = Some(Money {
        minor: credits * 150,
        currency: "EUR".into(),
    });
    assert_eq!(store.move_credits(&m, at()).await.unwrap(), Moved::Done);
}

async fn a_movement_happens_once_and_all_or_nothing(store: Arc<dyn Store>) {
    buy(&store, "purchase:1", 30).await;
    let again = movement(
        "purchase:1",
        &[(Account::World, ANA, 30, TransferKind::Purchase)],
    );
    assert_eq!(
        store.move_credits(&again, at()).await.unwrap(),
        Moved::AlreadyDone
    );
    assert_eq!(store.ledger_balance(ANA).await.unwrap(), 30);
    assert_eq!(store.ledger_balance(Account::World).await.unwrap(), -30);

    // The second leg cannot be paid: neither is written.
    let both = movement(
        "hold:1",
        &[
            (ANA, Account::Held, 20, TransferKind::Hold),
            (ANA, Account::BonusEscrow, 20, TransferKind::BonusEscrow),
        ],
    );
    match store.move_credits(&both, at()).await {
        Err(StoreError::Insufficient {
            account,
            balance,
            needed,
        }) => assert_eq!((account.as_str(), balance, needed), ("wallet:1", 10, 20)),
        other => panic!("expected Insufficient, got {other:?}"),
    }
    assert_eq!(store.ledger_balance(ANA).await.unwrap(), 30);
    assert_eq!(store.ledger_balance(Account::Held).await.unwrap(), 0);
    // A refused key is free to use again.
    let hold = movement("hold:1", &[(ANA, Account::Held, 20, TransferKind::Hold)]);
    assert_eq!(store.move_credits(&hold, at()).await.unwrap(), Moved::Done);

    for bad in [0, -4] {
        let m = movement("bad", &[(ANA, MAYA, bad, TransferKind::Correction)]);
        assert!(matches!(
            store.move_credits(&m, at()).await,
            Err(StoreError::Invalid(_))
        ));
    }
    let same = movement("same", &[(ANA, ANA, 1, TransferKind::Correction)]);
    assert!(matches!(
        store.move_credits(&same, at()).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(store.ledger_violations().await.unwrap().is_empty());
}

/// 32 holds of 10 at once from a wallet holding 30: exactly three are written.
async fn racing_spends_from_one_wallet_never_overdraw_it(store: Arc<dyn Store>) {
    race(store.clone(), store).await;
}

async fn racing_spends_through_two_nodes_never_overdraw_a_wallet(
    a: Arc<dyn Store>,
    b: Arc<dyn Store>,
) {
    race(a, b).await;
}

async fn race(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    buy(&a, "purchase:1", 30).await;
    let mut tasks = Vec::new();
    for i in 0..32 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let m = movement(
                &format!("hold:{i}"),
                &[(ANA, Account::Held, 10, TransferKind::Hold)],
            );
            store.move_credits(&m, at()).await
        }));
    }
    let mut made = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(Moved::Done) => made += 1,
            Err(StoreError::Insufficient { .. }) => {}
            other => panic!("a racing hold ended with {other:?}"),
        }
    }
    assert_eq!(made, 3);
    assert_eq!(a.ledger_balance(ANA).await.unwrap(), 0);
    assert_eq!(a.ledger_balance(Account::Held).await.unwrap(), 30);
    assert!(a.ledger_violations().await.unwrap().is_empty());
}

async fn statements_show_every_entry_with_its_running_balance(store: Arc<dyn Store>) {
    buy(&store, "purchase:1", 30).await;
    let hold = movement("hold:7", &[(ANA, Account::Held, 20, TransferKind::Hold)]);
    store.move_credits(&hold, at()).await.unwrap();
    let settle = movement(
        "settle:7",
        &[
            (Account::Held, MAYA, 16, TransferKind::Settle),
            (Account::Held, Account::Revenue, 4, TransferKind::Fee),
        ],
    );
    store.move_credits(&settle, at()).await.unwrap();
    let release = movement(
        "bonus:7",
        &[(Account::Revenue, ANA, 3, TransferKind::Correction)],
    );
    store.move_credits(&release, at()).await.unwrap();

    let entries = store.ledger_entries(ANA, None, 50).await.unwrap();
    let seen: Vec<(TransferKind, i64, i64)> = entries
        .iter()
        .map(|e| (e.kind, e.amount, e.balance))
        .collect();
    assert_eq!(
        seen,
        [
            (TransferKind::Correction, 3, 13),
            (TransferKind::Hold, -20, 10),
            (TransferKind::Purchase, 30, 30),
        ]
    );
    assert_eq!(entries[2].counterpart, Account::World);
    assert_eq!(
        entries[2].money,
        Some(Money {
            minor: 4500,
            currency: "EUR".into()
        })
    );
    let newest = store.ledger_entries(ANA, None, 1).await.unwrap();
    assert_eq!(newest.len(), 1);
    assert_eq!(newest[0].balance, 13);
    // An older page keeps the running balance of the whole statement.
    let older = store
        .ledger_entries(ANA, Some(newest[0].id), 1)
        .await
        .unwrap();
    assert_eq!((older[0].kind, older[0].balance), (TransferKind::Hold, 10));
    let oldest = store
        .ledger_entries(ANA, Some(older[0].id), 5)
        .await
        .unwrap();
    assert_eq!(oldest.iter().map(|e| e.balance).collect::<Vec<_>>(), [30]);
    let maya = store.ledger_entries(MAYA, None, 10).await.unwrap();
    assert_eq!(maya.len(), 1);
    assert_eq!((maya[0].amount, maya[0].counterpart), (16, Account::Held));
    assert!(
        store
            .ledger_entries(Account::Wallet(UserId(99)), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn transfers_are_never_changed_or_deleted(store: Arc<dyn Store>, url: String) {
    buy(&store, "purchase:1", 30).await;
    for sql in [
        "UPDATE ledger_transfers SET amount = 1",
        "DELETE FROM ledger_transfers",
    ] {
        assert!(
            stint_store::testing::execute_raw(&url, sql).await.is_err(),
            "{sql} was allowed"
        );
    }
    assert_eq!(store.ledger_balance(ANA).await.unwrap(), 30);
    assert!(
        stint_store::testing::execute_raw(
            &url,
            "UPDATE ledger_accounts SET balance = -1 WHERE name = 'wallet:1'"
        )
        .await
        .is_err(),
        "a negative wallet was allowed"
    );
}

async fn violations_name_what_is_broken(store: Arc<dyn Store>, url: String) {
    buy(&store, "purchase:1", 30).await;
    assert!(store.ledger_violations().await.unwrap().is_empty());
    // A balance changed outside a transfer (as a bad migration or a hand edit might).
    stint_store::testing::execute_raw(
        &url,
        "UPDATE ledger_accounts SET balance = 25 WHERE name = 'wallet:1'",
    )
    .await
    .unwrap();
    let found = store.ledger_violations().await.unwrap();
    assert!(
        found
            .iter()
            .any(|v| v.contains("wallet:1 holds 25 but its transfers add up to 30")),
        "{found:?}"
    );
    assert!(found.iter().any(|v| v.contains("sum to -5")), "{found:?}");
}
