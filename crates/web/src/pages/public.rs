//! Public pages: the catalog and a session type (the directory and profiles: `directory.rs`).

use super::render::{Chrome, OrPage, PageResult, failure_for, not_found_page, ok};
use crate::auth::MaybeUser;
use crate::auth::csrf::CsrfToken;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use stint_app::catalog_read as catalog;
use stint_domain::catalog::{Checkpoint, Competency, SkuStatus, SkuVersion};
use stint_domain::mentor::MentorProfile;

/// A SKU with what a page shows next to it.
pub struct SkuCard {
    pub sku: SkuVersion,
    pub competency: String,
    pub checkpoint: String,
}

fn card(sku: SkuVersion, competencies: &[Competency]) -> SkuCard {
    let c = competencies
        .iter()
        .find(|c| c.id == sku.content.competency_id);
    SkuCard {
        competency: c.map(|c| c.name.clone()).unwrap_or_default(),
        checkpoint: c
            .and_then(|c| c.checkpoint(sku.content.checkpoint_id))
            .map(|p| p.title.clone())
            .unwrap_or_default(),
        sku,
    }
}

/// Cut-off hours in plain words.
pub fn hours_words(h: i64) -> String {
    match h {
        0 => "up to the start".to_string(),
        1 => "until 1 hour before the start".to_string(),
        h if h % 24 == 0 && h >= 48 => format!("until {} days before the start", h / 24),
        h => format!("until {h} hours before the start"),
    }
}

pub fn credits_words(n: i64) -> String {
    if n == 1 {
        "1 credit".into()
    } else {
        format!("{n} credits")
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    cards: Vec<SkuCard>,
    mentor_count: u64,
}

pub async fn home(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
) -> PageResult {
    let competencies = catalog::competencies(&state).await.or_page()?;
    let skus = catalog::skus(&state, user.as_ref(), Some(SkuStatus::Active))
        .await
        .or_page()?;
    let mentor_count = stint_app::mentors::directory_count(&state, None)
        .await
        .or_page()?;
    // Only what can be booked: a session type no mentor offers yet is not on sale here.
    let mut offered = Vec::with_capacity(skus.len());
    for s in skus {
        if stint_app::mentors::directory_count(&state, Some(s.sku_id))
            .await
            .or_page()?
            > 0
        {
            offered.push(s);
        }
    }
    Ok(ok(&Home {
        chrome: Chrome::new("Stint · focused mentoring sessions", user, &csrf.0),
        cards: offered
            .into_iter()
            .map(|s| card(s, &competencies))
            .collect(),
        mentor_count,
    }))
}

#[derive(Template)]
#[template(path = "sku.html")]
struct SkuPage {
    chrome: Chrome,
    card: SkuCard,
    competency: Option<Competency>,
    checkpoint: Option<Checkpoint>,
    /// The first mentors who deliver it, by name (the directory lists them all).
    mentors: Vec<MentorProfile>,
    /// How many mentors deliver it.
    mentor_total: u64,
    /// Set when showing an older version than the one on sale.
    older: bool,
    versions: Vec<i64>,
    cancel_words: String,
    reschedule_words: String,
    price_words: String,
    /// Public outcome figures, once there are enough sessions to show them.
    figures: Option<super::outcomes::PublicFigures>,
    threshold: u64,
}

/// Mentors named on a SKU's page.
const SKU_PAGE_MENTORS: u32 = 6;

async fn sku_page(
    state: &AppState,
    user: Option<stint_domain::account::Account>,
    csrf: &str,
    sku: SkuVersion,
) -> PageResult {
    let competencies = catalog::competencies(state).await.or_page()?;
    let competency = competencies
        .iter()
        .find(|c| c.id == sku.content.competency_id)
        .cloned();
    let checkpoint = competency
        .as_ref()
        .and_then(|c| c.checkpoint(sku.content.checkpoint_id))
        .cloned();
    // A few names, and how many more there are: the page costs the same whatever the number
    // of mentors.
    let (mentors, mentor_total) = if sku.status == SkuStatus::Active {
        let first = stint_app::mentors::directory(
            state,
            &stint_app::mentors::DirectoryQuery::of_sku(Some(sku.sku_id)),
            None,
            Some(SKU_PAGE_MENTORS),
        )
        .await
        .or_page()?;
        let total = stint_app::mentors::directory_count(state, Some(sku.sku_id))
            .await
            .or_page()?;
        (first.mentors, total)
    } else {
        (Vec::new(), 0)
    };
    let versions = catalog::sku_versions(state, user.as_ref(), &sku.slug)
        .await
        .or_page()?
        .iter()
        .map(|v| v.version)
        .collect();
    let figures = super::outcomes::public_figures(state, sku.sku_id).await?;
    let c = &sku.content;
    Ok(ok(&SkuPage {
        chrome: Chrome::new(format!("{} · Stint", c.title), user, csrf),
        cancel_words: hours_words(c.cancel_cutoff_hours),
        reschedule_words: hours_words(c.reschedule_cutoff_hours),
        price_words: credits_words(c.price_credits),
        older: sku.version != sku.current_version,
        figures,
        threshold: super::outcomes::PUBLIC_THRESHOLD,
        card: card(sku, &competencies),
        competency,
        checkpoint,
        mentors,
        mentor_total,
        versions,
    }))
}

pub async fn sku(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    Path(slug): Path<String>,
) -> PageResult {
    match catalog::sku(&state, user.as_ref(), &slug).await {
        Ok(sku) => sku_page(&state, user, &csrf.0, sku).await,
        Err(e) => Err(failure_for(e, user)),
    }
}

pub async fn sku_version(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    Path((slug, version)): Path<(String, String)>,
) -> PageResult {
    let Ok(version) = version.parse::<i64>() else {
        return Ok(not_found_page(user));
    };
    match catalog::sku_version(&state, user.as_ref(), &slug, version).await {
        Ok(sku) => sku_page(&state, user, &csrf.0, sku).await,
        Err(e) => Err(failure_for(e, user)),
    }
}
