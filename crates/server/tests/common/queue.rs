//! The job queue in tests: a worker on the app's clock writing mail to the outbox, waiting
//! until nothing is due, and moving the clock on.

use super::App;
use jiff::{SignedDuration, Timestamp};
use std::time::Duration;
use stint_domain::clock::Clock;
use stint_server::worker::Shutdown;
use stint_store::JobState;

/// A worker of the app's database on the app's clock, with mail going to the outbox folder.
pub fn outbox_worker(app: &App) -> Shutdown {
    let w = stint_server::worker::build(app.store.clone(), app.clock.clone(), &app.worker_config())
        .unwrap();
    let stop = Shutdown::on(std::future::pending());
    tokio::spawn(w.run(stop.wait()));
    stop
}

/// Whether no job is running and none is due by `by`.
async fn idle(app: &App, by: Timestamp) -> bool {
    let queued = app
        .store
        .jobs(Some(JobState::Queued), None, 10_000)
        .await
        .unwrap();
    let running = app
        .store
        .jobs(Some(JobState::Running), None, 10)
        .await
        .unwrap();
    running.is_empty() && queued.iter().all(|j| j.due_at > by)
}

/// Waits until no job is due and none is running (each poll a little after the worker's
/// longest idle sleep would have noticed new work).
pub async fn settle(app: &App) {
    // Due times are whole seconds, rounded up: a job due within two seconds is pending.
    let soon = || app.clock.now() + SignedDuration::from_secs(2);
    for _ in 0..600 {
        if idle(app, soon()).await {
            // Once more after a pause: a job finishing may just have enqueued another.
            tokio::time::sleep(Duration::from_millis(300)).await;
            if idle(app, soon()).await {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the queue never settled");
}

/// Moves the clock to `t` or just past it (the clock moves in whole seconds; never back).
pub fn travel_to(app: &App, t: Timestamp) {
    let now = app.clock.now();
    if t > now {
        let d = t.duration_since(now);
        let whole = d.as_secs() + i64::from(d.subsec_nanos() > 0);
        app.clock.advance(SignedDuration::from_secs(whole));
    }
}
