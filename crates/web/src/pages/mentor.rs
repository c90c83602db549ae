//! A mentor's own profile editor.

use super::filters;
use super::render::{Chrome, OrPage, PageResult, forbidden_page, html, ok};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use stint_domain::FieldErrors;
use stint_domain::catalog::{SkuStatus, SkuVersion};
use stint_domain::mentor::MentorProfileInput;
use stint_domain::role::Role;
use stint_store::StoreError;

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
    if !me.has(Role::Mentor) {
        return Ok(forbidden_page(Some(me)));
    }
    let form = match state.store.mentor_profile(me.id).await.or_page()? {
        Some(p) => ProfileFields {
            headline: p.headline,
            bio: p.bio,
            meeting_url: p.meeting_url,
            skus: p.skus.into_iter().map(|s| s.slug).collect(),
        },
        None => ProfileFields::default(),
    };
    let skus = state.store.skus(Some(SkuStatus::Active)).await.or_page()?;
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
    if !me.has(Role::Mentor) {
        return Ok(forbidden_page(Some(me)));
    }
    let input = MentorProfileInput {
        headline: form.headline.clone(),
        bio: form.bio.clone(),
        meeting_url: form.meeting_url.clone(),
        skus: form.skus.clone(),
    };
    let result: Result<(), FieldErrors> = match input.validate() {
        Ok(valid) => match state
            .store
            .save_mentor_profile(me.id, &valid, state.now())
            .await
        {
            Ok(_) => return Ok(Redirect::to("/mentor/profile?saved=1").into_response()),
            Err(StoreError::Invalid(e)) => Err(e),
            Err(e) => return Err(super::render::store_failure(e)),
        },
        Err(e) => Err(e),
    };
    let errors = result.err().unwrap_or_default();
    let skus = state.store.skus(Some(SkuStatus::Active)).await.or_page()?;
    let page = ProfilePage {
        chrome: Chrome::new("Your mentor profile · Stint", Some(me), &csrf.0),
        form,
        errors,
        skus,
        saved: false,
    };
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
