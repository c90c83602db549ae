//! Who is asking, read in batches: on PostgreSQL the session and token look-ups that arrive
//! together share one query, as the booking claims share one commit (`claim/group_commit`).
//! Every request still reads the database: a look-up joins only a query sent after it
//! arrived, so a token deleted, a session ended or a role revoked on any node before a
//! request comes is refused for that request. What is saved is the round trips: sixteen
//! clients booking at once made sixteen look-ups per booking wave, now one or two.
//!
//! Up to [`IN_FLIGHT`] batch queries run at once; while they are out, the next batch
//! gathers. A lone request is sent at once, with no wait for company.

use super::accounts::account_from_rows;
use crate::StoreError;
use crate::interfaces::Result;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use std::collections::HashMap;
use std::sync::Arc;
use stint_domain::account::Account;
use tokio::sync::{Semaphore, mpsc, oneshot};

/// The most look-ups one query carries.
const MAX_BATCH: usize = 64;
/// Batch queries out at once.
const IN_FLIGHT: usize = 2;

/// What a secret's digest is looked up in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Secret {
    WebSession,
    ApiToken,
}

impl Secret {
    /// The rows of every live-or-expired secret of the batch (`$1`, a JSON array of
    /// digests) with its account and roles; expiry is judged per request, by its own `now`.
    fn sql(self) -> &'static str {
        match self {
            Secret::WebSession => concat!(
                "SELECT s.token_hash AS secret, s.expires_at, u.id, u.email, u.display_name, u.timezone, r.role ",
                "FROM web_sessions s JOIN users u ON u.id = s.user_id ",
                "LEFT JOIN user_roles r ON r.user_id = u.id ",
                "WHERE s.token_hash IN (SELECT json_array_elements_text($1::json))"
            ),
            Secret::ApiToken => concat!(
                "SELECT t.token_hash AS secret, t.expires_at, u.id, u.email, u.display_name, u.timezone, r.role ",
                "FROM api_tokens t JOIN users u ON u.id = t.user_id ",
                "LEFT JOIN user_roles r ON r.user_id = u.id ",
                "WHERE t.token_hash IN (SELECT json_array_elements_text($1::json))"
            ),
        }
    }
}

struct Lookup {
    secret: Secret,
    digest: String,
    now: i64,
    reply: oneshot::Sender<Result<Option<Account>>>,
}

/// The queue in front of the batched look-ups; cheap to clone.
#[derive(Clone)]
pub(crate) struct AccountLookups {
    lookups: mpsc::Sender<Lookup>,
}

impl AccountLookups {
    /// Starts the task that sends the batches; it ends when the last handle is dropped.
    pub(crate) fn start(pool: AnyPool) -> AccountLookups {
        let (lookups, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(pool, rx));
        AccountLookups { lookups }
    }

    /// The account whose live secret of kind `secret` has this digest, as of `now`.
    pub(crate) async fn account(
        &self,
        secret: Secret,
        digest: &str,
        now: i64,
    ) -> Result<Option<Account>> {
        let (reply, answer) = oneshot::channel();
        let stopped = || StoreError::Backend("the account look-up task has stopped".into());
        self.lookups
            .send(Lookup {
                secret,
                digest: digest.to_string(),
                now,
                reply,
            })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn run(pool: AnyPool, mut rx: mpsc::Receiver<Lookup>) {
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    loop {
        // A slot first, then the look-ups: while every slot is busy, the batch gathers.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let Some(first) = rx.recv().await else {
            return;
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(l) => batch.push(l),
                Err(_) => break,
            }
        }
        let pool = pool.clone();
        tokio::spawn(async move {
            answer(&pool, batch).await;
            drop(slot);
        });
    }
}

/// Sends one query per kind of secret in `batch` and answers each look-up.
async fn answer(pool: &AnyPool, batch: Vec<Lookup>) {
    let mut by_kind: HashMap<Secret, Vec<Lookup>> = HashMap::new();
    for l in batch {
        by_kind.entry(l.secret).or_default().push(l);
    }
    for (secret, lookups) in by_kind {
        let digests: Vec<&str> = lookups.iter().map(|l| l.digest.as_str()).collect();
        let json = serde_json::to_string(&digests).unwrap_or_else(|_| "[]".into());
        match sqlx::query(secret.sql()).bind(json).fetch_all(pool).await {
            Ok(rows) => {
                let mut by_digest: HashMap<String, Vec<AnyRow>> = HashMap::new();
                for row in rows {
                    let digest: String = row.try_get("secret").unwrap_or_default();
                    by_digest.entry(digest).or_default().push(row);
                }
                for l in lookups {
                    let rows = by_digest.get(&l.digest).map(Vec::as_slice).unwrap_or(&[]);
                    let _ = l.reply.send(live_account(rows, l.now));
                }
            }
            Err(e) => {
                let why = format!("looking up who is asking: {e}");
                for l in lookups {
                    let _ = l.reply.send(Err(StoreError::Backend(why.clone().into())));
                }
            }
        }
    }
}

/// The account of one secret's rows (one per role), if the secret is live at `now`.
fn live_account(rows: &[AnyRow], now: i64) -> Result<Option<Account>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let expires: i64 = first.try_get("expires_at")?;
    if expires <= now {
        return Ok(None);
    }
    account_from_rows(rows)
}
