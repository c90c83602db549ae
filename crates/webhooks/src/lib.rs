//! Stint's signed webhooks, in the Standard Webhooks scheme: each event becomes a message
//! (`msg_…`, the `webhook-id` of every attempt) queued for every enabled endpoint subscribed
//! to its type; the `webhook.deliver` job signs it (`webhook-signature: v1,<HMAC-SHA256>`)
//! and POSTs it, logging each attempt, retrying for more than a day, and never disabling an
//! endpoint by itself.

mod deliver;
mod emit;
mod endpoint;
mod event;
mod signing;

pub use deliver::{Deliver, DeliveryJob, EXCERPT_BYTES, KIND, MAX_ATTEMPTS, TIMEOUT};
pub use emit::{
    EmitError, Emitted, dedupe_key, emit, emit_once, emit_once_for_org, in_scope, message_id_for,
    new_message_id, replay, send_test,
};
pub use endpoint::{
    EndpointInput, ValidEndpoint, check_description, check_event_types, check_org_event_types,
    check_url,
};
pub use event::{EventType, TEST_EVENT, envelope};
pub use signing::{
    HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, SECRET_PREFIX, SecretError, TOLERANCE_SECONDS,
    VerifyError, generate_secret, sign, verify,
};
