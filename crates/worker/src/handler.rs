//! What runs a job: a `Handler` per job kind, looked up in a `Registry`.

use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Arc;
use stint_store::Job;

/// Why a job's attempt failed, and whether trying again could help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JobError {
    /// Kept on the job for operators to read.
    pub message: String,
    /// `false` kills the job at once (bad payload, a thing that no longer exists); `true`
    /// retries it with backoff until its attempts run out.
    pub retry: bool,
}

impl JobError {
    /// A failure worth another attempt (a peer was down, a timeout).
    pub fn retry(message: impl Into<String>) -> JobError {
        JobError {
            message: message.into(),
            retry: true,
        }
    }

    /// A failure no later attempt can fix.
    pub fn fatal(message: impl Into<String>) -> JobError {
        JobError {
            message: message.into(),
            retry: false,
        }
    }
}

/// Runs jobs of one kind. A job may run more than once (its worker can die after the work
/// and before recording it), so handlers are written to be idempotent.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    async fn run(&self, job: &Job) -> Result<(), JobError>;
}

/// Job kind → handler.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: BTreeMap<String, Arc<dyn Handler>>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers `handler` for `kind`, replacing any handler registered for it before.
    pub fn register(&mut self, kind: impl Into<String>, handler: Arc<dyn Handler>) -> &mut Self {
        self.handlers.insert(kind.into(), handler);
        self
    }

    /// As [`Registry::register`], for building a registry in one expression.
    pub fn with(mut self, kind: impl Into<String>, handler: Arc<dyn Handler>) -> Registry {
        self.register(kind, handler);
        self
    }

    pub fn get(&self, kind: &str) -> Option<Arc<dyn Handler>> {
        self.handlers.get(kind).cloned()
    }

    /// The registered kinds, in order.
    pub fn kinds(&self) -> impl Iterator<Item = &str> {
        self.handlers.keys().map(String::as_str)
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.kinds()).finish()
    }
}
