//! A year before now for the demo a newcomer starts (`serve --demo`, `stint demo`; tests start
//! from the ten weeks alone): thirty more mentees who joined over the year — more of them
//! lately, paying from their own wallets — whose sessions thin out over the year-end holidays
//! and in August; a mentee whose first session was a mini-win comes back every two weeks,
//! the others every four or five; sessions booked far ahead without prep are often
//! missed. Searches grow with the bookings, and in Asia/Pacific technical triage finds nothing
//! ever more often: a shortfall. Acme's five members ran a 90-day pilot that ended a month
//! ago, and a follow-up-delay experiment ran from 40 to 16 weeks ago. So every operator chart
//! has something true to show, and the no-show model trains at first start. Deterministic: the
//! same year every time (relative to now).

use super::PROFILES;
use super::history::{MENTEES, prep_of, rating};
use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use std::sync::Arc;
use stint_domain::account::{Email, NewAccount, TimeZoneName};
use stint_domain::booking::NoShowSide;
use stint_domain::catalog::SkuVersion;
use stint_domain::experiment::{ExperimentDraft, Factor, Variant, assign};
use stint_domain::ids::{OrgId, UserId};
use stint_domain::ledger::HoldEnd;
use stint_domain::mentor::ZoneBand;
use stint_domain::outcome::assessment::{AssessmentKind, followup_opens_at};
use stint_domain::outcome::closing::{CheckpointResult, Closing};
use stint_domain::role::Role;
use stint_domain::schedule::hours::week_start;
use stint_store::insights::DemandCount;
use stint_store::pilots::NewPilot;
use stint_store::{BookingOutcome, CloseSession, NewBooking, Store, StoreError};

/// The year's mentees: e-mail, name, time zone.
const MENTEES_OF_THE_YEAR: [(&str, &str, &str); 30] = [
    ("ana@stint.example", "Ana Souza", "America/Sao_Paulo"),
    ("ben@stint.example", "Ben Carter", "America/Chicago"),
    ("chloe@stint.example", "Chloé Martin", "Europe/Paris"),
    ("dev@stint.example", "Dev Malhotra", "Asia/Kolkata"),
    ("emma@stint.example", "Emma Larsen", "Europe/Oslo"),
    ("farid@stint.example", "Farid Haddad", "Asia/Dubai"),
    ("grace@stint.example", "Grace Kim", "Asia/Seoul"),
    ("hugo@stint.example", "Hugo Moreau", "Europe/Brussels"),
    ("ines@stint.example", "Inês Costa", "Europe/Lisbon"),
    ("jack@stint.example", "Jack Thompson", "Australia/Sydney"),
    ("kofi@stint.example", "Kofi Mensah", "Africa/Accra"),
    ("lucia@stint.example", "Lucía Romero", "America/Mexico_City"),
    ("mei@stint.example", "Mei Lin", "Asia/Singapore"),
    ("nils@stint.example", "Nils Berg", "Europe/Stockholm"),
    ("olivia@stint.example", "Olivia Brown", "America/Toronto"),
    ("pedro@stint.example", "Pedro Alves", "America/Sao_Paulo"),
    ("quinn@stint.example", "Quinn Murphy", "Europe/Dublin"),
    ("rina@stint.example", "Rina Sato", "Asia/Tokyo"),
    ("sofia@stint.example", "Sofia Rossi", "Europe/Rome"),
    ("tom@stint.example", "Tom Becker", "Europe/Berlin"),
    ("uma@stint.example", "Uma Nair", "Asia/Kolkata"),
    ("victor@stint.example", "Victor Dubois", "America/Montreal"),
    ("wen@stint.example", "Wen Zhao", "Asia/Shanghai"),
    ("yara@stint.example", "Yara Nasser", "Europe/Istanbul"),
    ("zoe@stint.example", "Zoe Walker", "Europe/London"),
    ("amir@stint.example", "Amir Rahimi", "Asia/Dubai"),
    ("bea@stint.example", "Beatriz Lima", "America/Sao_Paulo"),
    ("chen@stint.example", "Chen Wei", "Asia/Shanghai"),
    ("dana@stint.example", "Dana Cohen", "America/New_York"),
    ("eli@stint.example", "Eli Novak", "Europe/Prague"),
];

const WEEKS: i64 = 52;
const DAY: i64 = 86_400;

