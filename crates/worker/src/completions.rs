//! Jobs that ran well are marked done together: each job's task hands its id to one writer
//! and waits for the answer, and the writer marks every id handed over since its last write
//! in one statement (`JobStore::complete_jobs`). Alone, a job waits no longer than before;
//! under load (each booking sets off a few jobs at once) many jobs share one write, which
//! on SQLite's single writer is time the bookings themselves no longer wait for.

use std::sync::Arc;
use stint_domain::clock::Clock;
use stint_store::Store;
use tokio::sync::{mpsc, oneshot};

/// The most ids one write marks.
const MOST_AT_ONCE: usize = 256;

/// A job to mark done, and where to say whether it still was this worker's.
type Ask = (i64, oneshot::Sender<Result<bool, String>>);

/// The job tasks' end of the writer.
#[derive(Debug, Clone)]
pub(crate) struct Completions(mpsc::UnboundedSender<Ask>);

/// The writer's end, until the worker starts it.
pub(crate) struct Writer(mpsc::UnboundedReceiver<Ask>);

pub(crate) fn channel() -> (Completions, Writer) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Completions(tx), Writer(rx))
}

impl Completions {
    /// Marks job `id` done; `false` if it is no longer this worker's.
    pub(crate) async fn complete(&self, id: i64) -> Result<bool, String> {
        let (tx, rx) = oneshot::channel();
        self.0
            .send((id, tx))
            .map_err(|_| "the worker has stopped recording outcomes".to_string())?;
        rx.await
            .map_err(|_| "the worker stopped before recording the outcome".to_string())?
    }
}

impl Writer {
    /// Writes what is handed over until every `Completions` is gone (the worker has stopped
    /// and its last job has been recorded).
    pub(crate) async fn run(
        mut self,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        worker: String,
    ) {
        while let Some(first) = self.0.recv().await {
            let mut batch = vec![first];
            while batch.len() < MOST_AT_ONCE {
                match self.0.try_recv() {
                    Ok(ask) => batch.push(ask),
                    Err(_) => break,
                }
            }
            let ids: Vec<i64> = batch.iter().map(|(id, _)| *id).collect();
            match store.complete_jobs(&ids, &worker, clock.now()).await {
                Ok(done) => {
                    for (id, reply) in batch {
                        let _ = reply.send(Ok(done.contains(&id)));
                    }
                }
                Err(e) => {
                    let message = e.to_string();
                    for (_, reply) in batch {
                        let _ = reply.send(Err(message.clone()));
                    }
                }
            }
        }
    }
}
