//! Turning an event into deliveries: the message is written once and one job per enabled
//! endpoint subscribed to its type is queued, each under the dedupe key
//! `webhook:{endpoint}:{message}`, so emitting the same message twice queues nothing more.
//! A replay by hand queues the same message (the same `webhook-id`) again.

use crate::deliver::{DeliveryJob, KIND, MAX_ATTEMPTS};
use crate::event::{EventType, TEST_EVENT, envelope};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use stint_domain::ids::OrgId;
use stint_store::{Enqueued, NewJob, Store, StoreError, WebhookEndpoint, WebhookMessage};

/// Why an event or a replay was not queued.
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    #[error("unknown event type {0:?}")]
    UnknownEventType(String),
    #[error("no webhook endpoint {0}")]
    NoEndpoint(i64),
    #[error("webhook endpoint {0} is disabled; enable it first")]
    Disabled(i64),
    #[error("no message {0} for this endpoint")]
    NoMessage(String),
    /// A delivery of this message to this endpoint is queued or running already.
    #[error("a delivery of this message to this endpoint is already queued or running")]
    AlreadyQueued(i64),
    #[error("the system's random source failed: {0}")]
    Random(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What emitting did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emitted {
    /// The `webhook-id` every attempt carries.
    pub message_id: String,
    /// Each receiving endpoint and its delivery job.
    pub deliveries: Vec<(i64, Enqueued)>,
}

/// A new random message id: `msg_` and 32 hex digits.
pub fn new_message_id() -> Result<String, EmitError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| EmitError::Random(e.to_string()))?;
    Ok(format!("msg_{}", hex::encode(bytes)))
}

/// The message id for an event named by `key` (e.g. `booking.created:42`): the same key
/// always gives the same id, so a job that emits and then runs again emits nothing new.
pub fn message_id_for(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    format!("msg_{}", hex::encode(&digest[..16]))
}

/// Emits `data` as an event of `event_type` at `now` to every enabled endpoint subscribed
/// to it, under a new message id.
pub async fn emit(
    store: &dyn Store,
    event_type: EventType,
    data: &serde_json::Value,
    now: Timestamp,
) -> Result<Emitted, EmitError> {
    emit_message(store, None, &new_message_id()?, event_type, data, now).await
}

/// As [`emit`], under the id `message_id_for(key)`: calling it again for the same event
/// (a job that runs twice) writes no second message and queues no second delivery.
pub async fn emit_once(
    store: &dyn Store,
    key: &str,
    event_type: EventType,
    data: &serde_json::Value,
    now: Timestamp,
) -> Result<Emitted, EmitError> {
    emit_message(store, None, &message_id_for(key), event_type, data, now).await
}

/// As [`emit_once`], for an event about organisation `org`: it goes to that organisation's
/// endpoints and to operators' endpoints subscribed to it, never to another organisation's.
pub async fn emit_once_for_org(
    store: &dyn Store,
    org: OrgId,
    key: &str,
    event_type: EventType,
    data: &serde_json::Value,
    now: Timestamp,
) -> Result<Emitted, EmitError> {
    emit_message(
        store,
        Some(org),
        &message_id_for(key),
        event_type,
        data,
        now,
    )
    .await
}

/// Whether `endpoint` may receive an event about `org` (`None`: about no organisation).
/// An organisation's endpoint receives only its own organisation's events.
pub fn in_scope(endpoint: &WebhookEndpoint, org: Option<OrgId>) -> bool {
    match endpoint.org {
        None => true,
        Some(own) => org == Some(own),
    }
}

async fn emit_message(
    store: &dyn Store,
    org: Option<OrgId>,
    message_id: &str,
    event_type: EventType,
    data: &serde_json::Value,
    now: Timestamp,
) -> Result<Emitted, EmitError> {
    let receivers: Vec<WebhookEndpoint> = store
        .webhook_endpoints()
        .await?
        .into_iter()
        .filter(|e| e.receives(event_type.as_str()) && in_scope(e, org))
        .collect();
    let mut deliveries = Vec::new();
    if receivers.is_empty() {
        // Nobody listens: nothing is written.
        return Ok(Emitted {
            message_id: message_id.to_string(),
            deliveries,
        });
    }
    let message = WebhookMessage {
        id: message_id.to_string(),
        event_type: event_type.as_str().to_string(),
        payload: envelope(event_type.as_str(), data, now),
        created_at: now,
    };
    store.save_webhook_message(&message).await?;
    for endpoint in receivers {
        let queued = queue(store, endpoint.id, message_id, MAX_ATTEMPTS, now).await?;
        deliveries.push((endpoint.id, queued));
    }
    Ok(Emitted {
        message_id: message_id.to_string(),
        deliveries,
    })
}

