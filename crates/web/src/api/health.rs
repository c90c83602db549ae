//! Liveness that means something (`/healthz`: 200 only once the database answers) and
//! readiness (`/readyz`: the database answers and, where a job worker runs in this process,
//! its loop is alive), for a load balancer or an orchestrator to probe.

use super::dto::Health;
use crate::state::{AppState, WorkerLiveness};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

#[utoipa::path(get, path = "/healthz", tag = "meta",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let (database, up) = stint_app::health::database(&state).await;
    let (status, word) = if up {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    };
    (
        status,
        Json(Health {
            status: word.into(),
            database: database.into(),
        }),
    )
}

/// Whether this process can take traffic, part by part.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready`, or `not_ready` when any check failed.
    pub status: String,
    /// The database backend: `sqlite` or `postgres`.
    pub database: String,
    /// Each part this process needs: `database` always, `worker` where a job worker runs
    /// in this process.
    pub checks: Vec<ReadyCheck>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadyCheck {
    /// `database` or `worker`.
    pub name: String,
    pub ready: bool,
    /// `ok`, or what is wrong, in words.
    pub detail: String,
}

#[utoipa::path(get, path = "/readyz", tag = "meta",
    responses((status = 200, description = "Every part is ready", body = Readiness),
        (status = 503, description = "A part is not ready: its check says which and why", body = Readiness)))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let (database, up) = stint_app::health::database(&state).await;
    let mut checks = vec![ReadyCheck {
        name: "database".into(),
        ready: up,
        detail: if up { "ok" } else { "not answering" }.into(),
    }];
    if let Some(worker) = &state.worker {
        checks.push(worker_check(worker, state.now()));
    }
    let ready = checks.iter().all(|c| c.ready);
    let (status, word) = if ready {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not_ready")
    };
    (
        status,
        Json(Readiness {
            status: word.into(),
            database: database.into(),
            checks,
        }),
    )
}

/// Alive when the worker's loop ran within its `stale_after`. A tick in the future (the
/// clock stepped back) counts as just now.
fn worker_check(worker: &WorkerLiveness, now: Timestamp) -> ReadyCheck {
    let (ready, detail) = match (worker.last_tick)() {
        None => (false, "the job worker has not started yet".to_string()),
        Some(tick) => {
            let since = now.as_second().saturating_sub(tick.as_second()).max(0);
            let limit = i64::try_from(worker.stale_after.as_secs()).unwrap_or(i64::MAX);
            if since <= limit {
                (true, "ok".to_string())
            } else {
                (
                    false,
                    format!("the job worker's loop last ran {since} s ago (stuck after {limit} s)"),
                )
            }
        }
    };
    ReadyCheck {
        name: "worker".into(),
        ready,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    fn worker(last: Option<i64>) -> WorkerLiveness {
        WorkerLiveness {
            last_tick: Arc::new(move || last.and_then(|s| Timestamp::from_second(s).ok())),
            stale_after: Duration::from_secs(20),
        }
    }

    #[test]
    fn a_worker_is_ready_while_its_loop_ticks() {
        let now = Timestamp::from_second(1_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
        assert!(!worker_check(&worker(None), now).ready);
        assert!(worker_check(&worker(Some(1_000_000 - 20)), now).ready);
        assert!(worker_check(&worker(Some(1_000_000 + 5)), now).ready);
        let stuck = worker_check(&worker(Some(1_000_000 - 21)), now);
        assert!(!stuck.ready);
        assert!(stuck.detail.contains("21 s ago"), "{}", stuck.detail);
    }
}
