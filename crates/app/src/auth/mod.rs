//! Accounts' credentials: password hashing, random secrets and their digests, log-in with
//! throttling, sign-up confirmed by mail, and the sessions and tokens that say who is asking.

pub mod credentials;
pub mod login;
pub mod password;
pub mod secret;
pub mod sessions;
pub mod signup;
pub mod signup_limit;
pub mod throttle;
pub mod token_use;
pub mod tokens;
