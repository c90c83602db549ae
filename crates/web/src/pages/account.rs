//! Log-in, log-out and the dashboard.

use super::filters;
use super::render::{Chrome, OrPage, PageResult, failure, html, ok, refusal};
use super::signup::zones;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::auth::{MaybeUser, PageUser, session};
use crate::extract::ClientAddr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use stint_app as ops;
use stint_app::auth::login;
use stint_app::{ErrorKind, calendar_files};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::mentor::MentorProfile;
use stint_domain::role::Role;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginFields {
    email: String,
    password: String,
    next: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    email: String,
    next: String,
    error: String,
    /// After a password reset or signing out everywhere.
    notice: &'static str,
    /// The time a visitor chose before logging in, in words (`picker::chosen_time`).
    booking: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextParam {
    next: String,
    reset: String,
    signed_out: String,
}

/// Where to go after logging in: a path on this site, else the dashboard, so a crafted link
/// cannot bounce a fresh session elsewhere. Browsers drop tabs and newlines from a URL and
/// read `\` as `/`, so `/\t/evil.example` would leave the site:
/// a control character, whitespace or backslash anywhere refuses it, and so does anything
/// that does not stay on this origin once resolved against it.
pub(crate) fn safe_next(next: &str) -> String {
    let plain = next.starts_with('/')
        && !next.starts_with("//")
        && !next
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    let here = url::Url::parse("https://stint.invalid/").ok();
    let stays = here
        .and_then(|h| h.join(next).ok())
        .is_some_and(|u| u.scheme() == "https" && u.host_str() == Some("stint.invalid"));
    if plain && stays {
        next.to_string()
    } else {
        "/dashboard".to_string()
    }
}

pub async fn login_form(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    Query(q): Query<NextParam>,
) -> Response {
    if user.is_some() {
        return Redirect::to(&safe_next(&q.next)).into_response();
    }
    let notice = if !q.reset.is_empty() {
        "Your new password is set, and every session has ended. Log in with it."
    } else if !q.signed_out.is_empty() {
        "You are signed out everywhere."
    } else {
        ""
    };
    ok(&LoginPage {
        chrome: Chrome::new("Log in · Stint", None, &csrf.0),
        email: String::new(),
        booking: super::picker::chosen_time(&state, &q.next).await,
        next: q.next,
        error: String::new(),
        notice,
    })
}

pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    csrf: CsrfToken,
    ClientAddr(addr): ClientAddr,
    CsrfForm(form): CsrfForm<LoginFields>,
) -> PageResult {
    let booking = super::picker::chosen_time(&state, &form.next).await;
    let refuse = |status: StatusCode, error: &str| {
        let page = LoginPage {
            chrome: Chrome::new("Log in · Stint", None, &csrf.0),
            email: form.email.clone(),
            next: form.next.clone(),
            error: error.to_string(),
            notice: "",
            booking: booking.clone(),
        };
        html(status, &page)
    };
    if form.email.len() > stint_domain::account::EMAIL_MAX
        || form.password.chars().count() > stint_domain::account::PASSWORD_MAX
    {
        return Ok(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The e-mail or password is too long.",
        ));
    }
    if form.email.trim().is_empty() || form.password.is_empty() {
        return Ok(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Enter your e-mail and password.",
        ));
    }
    match login::authenticate(&state, &form.email, &form.password, &addr).await {
        Ok(account) => {
            let jar = session::start(&state, jar, account.id).await.or_page()?;
            Ok((jar, Redirect::to(&safe_next(&form.next))).into_response())
        }
        Err(e) if e.kind == ErrorKind::Unauthenticated => Ok(refuse(
            StatusCode::UNAUTHORIZED,
            "The e-mail or password is not right.",
        )),
        Err(e) if e.kind == ErrorKind::RateLimited => Ok(refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many failed attempts. For your safety, wait 15 minutes and try again.",
        )),
        Err(e) => Err(failure(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let jar = session::end(&state, jar).await.or_page()?;
    Ok((jar, Redirect::to("/")).into_response())
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    chrome: Chrome,
    me: Account,
    welcome: bool,
    is_mentee: bool,
    is_mentor: bool,
    is_sponsor: bool,
    is_operator: bool,
    profile: Option<MentorProfile>,
    active_skus: usize,
    draft_skus: usize,
    competencies: usize,
    accounts: usize,
    local_time: String,
    upcoming: usize,
    next_session: String,
    /// What the viewer should do next across their sessions, most urgent first.
    todo: Vec<super::outcomes::TodoRow>,
    /// A mentor's today and coming week: (day, its sessions).
    week: Vec<(String, Vec<WeekRow>)>,
    /// A mentor's last eight weeks (`stint_app::load`).
    load: Option<super::load::LoadCard>,
}

/// One session of a mentor's week, as the dashboard shows it.
pub(crate) struct WeekRow {
    id: i64,
    time: String,
    title: String,
    mentee: String,
    /// "Prep done", "Prep not done yet" or "Ready to close".
    state: &'static str,
    ok: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DashboardParams {
    welcome: String,
}

pub async fn dashboard(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<DashboardParams>,
) -> PageResult {
    let overview = stint_app::dashboard::overview(&state, &me)
        .await
        .or_page()?;
    let (profile, counts, mine) = (overview.profile, overview.counts, overview.upcoming);
    let tz = me.zone();
    let today = state.now().to_zoned_datetime(tz.clone()).date();
    let mut week: Vec<(String, Vec<WeekRow>)> = Vec::new();
    for r in &overview.schedule {
        let local = r.start.to_zoned_datetime(tz.clone());
        let day = if local.date() == today {
            "Today".to_string()
        } else {
            local.strftime("%A %-d %B").to_string()
        };
        let row = WeekRow {
            id: r.booking.0,
            time: format!(
                "{}–{}",
                local.strftime("%H:%M"),
                r.end.to_zoned_datetime(tz.clone()).strftime("%H:%M")
            ),
            title: r.title.clone(),
            mentee: r.mentee.clone(),
            state: match (r.ready_to_close, r.prep_done) {
                (true, _) => "Ready to close",
                (false, true) => "Prep done",
                (false, false) => "Prep not done yet",
            },
            ok: r.prep_done && !r.ready_to_close,
        };
        match week.last_mut() {
            Some((d, rows)) if *d == day => rows.push(row),
            _ => week.push((day, vec![row])),
        }
    }
    let my_tz = me.zone();
    let next_session = mine
        .first()
        .map(|b| super::booking::when(b.start, &my_tz))
        .unwrap_or_default();
    let todo = if me.has(Role::Mentee) || me.has(Role::Mentor) {
        super::outcomes::todo_rows(&state, &me).await?
    } else {
        Vec::new()
    };
    let load = if me.has(Role::Mentor) {
        Some(super::load::card(&state, &me).await?)
    } else {
        None
    };
    let local_time = state
        .now()
        .to_zoned_datetime(tz)
        .strftime("%A %-d %B, %H:%M")
        .to_string();
    Ok(ok(&Dashboard {
        chrome: Chrome::new("Your dashboard · Stint", Some(me.clone()), &csrf.0),
        welcome: !q.welcome.is_empty(),
        is_mentee: me.has(Role::Mentee),
        is_mentor: me.has(Role::Mentor),
        is_sponsor: me.has(Role::SponsorAdmin),
        is_operator: me.has(Role::Operator),
        profile,
        active_skus: counts.active_skus,
        draft_skus: counts.draft_skus,
        competencies: counts.competencies,
        accounts: counts.accounts,
        local_time,
        upcoming: mine.len(),
        next_session,
        todo,
        week,
        load,
        me,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsFields {
    display_name: String,
    timezone: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct SettingsPage {
    chrome: Chrome,
    email: String,
    form: SettingsFields,
    errors: FieldErrors,
    zones: Vec<String>,
    saved: bool,
    has_feed: bool,
    /// Shown once, right after a link is made.
    feed_url: String,
    /// Nudge preferences (`#nudges`).
    nudges: super::nudges::NudgeSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedParam {
    saved: String,
    /// Set after the nudge preferences were saved.
    nudges: String,
}

pub async fn settings_form(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<SavedParam>,
) -> PageResult {
    let has_feed = calendar_files::has_feed(&state, &me).await.or_page()?;
    let form = SettingsFields {
        display_name: me.display_name.clone(),
        timezone: me.timezone.clone(),
    };
    let nudges = super::nudges::section(&state, &me, !q.nudges.is_empty()).await?;
    Ok(ok(&SettingsPage {
        chrome: Chrome::new("Your account · Stint", Some(me.clone()), &csrf.0),
        email: me.email,
        form,
        errors: FieldErrors::new(),
        zones: zones(),
        saved: !q.saved.is_empty(),
        has_feed,
        feed_url: String::new(),
        nudges,
    }))
}

pub async fn save_settings(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<SettingsFields>,
) -> PageResult {
    let input = stint_domain::account::ProfileInput {
        display_name: form.display_name.clone(),
        timezone: form.timezone.clone(),
    };
    match ops::accounts::update_profile(&state, &me, input).await {
        Ok(_) => Ok(Redirect::to("/account?saved=1").into_response()),
        Err(e) => {
            let (_, errors) = refusal(e, &me)?;
            let has_feed = calendar_files::has_feed(&state, &me).await.or_page()?;
            let nudges = super::nudges::section(&state, &me, false).await?;
            let page = SettingsPage {
                chrome: Chrome::new("Your account · Stint", Some(me.clone()), &csrf.0),
                email: me.email,
                form,
                errors,
                zones: zones(),
                saved: false,
                has_feed,
                feed_url: String::new(),
                nudges,
            };
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// Makes a new private calendar link (revoking any older one) and shows it once.
pub async fn create_feed(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let token = calendar_files::new_feed(&state, &me).await.or_page()?;
    let base = crate::ics::site_base(&state.config).unwrap_or_default();
    let url = format!("{base}/calendar/{token}.ics");
    let form = SettingsFields {
        display_name: me.display_name.clone(),
        timezone: me.timezone.clone(),
    };
    let nudges = super::nudges::section(&state, &me, false).await?;
    Ok(ok(&SettingsPage {
        chrome: Chrome::new("Your account · Stint", Some(me.clone()), &csrf.0),
        email: me.email,
        form,
        errors: FieldErrors::new(),
        zones: zones(),
        saved: false,
        has_feed: true,
        feed_url: url,
        nudges,
    }))
}

/// The account page with the nudge preferences as entered and refused (422).
pub(super) async fn settings_with_nudges(
    state: &AppState,
    me: Account,
    csrf: &str,
    nudges: super::nudges::NudgeSection,
) -> PageResult {
    let has_feed = calendar_files::has_feed(state, &me).await.or_page()?;
    let form = SettingsFields {
        display_name: me.display_name.clone(),
        timezone: me.timezone.clone(),
    };
    let page = SettingsPage {
        chrome: Chrome::new("Your account · Stint", Some(me.clone()), csrf),
        email: me.email,
        form,
        errors: FieldErrors::new(),
        zones: zones(),
        saved: false,
        has_feed,
        feed_url: String::new(),
        nudges,
    };
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

pub async fn revoke_feed(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    calendar_files::revoke_feed(&state, &me).await.or_page()?;
    Ok(Redirect::to("/account").into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        for good in [
            "/dashboard",
            "/book?sku=x&start=2026-06-02T10:00:00Z",
            "/sessions/7",
            "/%09/x",
        ] {
            assert_eq!(safe_next(good), good);
        }
        for bad in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            " /dashboard",
            "/ /evil.example",
            "",
            "dashboard",
        ] {
            assert_eq!(safe_next(bad), "/dashboard", "{bad:?}");
        }
    }
}
