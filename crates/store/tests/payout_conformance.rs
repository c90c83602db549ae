//! Payouts on both backends: a run pays each mentor what it names from their earnings, all or
//! nothing; never more than a mentor is owed, even with two runs at once; the run's rows and
//! the mentor's earnings history read back what happened.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use stint_domain::ids::UserId;
use stint_domain::ledger::{Account, Transfer, TransferKind};
use stint_store::ledger::Movement;
use stint_store::payouts::Owed;
use stint_store::{Store, StoreError};

#[macro_use]
mod common;
use common::*;

conformance!(
    a_run_pays_what_it_names_and_no_more_than_is_owed,
    two_runs_at_once_never_pay_more_than_is_owed,
);

/// `mentor` earns `credits` (as if from a settled session, straight through the ledger).
async fn earn(store: &dyn Store, key: &str, mentor: UserId, credits: i64) {
    let movement = Movement {
        key: key.into(),
        transfers: vec![Transfer {
            from: Account::World,
            to: Account::Earnings(mentor),
            amount: credits,
            kind: TransferKind::Correction,
        }],
        reference: String::new(),
        money: None,
    };
    store.move_credits(&movement, t(0)).await.unwrap();
}

async fn people(store: &dyn Store) -> (UserId, UserId, UserId) {
    let mut ids = Vec::new();
    for who in ["op@example.com", "maya@example.com", "jonas@example.com"] {
        ids.push(
            store
                .create_account(&new_account(who), "h", t(0))
                .await
                .unwrap()
                .id,
        );
    }
    (ids[0], ids[1], ids[2])
}

async fn a_run_pays_what_it_names_and_no_more_than_is_owed(store: Arc<dyn Store>) {
    let (op, maya, jonas) = people(store.as_ref()).await;
    earn(store.as_ref(), "e1", maya, 40).await;
    earn(store.as_ref(), "e2", jonas, 25).await;
    let owed = store.owed().await.unwrap();
    assert_eq!(
        owed,
        vec![
            Owed {
                mentor: maya,
                credits: 40
            },
            Owed {
                mentor: jonas,
                credits: 25
            }
        ]
    );
    // More than Jonas is owed: nothing is paid to anyone.
    let too_much = [
        Owed {
            mentor: maya,
            credits: 40,
        },
        Owed {
            mentor: jonas,
            credits: 26,
        },
    ];
    assert!(matches!(
        store.run_payouts(op, &too_much, t(10)).await,
        Err(StoreError::Insufficient { .. })
    ));
    assert_eq!(store.owed().await.unwrap(), owed);
    assert!(store.payout_runs(10).await.unwrap().is_empty());
    for bad in [0, -5] {
        let p = [Owed {
            mentor: maya,
            credits: bad,
        }];
        assert!(matches!(
            store.run_payouts(op, &p, t(10)).await,
            Err(StoreError::Invalid(_))
        ));
    }

    let run = store.run_payouts(op, &owed, t(20)).await.unwrap();
    assert_eq!((run.total, run.payouts), (65, 2));
    assert!(store.owed().await.unwrap().is_empty());
    let rows = store.payouts_in(run.id).await.unwrap();
    assert_eq!(
        rows.iter()
            .map(|p| (p.mentor, p.credits))
            .collect::<Vec<_>>(),
        vec![(maya, 40), (jonas, 25)]
    );
    let history = store.earnings_entries(maya).await.unwrap();
    assert_eq!(history.last().unwrap().kind, TransferKind::Payout);
    assert_eq!(history.last().unwrap().credits, 40);
    assert!(store.ledger_violations().await.unwrap().is_empty());
}

async fn two_runs_at_once_never_pay_more_than_is_owed(store: Arc<dyn Store>) {
    let (op, maya, _) = people(store.as_ref()).await;
    earn(store.as_ref(), "e1", maya, 40).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let all = [Owed {
                mentor: maya,
                credits: 40,
            }];
            store.run_payouts(op, &all, t(20)).await
        }));
    }
    let mut paid = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => paid += 1,
            Err(StoreError::Insufficient { .. }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(paid, 1);
    assert_eq!(
        store.ledger_balance(Account::Earnings(maya)).await.unwrap(),
        0
    );
    assert_eq!(store.payout_runs(10).await.unwrap().len(), 1);
    assert!(store.ledger_violations().await.unwrap().is_empty());
}
