//! Mail about one's account: the purchase receipt, the warning that credits expire soon, and
//! mail that carries a single-use link:
//! the sign-up link (or, for an address that has an account, a note saying so), the
//! password-reset link, an organisation's invitation and its domain's verification. Each link is
//! made when its mail is sent, not where it was asked for, so its secret never sits in the
//! job queue (which operators can read); only its digest is stored.

pub mod expiry_warning;
pub mod org_domain;
pub mod org_invite;
pub mod password_reset;
pub mod receipt;
pub mod signup;

/// The host of the site's public address, naming messages (`<…@host>`).
pub(crate) fn host_of(public_url: &str) -> &str {
    public_url
        .split("://")
        .nth(1)
        .and_then(|h| h.split(['/', ':']).next())
        .filter(|h| !h.is_empty())
        .unwrap_or("stint.localhost")
}

/// A message's name from its link's secret: the start of the digest names the message (and
/// its outbox file), never the secret itself.
fn nonce_of(token: &str) -> String {
    stint_app::auth::secret::digest(token)[..16].to_string()
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
