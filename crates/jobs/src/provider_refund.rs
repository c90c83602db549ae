//! `purchase.provider_refund`: gives a refund's money back through Stripe, which took it. The
//! store queues it in the transaction that records the refund; the refund's id is Stripe's
//! idempotency key, so a retry after a lost answer refunds once.

use async_trait::async_trait;
use stint_store::Job;
use stint_store::outbox::ProviderRefund;
use stint_stripe::{Stripe, StripeError};
use stint_worker::{Handler, JobError};

pub struct ProviderRefunds {
    stripe: Option<Stripe>,
}

impl ProviderRefunds {
    /// `stripe` is `None` when this worker has no Stripe keys: the job waits and retries, so
    /// configuring them later sends the money.
    pub fn new(stripe: Option<Stripe>) -> Self {
        ProviderRefunds { stripe }
    }
}

#[async_trait]
impl Handler for ProviderRefunds {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: ProviderRefund = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("not a provider refund: {e}")))?;
        if input.provider != "stripe" {
            return Err(JobError::fatal(format!(
                "refunds through {:?} are not made by this job",
                input.provider
            )));
        }
        let Some(stripe) = &self.stripe else {
            return Err(JobError::retry(
                "Stripe is not configured on this worker; the refund waits for its keys",
            ));
        };
        if input.payment.is_empty() {
            return Err(JobError::fatal(
                "the purchase has no Stripe payment to refund",
            ));
        }
        let key = format!("stint-refund-{}", input.adjustment);
        match stripe
            .refund(&input.payment, input.amount_minor, &key)
            .await
        {
            Ok(id) => {
                tracing::info!(adjustment = input.adjustment, refund = %id, "refunded through Stripe");
                Ok(())
            }
            // Stripe says no (a payment already refunded in full, say): retrying cannot help,
            // and the operator sees the failed job with Stripe's words.
            Err(StripeError::Answered { status, message })
                if (400..500).contains(&status) && status != 429 =>
            {
                Err(JobError::fatal(format!(
                    "Stripe refused the refund ({status}): {message}"
                )))
            }
            Err(e) => Err(JobError::retry(e.to_string())),
        }
    }
}
