//! What a person's dashboard shows: their mentor profile, their upcoming sessions and, for
//! operators, the size of the catalog and of the community.

use crate::App;
use crate::error::AppError;
use stint_domain::account::Account;
use stint_domain::booking::{Booking, BookingStatus};
use stint_domain::catalog::SkuStatus;
use stint_domain::mentor::MentorProfile;
use stint_domain::role::Role;

/// The operator's counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct CatalogCounts {
    pub active_skus: usize,
    pub draft_skus: usize,
    pub competencies: usize,
    pub accounts: usize,
}

pub struct Overview {
    pub profile: Option<MentorProfile>,
    pub counts: CatalogCounts,
    /// Confirmed sessions not yet over, soonest first.
    pub upcoming: Vec<Booking>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn overview(app: &App, me: &Account) -> Result<Overview, AppError> {
    let profile = if me.has(Role::Mentor) {
        app.store.mentor_profile(me.id).await?
    } else {
        None
    };
    let mut counts = CatalogCounts::default();
    if me.has(Role::Operator) {
        let skus = app.store.skus(None).await?;
        counts.active_skus = skus
            .iter()
            .filter(|s| s.status == SkuStatus::Active)
            .count();
        counts.draft_skus = skus.iter().filter(|s| s.status == SkuStatus::Draft).count();
        counts.competencies = app.store.competencies().await?.len();
        counts.accounts = usize::try_from(app.store.account_count().await?).unwrap_or(usize::MAX);
    }
    let now = app.now();
    let upcoming = app
        .store
        .bookings_of(me.id)
        .await?
        .into_iter()
        .filter(|b| b.status == BookingStatus::Confirmed && b.end > now)
        .collect();
    Ok(Overview {
        profile,
        counts,
        upcoming,
    })
}