/// Queues one delivery of a stored message to one endpoint.
async fn queue(
    store: &dyn Store,
    endpoint_id: i64,
    message_id: &str,
    max_attempts: u32,
    now: Timestamp,
) -> Result<Enqueued, EmitError> {
    let job = DeliveryJob {
        endpoint_id,
        message_id: message_id.to_string(),
    };
    let payload = serde_json::to_string(&job).map_err(|e| StoreError::Backend(Box::new(e)))?;
    Ok(store
        .enqueue(
            &NewJob {
                kind: KIND.to_string(),
                payload,
                dedupe_key: Some(dedupe_key(endpoint_id, message_id)),
                due_at: now,
                max_attempts,
            },
            now,
        )
        .await?)
}

/// At most one live delivery of a message to an endpoint.
pub fn dedupe_key(endpoint_id: i64, message_id: &str) -> String {
    format!("webhook:{endpoint_id}:{message_id}")
}

/// Sends a message to an endpoint again, by hand: same id, same body, a new signature and
/// timestamp, with the full retry schedule. The endpoint must have been sent the message
/// before, or subscribe to its type. Returns the job id.
pub async fn replay(
    store: &dyn Store,
    endpoint_id: i64,
    message_id: &str,
    now: Timestamp,
) -> Result<i64, EmitError> {
    let endpoint = store
        .webhook_endpoint(endpoint_id)
        .await?
        .ok_or(EmitError::NoEndpoint(endpoint_id))?;
    if !endpoint.enabled {
        return Err(EmitError::Disabled(endpoint_id));
    }
    let message = store
        .webhook_message(message_id)
        .await?
        .ok_or_else(|| EmitError::NoMessage(message_id.to_string()))?;
    // An organisation's endpoint is sent again only what it was sent: a message about
    // another organisation may share its event type.
    let subscribed = endpoint.org.is_none() && endpoint.event_types.contains(&message.event_type);
    let meant_for = subscribed || store.webhook_message_tried(endpoint_id, message_id).await?;
    if !meant_for {
        return Err(EmitError::NoMessage(message_id.to_string()));
    }
    match queue(store, endpoint_id, message_id, MAX_ATTEMPTS, now).await? {
        Enqueued::New(id) => Ok(id),
        Enqueued::Duplicate(id) => Err(EmitError::AlreadyQueued(id)),
    }
}

/// Sends a `webhook.test` event to one endpoint, whatever it subscribes to, once (no
/// retries: the operator is watching the log). Returns the message id and job id.
pub async fn send_test(
    store: &dyn Store,
    endpoint_id: i64,
    now: Timestamp,
) -> Result<(String, i64), EmitError> {
    let endpoint = store
        .webhook_endpoint(endpoint_id)
        .await?
        .ok_or(EmitError::NoEndpoint(endpoint_id))?;
    if !endpoint.enabled {
        return Err(EmitError::Disabled(endpoint_id));
    }
    let message = WebhookMessage {
        id: new_message_id()?,
        event_type: TEST_EVENT.to_string(),
        payload: envelope(
            TEST_EVENT,
            &serde_json::json!({
                "endpoint_id": endpoint_id,
                "message": "A test event from Stint: your endpoint is reachable and can check signatures.",
            }),
            now,
        ),
        created_at: now,
    };
    store.save_webhook_message(&message).await?;
    match queue(store, endpoint_id, &message.id, 1, now).await? {
        Enqueued::New(id) | Enqueued::Duplicate(id) => Ok((message.id, id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_random_or_follow_their_key() {
        let a = new_message_id().unwrap();
        assert!(a.starts_with("msg_") && a.len() == 36, "{a}");
        assert_ne!(a, new_message_id().unwrap());
        assert_eq!(
            message_id_for("booking.created:1"),
            message_id_for("booking.created:1")
        );
        assert_ne!(
            message_id_for("booking.created:1"),
            message_id_for("booking.created:2")
        );
        assert_eq!(dedupe_key(3, "msg_x"), "webhook:3:msg_x");
    }
}
