//! The web side of authentication: session cookies, CSRF protection, and the extractors
//! that say who is asking (bearer token or session cookie), each over a use case of
//! `stint_app::auth`.

pub mod csrf;
pub mod session;
pub mod user;

pub use user::{ApiOperator, ApiUser, MaybeUser, PageUser};
