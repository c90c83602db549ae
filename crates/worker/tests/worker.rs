//! The worker against a real database, SQLite and PostgreSQL: jobs run once across workers,
//! failures back off and die, unknown kinds back off then die, a crashed worker's job runs again after its
//! lease, heartbeats keep long jobs, periodic work makes one job per period, and shutdown
//! lets running jobs finish. Time is a test clock the tests move; real sleeps only let the
//! workers' tasks run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::*;
use std::sync::Arc;
use std::time::Duration;
use stint_store::{JobState, Store};
use stint_worker::housekeeping;

on_both_backends!(
    two_workers_run_each_of_many_jobs_exactly_once,
    a_failing_job_retries_with_growing_backoff_then_dies_with_its_last_error,
    a_non_retryable_error_kills_the_job_at_once,
    a_job_of_an_unknown_kind_backs_off_then_goes_dead,
    a_crashed_workers_job_runs_again_once_its_lease_runs_out,
    a_job_whose_worker_died_on_its_last_attempt_goes_dead,
    heartbeats_keep_a_long_job_with_its_worker,
    a_worker_that_loses_the_lease_stops_the_job_and_records_nothing,
    two_workers_enqueue_one_job_per_period,
    shutdown_stops_leasing_and_lets_running_jobs_finish,
    a_job_outliving_the_grace_period_is_stopped_and_handed_back,
    housekeeping_prunes_day_old_login_attempts_as_a_periodic_job,
);

async fn count(store: &Arc<dyn Store>, state: JobState) -> u64 {
    let counts = store.job_counts().await.unwrap();
    counts.iter().find(|(s, _)| *s == state).map_or(0, |c| c.1)
}

async fn two_workers_run_each_of_many_jobs_exactly_once(url: String) {
    // Two nodes: each its own connection pool on the one database.
    let (a_store, b_store) = (open(&url).await, open(&url).await);
    let clock = TestClock::new();
    let counting = Arc::new(Counting::default());
    let mut ids = Vec::new();
    for _ in 0..60 {
        ids.push(enqueue(&a_store, job("count", t(0), 3), t(0)).await);
    }
    let a = start(worker(
        &a_store,
        &clock,
        "node-a",
        registry("count", counting.clone()),
    ));
    let b = start(worker(
        &b_store,
        &clock,
        "node-b",
        registry("count", counting.clone()),
    ));
    // More arrive while both run.
    for _ in 0..60 {
        ids.push(enqueue(&b_store, job("count", t(0), 3), t(0)).await);
    }
    eventually("every job is done", || async {
        count(&a_store, JobState::Done).await == 120
    })
    .await;
    a.stop().await;
    b.stop().await;
    let mut ran = counting.ran.lock().unwrap().clone();
    ran.sort_unstable();
    ids.sort_unstable();
    assert_eq!(ran, ids, "each job ran exactly once");
    for id in ids {
        let j = job_now(&a_store, id).await;
        assert_eq!(j.attempts, 1);
        assert!(matches!(j.worker.as_deref(), Some("node-a" | "node-b")));
    }
}

async fn a_failing_job_retries_with_growing_backoff_then_dies_with_its_last_error(url: String) {
    let store = open(&url).await;
    let clock = TestClock::new();
    let id = enqueue(&store, job("flaky", t(0), 3), t(0)).await;
    let w = start(worker(
        &store,
        &clock,
        "w",
        registry("flaky", Arc::new(Failing { retry: true })),
    ));
    let queued_after = |attempts: u32| {
        let store = store.clone();
        async move {
            let j = job_now(&store, id).await;
            j.state == JobState::Queued && j.attempts == attempts
        }
    };
    eventually("the first attempt failed", || queued_after(1)).await;
    let j = job_now(&store, id).await;
    assert_eq!(j.due_at, t(30), "the first retry waits 30 s");
    assert_eq!(j.last_error.as_deref(), Some("boom on attempt 1"));

    clock.advance(29);
    let_workers_run().await;
    assert_eq!(job_now(&store, id).await.attempts, 1, "not before its time");

    clock.advance(1);
    eventually("the second attempt failed", || queued_after(2)).await;
    let j = job_now(&store, id).await;
    assert_eq!(j.due_at, t(30 + 60), "the second retry waits twice as long");
    assert_eq!(j.last_error.as_deref(), Some("boom on attempt 2"));

    clock.advance(60);
    eventually("the third attempt was the last", || async {
        job_now(&store, id).await.state == JobState::Dead
    })
    .await;
    let j = job_now(&store, id).await;
    assert_eq!(j.attempts, 3);
    assert_eq!(j.last_error.as_deref(), Some("boom on attempt 3"));
    clock.advance(7200);
    let_workers_run().await;
    assert_eq!(
        job_now(&store, id).await.attempts,
        3,
        "a dead job stays dead"
    );
    w.stop().await;
}

