//! The outcome figures kept up to date (migration 25), on SQLite and PostgreSQL: after any
//! mix of closes, assessments and tasks ticked, one after another or at once, a SKU's and a
//! mentor's kept tallies equal their sessions counted one by one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::civil::date;
use std::collections::BTreeMap;
use std::sync::Arc;
use stint_domain::booking::BookingId;
use stint_domain::ids::UserId;
use stint_domain::outcome::assessment::{Assessment, AssessmentKind, Level};
use stint_domain::outcome::closing::{CheckpointResult, Closing, Task};
use stint_domain::outcome::metrics::OutcomeTally;
use stint_store::{BookingOutcome, CloseSession, OutcomeFilter, Store};

#[macro_use]
mod common;
use common::*;

conformance!(
    kept_figures_follow_every_change,
    changes_at_once_keep_the_figures,
);

type Counts = BTreeMap<(&'static str, Option<i64>, Option<i64>), (u64, u64, u64)>;

fn counts(tallies: impl IntoIterator<Item = OutcomeTally>) -> Counts {
    let mut out = Counts::new();
    for t in tallies {
        let key = (
            t.checkpoint.as_str(),
            t.baseline.map(Level::get),
            t.followup.map(Level::get),
        );
        let c = out.entry(key).or_default();
        c.0 += t.sessions;
        c.1 += t.tasks_total;
        c.2 += t.tasks_done;
    }
    out
}

/// The kept tallies of `filter` equal its sessions counted one by one.
async fn assert_kept(store: &dyn Store, filter: OutcomeFilter, when: &str) {
    let kept = counts(store.outcome_tallies(filter).await.unwrap());
    let sessions = store.outcomes(filter).await.unwrap();
    let counted = counts(sessions.iter().map(OutcomeTally::from));
    assert_eq!(kept, counted, "{when}: {filter:?}");
}

async fn assert_all_kept(store: &dyn Store, w: &Booked, other: UserId, when: &str) {
    for filter in [
        OutcomeFilter {
            sku: Some(w.sku),
            ..Default::default()
        },
        OutcomeFilter {
            mentor: Some(w.mentor),
            ..Default::default()
        },
        OutcomeFilter {
            mentor: Some(other),
            ..Default::default()
        },
    ] {
        assert_kept(store, filter, when).await;
    }
}

async fn book(store: &dyn Store, w: &Booked, mentor: UserId, start_min: i64) -> BookingId {
    let mut new = at(w, start_min, 30);
    new.mentor_id = mentor;
    match store
        .create_booking(&new, None, &naive, t(0))
        .await
        .unwrap()
    {
        BookingOutcome::Created(b) => b.id,
        other => panic!("expected a new booking, got {other:?}"),
    }
}

async fn close(store: &dyn Store, id: BookingId, by: UserId, reached: bool, tasks: usize) {
    let closing = Closing {
        checkpoint: if reached {
            CheckpointResult::Reached
        } else {
            CheckpointResult::NotReached
        },
        evidence: "Ran the mock negotiation".into(),
        followup: "Well done.".into(),
        tasks: (0..tasks)
            .map(|i| Task {
                title: format!("Task {i}"),
                due: date(2027, 1, 10 + i as i8),
            })
            .collect(),
    };
    store
        .close_session(
            &CloseSession {
                booking: id,
                closing: &closing,
                artifacts: &[],
                closed_by: by,
                followup_opens_at: t(7 * 86_400),
                hold: stint_domain::ledger::HoldEnd::Release,
            },
            t(3600),
        )
        .await
        .unwrap();
}

async fn assess(store: &dyn Store, id: BookingId, kind: AssessmentKind, level: i64) {
    let a = Assessment {
        level: Level::parse(level).unwrap(),
        answers: vec![],
    };
    store.save_assessment(id, kind, &a, t(7200)).await.unwrap();
}

async fn tick(store: &dyn Store, id: BookingId, nth: usize, done: bool) {
    let tasks = store.tasks(id).await.unwrap();
    store
        .set_task_done(id, tasks[nth].id, done, t(7300))
        .await
        .unwrap();
}

async fn second_mentor(store: &dyn Store) -> UserId {
    store
        .create_account(&new_account("second-mentor@example.com"), "h", t(0))
        .await
        .unwrap()
        .id
}

async fn kept_figures_follow_every_change(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let w = booking_world(s).await;
    let other = second_mentor(s).await;
    // A small fixed walk through every kind of change, checked after each step: baselines
    // before the close and not, follow-ups after it, tasks ticked and unticked.
    let mut ids = Vec::new();
    for i in 0..6 {
        let mentor = if i % 3 == 2 { other } else { w.mentor };
        ids.push((book(s, &w, mentor, 600 + i * 60).await, mentor));
    }
    assert_all_kept(s, &w, other, "nothing closed").await;
    for (i, &(id, mentor)) in ids.iter().enumerate() {
        if i % 2 == 0 {
            assess(s, id, AssessmentKind::Baseline, 1 + i as i64 % 5).await;
        }
        close(s, id, mentor, i % 3 != 1, i % 4).await;
        assert_all_kept(s, &w, other, &format!("closed {i}")).await;
    }
    for (i, &(id, _)) in ids.iter().enumerate() {
        if i % 2 == 1 {
            // A baseline taken after the close still counts.
            assess(s, id, AssessmentKind::Baseline, 3).await;
            assert_all_kept(s, &w, other, &format!("late baseline {i}")).await;
        }
        if i != 4 {
            assess(s, id, AssessmentKind::Followup, 2 + i as i64 % 4).await;
            assert_all_kept(s, &w, other, &format!("follow-up {i}")).await;
        }
        for nth in 0..i % 4 {
            tick(s, id, nth, true).await;
            assert_all_kept(s, &w, other, &format!("ticked {i}.{nth}")).await;
        }
        if i % 4 > 1 {
            tick(s, id, 0, false).await;
            tick(s, id, 0, false).await;
            assert_all_kept(s, &w, other, &format!("unticked {i}")).await;
        }
    }
    // The figures are not empty: the walk was counted.
    let sku = counts(
        s.outcome_tallies(OutcomeFilter {
            sku: Some(w.sku),
            ..Default::default()
        })
        .await
        .unwrap(),
    );
    assert_eq!(sku.values().map(|c| c.0).sum::<u64>(), 6);
}

async fn changes_at_once_keep_the_figures(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let w = booking_world(s).await;
    let other = second_mentor(s).await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let id = book(s, &w, w.mentor, 600 + i * 60).await;
        close(s, id, w.mentor, i % 2 == 0, 3).await;
        ids.push(id);
    }
    // Each session's follow-up and its three tasks, all at once: on PostgreSQL these commit
    // in parallel, each moving the same session's tally.
    let mut running = tokio::task::JoinSet::new();
    for (i, &id) in ids.iter().enumerate() {
        let one = store.clone();
        running.spawn(async move {
            assess(one.as_ref(), id, AssessmentKind::Followup, 1 + i as i64 % 5).await;
        });
        for nth in 0..3 {
            let one = store.clone();
            running.spawn(async move { tick(one.as_ref(), id, nth, true).await });
        }
    }
    while let Some(done) = running.join_next().await {
        done.unwrap();
    }
    assert_all_kept(s, &w, other, "after the rush").await;
    let mentor = counts(
        s.outcome_tallies(OutcomeFilter {
            mentor: Some(w.mentor),
            ..Default::default()
        })
        .await
        .unwrap(),
    );
    assert_eq!(
        mentor
            .values()
            .fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2)),
        (8, 24, 24)
    );
}
