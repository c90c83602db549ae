//! The mentor directory with its search and filters, and one mentor's profile: who they are,
//! their figures, their next time with "Book with …", and their reviews.

use super::filters;
use super::render::{Chrome, OrPage, PageResult, failure_for, not_found_page, ok};
use crate::auth::MaybeUser;
use crate::auth::csrf::CsrfToken;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use stint_app::catalog_read as catalog;
use stint_app::mentors::{self, DirectoryQuery, ProfileView};
use stint_domain::catalog::{Competency, SkuVersion};
use stint_domain::ids::UserId;
use stint_domain::mentor::{MentorProfile, ZoneBand, zone_city};

#[derive(Template)]
#[template(path = "mentors.html")]
struct Mentors {
    chrome: Chrome,
    mentors: Vec<MentorProfile>,
    /// How many mentors match (without the week's availability, which is not counted).
    total: u64,
    /// The session type the directory is narrowed to, if any.
    sku: Option<SkuVersion>,
    form: DirectoryParams,
    competencies: Vec<Competency>,
    languages: Vec<String>,
    bands: Vec<(&'static str, &'static str)>,
    /// Whether anything narrows the directory (the page says how to see everyone again).
    filtered: bool,
    /// Whether this is a later page (it offers the first again).
    later: bool,
    /// The link to the next page, the filters kept.
    next_href: Option<String>,
    first_href: String,
}

/// The directory's query string; every part may be missing or empty.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct DirectoryParams {
    after: String,
    /// Only mentors who deliver this session type (its slug).
    sku: String,
    q: String,
    competency: String,
    language: String,
    band: String,
    /// "1": only mentors with a time in the next seven days.
    available: String,
}

impl DirectoryParams {
    /// The query string of these filters (not the cursor), `after` added when given.
    fn href(&self, after: Option<i64>) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("sku", &self.sku),
            ("q", &self.q),
            ("competency", &self.competency),
            ("language", &self.language),
            ("band", &self.band),
            ("available", &self.available),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.trim().to_string()))
        .collect();
        if let Some(a) = after {
            pairs.push(("after", a.to_string()));
        }
        if pairs.is_empty() {
            return "/mentors".into();
        }
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("/mentors?{query}")
    }

    fn available(&self) -> bool {
        !self.available.trim().is_empty()
    }
}

fn given(v: &str) -> Option<String> {
    Some(v.trim().to_string()).filter(|v| !v.is_empty())
}

pub async fn mentors(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    Query(params): Query<DirectoryParams>,
) -> PageResult {
    // Only mentors who can be booked now are advertised; a cursor that is not a number is
    // the first page, and a filter naming nothing known narrows nothing.
    let after = params.after.trim().parse::<i64>().ok();
    let sku = match given(&params.sku) {
        Some(slug) => match catalog::sku(&state, user.as_ref(), &slug).await {
            Ok(sku) => Some(sku),
            Err(e) => return Err(failure_for(e, user)),
        },
        None => None,
    };
    let competencies = catalog::competencies(&state).await.or_page()?;
    let competency = given(&params.competency)
        .and_then(|slug| competencies.iter().find(|c| c.slug == slug))
        .map(|c| c.id);
    let query = DirectoryQuery {
        sku: sku.as_ref().map(|s| s.sku_id),
        competency,
        language: given(&params.language),
        band: ZoneBand::parse(params.band.trim()),
        text: given(&params.q),
        available_this_week: params.available(),
    };
    let page = mentors::directory(&state, &query, after, None)
        .await
        .or_page()?;
    let total = mentors::directory_matches(&state, &query).await.or_page()?;
    let languages = mentors::directory_languages(&state).await.or_page()?;
    let title = match &sku {
        Some(s) => format!("Mentors for {} · Stint", s.content.title),
        None => "Mentors · Stint".to_string(),
    };
    let filtered = query.competency.is_some()
        || query.language.is_some()
        || query.band.is_some()
        || query.text.is_some()
        || query.available_this_week;
    Ok(ok(&Mentors {
        chrome: Chrome::new(title, user, &csrf.0),
        mentors: page.mentors,
        total,
        sku,
        next_href: page.next_after.map(|a| params.href(Some(a))),
        first_href: params.href(None),
        form: params,
        competencies,
        languages,
        bands: ZoneBand::ALL
            .into_iter()
            .map(|b| (b.as_str(), b.label()))
            .collect(),
        filtered,
        later: after.is_some(),
    }))
}

#[derive(Template)]
#[template(path = "mentor.html")]
struct MentorPage {
    chrome: Chrome,
    view: ProfileView,
    city: String,
    /// The mentor's local time now, "14:05".
    local_time: String,
    /// The next time in the viewer's zone (a visitor: the mentor's), and where to book it.
    next: Option<(String, String)>,
    /// Whose zone the times are in: "your time" or "Berlin time".
    zone_words: String,
    /// Whether the reviews shown are older ones (the page offers the newest again).
    older_reviews: bool,
}

impl MentorPage {
    /// The day a mentor's pause ends, in words, if they set one.
    fn back_on(&self) -> Option<String> {
        self.view
            .profile
            .standing
            .until()
            .map(|d| d.strftime("%A %-d %B").to_string())
    }

    /// "Book with Maya": the picker for one session type, narrowed to this mentor.
    fn book_href(&self, slug: &str) -> String {
        format!("/skus/{slug}/book?mentor={}", self.view.profile.user_id)
    }

    fn first_name(&self) -> &str {
        let name = self.view.profile.display_name.as_str();
        name.split_whitespace().next().unwrap_or(name)
    }

    /// The mentor's contribution level and its index (`stint_domain::contribution`).
    fn level(&self) -> (usize, &'static stint_domain::contribution::Level) {
        stint_domain::contribution::level_of(&self.view.contribution)
    }

    fn levels(&self) -> &'static [stint_domain::contribution::Level] {
        &stint_domain::contribution::LEVELS
    }

    fn percent(&self, rate: &f64) -> String {
        format!("{:.0}%", rate * 100.0)
    }
}

/// Reviews on a profile page; older ones a page further.
const PROFILE_REVIEWS: u32 = 6;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileParams {
    /// Reviews older than this one.
    reviews_before: String,
}

pub async fn mentor(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(params): Query<ProfileParams>,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(not_found_page(user));
    };
    let before = params.reviews_before.trim().parse::<i64>().ok();
    let view = match mentors::profile_view(&state, UserId(id), before, Some(PROFILE_REVIEWS)).await
    {
        Ok(view) => view,
        Err(e) => return Err(failure_for(e, user)),
    };
    let city = zone_city(&view.profile.timezone);
    let mentor_zone =
        jiff::tz::TimeZone::get(&view.profile.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let now = state.now();
    let local_time = now
        .to_zoned_datetime(mentor_zone.clone())
        .strftime("%H:%M")
        .to_string();
    let (zone, zone_words) = match &user {
        Some(u) => (u.zone(), "your time".to_string()),
        None => (mentor_zone, format!("{city} time")),
    };
    let next = view.next.as_ref().map(|n| {
        let when = n
            .start
            .to_zoned_datetime(zone.clone())
            .strftime("%a %-d %b, %H:%M")
            .to_string();
        (
            when,
            format!("/skus/{}/book?mentor={}", n.sku_slug, view.profile.user_id),
        )
    });
    Ok(ok(&MentorPage {
        chrome: Chrome::new(
            format!("{} · Stint", view.profile.display_name),
            user,
            &csrf.0,
        ),
        view,
        city,
        local_time,
        next,
        zone_words,
        older_reviews: before.is_some(),
    }))
}
