//! The demo's sponsor: Acme Corp, run by sponsor@acme.example, pays for its five members'
//! sessions (the mentees with a history) from a funded monthly budget, with a second invoice
//! waiting in the operators' queue, an invitation out and its e-mail domain verified. The history's last weeks are paid
//! by it (see `history.rs`), so the console has spend and outcome figures at first start; what
//! those sessions earned the mentors was paid out the day before.

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use stint_domain::ids::OrgId;
use stint_domain::sponsor::{BudgetRules, Leftover, OrgRole, Period};
use stint_store::Store;
use stint_store::sponsor::{NewDomain, NewInvite};

/// Sets Acme up before the history is loaded; its id, for the history to pay with.
pub async fn setup(store: &Arc<dyn Store>, now: Timestamp) -> anyhow::Result<OrgId> {
    let long_ago = now
        .checked_sub(SignedDuration::from_hours(24 * 80))
        .unwrap_or(now);
    let admin = store
        .account_by_email("sponsor@acme.example")
        .await?
        .context("the demo sponsor")?;
    let org = store.create_org("Acme Corp", admin.id, long_ago).await?.id;
    let mut skus = std::collections::BTreeSet::new();
    for slug in [
        "career-pivot-30",
        "negotiation-clinic-45",
        "technical-triage-20",
    ] {
        skus.insert(
            store
                .sku(slug)
                .await?
                .with_context(|| slug.to_string())?
                .sku_id,
        );
    }
    let rules = BudgetRules {
        period: Period::Month,
        leftover: Leftover::RollOver,
        cap_credits: 400,
        cap_sessions: 6,
        skus,
        approval_hours: None,
    };
    store.set_budget_rules(org, &rules, long_ago).await?;
    let paid = store
        .request_funding(org, 4_000, "PO-2026-0417", admin.id, long_ago)
        .await?;
    store.mark_funding_paid(paid.id, long_ago).await?;
    store
        .request_funding(org, 2_000, "PO-2026-0562", admin.id, now)
        .await?;
    for email in super::history::MENTEES {
        let who = store
            .account_by_email(email)
            .await?
            .with_context(|| format!("demo member {email}"))?;
        store
            .add_member(org, who.id, OrgRole::Member, long_ago)
            .await?;
    }
    let unsent = stint_app::auth::secret::digest(&stint_app::auth::secret::new_secret()?);
    store
        .create_invite(
            &NewInvite {
                org,
                email: "new.hire@acme.example",
                role: OrgRole::Member,
                digest: &unsent,
                invited_by: admin.id,
                expires_at: now
                    .checked_add(SignedDuration::from_hours(24 * 10))
                    .unwrap_or(now),
            },
            now,
        )
        .await?;
    // People with an acme.example address join by it (verified by its link long ago).
    let secret = stint_app::auth::secret::digest(&stint_app::auth::secret::new_secret()?);
    store
        .request_domain(
            &NewDomain {
                org,
                domain: "acme.example",
                address: "it@acme.example",
                digest: &secret,
                requested_by: admin.id,
                expires_at: now,
            },
            long_ago,
        )
        .await?;
    store.verify_domain(&secret, long_ago).await?;
    Ok(org)
}

/// Pays every mentor what the history earned them (the sponsor's sessions), as an operator's
/// payout run the day before the demo starts: the earnings pages show a paid past, and
/// nothing is owed at first start.
pub async fn pay_out_history(store: &Arc<dyn Store>, now: Timestamp) -> anyhow::Result<()> {
    let owed = store.owed().await?;
    if owed.is_empty() {
        return Ok(());
    }
    let operator = store
        .account_by_email("operator@stint.example")
        .await?
        .context("the demo operator")?;
    let yesterday = now
        .checked_sub(SignedDuration::from_hours(24))
        .unwrap_or(now);
    store.run_payouts(operator.id, &owed, yesterday).await?;
    Ok(())
}
