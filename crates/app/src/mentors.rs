//! Mentor profiles: the directory, one profile, and a mentor editing their own.

use crate::App;
use crate::access::require;
use crate::error::AppError;
use crate::reviews::{self, ReviewPage};
use jiff::{SignedDuration, Timestamp};
use std::collections::{BTreeMap, HashMap, HashSet};
use stint_domain::account::Account;
use stint_domain::catalog::SkuStatus;
use stint_domain::ids::{SkuId, UserId};
use stint_domain::mentor::{
    BookableMentor, DirectoryFilter, MentorProfile, MentorProfileInput, ZoneBand,
};
use stint_domain::outcome::metrics::{OutcomeStats, public};
use stint_domain::role::Role;
use stint_store::OutcomeFilter;

/// Mentors per directory page when none is asked for, and the most one page holds.
pub const DIRECTORY_PAGE: u32 = 60;
pub const DIRECTORY_PAGE_MAX: u32 = 500;

/// One page of the directory, with the `after` of the next page when there may be one.
#[derive(Debug, Clone)]
pub struct DirectoryPage {
    pub mentors: Vec<MentorProfile>,
    pub next_after: Option<i64>,
}

/// What the directory is asked for: the store's filter, with a time-zone band instead of
/// zones, and whether only mentors with a time in the coming week are wanted.
#[derive(Debug, Clone, Default)]
pub struct DirectoryQuery {
    pub sku: Option<SkuId>,
    pub competency: Option<stint_domain::ids::CompetencyId>,
    pub language: Option<String>,
    pub band: Option<ZoneBand>,
    pub text: Option<String>,
    pub available_this_week: bool,
}

impl DirectoryQuery {
    pub fn of_sku(sku: Option<SkuId>) -> DirectoryQuery {
        DirectoryQuery {
            sku,
            ..DirectoryQuery::default()
        }
    }
}

/// Rounds of candidates read while looking for mentors with a time this week: a bound on
/// one page's work; the page says where to go on when it stops early.
const AVAILABILITY_ROUNDS: usize = 4;

/// The store's filter for `q`: a band becomes the mentors' zones that fall in it now.
async fn store_filter(app: &App, q: &DirectoryQuery) -> Result<DirectoryFilter, AppError> {
    let zones = match q.band {
        Some(band) => {
            let now = app.now();
            let zones = app.store.mentor_zones().await?;
            Some(
                zones
                    .into_iter()
                    .filter(|z| ZoneBand::of_zone(z, now) == Some(band))
                    .collect(),
            )
        }
        None => None,
    };
    Ok(DirectoryFilter {
        sku: q.sku,
        competency: q.competency,
        language: q.language.clone(),
        zones,
        text: q.text.clone(),
    })
}

/// Mentors who can be booked now (matching `q`), by name, a page at a time after mentor
/// `after`. A profile with no active session type stays reachable by its id but is not
/// advertised.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn directory(
    app: &App,
    q: &DirectoryQuery,
    after: Option<i64>,
    limit: Option<u32>,
) -> Result<DirectoryPage, AppError> {
    let limit = crate::paging::limit(limit, DIRECTORY_PAGE, DIRECTORY_PAGE_MAX)?;
    let filter = store_filter(app, q).await?;
    if !q.available_this_week {
        let found = app
            .store
            .directory_page(&filter, after.map(UserId), limit + 1)
            .await?;
        let (mentors, next_after) = crate::paging::split(found, limit, |m| m.user_id.0);
        return Ok(DirectoryPage {
            mentors,
            next_after,
        });
    }
    // Only those with a time in the next seven days: candidates are read a page at a time
    // and each page searched at once, for a bounded number of rounds.
    let week = SignedDuration::from_hours(24 * 7);
    let want = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut kept = Vec::new();
    let mut cursor = after.map(UserId);
    for _ in 0..AVAILABILITY_ROUNDS {
        let found = app.store.directory_page(&filter, cursor, limit).await?;
        let exhausted = found.len() < want;
        let free = free_within(app, &found, week).await?;
        for m in found {
            cursor = Some(m.user_id);
            if free.contains(&m.user_id) {
                kept.push(m);
                if kept.len() == want {
                    return Ok(DirectoryPage {
                        mentors: kept,
                        next_after: cursor.map(|c| c.0),
                    });
                }
            }
        }
        if exhausted {
            return Ok(DirectoryPage {
                mentors: kept,
                next_after: None,
            });
        }
    }
    Ok(DirectoryPage {
        mentors: kept,
        next_after: cursor.map(|c| c.0),
    })
}

/// Which of `mentors` have a bookable time within `span` from now. A shorter session fits
/// wherever a longer one does (the same hours, buffers and caps), so each mentor is searched
/// with their shortest active session type only, and all mentors of one length at once: a
/// few batched searches however many mentors the page holds.
async fn free_within(
    app: &App,
    mentors: &[MentorProfile],
    span: SignedDuration,
) -> Result<HashSet<UserId>, AppError> {
    let now = app.now();
    let to = now.checked_add(span).unwrap_or(now);
    let mut slugs: Vec<String> = mentors
        .iter()
        .flat_map(|m| m.skus.iter().map(|s| s.slug.clone()))
        .collect();
    slugs.sort();
    slugs.dedup();
    let mut lengths: HashMap<String, Option<u16>> = HashMap::new();
    for slug in slugs {
        let length = app
            .store
            .sku(&slug)
            .await?
            .filter(|sku| sku.status == SkuStatus::Active)
            .map(|sku| crate::scheduling::slot_minutes(&sku));
        lengths.insert(slug, length);
    }
    let mut by_length: BTreeMap<u16, Vec<BookableMentor>> = BTreeMap::new();
    for m in mentors {
        let shortest = m
            .skus
            .iter()
            .filter_map(|s| lengths.get(&s.slug).copied().flatten())
            .min();
        if let Some(minutes) = shortest {
            by_length
                .entry(minutes)
                .or_default()
                .push(BookableMentor::from(m));
        }
    }
    let mut free = HashSet::new();
    for (minutes, group) in by_length {
        let found = crate::slot_cache::slots_by_mentor(app, &group, minutes, now, to).await?;
        for (m, slots) in group.iter().zip(found) {
            if !slots.is_empty() {
                free.insert(m.user_id);
            }
        }
    }
    Ok(free)
}

