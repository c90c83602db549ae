//! The delivery job (`webhook.deliver`): one signed POST of a message to an endpoint. Every
//! try is logged with what came back; a 2xx answer ends the job, anything else (another
//! status, a refused connection, no answer within ten seconds) is logged and retried with
//! the worker's backoff for more than a day. An endpoint is never disabled by failures:
//! operators see its consecutive failures and decide.

use crate::signing::{HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, sign};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use stint_domain::clock::Clock;
use stint_egress::EgressPolicy;
use stint_store::{Job, NewWebhookAttempt, Store};
use stint_worker::{Handler, JobError};

/// The job kind.
pub const KIND: &str = "webhook.deliver";

/// Attempts of one delivery. With the worker's backoff (30 s doubling to at most an hour)
/// the waits between them add up to just over 24 hours (see the test below).
pub const MAX_ATTEMPTS: u32 = 31;

/// How long a receiver has to answer, body included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How much of an answer's body is kept in the log: enough for a receiver's error message,
/// not a page of whatever answered.
pub const EXCERPT_BYTES: usize = 512;

/// The job's input: ids only (the jobs page shows it), the secret is read when it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryJob {
    pub endpoint_id: i64,
    pub message_id: String,
}

/// Delivers one message to one endpoint per job.
pub struct Deliver {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    client: Option<reqwest::Client>,
    egress: Arc<EgressPolicy>,
}

impl Deliver {
    /// Deliveries connect only where `egress` allows (public addresses, by default).
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, egress: Arc<EgressPolicy>) -> Deliver {
        let client = egress
            .client_builder()
            // A redirect is an answer, not a success: receivers give their final address.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .user_agent(concat!("Stint-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            // Only a TLS back-end that cannot start gets here; a client without the policy's
            // resolver must not stand in, so then nothing is delivered (and each try says why).
            .inspect_err(|e| tracing::error!(error = %e, "webhook HTTP client could not be built"))
            .ok();
        Deliver {
            store,
            clock,
            client,
            egress,
        }
    }
}

/// What one POST came to.
struct Outcome {
    status: Option<u16>,
    error: Option<String>,
    excerpt: Option<String>,
}

/// Reads at most [`EXCERPT_BYTES`] of the body; the rest is not downloaded.
async fn excerpt(mut response: reqwest::Response) -> Option<String> {
    let mut kept: Vec<u8> = Vec::new();
    while kept.len() < EXCERPT_BYTES {
        match response.chunk().await {
            Ok(Some(bytes)) => kept.extend_from_slice(&bytes),
            Ok(None) | Err(_) => break,
        }
    }
    kept.truncate(EXCERPT_BYTES);
    // Control characters (escape sequences for a terminal, say) are not kept.
    let text: String = String::from_utf8_lossy(&kept)
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect();
    (!text.is_empty()).then_some(text)
}

impl Deliver {
    async fn post(
        &self,
        url: &str,
        message_id: &str,
        timestamp: i64,
        signature: &str,
        body: &str,
    ) -> Outcome {
        let host = host_of(url);
        if let Err(refused) = url::Url::parse(url)
            .map_err(|_| stint_egress::Refused { host: host.clone() })
            .and_then(|u| self.egress.check_url(&u))
        {
            return Outcome {
                status: None,
                error: Some(format!("not sent: {refused}")),
                excerpt: None,
            };
        }
        let Some(client) = &self.client else {
            return Outcome {
                status: None,
                error: Some("not sent: the HTTP client could not start (see the log)".into()),
                excerpt: None,
            };
        };
        let sent = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(HEADER_ID, message_id)
            .header(HEADER_TIMESTAMP, timestamp.to_string())
            .header(HEADER_SIGNATURE, signature)
            .body(body.to_string())
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status();
                let excerpt = excerpt(response).await;
                let error = (!status.is_success()).then(|| {
                    format!(
                        "the receiver answered HTTP {status}; only a 2xx answer counts as delivered"
                    )
                });
                Outcome {
                    status: Some(status.as_u16()),
                    error,
                    excerpt,
                }
            }
            Err(e) => {
                // One text for refused, reset and timed-out connections: the log must not
                // tell an open port from a closed or filtered one.
                let error = match stint_egress::refusal(&e) {
                    Some(refused) => format!("not sent: {refused}"),
                    None => {
                        tracing::info!(host = %host, error = %e, "webhook receiver unreachable");
                        format!(
                            "no answer from {host} within {} s (no connection, or no response)",
                            TIMEOUT.as_secs()
                        )
                    }
                };
                Outcome {
                    status: None,
                    error: Some(error),
                    excerpt: None,
                }
            }
        }
    }
}