async fn a_non_retryable_error_kills_the_job_at_once(url: String) {
    let store = open(&url).await;
    let clock = TestClock::new();
    let id = enqueue(&store, job("doomed", t(0), 5), t(0)).await;
    let w = start(worker(
        &store,
        &clock,
        "w",
        registry("doomed", Arc::new(Failing { retry: false })),
    ));
    eventually("the job is dead", || async {
        job_now(&store, id).await.state == JobState::Dead
    })
    .await;
    let j = job_now(&store, id).await;
    assert_eq!(
        (j.attempts, j.last_error.as_deref()),
        (1, Some("boom on attempt 1"))
    );
    w.stop().await;
}

async fn a_job_of_an_unknown_kind_backs_off_then_goes_dead(url: String) {
    let store = open(&url).await;
    let clock = TestClock::new();
    let unknown = enqueue(&store, job("nobody.handles.this", t(0), 2), t(0)).await;
    let known = enqueue(&store, job("count", t(0), 3), t(0)).await;
    let w = start(worker(
        &store,
        &clock,
        "w",
        registry("count", Arc::new(Counting::default())),
    ));
    // A worker that does not know the kind backs off: a newer worker may know it.
    eventually("the unknown kind is put back for later", || async {
        let j = job_now(&store, unknown).await;
        j.state == JobState::Queued
            && j.attempts == 1
            && job_now(&store, known).await.state == JobState::Done
    })
    .await;
    let j = job_now(&store, unknown).await;
    let error = j.last_error.unwrap();
    assert!(
        error.contains("no handler for job kind `nobody.handles.this`") && error.contains("count"),
        "{error}"
    );
    assert!(j.due_at > t(0), "retried later, not at once");
    // Nobody learns it: after its last attempt it is dead.
    clock.advance(3600);
    eventually("the unknown kind is dead", || async {
        job_now(&store, unknown).await.state == JobState::Dead
    })
    .await;
    assert_eq!(job_now(&store, unknown).await.attempts, 2);
    w.stop().await;
}

async fn a_crashed_workers_job_runs_again_once_its_lease_runs_out(url: String) {
    let store = open(&url).await;
    let clock = TestClock::new();
    let blocking = Arc::new(Blocking::default());
    let id = enqueue(&store, job("slow", t(0), 3), t(0)).await;
    let doomed = start(worker(
        &store,
        &clock,
        "doomed",
        registry("slow", blocking.clone()),
    ));
    eventually("the job started", || async { blocking.started() == 1 }).await;
    doomed.kill().await;
    eventually("the crash stopped the handler", || async {
        blocking.stopped() == 1
    })
    .await;
    let j = job_now(&store, id).await;
    assert_eq!(
        (j.state, j.worker.as_deref(), j.attempts, j.lease_until),
        (JobState::Running, Some("doomed"), 1, Some(t(60)))
    );

    let rescuer = start(worker(
        &store,
        &clock,
        "rescuer",
        registry("slow", blocking.clone()),
    ));
    clock.advance(60);
    let_workers_run().await;
    let j = job_now(&store, id).await;
    assert_eq!(
        (j.state, j.worker.as_deref()),
        (JobState::Running, Some("doomed")),
        "nobody takes the job while its lease lasts"
    );
    assert_eq!(blocking.started(), 1);

    clock.advance(1);
    eventually("the rescuer ran the job", || async {
        job_now(&store, id).await.state == JobState::Done
    })
    .await;
    let j = job_now(&store, id).await;
    assert_eq!((j.worker.as_deref(), j.attempts), (Some("rescuer"), 2));
    assert_eq!((blocking.started(), blocking.finished()), (2, 1));
    rescuer.stop().await;
}

async fn a_job_whose_worker_died_on_its_last_attempt_goes_dead(url: String) {
    let store = open(&url).await;
    let clock = TestClock::new();
    let blocking = Arc::new(Blocking::default());
    let id = enqueue(&store, job("slow", t(0), 1), t(0)).await;
    let doomed = start(worker(
        &store,
        &clock,
        "doomed",
        registry("slow", blocking.clone()),
    ));
    eventually("the job started", || async { blocking.started() == 1 }).await;
    doomed.kill().await;
    let rescuer = start(worker(
        &store,
        &clock,
        "rescuer",
        registry("slow", blocking.clone()),
    ));
    clock.advance(61);
    eventually("the job is dead", || async {
        job_now(&store, id).await.state == JobState::Dead
    })
    .await;
    let j = job_now(&store, id).await;
    let error = j.last_error.unwrap();
    assert!(
        error.contains("worker stopped during attempt 1 of 1"),
        "{error}"
    );
    assert_eq!(blocking.started(), 1, "not run beyond its attempts");
    rescuer.stop().await;
}

