//! Addresses Stint will call (webhook endpoints, calendars): refused when saved if the
//! egress policy would refuse them anyway, so the user learns at once, not from a failed
//! delivery a minute later. The policy itself decides again at every connection.

use crate::App;

/// `raw` (already a valid http, https or webcal URL) if the egress policy allows its host as
/// written; names are checked again when they are resolved.
pub(crate) fn allowed(app: &App, raw: String) -> Result<String, String> {
    let as_https = match raw.get(..9) {
        Some(scheme) if scheme.eq_ignore_ascii_case("webcal://") => {
            format!("https://{}", &raw[9..])
        }
        _ => raw.clone(),
    };
    let url = url::Url::parse(&as_https).map_err(|_| "is not a valid address".to_string())?;
    app.settings.egress.check_url(&url).map_err(|_| {
        "points to a private or internal network address, which Stint does not connect to"
            .to_string()
    })?;
    Ok(raw)
}
