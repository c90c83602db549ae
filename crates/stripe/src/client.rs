//! Calls to Stripe's API (form-encoded, as Stripe takes them): a Checkout session for one
//! purchase and a refund of part of a payment. Each carries an idempotency key, so a retry
//! after a lost answer cannot pay or refund twice.

use std::sync::Arc;
use std::time::Duration;
use stint_egress::EgressPolicy;

/// Where Stripe is and the secrets that open it. `Debug` never shows a secret.
#[derive(Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct StripeSettings {
    /// `sk_live_…` or `sk_test_…`; empty means Stripe is not offered.
    pub secret_key: String,
    /// `whsec_…`: the signing secret of the webhook endpoint at `/webhooks/stripe`.
    pub webhook_secret: String,
    /// Stripe's API address; a test server's in tests (empty means `https://api.stripe.com`).
    pub api_base: String,
}

impl std::fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeSettings")
            .field("secret_key", &redacted(&self.secret_key))
            .field("webhook_secret", &redacted(&self.webhook_secret))
            .field("api_base", &self.api_base)
            .finish()
    }
}

fn redacted(secret: &str) -> &'static str {
    if secret.is_empty() {
        "(unset)"
    } else {
        "(set)"
    }
}

impl StripeSettings {
    /// Whether both secrets are set: without the webhook secret no payment could ever be
    /// credited, so Stripe is offered only with both.
    pub fn configured(&self) -> bool {
        !self.secret_key.trim().is_empty() && !self.webhook_secret.trim().is_empty()
    }

    fn api_base(&self) -> &str {
        let base = self.api_base.trim().trim_end_matches('/');
        if base.is_empty() {
            "https://api.stripe.com"
        } else {
            base
        }
    }
}

/// What went wrong talking to Stripe. Messages name the host, never a key.
#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    #[error("the egress policy refuses {0}")]
    Refused(String),
    #[error("Stripe answered {status}: {message}")]
    Answered { status: u16, message: String },
    #[error("Stripe could not be reached: {0}")]
    Transport(String),
}

/// One payment on Stripe's hosted page: a purchase of credits or a budget's funding.
#[derive(Debug, Clone)]
pub struct CheckoutRequest {
    /// The metadata key naming what is paid for ([`PURCHASE_KEY`] or [`FUNDING_KEY`]).
    pub key: &'static str,
    /// Its id.
    pub id: i64,
    /// What the buyer sees on the page ("Starter pack: 45 credits").
    pub name: String,
    pub amount_minor: i64,
    /// ISO 4217, any case.
    pub currency: String,
    pub customer_email: String,
    pub success_url: String,
    pub cancel_url: String,
}

/// A Checkout session: where to send the buyer.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Checkout {
    /// `cs_…`
    pub id: String,
    /// Stripe's page for this session.
    pub url: String,
}

/// The metadata key that carries Stint's purchase id on a Checkout session and its payment.
pub const PURCHASE_KEY: &str = "stint_purchase";
/// The metadata key that carries a sponsor's funding id.
pub const FUNDING_KEY: &str = "stint_funding";

/// Stripe's API through the egress policy.
#[derive(Debug, Clone)]
pub struct Stripe {
    settings: StripeSettings,
    egress: Arc<EgressPolicy>,
    http: reqwest::Client,
}

impl Stripe {
    /// `None` unless both secrets are set.
    pub fn new(settings: StripeSettings, egress: Arc<EgressPolicy>) -> Option<Stripe> {
        if !settings.configured() {
            return None;
        }
        let http = egress
            .client_builder()
            .timeout(Duration::from_secs(20))
            .build()
            .ok()?;
        Some(Stripe {
            settings,
            egress,
            http,
        })
    }

    /// The signing secret of Stint's webhook endpoint.
    pub fn webhook_secret(&self) -> &str {
        &self.settings.webhook_secret
    }

