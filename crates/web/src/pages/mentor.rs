//! A mentor's own profile editor.

use super::filters;
use super::render::{Chrome, OrPage, PageResult, failure_for, html, ok, refusal};
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

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileFields {
    headline: String,
    bio: String,
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
    saved: bool,
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
    let own = mentors::own_profile(&state, &me)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    let form = match own {
        Some(p) => ProfileFields {
            headline: p.headline,
            bio: p.bio,
            meeting_url: p.meeting_url,
            skus: p.skus.into_iter().map(|s| s.slug).collect(),
        },
        None => ProfileFields::default(),
    };
    let skus = catalog_read::skus(&state, Some(&me), Some(SkuStatus::Active))
        .await
        .or_page()?;
    Ok(ok(&ProfilePage {
        chrome: Chrome::new("Your mentor profile · Stint", Some(me), &csrf.0),
        form,
        errors: FieldErrors::new(),
        skus,
        saved: !q.saved.is_empty(),
    }))
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
        meeting_url: form.meeting_url.clone(),
        skus: form.skus.clone(),
    };
    let errors = match mentors::save_profile(&state, &me, input).await {
        Ok(_) => return Ok(Redirect::to("/mentor/profile?saved=1").into_response()),
        Err(e) => refusal(e, &me)?.1,
    };
    let skus = catalog_read::skus(&state, Some(&me), Some(SkuStatus::Active))
        .await
        .or_page()?;
    let page = ProfilePage {
        chrome: Chrome::new("Your mentor profile · Stint", Some(me), &csrf.0),
        form,
        errors,
        skus,
        saved: false,
    };
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