async fn heartbeats_keep_a_long_job_with_its_worker(url: String) {
    let store = open(&url).await;
    let clock = TestClock::new();
    let blocking = Arc::new(Blocking::default());
    let id = enqueue(&store, job("slow", t(0), 3), t(0)).await;
    let mut keeper_settings = settings("keeper");
    keeper_settings.heartbeat_every = Duration::from_millis(10);
    let keeper = start(stint_worker::Worker::new(
        store.clone(),
        clock.clone(),
        registry("slow", blocking.clone()),
        keeper_settings,
    ));
    eventually("the job started", || async { blocking.started() == 1 }).await;
    let other = start(worker(
        &store,
        &clock,
        "other",
        registry("slow", blocking.clone()),
    ));
    // Four times past the first lease; each step is shorter than a lease, and the next one
    // waits for the heartbeat to renew it.
    for step in 1..=4 {
        clock.advance(40);
        eventually("the heartbeat renewed the lease", || async {
            job_now(&store, id).await.lease_until == Some(t(40 * step + 60))
        })
        .await;
    }
    blocking.release.notify_one();
    eventually("the job is done", || async {
        job_now(&store, id).await.state == JobState::Done
    })
    .await;
    let j = job_now(&store, id).await;
    assert_eq!((j.worker.as_deref(), j.attempts), (Some("keeper"), 1));
    assert_eq!(blocking.started(), 1, "the other worker never took it");
    keeper.stop().await;
    other.stop().await;
}

async fn a_worker_that_loses_the_lease_stops_the_job_and_records_nothing(url: String) {
    let store = open(&url).await;
    let clock = TestClock::new();
    let blocking = Arc::new(Blocking::default());
    let id = enqueue(&store, job("slow", t(0), 3), t(0)).await;
    let mut s = settings("keeper");
    s.heartbeat_every = Duration::from_millis(10);
    let keeper = start(stint_worker::Worker::new(
        store.clone(),
        clock.clone(),
        registry("slow", blocking.clone()),
        s,
    ));
    eventually("the job started", || async { blocking.started() == 1 }).await;
    // The job is no longer the keeper's (as when its lease ran out and another took it).
    assert!(
        store
            .fail_job(id, "keeper", "taken away by the test", None, t(1))
            .await
            .unwrap()
    );
    eventually("the next heartbeat stopped the handler", || async {
        blocking.stopped() == 1
    })
    .await;
    let_workers_run().await;
    let j = job_now(&store, id).await;
    assert_eq!(
        (j.state, j.last_error.as_deref()),
        (JobState::Dead, Some("taken away by the test"))
    );
    assert_eq!(blocking.finished(), 0);
    keeper.stop().await;
}

async fn two_workers_enqueue_one_job_per_period(url: String) {
    let (a_store, b_store) = (open(&url).await, open(&url).await);
    let clock = TestClock::new();
    let counting = Arc::new(Counting::default());
    let a = start(
        worker(
            &a_store,
            &clock,
            "node-a",
            registry("tick", counting.clone()),
        )
        .with_periodic(ticks(120)),
    );
    let b = start(
        worker(
            &b_store,
            &clock,
            "node-b",
            registry("tick", counting.clone()),
        )
        .with_periodic(ticks(120)),
    );
    // Five periods, in steps shorter than a lease; after each step both workers have had
    // time to enqueue, and whatever is due has run.
    for _ in 0..20 {
        clock.advance(30);
        let_workers_run().await;
        eventually("what is due has run", || async {
            let now = stint_domain::clock::Clock::now(clock.as_ref());
            a_store
                .jobs(None, None, 100)
                .await
                .unwrap()
                .iter()
                .all(|j| {
                    j.state != JobState::Running
                        && !(j.state == JobState::Queued && j.due_at <= now)
                })
        })
        .await;
    }
    a.stop().await;
    b.stop().await;
    let mut jobs = a_store.jobs(None, None, 100).await.unwrap();
    jobs.sort_by_key(|j| j.due_at);
    let keys: Vec<(String, JobState)> = jobs
        .iter()
        .map(|j| (j.dedupe_key.clone().unwrap(), j.state))
        .collect();
    let expected: Vec<(String, JobState)> = (1..=6)
        .map(|n| {
            let state = if n <= 5 {
                JobState::Done
            } else {
                JobState::Queued
            };
            (format!("tick@{}", t(120 * n)), state)
        })
        .collect();
    assert_eq!(keys, expected, "one job per period, the next one queued");
    assert_eq!(counting.ran.lock().unwrap().len(), 5);
}