/// `host[:port]` of an endpoint's address: its path and query may hold a secret token.
fn host_of(url: &str) -> String {
    url::Url::parse(url).map_or_else(|_| "?".to_string(), |u| stint_egress::host_and_port(&u))
}

#[async_trait]
impl Handler for Deliver {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: DeliveryJob = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("not a webhook delivery: {e}")))?;
        let store_failed = |e: stint_store::StoreError| JobError::retry(format!("storage: {e}"));
        let endpoint = self
            .store
            .webhook_endpoint(input.endpoint_id)
            .await
            .map_err(store_failed)?
            .ok_or_else(|| {
                JobError::fatal(format!(
                    "webhook endpoint {} no longer exists",
                    input.endpoint_id
                ))
            })?;
        if !endpoint.enabled {
            return Err(JobError::fatal(format!(
                "not sent: webhook endpoint {} was disabled ({}); replay the message once it is enabled",
                endpoint.id,
                endpoint
                    .disabled_reason
                    .as_deref()
                    .unwrap_or("no reason given"),
            )));
        }
        let message = self
            .store
            .webhook_message(&input.message_id)
            .await
            .map_err(store_failed)?
            .ok_or_else(|| {
                JobError::fatal(format!(
                    "webhook message {} does not exist",
                    input.message_id
                ))
            })?;
        let now = self.clock.now();
        let signature = sign(
            &endpoint.secret,
            &message.id,
            now.as_second(),
            message.payload.as_bytes(),
        )
        .map_err(|e| {
            JobError::fatal(format!(
                "endpoint {}'s secret cannot sign: {e}",
                endpoint.id
            ))
        })?;
        let started = Instant::now();
        let outcome = self
            .post(
                &endpoint.url,
                &message.id,
                now.as_second(),
                &signature,
                &message.payload,
            )
            .await;
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let logged = self
            .store
            .record_webhook_attempt(&NewWebhookAttempt {
                endpoint_id: endpoint.id,
                message_id: message.id.clone(),
                status_code: outcome.status,
                error: outcome.error.clone(),
                response_excerpt: outcome.excerpt,
                duration_ms,
                at: now,
            })
            .await;
        if let Err(e) = logged {
            // The receiver may have the message; it deduplicates by webhook-id.
            return Err(JobError::retry(format!(
                "the attempt could not be logged: {e}"
            )));
        }
        match outcome.error {
            None => Ok(()),
            Some(error) => Err(JobError::retry(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stint_worker::backoff;

    /// The waits after attempts 1 to n − 1: how long a delivery keeps trying.
    fn span(attempts: u32) -> Duration {
        (1..attempts).map(backoff).sum()
    }

    #[test]
    fn retries_span_at_least_a_day_and_no_more_attempts_than_that_needs() {
        let day = Duration::from_secs(24 * 3600);
        assert!(span(MAX_ATTEMPTS) >= day, "{:?}", span(MAX_ATTEMPTS));
        assert!(span(MAX_ATTEMPTS - 1) < day, "one attempt fewer would do");
        // 30 s + 1 min + … + 32 min, then 23 hourly waits.
        assert_eq!(span(MAX_ATTEMPTS).as_secs(), 3810 + 23 * 3600);
    }

    #[test]
    fn the_job_input_names_ids_only() {
        let job = DeliveryJob {
            endpoint_id: 3,
            message_id: "msg_1".into(),
        };
        let text = serde_json::to_string(&job).unwrap();
        assert_eq!(text, r#"{"endpoint_id":3,"message_id":"msg_1"}"#);
        assert!(serde_json::from_str::<DeliveryJob>(r#"{"endpoint_id":3}"#).is_err());
    }

    #[test]
    fn only_the_host_of_an_address_is_named() {
        assert_eq!(
            host_of("https://hooks.example.com/in/s3cret?token=x"),
            "hooks.example.com"
        );
        assert_eq!(host_of("http://10.0.0.1:8080/x"), "10.0.0.1:8080");
        assert_eq!(host_of("not a url"), "?");
    }
}
