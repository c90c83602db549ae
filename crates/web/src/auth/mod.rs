//! Authentication: password hashing, secrets, web sessions with CSRF protection, API
//! bearer tokens and login throttling.

pub mod csrf;
pub mod login;
pub mod password;
pub mod secret;
pub mod session;
pub mod user;

pub use user::{ApiUser, MaybeUser, PageUser};