/// How many mentors can be booked now (of `sku` when given), counted by the database.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn directory_count(app: &App, sku: Option<SkuId>) -> Result<u64, AppError> {
    Ok(app
        .store
        .directory_count(&DirectoryFilter {
            sku,
            ..DirectoryFilter::default()
        })
        .await?)
}

/// How many mentors match `q`, counted by the database (the week's availability is not
/// counted: only a search answers it).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn directory_matches(app: &App, q: &DirectoryQuery) -> Result<u64, AppError> {
    let filter = store_filter(app, q).await?;
    Ok(app.store.directory_count(&filter).await?)
}

/// The languages mentors in the directory hold sessions in, for its filter.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn directory_languages(app: &App) -> Result<Vec<String>, AppError> {
    Ok(app.store.mentor_language_names().await?)
}

/// A mentor's next bookable time, and of which session type (its slug).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextTime {
    pub start: Timestamp,
    pub sku_slug: String,
}

/// How far ahead a profile looks for the mentor's next time.
const NEXT_TIME_HORIZON: SignedDuration = SignedDuration::from_hours(24 * 60);

/// `mentor`'s earliest bookable time within `horizon` across the session types they deliver.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn next_available(
    app: &App,
    mentor: &MentorProfile,
    horizon: SignedDuration,
) -> Result<Option<NextTime>, AppError> {
    let now = app.now();
    let until = now.checked_add(horizon).unwrap_or(now);
    let mut best: Option<NextTime> = None;
    if !mentor.standing.is_listed() {
        return Ok(None);
    }
    for delivered in &mentor.skus {
        let Some(sku) = app.store.sku(&delivered.slug).await? else {
            continue;
        };
        let mentors =
            crate::catalog_read::mentors_to_search(app, &sku, Some(mentor.user_id)).await?;
        let to = best.as_ref().map_or(until, |b| b.start);
        if to <= now {
            break;
        }
        let page =
            crate::slot_pages::offers_page(app, &sku, &mentors, (now, to), None, Some(1)).await?;
        if let Some(first) = page.offers.first() {
            best = Some(NextTime {
                start: first.slot.start,
                sku_slug: delivered.slug.clone(),
            });
        }
    }
    Ok(best)
}

/// Everything a mentor's public profile shows.
#[derive(Debug, Clone)]
pub struct ProfileView {
    pub profile: MentorProfile,
    /// Mini-win rate and the rest, once enough sessions are closed to show them.
    pub figures: Option<OutcomeStats>,
    /// How many sessions they have closed (said when the figures are not shown yet).
    pub sessions_closed: u64,
    pub next: Option<NextTime>,
    pub reviews: ReviewPage,
    /// What they have contributed, for their level (`stint_domain::contribution`).
    pub contribution: stint_domain::contribution::Contributions,
}

/// A mentor's public profile with their figures, next time and a page of reviews (the
/// newest `limit`, or those before review `before`).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn profile_view(
    app: &App,
    id: UserId,
    before: Option<i64>,
    limit: Option<u32>,
) -> Result<ProfileView, AppError> {
    let profile = profile(app, id).await?;
    // A suspended mentor is not shown to mentees at all; a paused one is, with no times.
    if profile.standing == stint_domain::standing::Standing::Suspended {
        return Err(AppError::not_found("mentor"));
    }
    let tallies = app
        .store
        .outcome_tallies(OutcomeFilter {
            mentor: Some(id),
            ..Default::default()
        })
        .await?;
    let stats = OutcomeStats::of_tallies(tallies);
    let sessions_closed = stats.sessions;
    let next = next_available(app, &profile, NEXT_TIME_HORIZON).await?;
    let reviews = reviews::of_mentor(app, id, before, limit).await?;
    let contribution = app.store.contributions(id).await?;
    Ok(ProfileView {
        profile,
        figures: public(stats),
        sessions_closed,
        next,
        reviews,
        contribution,
    })
}

/// One mentor's public profile: someone who is a mentor and has saved a profile.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn profile(app: &App, id: UserId) -> Result<MentorProfile, AppError> {
    let is_mentor = app
        .store
        .account(id)
        .await?
        .is_some_and(|a| a.roles.contains(&Role::Mentor));
    app.store
        .mentor_profile(id)
        .await?
        .filter(|_| is_mentor)
        .ok_or_else(|| AppError::not_found("mentor"))
}

/// The viewer's own profile, if they have saved one (mentors).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn own_profile(app: &App, me: &Account) -> Result<Option<MentorProfile>, AppError> {
    require(me, Role::Mentor)?;
    Ok(app.store.mentor_profile(me.id).await?)
}

/// Saves the viewer's own profile (mentors).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_profile(
    app: &App,
    me: &Account,
    input: MentorProfileInput,
) -> Result<MentorProfile, AppError> {
    require(me, Role::Mentor)?;
    let input = input.validate()?;
    Ok(app
        .store
        .save_mentor_profile(me.id, &input, app.now())
        .await?)
}
