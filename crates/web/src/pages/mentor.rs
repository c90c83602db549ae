//! A mentor's own profile editor, with their photo (uploads: `photos.rs`).

use super::filters;
use super::render::{Chrome, OrPage, PageResult, failure_for, html, refusal};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use stint_app::{catalog_read, mentors};
use stint_domain::FieldErrors;
use stint_domain::catalog::{SkuStatus, SkuVersion};
use stint_domain::mentor::MentorProfileInput;
use stint_domain::standing::Standing;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileFields {
    headline: String,
    bio: String,
    experience: String,
    /// Comma-separated, as typed.
    languages: String,
    meeting_url: String,
    skus: Vec<String>,
}

#[derive(Template)]
#[template(path = "mentor/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    form: ProfileFields,
    errors: FieldErrors,
    skus: Vec<SkuVersion>,
    /// What was just saved: "profile", "photo" or "photo-removed"; empty otherwise.
    saved: String,
    /// The photo's time, to show the newest (the portrait is cached); `None`: initials.
    photo: Option<i64>,
    photo_errors: FieldErrors,
    user_id: i64,
    /// Whether a profile is saved (only then can it be paused).
    has_profile: bool,
    pause: PauseBox,
}

/// The profile's "New bookings" card: the standing, in words, and the pause form.
#[derive(Debug, Default)]
pub(super) struct PauseBox {
    /// `listed`, `paused` or `suspended`.
    pub state: &'static str,
    /// The day a pause ends, in words ("Thursday 10 June 2027"); empty when none.
    pub back_on: String,
    /// The pause form's return day as typed, and its errors.
    pub until: String,
    pub errors: FieldErrors,
    /// The first day a return may be (tomorrow in the mentor's zone), `YYYY-MM-DD`.
    pub earliest: String,
}

/// What a refused form on the profile page brings back to it.
#[derive(Debug, Default)]
pub(super) struct Refused {
    pub photo: FieldErrors,
    pub pause_until: String,
    pub pause: FieldErrors,
}

impl ProfilePage {
    fn offers(&self, slug: &str) -> bool {
        self.form.skus.iter().any(|s| s == slug)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedParam {
    saved: String,
}

pub async fn profile_form(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<SavedParam>,
) -> PageResult {
    let saved = match q.saved.as_str() {
        "" => "",
        "photo" => "photo",
        "photo-removed" => "photo-removed",
        _ => "profile",
    };
    let saved = match q.saved.as_str() {
        "paused" => "paused",
        "resumed" => "resumed",
        _ => saved,
    };
    editor(&state, me, &csrf.0, saved, Refused::default()).await
}

/// The editor with the saved profile in its form, and what a refused upload or pause left.
pub(super) async fn editor(
    state: &AppState,
    me: stint_domain::account::Account,
    csrf: &str,
    saved: &str,
    refused: Refused,
) -> PageResult {
    let own = mentors::own_profile(state, &me)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    let has_profile = own.is_some();
    let standing = own.as_ref().map_or(Standing::Listed, |p| p.standing);
    let form = match own {
        Some(p) => ProfileFields {
            headline: p.headline,
            bio: p.bio,
            experience: p.experience,
            languages: p.languages.join(", "),
            meeting_url: p.meeting_url,
            skus: p.skus.into_iter().map(|s| s.slug).collect(),
        },
        None => ProfileFields::default(),
    };
    let skus = catalog_read::skus(state, Some(&me), Some(SkuStatus::Active))
        .await
        .or_page()?;
    let photo = stint_app::photos::own_photo_time(state, &me)
        .await
        .or_page()?;
    let status = if refused.photo.is_empty() && refused.pause.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let pause = pause_box(state, &me, standing, refused.pause_until, refused.pause);
    Ok(html(
        status,
        &ProfilePage {
            user_id: me.id.0,
            chrome: Chrome::new("Your mentor profile · Stint", Some(me), csrf),
            form,
            errors: FieldErrors::new(),
            skus,
            saved: saved.to_string(),
            photo,
            photo_errors: refused.photo,
            has_profile,
            pause,
        },
    ))
}

/// The "New bookings" card for `me` in `standing`.
fn pause_box(
    state: &AppState,
    me: &stint_domain::account::Account,
    standing: Standing,
    until: String,
    errors: FieldErrors,
) -> PauseBox {
    let today = stint_domain::standing::today_in(&me.timezone, state.now());
    let earliest = today.tomorrow().unwrap_or(today).to_string();
    let back_on = standing
        .until()
        .map(|day| day.strftime("%A %-d %B %Y").to_string())
        .unwrap_or_default();
    PauseBox {
        state: standing.as_str(),
        back_on,
        until,
        errors,
        earliest,
    }
}

pub async fn save_profile(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<ProfileFields>,
) -> PageResult {
    let input = MentorProfileInput {
        headline: form.headline.clone(),
        bio: form.bio.clone(),
        experience: form.experience.clone(),
        languages: form
            .languages
            .split(',')
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
        meeting_url: form.meeting_url.clone(),
        skus: form.skus.clone(),
    };
    let errors = match mentors::save_profile(&state, &me, input).await {
        Ok(_) => return Ok(Redirect::to("/mentor/profile?saved=profile").into_response()),
        Err(e) => languages_as_one(refusal(e, &me)?.1),
    };
    let skus = catalog_read::skus(&state, Some(&me), Some(SkuStatus::Active))
        .await
        .or_page()?;
    let photo = stint_app::photos::own_photo_time(&state, &me)
        .await
        .or_page()?;
    let own = mentors::own_profile(&state, &me).await.or_page()?;
    let standing = own.as_ref().map_or(Standing::Listed, |p| p.standing);
    let pause = pause_box(&state, &me, standing, String::new(), FieldErrors::new());
    let page = ProfilePage {
        user_id: me.id.0,
        chrome: Chrome::new("Your mentor profile · Stint", Some(me), &csrf.0),
        form,
        errors,
        skus,
        saved: String::new(),
        photo,
        photo_errors: FieldErrors::new(),
        has_profile: own.is_some(),
        pause,
    };
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// Errors about one language (`languages.2`) shown on the one field they are typed in.
fn languages_as_one(errors: FieldErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (field, message) in errors.0 {
        if field.starts_with("languages.") {
            out.add("languages", message);
        } else {
            out.add(&field, message);
        }
    }
    out
}
