//! Portable proof in the demo a newcomer starts: Sam has claimed the credential of his first
//! session whose checkpoint was reached (his name and level in it) and shares its link, so
//! `/account/credentials`, the shared page and `/credentials/verify` have something true to
//! show. Claimed through the use case, signed with this database's issuer key.

use anyhow::Context;
use std::sync::Arc;
use stint_domain::credential::ClaimChoices;
use stint_domain::outcome::closing::CheckpointResult;
use stint_store::{OutcomeFilter, Store};

pub async fn claim(store: &Arc<dyn Store>, app: &stint_app::App) -> anyhow::Result<()> {
    let sam = store
        .account_by_email("sam@stint.example")
        .await?
        .context("demo mentee sam")?;
    let reached = store
        .outcomes(OutcomeFilter {
            mentee: Some(sam.id),
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|o| o.checkpoint == CheckpointResult::Reached)
        .min_by_key(|o| o.closed_at)
        .context("a reached checkpoint of Sam's")?;
    let choices = ClaimChoices {
        name: true,
        level: true,
        evidence: false,
    };
    let (credential, _) =
        stint_app::skill_credentials::claim(app, &sam, reached.booking_id.0, choices)
            .await
            .map_err(|e| anyhow::anyhow!("claiming Sam's credential: {e}"))?;
    stint_app::skill_credentials::share(app, &sam, credential.id)
        .await
        .map_err(|e| anyhow::anyhow!("sharing Sam's credential: {e}"))?;
    Ok(())
}
