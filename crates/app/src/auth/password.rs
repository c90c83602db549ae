//! Password hashing with Argon2id at OWASP's recommended parameters
//! (19 MiB memory, 2 iterations, 1 lane), run off the async threads and behind one gate.
//!
//! Each hash takes 19 MiB and a core for tens of milliseconds, and anyone can ask for one
//! (sign-up, log-in). So at most [`Gate::running`] run at once in a process (one fewer than
//! the cores, at least one: a core stays free to serve everything else), a few more wait
//! briefly in line, and beyond that the answer is [`Busy`] at once, which the edges turn into
//! 503 with `Retry-After`. A flood then costs a bounded amount of memory and leaves the
//! server answering.

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Too many password checks are running or waiting: try again in a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// How long a request may wait in line for a hash before it is told to come back.
const MAX_WAIT: Duration = Duration::from_secs(3);
/// Seconds a refused request is asked to wait (`Retry-After`).
pub const RETRY_AFTER_SECS: u64 = 3;

/// A hash or a verification, run on one of the gate's threads.
type Job = Box<dyn FnOnce() + Send>;

/// The one gate every hash and verification passes.
struct Gate {
    running: Semaphore,
    /// Requests waiting for a permit now.
    waiting: AtomicUsize,
    /// The most that may wait; more are refused without waiting.
    max_waiting: usize,
    /// The gate's own threads, as many as may run at once. Not the shared blocking pool: the
    /// allocator keeps a freed 19 MiB block in the arena of the thread that used it, so hashes
    /// spread over a pool's dozens of threads would keep dozens of blocks resident.
    threads: Option<std::sync::mpsc::Sender<Job>>,
}

impl Gate {
    fn new(running: usize, max_waiting: usize) -> Gate {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        let mut started = 0;
        for i in 0..running {
            let queue = queue.clone();
            let thread = std::thread::Builder::new()
                .name(format!("stint-password-{i}"))
                .spawn(move || {
                    loop {
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            match thread {
                Ok(_) => started += 1,
                Err(e) => tracing::error!(error = %e, "starting a password-hashing thread"),
            }
        }
        Gate {
            running: Semaphore::new(running),
            waiting: AtomicUsize::new(0),
            max_waiting,
            threads: (started > 0).then_some(jobs),
        }
    }

    /// Runs `job` on the gate's threads (on the shared blocking pool should none have
    /// started).
    fn run(&self, job: Job) {
        let job = match &self.threads {
            Some(threads) => match threads.send(job) {
                Ok(()) => return,
                Err(refused) => refused.0,
            },
            None => job,
        };
        tokio::task::spawn_blocking(job);
    }
}

static GATE: LazyLock<Gate> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let running = cores.saturating_sub(1).max(1);
    // Waiting costs little (no hash memory yet); the line is as long as can be served in
    // `MAX_WAIT` at tens of milliseconds a hash, so an ordinary burst of log-ins waits, a
    // flood does not.
    Gate::new(running, 64 * running)
});

/// Runs `work` on the gate's threads once the gate lets it, or answers [`Busy`].
async fn gated<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, Busy> {
    through(&GATE, work).await
}

async fn through<T: Send + 'static>(
    gate: &Gate,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Busy> {
    if gate.waiting.fetch_add(1, Ordering::SeqCst) >= gate.max_waiting {
        gate.waiting.fetch_sub(1, Ordering::SeqCst);
        return Err(Busy);
    }
    let permit = tokio::time::timeout(MAX_WAIT, gate.running.acquire()).await;
    gate.waiting.fetch_sub(1, Ordering::SeqCst);
    let Ok(Ok(permit)) = permit else {
        return Err(Busy);
    };
    let (answer, done) = tokio::sync::oneshot::channel();
    gate.run(Box::new(move || {
        let _ = answer.send(work());
    }));
    let done = done.await;
    drop(permit);
    done.map_err(|_| Busy)
}

fn argon2() -> Argon2<'static> {
    // Params::DEFAULT is exactly OWASP's m=19456 KiB, t=2, p=1; spelled out so it stays so.
    let params = Params::new(19_456, 2, 1, None).unwrap_or(Params::DEFAULT);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a password was not hashed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("too many password checks are under way; try again in a moment")]
    Busy,
    #[error("hashing failed: {0}")]
    Failed(String),
}

impl From<HashError> for crate::AppError {
    /// Busy is 503 `busy` with `Retry-After`; a failure is logged and internal.
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy => crate::AppError::busy(RETRY_AFTER_SECS),
            HashError::Failed(e) => {
                tracing::error!(error = %e, "password hashing failed");
                crate::AppError::internal()
            }
        }
    }
}

/// Hashes a password into a PHC string.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn hash(password: String) -> Result<String, HashError> {
    gated(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| HashError::Failed(e.to_string()))
    })
    .await
    .map_err(|Busy| HashError::Busy)?
}

/// Checks a password against a PHC string.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn verify(password: String, phc: String) -> Result<bool, Busy> {
    gated(move || {
        PasswordHash::new(&phc).is_ok_and(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
}

/// Spends the same time as a real check, so an unknown e-mail cannot be told apart
/// from a wrong password by timing.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn verify_nothing(password: String) -> Result<(), Busy> {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c3RpbnRzdGludHN0aW50$0Yqjmbj5iY1dhU9K1tR0YkG8mYcYh1rK1C8uZr0rK3o";
    verify(password, DUMMY.to_string()).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_at_owasp_parameters_and_verify() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert_eq!(
            verify("correct horse battery".into(), h.clone()).await,
            Ok(true)
        );
        assert_eq!(
            verify("wrong horse battery".into(), h.clone()).await,
            Ok(false)
        );
        assert_eq!(verify("x".into(), "not a hash".into()).await, Ok(false));
        let again = hash("correct horse battery".into()).await.unwrap();
        assert_ne!(h, again, "salted");
    }

    /// A flood gets `Busy` at once beyond the gate's running and waiting places: at most
    /// `running` hashes at the same time, whatever the number of callers. (A gate of its own,
    /// so the other tests of this binary keep theirs.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_flood_of_hashes_is_refused_beyond_the_gate() {
        let gate = std::sync::Arc::new(Gate::new(1, 3));
        let at_once = std::sync::Arc::new(AtomicUsize::new(0));
        let most = std::sync::Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..40 {
            let (gate, at_once, most) = (gate.clone(), at_once.clone(), most.clone());
            tasks.push(tokio::spawn(async move {
                through(&gate, move || {
                    let now = at_once.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    at_once.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            }));
        }
        let mut done = 0;
        for t in tasks {
            if t.await.unwrap().is_ok() {
                done += 1;
            }
        }
        assert_eq!(most.load(Ordering::SeqCst), 1, "one at a time");
        assert!((1..40).contains(&done), "{done} of 40 let through");
        assert_eq!(
            gate.waiting.load(Ordering::SeqCst),
            0,
            "nobody left waiting"
        );
        assert!(
            through(&gate, || ()).await.is_ok(),
            "open again after the flood"
        );
    }
}
