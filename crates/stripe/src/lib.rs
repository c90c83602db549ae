//! Stripe, as Stint uses it: a hosted Checkout page for one credit pack, refunds of what a
//! payment took, and the events Stripe signs and posts back. Only what Stint calls is here;
//! every request goes through the egress policy, and the keys never reach a log.

mod client;
mod signature;

pub use client::{
    Checkout, CheckoutRequest, FUNDING_KEY, PURCHASE_KEY, Stripe, StripeError, StripeSettings,
};
pub use signature::{Event, SignatureError, TOLERANCE_SECONDS, sign, verify};
