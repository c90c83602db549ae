//! The link a sign-up gets, made as its mail job makes it (`signup_letter`), for tests that
//! follow a sign-up through pages without reading mail.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use stint_app::auth::signup::{SIGNUP_MAIL, SignupLetter, SignupMailJob, signup_letter};
use stint_domain::clock::Clock;
use stint_store::Store;

/// The token of a new link for the open sign-up of `email`.
pub async fn signup_link(store: Arc<dyn Store>, clock: Arc<dyn Clock>, email: &str) -> String {
    let app = stint_app::App::new(store.clone(), clock, stint_app::Settings::default());
    for job in store.jobs(None, None, 1000).await.unwrap() {
        if job.kind != SIGNUP_MAIL {
            continue;
        }
        let input: SignupMailJob = serde_json::from_str(&job.payload).unwrap();
        if let Some(SignupLetter::Link {
            email: to, token, ..
        }) = signup_letter(&app, input.signup).await.unwrap()
            && to == email
        {
            return token;
        }
    }
    panic!("no open sign-up of {email}");
}
