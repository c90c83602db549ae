//! Conformance of the durable job queue on SQLite and PostgreSQL: dedupe, leases that
//! expire, retries and dead jobs, and many workers leasing side by side without ever
//! running a job twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::Arc;
use stint_store::{Enqueued, JobState, NewJob, Store, StoreError};

#[macro_use]
mod common;
use common::*;

conformance!(
    live_jobs_are_deduplicated_by_key,
    a_lease_is_one_workers_until_it_runs_out,
    a_stopping_worker_hands_back_only_its_own_jobs,
    failures_retry_then_die_and_operators_can_retry,
    many_workers_run_each_of_thousands_of_jobs_exactly_once,
    a_plan_is_enqueued_in_one_go_without_live_duplicates,
    jobs_done_together_are_marked_in_one_go_only_if_still_leased,
);

/// A worker marks the jobs it finished at about the same time in one write: those still its
/// own are done, one another worker has taken over meanwhile is left to that worker.
async fn jobs_done_together_are_marked_in_one_go_only_if_still_leased(store: Arc<dyn Store>) {
    let a = id(store.enqueue(&job("mail", None, 0), t(0)).await.unwrap());
    let b = id(store.enqueue(&job("mail", None, 0), t(0)).await.unwrap());
    let c = id(store.enqueue(&job("mail", None, 0), t(0)).await.unwrap());
    let waiting = id(store.enqueue(&job("mail", None, 500), t(0)).await.unwrap());
    assert_eq!(
        store.lease_jobs("w1", t(10), t(40), 2).await.unwrap().len(),
        2
    );
    // w1's lease on the third runs out and w2 takes it.
    assert_eq!(
        store.lease_jobs("w1", t(10), t(20), 1).await.unwrap()[0].id,
        c
    );
    assert_eq!(
        store.lease_jobs("w2", t(21), t(60), 10).await.unwrap()[0].id,
        c
    );
    let mut done = store
        .complete_jobs(&[a, b, c, waiting], "w1", t(30))
        .await
        .unwrap();
    done.sort_unstable();
    assert_eq!(done, vec![a, b]);
    for (job, state) in [
        (a, JobState::Done),
        (b, JobState::Done),
        (c, JobState::Running),
        (waiting, JobState::Queued),
    ] {
        assert_eq!(
            store.job(job).await.unwrap().unwrap().state,
            state,
            "job {job}"
        );
    }
    assert!(
        store
            .complete_jobs(&[], "w1", t(31))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.complete_jobs(&[c], "w2", t(32)).await.unwrap(),
        vec![c]
    );
}

