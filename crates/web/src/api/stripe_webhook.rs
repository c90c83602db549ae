//! `POST /webhooks/stripe`: where Stripe posts its signed events. Not part of the API
//! document (only Stripe calls it); no session or CSRF applies, the signature is the proof.

use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};
use stint_app::money::stripe::{self, Received};

/// Acts on one event; a 2xx tells Stripe not to send it again.
pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let done = match stripe::receive(&state, signature, &body).await? {
        Received::Paid(purchase) => json!({ "received": true, "purchase_id": purchase }),
        Received::Funded(funding) => json!({ "received": true, "funding_id": funding }),
        Received::Replay => json!({ "received": true, "replay": true }),
        Received::Ignored => json!({ "received": true, "ignored": true }),
    };
    Ok(Json(done))
}
