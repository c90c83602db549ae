//! The retention policy at work: the published policy (`stint_domain::retention::POLICY`,
//! shown at `/privacy` and `/privacy/policy.json`) and the `privacy.retention` job's use case,
//! which removes each class's data once its time is up, a batch at a time, and records how
//! much it removed (counts, never content).

use crate::App;
use crate::access::require;
use crate::error::AppError;
use stint_domain::account::Account;
use stint_domain::retention::{AtExpiry, ClassPolicy, POLICY, RetainedClass};
use stint_domain::role::Role;
use stint_store::RetentionRun;

/// The job that enforces the policy.
pub const RETENTION: &str = "privacy.retention";
/// Rows removed per statement: short transactions, so bookings never wait long behind one.
pub const BATCH: u32 = 500;
/// The most batches of one class in one run; the next run goes on where it stopped.
const MAX_BATCHES: u32 = 200;

/// The policy as published.
pub fn policy() -> &'static [ClassPolicy] {
    &POLICY
}

/// Removes what the policy says has expired now, class by class: what each removed.
#[tracing::instrument(skip_all)]
pub async fn apply(app: &App) -> Result<Vec<(RetainedClass, u64)>, AppError> {
    let now = app.now();
    let mut done = Vec::new();
    for p in POLICY.iter().filter(|p| p.at_expiry == AtExpiry::Deleted) {
        let mut removed = 0;
        for _ in 0..MAX_BATCHES {
            let n = app
                .store
                .remove_expired(p.class, now, p.default_days, BATCH)
                .await?;
            removed += n;
            if n < u64::from(BATCH) {
                break;
            }
        }
        if removed > 0 {
            let class = class_key(p.class);
            app.store.record_retention(&class, removed, now).await?;
            tracing::info!(class, removed, "expired data removed");
        }
        done.push((p.class, removed));
    }
    // Exports whose link expired: their zips go.
    let expired = app.store.expire_exports(now).await?;
    if expired > 0 {
        tracing::info!(expired, "expired exports removed");
    }
    Ok(done)
}

/// What the latest runs removed (operators).
pub async fn runs(app: &App, op: &Account, limit: u32) -> Result<Vec<RetentionRun>, AppError> {
    require(op, Role::Operator)?;
    Ok(app.store.retention_runs(limit).await?)
}

/// The name of a class, as the policy document, forms and the API spell it.
pub fn class_key(class: RetainedClass) -> String {
    serde_json::to_value(class)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A person's retention for one class they may choose for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub policy: &'static ClassPolicy,
    pub key: String,
    /// Days kept: their choice, or the policy's default.
    pub days: u32,
    /// Whether they chose it (else the default applies).
    pub chosen: bool,
}

/// How long `me`'s data of each class they may choose for is kept.
pub async fn choices(app: &App, me: &Account) -> Result<Vec<Choice>, AppError> {
    let mine = app.store.retention_choices(me.id).await?;
    Ok(POLICY
        .iter()
        .filter(|p| p.adjustable())
        .map(|p| {
            let key = class_key(p.class);
            let chosen = mine.iter().find(|(k, _)| *k == key).map(|(_, d)| *d);
            Choice {
                policy: p,
                days: chosen.unwrap_or(p.default_days),
                chosen: chosen.is_some(),
                key,
            }
        })
        .collect())
}

/// Sets how long `me`'s data of the classes named in `changes` (class name, days as typed)
/// is kept; the others stay as they were. Every class is checked against the published
/// range and every wrong one named; nothing changes then. It takes effect at the next run.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_choices(
    app: &App,
    me: &Account,
    changes: &[(String, String)],
) -> Result<Vec<Choice>, AppError> {
    let mut errors = stint_domain::FieldErrors::new();
    let mut current: Vec<(String, u32)> = app.store.retention_choices(me.id).await?;
    for (key, raw) in changes {
        let Some(p) = POLICY.iter().find(|p| class_key(p.class) == *key) else {
            errors.add(key, "is not a kind of data the policy names");
            continue;
        };
        let days = raw
            .trim()
            .parse::<u32>()
            .map_err(|_| "must be a whole number of days".to_string())
            .and_then(|d| p.check_days(d));
        let Some(days) = errors.check(key, days) else {
            continue;
        };
        current.retain(|(k, _)| k != key);
        // The default is no choice: a later change of the default applies to them too.
        if days != p.default_days {
            current.push((key.clone(), days));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let before = choices(app, me).await?;
    app.store
        .set_retention_choices(me.id, &current, app.now())
        .await?;
    let after = choices(app, me).await?;
    for (old, new) in before.iter().zip(&after) {
        if old.days != new.days {
            let change = format!(
                "{} kept {} (was {})",
                new.policy.name,
                stint_domain::retention::span_words(new.days),
                stint_domain::retention::span_words(old.days)
            );
            app.store
                .record_privacy_change(me.id, &change, app.now())
                .await?;
        }
    }
    tracing::info!(classes = changes.len(), "retention choices changed");
    Ok(after)
}

/// Whether `me` keeps their intake answers and baseline from their mentor until the session
/// starts.
pub async fn prep_private(app: &App, me: &Account) -> Result<bool, AppError> {
    Ok(app.store.prep_private_until_session(me.id).await?)
}

/// Sets it; it holds from the next read on (`outcomes::party_to` reads it each time).
pub async fn set_prep_private(app: &App, me: &Account, private: bool) -> Result<(), AppError> {
    if prep_private(app, me).await? == private {
        return Ok(());
    }
    app.store
        .set_prep_private_until_session(me.id, private, app.now())
        .await?;
    let change = if private {
        "Your mentor reads your intake answers and baseline only once the session starts"
    } else {
        "Your mentor reads your intake answers and baseline before the session"
    };
    app.store
        .record_privacy_change(me.id, change, app.now())
        .await?;
    tracing::info!(private, "prep visibility to mentors changed");
    Ok(())
}

/// `me`'s latest changes to their privacy settings, newest first.
pub async fn changes(app: &App, me: &Account) -> Result<Vec<(String, jiff::Timestamp)>, AppError> {
    Ok(app.store.privacy_changes(me.id, 20).await?)
}
