//! A worker's settings and its name, which the store uses to tell one worker's leases from
//! another's, so it must be unique among the processes sharing a database.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerSettings {
    /// Unique per worker (see [`default_name`]).
    pub name: String,
    /// How long a lease lasts without a heartbeat: how soon a dead worker's jobs run again.
    pub lease: Duration,
    /// How often a running job's lease is renewed; well within `lease`, so one late
    /// heartbeat does not lose it.
    pub heartbeat_every: Duration,
    /// Most jobs leased at once, and so running at once, in this worker.
    pub batch: u32,
    /// Longest sleep while idle: how soon a job enqueued by another process is noticed.
    pub idle_max: Duration,
    /// On shutdown, how long running jobs may take to finish before they are abandoned to
    /// their leases (and run again elsewhere).
    pub grace: Duration,
}

const LEASE: Duration = Duration::from_secs(60);

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            name: default_name(),
            lease: LEASE,
            heartbeat_every: LEASE / 3,
            batch: 8,
            idle_max: Duration::from_secs(1),
            grace: Duration::from_secs(20),
        }
    }
}

/// `host-pid-random`: readable in the operator's job list, and unique even when a process
/// restarts with the same pid or runs several workers.
pub fn default_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into());
    let mut bytes = [0u8; 4];
    // Without OS randomness the host and pid still tell processes apart.
    let _ = getrandom::fill(&mut bytes);
    format!("{host}-{}-{}", std::process::id(), hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_differ_and_say_which_process() {
        let (a, b) = (default_name(), default_name());
        assert_ne!(a, b);
        assert!(a.contains(&format!("-{}-", std::process::id())), "{a}");
        let s = WorkerSettings::default();
        assert!(s.heartbeat_every < s.lease);
    }
}
