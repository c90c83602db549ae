//! A form that sends a file (`multipart/form-data`): its CSRF field checked as `CsrfForm`
//! checks a URL-encoded one, and its one file read within the route's body limit.

use super::render::forbidden_form;
use crate::auth::csrf::token_matches;
use crate::state::AppState;
use axum::extract::multipart::Multipart;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use stint_domain::account::Account;

/// What a file form sent.
pub struct Upload {
    /// The file's name as sent and its contents; `None` when none was chosen.
    pub file: Option<(String, Vec<u8>)>,
    /// The body went past the route's limit (the page says how large a file may be).
    pub too_big: bool,
}

/// Reads the form's `csrf` field and its file field `field`. A wrong token is refused as any
/// form's is (unless the body was cut short by the limit, when there is no token to read).
pub async fn read(
    state: &AppState,
    jar: &CookieJar,
    me: &Account,
    mut form: Multipart,
    field: &str,
) -> Result<Upload, Response> {
    let mut token = String::new();
    let mut file = None;
    let mut too_big = false;
    loop {
        match form.next_field().await {
            Ok(Some(part)) => match part.name() {
                Some("csrf") => token = part.text().await.unwrap_or_default(),
                Some(name) if name == field => {
                    let file_name = part.file_name().unwrap_or_default().to_string();
                    match part.bytes().await {
                        Ok(bytes) => file = Some((file_name, bytes.to_vec())),
                        Err(_) => too_big = true,
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            // A body past the route's limit ends here.
            Err(_) => {
                too_big = true;
                break;
            }
        }
    }
    if !too_big && !token_matches(state, jar, &token) {
        return Err(forbidden_form(Some(me.clone())));
    }
    Ok(Upload {
        file: file.filter(|(_, bytes): &(String, Vec<u8>)| !bytes.is_empty()),
        too_big,
    })
}
