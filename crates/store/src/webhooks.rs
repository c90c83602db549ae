//! The storage interface of signed webhooks: endpoints operators register, each event's
//! message (written once, sent to every subscribed endpoint), and the log of delivery
//! attempts with what each receiver answered.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::ids::{OrgId, UserId};

/// An endpoint to add. Its input is checked before it reaches storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhookEndpoint {
    pub url: String,
    pub description: String,
    /// The `whsec_…` signing secret.
    pub secret: String,
    /// Event type names, e.g. `booking.created`.
    pub event_types: Vec<String>,
    pub created_by: UserId,
    /// The organisation whose admins registered it (it receives only that organisation's
    /// events); `None` for an operator's.
    pub org: Option<OrgId>,
}

/// What an update writes: every field, as the caller merged it with the stored endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpointUpdate {
    pub url: String,
    pub description: String,
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// Required when `enabled` is false (nothing is disabled without a reason); cleared
    /// when enabled.
    pub disabled_reason: Option<String>,
}

/// An endpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub url: String,
    pub description: String,
    pub secret: String,
    pub event_types: Vec<String>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub created_by: UserId,
    /// The organisation it belongs to; `None` for an operator's endpoint.
    pub org: Option<OrgId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl WebhookEndpoint {
    /// Whether events of `event_type` go to this endpoint now.
    pub fn receives(&self, event_type: &str) -> bool {
        self.enabled && self.event_types.iter().any(|t| t == event_type)
    }
}

/// One event: the body every attempt sends, under one `webhook-id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookMessage {
    /// `msg_…`, stable across retries and replays.
    pub id: String,
    pub event_type: String,
    /// The exact JSON body signed and sent.
    pub payload: String,
    pub created_at: Timestamp,
}

/// One try to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhookAttempt {
    pub endpoint_id: i64,
    pub message_id: String,
    /// The receiver's HTTP status; `None` when no answer came.
    pub status_code: Option<u16>,
    /// Why the attempt failed, for people to read.
    pub error: Option<String>,
    /// The start of the answer's body (capped by the sender).
    pub response_excerpt: Option<String>,
    pub duration_ms: u64,
    pub at: Timestamp,
}

/// One try as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookAttempt {
    pub id: i64,
    pub endpoint_id: i64,
    pub message_id: String,
    /// The message's event type.
    pub event_type: String,
    /// 1 for the first try of this message at this endpoint; replays continue the count.
    pub attempt: u32,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub response_excerpt: Option<String>,
    pub duration_ms: u64,
    pub at: Timestamp,
}

impl WebhookAttempt {
    /// A 2xx answer: the receiver took the message.
    pub fn succeeded(&self) -> bool {
        self.status_code.is_some_and(|s| (200..300).contains(&s))
    }
}

/// How an endpoint is doing, for operators to see at a glance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookHealth {
    pub last_attempt: Option<WebhookAttempt>,
    /// Failed attempts since the last success (or since the first attempt).
    pub consecutive_failures: u64,
}

/// Webhook endpoints, messages and the delivery log.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn create_webhook_endpoint(
        &self,
        new: &NewWebhookEndpoint,
        now: Timestamp,
    ) -> Result<WebhookEndpoint>;
    async fn webhook_endpoint(&self, id: i64) -> Result<Option<WebhookEndpoint>>;
    /// Every endpoint, oldest first.
    async fn webhook_endpoints(&self) -> Result<Vec<WebhookEndpoint>>;
    /// Writes `update` over the endpoint; `NotFound` if there is none, `Invalid` naming
    /// `disabled_reason` when disabling without one.
    async fn update_webhook_endpoint(
        &self,
        id: i64,
        update: &WebhookEndpointUpdate,
        now: Timestamp,
    ) -> Result<WebhookEndpoint>;

    /// Stores a message; `false` (and nothing changed) if one with its id exists, so an
    /// event emitted twice under one id is one message.
    async fn save_webhook_message(&self, message: &WebhookMessage) -> Result<bool>;
    async fn webhook_message(&self, id: &str) -> Result<Option<WebhookMessage>>;

    /// Logs an attempt, numbering it after the earlier ones of its message at its endpoint.
    async fn record_webhook_attempt(&self, attempt: &NewWebhookAttempt) -> Result<WebhookAttempt>;
    /// The endpoint's log, newest first.
    async fn webhook_attempts(
        &self,
        endpoint_id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<WebhookAttempt>>;
    /// Whether `message_id` was ever tried at `endpoint_id`.
    async fn webhook_message_tried(&self, endpoint_id: i64, message_id: &str) -> Result<bool>;
    async fn webhook_health(&self, endpoint_id: i64) -> Result<WebhookHealth>;
}