/// A fixed pseudo-random number from `seed` (SplitMix64), so the year is the same every time.
fn roll(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `roll` as a percentage, 0–99.
fn percent(seed: u64) -> u64 {
    roll(seed) % 100
}

fn ago(now: Timestamp, secs: i64) -> anyhow::Result<Timestamp> {
    Ok(now.checked_sub(SignedDuration::from_secs(secs))?)
}

fn after(t: Timestamp, secs: i64) -> anyhow::Result<Timestamp> {
    Ok(t.checked_add(SignedDuration::from_secs(secs))?)
}

/// Quiet weeks: the year-end holidays (none) and August (half).
fn quiet(t: Timestamp, k: usize) -> bool {
    let d = t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    (d.month() == 12 && d.day() >= 20)
        || (d.month() == 1 && d.day() <= 3)
        || (d.month() == 8 && k % 2 == 1)
}

/// The follow-up-delay experiment: from 40 to 16 weeks ago, a week against three days.
struct Experiment {
    id: i64,
    from: Timestamp,
    to: Timestamp,
    variants: Vec<Variant>,
}

/// Loads the year; the light demo (accounts, catalog, profiles, Acme) must be there.
pub async fn load(store: &Arc<dyn Store>, now: Timestamp, acme: OrgId) -> anyhow::Result<()> {
    let operator = account(store, "operator@stint.example").await?;
    let hash = stint_app::auth::password::hash(super::DEMO_PASSWORD.to_string())
        .await
        .map_err(|e| anyhow::anyhow!("hashing the demo password: {e}"))?;
    let mut pairs = Vec::new();
    for (email, _, _, skus) in PROFILES {
        let mentor = account(store, email).await?;
        for slug in skus.iter() {
            let sku = store
                .sku(slug)
                .await?
                .with_context(|| format!("SKU {slug}"))?;
            pairs.push((mentor, sku));
        }
    }
    let packs = store.packs(false).await?;
    let pack = packs
        .iter()
        .max_by_key(|p| p.pack.credits)
        .context("the demo's packs")?;
    let experiment = start_experiment(store, now, operator).await?;
    let mut exposed: HashMap<UserId, usize> = HashMap::new();
    for (m, (email, name, zone)) in MENTEES_OF_THE_YEAR.iter().enumerate() {
        let new = NewAccount {
            email: Email::parse(email).map_err(anyhow::Error::msg)?,
            display_name: (*name).to_string(),
            timezone: TimeZoneName::parse(zone).map_err(anyhow::Error::msg)?,
            roles: vec![Role::Mentee],
        };
        // More of the year's mentees joined lately: the square root leans towards 1.
        let u = (roll(m as u64) % 1000) as f64 / 1000.0;
        let joined_weeks_ago = WEEKS - (40.0 * u.sqrt()) as i64;
        let joined = ago(now, joined_weeks_ago * 7 * DAY + 20 * DAY)?;
        let mentee = store.create_account(&new, &hash, joined).await?.id;
        // Their own credits: packs bought when they joined and half a year on.
        for at in [joined, after(joined, 26 * 7 * DAY)?] {
            if at < now {
                for _ in 0..2 {
                    let p = store.create_purchase(mentee, pack, "manual", at).await?;
                    store
                        .mark_purchase_paid(p.id, &format!("DEMO-TRANSFER-{}", p.id), at)
                        .await?;
                }
            }
        }
        let first_won = percent(m as u64 * 31 + 7) < 60;
        let gap = if first_won { 2 } else { 4 + m as i64 % 2 };
        let mut week = joined_weeks_ago;
        let mut k = 0usize;
        while week >= 1 {
            let s = Seat {
                mentee,
                m,
                k,
                week,
                first_won,
            };
            held_or_missed(store, now, &pairs, &s, &experiment, &mut exposed).await?;
            week -= gap;
            k += 1;
        }
    }
    store.end_experiment(experiment.id, experiment.to).await?;
    pilot(store, now, acme, operator, &pairs).await?;
    demand(store, now).await?;
    Ok(())
}

async fn account(store: &Arc<dyn Store>, email: &str) -> anyhow::Result<UserId> {
    Ok(store
        .account_by_email(email)
        .await?
        .with_context(|| format!("demo account {email}"))?
        .id)
}

async fn start_experiment(
    store: &Arc<dyn Store>,
    now: Timestamp,
    operator: UserId,
) -> anyhow::Result<Experiment> {
    let variants = vec![
        Variant {
            name: "A week".into(),
            value: 7,
        },
        Variant {
            name: "Three days".into(),
            value: 3,
        },
    ];
    let from = ago(now, 40 * 7 * DAY)?;
    let draft = ExperimentDraft {
        name: "Follow-up after three days".into(),
        factor: Factor::FollowUpDelay,
        hypothesis: "A follow-up that comes while the session is fresh is answered more often."
            .into(),
        variants: variants.clone(),
    };
    let id = store
        .start_experiment(&draft, operator, from)
        .await?
        .context("no follow-up-delay experiment running before the demo's")?;
    Ok(Experiment {
        id,
        from,
        to: ago(now, 16 * 7 * DAY)?,
        variants,
    })
}

/// One session of the year: mentee `m`'s `k`th, `week` weeks ago.
struct Seat {
    mentee: UserId,
    m: usize,
    k: usize,
    week: i64,
    first_won: bool,
}

async fn held_or_missed(
    store: &Arc<dyn Store>,
    now: Timestamp,
    pairs: &[(UserId, SkuVersion)],
    s: &Seat,
    experiment: &Experiment,
    exposed: &mut HashMap<UserId, usize>,
) -> anyhow::Result<()> {
    let seed = (s.m as u64) << 16 | s.k as u64;
    let (mentor, sku) = &pairs[(s.m * 7 + s.k * 3) % pairs.len()];
    let c = &sku.content;
    // A weekday of the week, at an hour the light history never uses (10:00 and 13:00).
    let monday = week_start(ago(now, s.week * 7 * DAY)?);
    let day = (s.m + s.k) % 5;
    if s.k > 0 && quiet(monday, s.k) {
        return Ok(());
    }
    let lead_days = [1, 2, 3, 5, 7, 10, 14][(roll(seed ^ 0xA1) % 7) as usize];
    let prepped = percent(seed ^ 0xB2) < if lead_days >= 7 { 55 } else { 85 };
    let missed = s.k > 0
        && percent(seed ^ 0xC3)
            < match (prepped, lead_days >= 7) {
                (true, _) => 3,
                (false, false) => 25,
                (false, true) => 45,
            };
    let mut made = None;
    for hour in [7, 15, 16, 17, 18, 19] {
        let start = after(monday, day as i64 * DAY + hour * 3600)?;
        if start >= now {
            return Ok(());
        }
        let new = NewBooking {
            mentor_id: *mentor,
            mentee_id: s.mentee,
            sku_id: sku.sku_id,
            sku_version: sku.version,
            start,
            end: after(start, c.duration_minutes * 60)?,
            meeting_url: format!("https://meet.jit.si/stint-demo-y{seed}"),
            price: c.price_credits,
            bonus: 0,
        };
        let anything = |_: Option<&stint_domain::schedule::Availability>,
                        _: &[stint_domain::schedule::Busy]| true;
        let booked_at = ago(start, lead_days * DAY)?;
        match store.create_booking(&new, None, &anything, booked_at).await {
            Ok(BookingOutcome::Created(b) | BookingOutcome::Replayed(b)) => {
                made = Some((b, booked_at));
                break;
            }
            // Another of the year's sessions has the mentor then: the next hour.
            Err(StoreError::SlotTaken) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    let Some((booking, booked_at)) = made else {
        return Ok(());
    };
    let (id, start, end) = (booking.id, booking.start, booking.end);
    let prep_at = after(booked_at, 3600)?;
    if prepped {
        store.save_prep(id, &prep_of(c), prep_at).await?;
    }
    let fee = stint_app::DEFAULT_PLATFORM_FEE_BASIS_POINTS;
    if missed {
        let hold = HoldEnd::Forfeit {
            percent: 100,
            fee_basis_points: fee,
        };
        store
            .mark_no_show(
                id,
                NoShowSide::Mentee,
                *mentor,
                hold,
                after(start, 20 * 60)?,
            )
            .await?;
        return Ok(());
    }
    let level = |n| rating(c, n);
    let baseline = 1 + (s.k as i64 / 4).min(2);
    if prepped {
        store
            .save_assessment(
                id,
                AssessmentKind::Baseline,
                &level(baseline)?,
                after(prep_at, 60)?,
            )
            .await?;
    }
    let checkpoint = match (s.k, s.first_won, percent(seed ^ 0xD4)) {
        (0, true, _) => CheckpointResult::Reached,
        (0, false, _) => CheckpointResult::NotReached,
        (_, _, 0..=59) => CheckpointResult::Reached,
        (_, _, 60..=89) => CheckpointResult::Partly,
        _ => CheckpointResult::NotReached,
    };
    let gain = if checkpoint == CheckpointResult::Reached {
        1
    } else {
        0
    };
    let closed_at = after(end, 2 * 3600)?;
    // In the experiment's weeks the follow-up waits as the mentee's variant says.
    let in_experiment = closed_at >= experiment.from && closed_at < experiment.to;
    let variant = if in_experiment {
        let v = *exposed
            .entry(s.mentee)
            .or_insert_with(|| assign(experiment.id, s.mentee, experiment.variants.len()));
        store.expose(experiment.id, s.mentee, v, closed_at).await?;
        Some(v)
    } else {
        None
    };
    let delay = variant
        .and_then(|v| experiment.variants.get(v))
        .map_or(c.followup_delay_days, |v| v.value);
    let closing = Closing {
        checkpoint,
        evidence: format!("{} — seen in the session.", checkpoint.label()),
        followup: format!("Thanks for today. You worked on: {}.", c.outcome),
        tasks: Vec::new(),
    };
    let opens = followup_opens_at(closed_at, delay);
    store
        .close_session(
            &CloseSession {
                booking: id,
                closing: &closing,
                artifacts: &c.artifacts,
                closed_by: *mentor,
                followup_opens_at: opens,
                hold: HoldEnd::Settle {
                    fee_basis_points: fee,
                },
            },
            closed_at,
        )
        .await?;
    // A fresh follow-up (three days) is answered more often than one a week on.
    let answer_rate = if delay <= 3 { 80 } else { 60 };
    let taken = after(opens, 20 * 3600)?;
    if percent(seed ^ 0xE5) < answer_rate && taken <= now {
        let followup = (baseline + gain).min(5);
        store
            .save_assessment(id, AssessmentKind::Followup, &level(followup)?, taken)
            .await?;
    }
    Ok(())
}

/// Acme's 90-day pilot of its five members in every session type, ended a month ago, with
/// their check-ins at 0, 30, 60 and 90 days rising from their own starting levels.
async fn pilot(
    store: &Arc<dyn Store>,
    now: Timestamp,
    acme: OrgId,
    operator: UserId,
    pairs: &[(UserId, SkuVersion)],
) -> anyhow::Result<()> {
    let mut members = Vec::new();
    for email in MENTEES {
        members.push(account(store, email).await?);
    }
    let mut skus: Vec<_> = pairs.iter().map(|(_, s)| s.sku_id).collect();
    skus.sort();
    skus.dedup();
    let mut competencies: Vec<_> = pairs.iter().map(|(_, s)| s.content.competency_id).collect();
    competencies.sort();
    competencies.dedup();
    let started = ago(now, 120 * DAY)?;
    let start = started.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let pilot = NewPilot {
        name: "Acme leadership pilot",
        org: Some(acme),
        start,
        skus: &skus,
        members: &members,
        created_by: operator,
    };
    // Over already: no check-in is left to nudge.
    let id = store
        .create_pilot(&pilot, &|_| Vec::new(), ago(started, 7 * DAY)?)
        .await?;
    for (n, member) in members.iter().enumerate() {
        for day in stint_domain::pilot::CHECK_IN_DAYS {
            let levels: Vec<_> = competencies
                .iter()
                .enumerate()
                .map(|(c, comp)| {
                    let base = 1 + ((n + c) % 2) as i64;
                    let rise = day / 30 * [1, 1, 0, 1, 2][n % 5] / 2 + i64::from(day >= 60);
                    (*comp, (base + rise).min(5))
                })
                .collect();
            let at = after(started, day * DAY + 10 * 3600)?;
            store.save_check_in(id, *member, day, &levels, at).await?;
        }
    }
    Ok(())
}

/// Searches over the year, a few per booking, growing with the bookings; in Asia/Pacific
/// the last competency's searches find nothing ever more often.
async fn demand(store: &Arc<dyn Store>, now: Timestamp) -> anyhow::Result<()> {
    let competencies = store.competencies().await?;
    let bands = [
        ZoneBand::Americas,
        ZoneBand::EuropeAfrica,
        ZoneBand::AsiaPacific,
    ];
    let Some(short) = competencies.last().map(|c| c.id) else {
        return Ok(());
    };
    let mut counts = Vec::new();
    for week in 1..=WEEKS {
        let week_start = week_start(ago(now, week * 7 * DAY)?);
        let grown = (WEEKS - week) as f64 / WEEKS as f64;
        let season = if quiet(week_start, 1) { 0.5 } else { 1.0 };
        for c in &competencies {
            for (b, band) in bands.iter().enumerate() {
                let base = [14.0, 18.0, 8.0][b] * (0.6 + 0.8 * grown) * season;
                let searches = base as i64 + (roll(week as u64 * 7 + b as u64) % 3) as i64;
                let shortfall = c.id == short && *band == ZoneBand::AsiaPacific;
                let empty_share = if shortfall { 0.1 + 0.5 * grown } else { 0.05 };
                counts.push(DemandCount {
                    week_start,
                    competency: c.id,
                    band: *band,
                    searches,
                    empty: (searches as f64 * empty_share) as i64,
                    off_hours: searches / 6,
                });
            }
        }
    }
    store.add_demand(&counts).await?;
    Ok(())
}