async fn shutdown_stops_leasing_and_lets_running_jobs_finish(url: String) {
    let store = open(&url).await;
    let clock = TestClock::new();
    let blocking = Arc::new(Blocking::default());
    let first = enqueue(&store, job("slow", t(0), 3), t(0)).await;
    let second = enqueue(&store, job("slow", t(0), 3), t(0)).await;
    let mut s = settings("w");
    s.batch = 1;
    let mut w = start(stint_worker::Worker::new(
        store.clone(),
        clock.clone(),
        registry("slow", blocking.clone()),
        s,
    ));
    eventually("the first job started", || async {
        blocking.started() == 1
    })
    .await;
    let _ = w.stop.take().unwrap().send(());
    let_workers_run().await;
    assert!(
        !w.task.is_finished(),
        "the worker waits for its running job"
    );
    blocking.release.notify_one();
    tokio::time::timeout(Duration::from_secs(20), w.task)
        .await
        .expect("the worker stops once its job is done")
        .unwrap();
    assert_eq!(job_now(&store, first).await.state, JobState::Done);
    let j = job_now(&store, second).await;
    assert_eq!(
        (j.state, j.attempts),
        (JobState::Queued, 0),
        "nothing is leased after shutdown"
    );
}

async fn a_job_outliving_the_grace_period_is_stopped_and_handed_back(url: String) {
    let store = open(&url).await;
    let clock = TestClock::new();
    let blocking = Arc::new(Blocking::default());
    let id = enqueue(&store, job("slow", t(0), 3), t(0)).await;
    let mut s = settings("w");
    s.grace = Duration::from_millis(50);
    let w = start(stint_worker::Worker::new(
        store.clone(),
        clock.clone(),
        registry("slow", blocking.clone()),
        s,
    ));
    eventually("the job started", || async { blocking.started() == 1 }).await;
    w.stop().await;
    eventually("the handler was stopped", || async {
        blocking.stopped() == 1
    })
    .await;
    let j = job_now(&store, id).await;
    assert_eq!(
        (j.state, j.worker.as_deref(), j.lease_until, j.attempts),
        (JobState::Queued, None, None, 0),
        "handed back, the interrupted attempt not counted"
    );
    // Another worker takes it at once, without waiting for the old lease to run out.
    let counting = Arc::new(Counting::default());
    let w2 = start(worker(
        &store,
        &clock,
        "w2",
        registry("slow", counting.clone()),
    ));
    eventually("the other worker ran it", || async {
        job_now(&store, id).await.state == JobState::Done
    })
    .await;
    w2.stop().await;
}

async fn housekeeping_prunes_day_old_login_attempts_as_a_periodic_job(url: String) {
    let store = open(&url).await;
    let clock = TestClock::new();
    // Counts from far back (failures over a week), so only pruning can lower them.
    let failures = |at: i64| {
        let store = store.clone();
        async move {
            let windows = stint_store::LoginWindows {
                failures_since: t(-7 * 24 * 3600),
                recent_since: t(at),
                known_since: t(at),
            };
            let (id, counts) = store
                .begin_login_attempt("ana@example.com", "10.0.0.1", t(at), &windows)
                .await
                .unwrap();
            // The look itself is forgotten: it checked no password.
            store
                .finish_login_attempt(id, stint_store::LoginOutcome::NotChecked)
                .await
                .unwrap();
            counts.account_failures - 1
        }
    };
    let (id, _) = store
        .begin_login_attempt(
            "ana@example.com",
            "10.0.0.1",
            t(0),
            &stint_store::LoginWindows {
                failures_since: t(0),
                recent_since: t(0),
                known_since: t(0),
            },
        )
        .await
        .unwrap();
    store
        .finish_login_attempt(id, stint_store::LoginOutcome::Failed)
        .await
        .unwrap();
    assert_eq!(failures(0).await, 1);
    let prune = housekeeping::Prune::new(store.clone(), clock.clone());
    let w = start(
        worker(
            &store,
            &clock,
            "w",
            registry(housekeeping::PRUNE, Arc::new(prune)),
        )
        .with_periodic(housekeeping::periodic()),
    );
    let key = format!("{}@{}", housekeeping::PRUNE, t(600));
    eventually("the next prune is queued", || async {
        let jobs = store.jobs(Some(JobState::Queued), None, 10).await.unwrap();
        jobs.iter()
            .any(|j| j.dedupe_key.as_deref() == Some(key.as_str()))
    })
    .await;
    // A day and an hour later the attempt is past keeping.
    clock.advance(25 * 3600);
    eventually("the prune ran", || async {
        let done = store.jobs(Some(JobState::Done), None, 10).await.unwrap();
        done.iter()
            .any(|j| j.dedupe_key.as_deref() == Some(key.as_str()))
    })
    .await;
    assert_eq!(failures(25 * 3600).await, 0);
    w.stop().await;
}