    /// Opens a Checkout session for one payment; what it pays for travels in the metadata of
    /// the session and of the payment, so either event finds it.
    pub async fn create_checkout(&self, req: &CheckoutRequest) -> Result<Checkout, StripeError> {
        let id = req.id.to_string();
        let session_key = format!("metadata[{}]", req.key);
        let payment_key = format!("payment_intent_data[metadata][{}]", req.key);
        let form: Vec<(&str, String)> = vec![
            ("mode", "payment".into()),
            ("line_items[0][quantity]", "1".into()),
            (
                "line_items[0][price_data][currency]",
                req.currency.to_ascii_lowercase(),
            ),
            (
                "line_items[0][price_data][unit_amount]",
                req.amount_minor.to_string(),
            ),
            (
                "line_items[0][price_data][product_data][name]",
                req.name.clone(),
            ),
            ("client_reference_id", id.clone()),
            (&session_key, id.clone()),
            (&payment_key, id.clone()),
            ("customer_email", req.customer_email.clone()),
            ("success_url", req.success_url.clone()),
            ("cancel_url", req.cancel_url.clone()),
        ];
        // Purchases keep the key they always had, so a retry of an older one still matches.
        let idempotency = match req.key {
            PURCHASE_KEY => format!("stint-checkout-{id}"),
            other => format!("{other}-checkout-{id}"),
        };
        self.post("/v1/checkout/sessions", &idempotency, &form)
            .await
    }

    /// Refunds `amount_minor` of payment `payment_intent`; `key` makes a retry harmless.
    /// Returns Stripe's refund id.
    pub async fn refund(
        &self,
        payment_intent: &str,
        amount_minor: i64,
        key: &str,
    ) -> Result<String, StripeError> {
        #[derive(serde::Deserialize)]
        struct Refund {
            id: String,
        }
        let form = vec![
            ("payment_intent", payment_intent.to_string()),
            ("amount", amount_minor.to_string()),
        ];
        let refund: Refund = self.post("/v1/refunds", key, &form).await?;
        Ok(refund.id)
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        idempotency_key: &str,
        form: &[(&str, String)],
    ) -> Result<T, StripeError> {
        let raw = format!("{}{path}", self.settings.api_base());
        let url = url::Url::parse(&raw).map_err(|e| StripeError::Transport(e.to_string()))?;
        let host = stint_egress::host_and_port(&url);
        self.egress
            .check_url(&url)
            .map_err(|_| StripeError::Refused(host.clone()))?;
        let answer = self
            .http
            .post(url)
            .bearer_auth(&self.settings.secret_key)
            .header("Idempotency-Key", idempotency_key)
            .form(form)
            .send()
            .await
            .map_err(|e| match stint_egress::refusal(&e) {
                Some(_) => StripeError::Refused(host.clone()),
                None => StripeError::Transport(format!("{host}: {}", e.without_url())),
            })?;
        let status = answer.status();
        let body = answer
            .bytes()
            .await
            .map_err(|e| StripeError::Transport(format!("{host}: {}", e.without_url())))?;
        if !status.is_success() {
            let message = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
                .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(200).collect());
            return Err(StripeError::Answered {
                status: status.as_u16(),
                message,
            });
        }
        serde_json::from_slice(&body).map_err(|e| StripeError::Transport(format!("{host}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_secret() {
        let s = StripeSettings {
            secret_key: "sk_test_very_secret".into(),
            webhook_secret: "whsec_very_secret".into(),
            api_base: String::new(),
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("very_secret"), "{shown}");
        assert!(shown.contains("(set)"));
    }

    #[test]
    fn stripe_is_offered_only_with_both_secrets() {
        let egress = Arc::new(EgressPolicy::default());
        let mut s = StripeSettings {
            secret_key: "sk_test_x".into(),
            ..Default::default()
        };
        assert!(Stripe::new(s.clone(), egress.clone()).is_none());
        s.webhook_secret = "whsec_x".into();
        assert!(Stripe::new(s, egress).is_some());
    }

    #[tokio::test]
    async fn an_internal_api_address_is_refused_by_default() {
        let s = StripeSettings {
            secret_key: "sk_test_x".into(),
            webhook_secret: "whsec_x".into(),
            api_base: "http://127.0.0.1:9".into(),
        };
        let stripe = Stripe::new(s, Arc::new(EgressPolicy::default())).unwrap();
        let err = stripe.refund("pi_1", 100, "k").await.unwrap_err();
        assert!(matches!(err, StripeError::Refused(_)), "{err}");
    }
}
