//! Stint's job worker: leases due jobs from the durable queue in the database, runs each with
//! the handler registered for its kind while a heartbeat keeps its lease, and records the
//! outcome (done, retried with backoff, or dead; jobs done at about the same time are marked
//! in one write, `completions.rs`). Periodic work is enqueued with a dedupe key
//! per period, so however many workers run, each period's job exists once.
//!
//! Several workers (in `stint serve` processes and `stint worker` processes) share one
//! database: the store leases a job to one worker at a time, and a job whose worker died is
//! leased again once its lease runs out.

mod completions;
mod handler;
pub mod housekeeping;
mod job;
mod periodic;
mod retry;
mod settings;
mod time;
mod worker;

pub use handler::{Handler, JobError, Registry};
pub use periodic::Periodic;
pub use retry::{backoff, retry_at};
pub use settings::{WorkerSettings, default_name};
pub use worker::{Pulse, Worker};