/// A booking's plan in one transaction: jobs whose key a live job holds (already queued, or
/// twice in the plan) are left out; the rest are queued as one by one would queue them.
async fn a_plan_is_enqueued_in_one_go_without_live_duplicates(store: Arc<dyn Store>) {
    let held = store
        .enqueue(&job("nudge.send", Some("a"), 5), t(0))
        .await
        .unwrap();
    let plan = [
        job("nudge.send", Some("a"), 9),
        job("nudge.send", Some("b"), 10),
        job("nudge.send", Some("b"), 11),
        job("nudge.send", None, 12),
        job("nudge.send", None, 12),
    ];
    assert_eq!(store.enqueue_all(&plan, t(1)).await.unwrap(), 3);
    assert_eq!(store.enqueue_all(&[], t(1)).await.unwrap(), 0);
    let queued = store.jobs(Some(JobState::Queued), None, 100).await.unwrap();
    let mut seen: Vec<(Option<String>, i64)> = queued
        .iter()
        .map(|j| {
            (
                j.dedupe_key.clone(),
                j.due_at.as_second() - t(0).as_second(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            (None, 12),
            (None, 12),
            (Some("a".into()), 5),
            (Some("b".into()), 10)
        ]
    );
    assert!(matches!(held, Enqueued::New(_)));
    // A list longer than one statement writes is queued whole.
    let many: Vec<NewJob> = (0..1_200)
        .map(|n| job("webhook.deliver", Some(&format!("many-{n}")), 20))
        .collect();
    assert_eq!(store.enqueue_all(&many, t(1)).await.unwrap(), 1_200);
    assert_eq!(store.enqueue_all(&many, t(1)).await.unwrap(), 0);
}

fn job(kind: &str, key: Option<&str>, due: i64) -> NewJob {
    NewJob {
        kind: kind.into(),
        payload: format!("{{\"n\":{due}}}"),
        dedupe_key: key.map(str::to_string),
        due_at: t(due),
        max_attempts: 3,
    }
}

fn id(e: Enqueued) -> i64 {
    match e {
        Enqueued::New(id) | Enqueued::Duplicate(id) => id,
    }
}

async fn live_jobs_are_deduplicated_by_key(store: Arc<dyn Store>) {
    let first = store
        .enqueue(&job("sweep", Some("sweep:10:00"), 0), t(0))
        .await
        .unwrap();
    let Enqueued::New(first) = first else {
        panic!("the first enqueue adds a job")
    };
    assert_eq!(
        store
            .enqueue(&job("sweep", Some("sweep:10:00"), 5), t(1))
            .await
            .unwrap(),
        Enqueued::Duplicate(first)
    );
    // Without a key, nothing is deduplicated.
    let a = id(store.enqueue(&job("mail", None, 0), t(0)).await.unwrap());
    let b = id(store.enqueue(&job("mail", None, 0), t(0)).await.unwrap());
    assert_ne!(a, b);
    // Once the keyed job is done, the key may be used again.
    let leased = store.lease_jobs("w1", t(10), t(70), 10).await.unwrap();
    assert_eq!(leased.len(), 3);
    assert!(store.complete_job(first, "w1", t(11)).await.unwrap());
    assert!(matches!(
        store
            .enqueue(&job("sweep", Some("sweep:10:00"), 20), t(20))
            .await
            .unwrap(),
        Enqueued::New(n) if n != first
    ));
}

async fn a_lease_is_one_workers_until_it_runs_out(store: Arc<dyn Store>) {
    let later = id(store.enqueue(&job("mail", None, 100), t(0)).await.unwrap());
    let now = id(store.enqueue(&job("mail", None, 0), t(0)).await.unwrap());
    // Only what is due.
    let leased = store.lease_jobs("w1", t(10), t(40), 10).await.unwrap();
    assert_eq!(leased.iter().map(|j| j.id).collect::<Vec<_>>(), vec![now]);
    let j = &leased[0];
    assert_eq!(
        (j.state, j.attempts, j.worker.as_deref(), j.lease_until),
        (JobState::Running, 1, Some("w1"), Some(t(40)))
    );
    // Nobody else gets it while the lease holds, heartbeats extend it.
    assert!(
        store
            .lease_jobs("w2", t(20), t(50), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.heartbeat(now, "w1", t(60), t(30)).await.unwrap());
    assert!(
        store
            .lease_jobs("w2", t(50), t(80), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // w1 dies: once the lease runs out, w2 takes the job over and w1 can no longer finish it.
    let taken = store.lease_jobs("w2", t(61), t(90), 10).await.unwrap();
    assert_eq!(taken.iter().map(|j| j.id).collect::<Vec<_>>(), vec![now]);
    assert_eq!(taken[0].attempts, 2);
    assert!(!store.heartbeat(now, "w1", t(120), t(62)).await.unwrap());
    assert!(!store.complete_job(now, "w1", t(62)).await.unwrap());
    assert!(store.complete_job(now, "w2", t(63)).await.unwrap());
    assert_eq!(store.job(now).await.unwrap().unwrap().state, JobState::Done);
    assert_eq!(store.next_due().await.unwrap(), Some(t(100)));
    let counts = store.job_counts().await.unwrap();
    assert!(counts.contains(&(JobState::Done, 1)) && counts.contains(&(JobState::Queued, 1)));
    assert_eq!(store.job(later).await.unwrap().unwrap().attempts, 0);
}

async fn a_stopping_worker_hands_back_only_its_own_jobs(store: Arc<dyn Store>) {
    let a = id(store.enqueue(&job("mail", None, 0), t(0)).await.unwrap());
    let b = id(store.enqueue(&job("mail", None, 0), t(0)).await.unwrap());
    let other = id(store.enqueue(&job("mail", None, 0), t(0)).await.unwrap());
    assert_eq!(
        store.lease_jobs("w1", t(10), t(70), 2).await.unwrap().len(),
        2
    );
    assert_eq!(
        store.lease_jobs("w2", t(10), t(70), 5).await.unwrap().len(),
        1
    );
    assert_eq!(store.release_jobs("w1", t(20)).await.unwrap(), 2);
    for j in [a, b] {
        let j = store.job(j).await.unwrap().unwrap();
        assert_eq!(
            (j.state, j.attempts, j.worker, j.lease_until, j.due_at),
            (JobState::Queued, 0, None, None, t(20))
        );
    }
    let kept = store.job(other).await.unwrap().unwrap();
    assert_eq!(
        (kept.state, kept.worker.as_deref()),
        (JobState::Running, Some("w2"))
    );
    // Handed back, they are leased again at once, long before the old leases would end.
    assert_eq!(
        store.lease_jobs("w2", t(21), t(80), 5).await.unwrap().len(),
        2
    );
}

async fn failures_retry_then_die_and_operators_can_retry(store: Arc<dyn Store>) {
    let j = id(store
        .enqueue(&job("webhook", Some("hook:1"), 0), t(0))
        .await
        .unwrap());
    for attempt in 1..=2 {
        let leased = store
            .lease_jobs("w", t(attempt * 100), t(attempt * 100 + 30), 1)
            .await
            .unwrap();
        assert_eq!(leased[0].attempts as i64, attempt);
        let retry = Some(t(attempt * 100 + 50));
        assert!(
            store
                .fail_job(j, "w", "HTTP 503", retry, t(attempt * 100 + 1))
                .await
                .unwrap()
        );
        let queued = store.job(j).await.unwrap().unwrap();
        assert_eq!(
            (queued.state, queued.due_at, queued.last_error.as_deref()),
            (JobState::Queued, t(attempt * 100 + 50), Some("HTTP 503"))
        );
        // Not before its retry time.
        assert!(
            store
                .lease_jobs("w", t(attempt * 100 + 49), t(attempt * 100 + 80), 1)
                .await
                .unwrap()
                .is_empty()
        );
    }
    store.lease_jobs("w", t(300), t(330), 1).await.unwrap();
    assert!(
        store
            .fail_job(j, "w", "HTTP 500: gave up", None, t(301))
            .await
            .unwrap()
    );
    let dead = store.jobs(Some(JobState::Dead), None, 10).await.unwrap();
    assert_eq!(dead.iter().map(|d| d.id).collect::<Vec<_>>(), vec![j]);
    assert_eq!(dead[0].last_error.as_deref(), Some("HTTP 500: gave up"));
    assert!(
        store
            .lease_jobs("w", t(1000), t(1030), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // A dead job keeps its key free; a live job with the key blocks the retry.
    let blocker = id(store
        .enqueue(&job("webhook", Some("hook:1"), 0), t(400))
        .await
        .unwrap());
    assert!(matches!(
        store.retry_job(j, t(401)).await,
        Err(StoreError::Conflict {
            field: "dedupe_key",
            ..
        })
    ));
    store.lease_jobs("w", t(402), t(430), 10).await.unwrap();
    assert!(store.complete_job(blocker, "w", t(403)).await.unwrap());
    store.retry_job(j, t(404)).await.unwrap();
    let again = store.job(j).await.unwrap().unwrap();
    assert_eq!(
        (again.state, again.due_at, again.max_attempts),
        (JobState::Queued, t(404), 6)
    );
    assert!(matches!(
        store.retry_job(j, t(405)).await,
        Err(StoreError::NotFound)
    ));
}

async fn many_workers_run_each_of_thousands_of_jobs_exactly_once(store: Arc<dyn Store>) {
    const JOBS: i64 = 2000;
    for n in 0..JOBS {
        store
            .enqueue(&job("count", None, n % 10), t(0))
            .await
            .unwrap();
    }
    let mut workers = Vec::new();
    for w in 0..4 {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let name = format!("worker-{w}");
            let mut ran = Vec::new();
            loop {
                let batch = store
                    .lease_jobs(&name, t(100), t(10_000), 25)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    break;
                }
                for j in batch {
                    assert!(store.complete_job(j.id, &name, t(101)).await.unwrap());
                    ran.push(j.id);
                }
            }
            ran
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len() as i64, JOBS, "every job ran, none twice");
    assert_eq!(distinct.len() as i64, JOBS);
    assert!(
        store
            .job_counts()
            .await
            .unwrap()
            .contains(&(JobState::Done, JOBS as u64))
    );
}
