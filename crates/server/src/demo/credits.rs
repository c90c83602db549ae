//! The demo's credits: packs on sale, wallets with history (Sam bought ten sessions' worth
//! three weeks ago, paid by invoice; every other mentee has credits too) and an invoice waiting in the
//! operators' queue (Lena's second pack).

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use stint_domain::ledger::PackInput;
use stint_store::Store;

const PACKS: [(&str, i64, i64, Option<i64>); 3] = [
    ("One clinic", 45, 6_000, Some(6)),
    ("Three sessions", 120, 15_000, Some(12)),
    ("Habit builder · ten sessions", 400, 45_000, Some(12)),
];

pub async fn load(store: &Arc<dyn Store>, now: Timestamp) -> anyhow::Result<()> {
    let mut made = Vec::new();
    for (name, credits, price_minor, months) in PACKS {
        let pack = PackInput {
            name: name.into(),
            credits,
            price_minor,
            currency: "EUR".into(),
            months_valid: months,
            active: true,
        }
        .validate()
        .map_err(|e| anyhow::anyhow!("demo pack {name}: {e:?}"))?;
        made.push(store.create_pack(&pack, now).await?);
    }
    let earlier = now
        .checked_sub(SignedDuration::from_hours(24 * 21))
        .unwrap_or(now);
    for (email, pack, paid) in [
        ("sam@stint.example", &made[2], true),
        ("lena@stint.example", &made[1], true),
        ("noor@stint.example", &made[2], true),
        ("diego@stint.example", &made[1], true),
        ("aiko@stint.example", &made[1], true),
        ("lena@stint.example", &made[0], false),
    ] {
        let who = store
            .account_by_email(email)
            .await?
            .with_context(|| format!("demo account {email}"))?;
        let purchase = store
            .create_purchase(who.id, pack, "manual", earlier)
            .await?;
        if paid {
            store
                .mark_purchase_paid(
                    purchase.id,
                    &format!("DEMO-TRANSFER-{}", purchase.id),
                    earlier,
                )
                .await?;
        }
    }
    Ok(())
}
