//! Demo data: the three launch session types with real-sounding competencies, rubrics and
//! templates, mentors around the world, mentees, a sponsor and an operator, and ten weeks of
//! completed sessions (`history`), so a newcomer sees the product working at first start.

mod community;
mod credits;
mod history;
pub mod proof;
mod sponsor;
mod year;

use anyhow::{Context, bail};
use jiff::Timestamp;
use std::sync::Arc;
use stint_domain::account::{Email, NewAccount, TimeZoneName};
use stint_domain::catalog::{
    CheckpointInput, CompetencyInput, FOLLOWUP_DELAY_DAYS_DEFAULT, PreRead, SkuContent, SkuStatus,
};
use stint_domain::mentor::MentorProfileInput;
use stint_domain::role::Role;
use stint_domain::schedule::{Availability, ClockTime, DayInterval};
use stint_store::Store;

/// Every demo account logs in with this password.
pub const DEMO_PASSWORD: &str = "stint-demo-2026";

/// A demo account: e-mail, name, zone, roles.
pub struct DemoAccount {
    pub email: &'static str,
    pub name: &'static str,
    pub timezone: &'static str,
    pub roles: &'static [Role],
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        email: "operator@stint.example",
        name: "Olivia Operator",
        timezone: "Europe/London",
        roles: &[Role::Operator],
    },
    DemoAccount {
        email: "maya@stint.example",
        name: "Maya Goldberg",
        timezone: "America/New_York",
        roles: &[Role::Mentor],
    },
    DemoAccount {
        email: "jonas@stint.example",
        name: "Jonas Weber",
        timezone: "Europe/Berlin",
        roles: &[Role::Mentor],
    },
    DemoAccount {
        email: "priya@stint.example",
        name: "Priya Raman",
        timezone: "Asia/Kolkata",
        roles: &[Role::Mentor],
    },
    DemoAccount {
        email: "liam@stint.example",
        name: "Liam O'Connor",
        timezone: "Australia/Sydney",
        roles: &[Role::Mentor],
    },
    DemoAccount {
        email: "sam@stint.example",
        name: "Sam Okafor",
        timezone: "America/Chicago",
        roles: &[Role::Mentee],
    },
    DemoAccount {
        email: "lena@stint.example",
        name: "Lena Fischer",
        timezone: "Europe/Berlin",
        roles: &[Role::Mentee],
    },
    DemoAccount {
        email: "noor@stint.example",
        name: "Noor Haddad",
        timezone: "Asia/Dubai",
        roles: &[Role::Mentee],
    },
    DemoAccount {
        email: "diego@stint.example",
        name: "Diego Álvarez",
        timezone: "America/Mexico_City",
        roles: &[Role::Mentee],
    },
    DemoAccount {
        email: "aiko@stint.example",
        name: "Aiko Tanaka",
        timezone: "Asia/Tokyo",
        roles: &[Role::Mentee],
    },
    DemoAccount {
        email: "sponsor@acme.example",
        name: "Ari Sponsor (Acme Corp)",
        timezone: "America/Los_Angeles",
        roles: &[Role::SponsorAdmin],
    },
];

struct DemoCompetency {
    slug: &'static str,
    name: &'static str,
    description: &'static str,
    rubric: [&'static str; 5],
    checkpoints: &'static [(&'static str, &'static str, &'static str)],
}

const COMPETENCIES: &[DemoCompetency] = &[
    DemoCompetency {
        slug: "career-transition",
        name: "Career transition",
        description: "Moving into a new role, function or industry with a plan others can believe in.",
        rubric: [
            "Knows they want a change but cannot yet name the target role.",
            "Has a target role in mind; the story of why is vague or defensive.",
            "Names a target role and explains the move in two minutes, with transferable strengths.",
            "Has a tested pivot story, a shortlist of companies and three warm conversations under way.",
            "Runs a repeatable search: clear narrative, steady pipeline, and offers to compare.",
        ],
        checkpoints: &[
            (
                "pivot-story",
                "Has a two-minute pivot story",
                "Can say where they come from, where they are going and why their past makes them credible there.",
            ),
            (
                "target-shortlist",
                "Has a shortlist of ten target companies",
                "Each with a reason and a first contact.",
            ),
        ],
    },
    DemoCompetency {
        slug: "salary-negotiation",
        name: "Salary negotiation",
        description: "Getting paid what the work is worth, without damaging the relationship.",
        rubric: [
            "Accepts the first number offered; finds the topic uncomfortable.",
            "Knows they should negotiate but has no numbers or script.",
            "Has market data, an opening ask and a walk-away number written down.",
            "Negotiates the whole package calmly, trading terms rather than conceding.",
            "Coaches others; anchors confidently and creates options both sides value.",
        ],
        checkpoints: &[
            (
                "walk-away-number",
                "Has a written walk-away number and an opening ask",
                "Both grounded in market data and the person's own needs.",
            ),
            (
                "counter-script",
                "Has rehearsed a counter-offer script",
                "Said out loud at least twice, including the pause after the ask.",
            ),
        ],
    },
    DemoCompetency {
        slug: "technical-problem-solving",
        name: "Technical problem solving",
        description: "Getting unstuck on a hard technical problem by narrowing it down systematically.",
        rubric: [
            "Stuck; tries changes at random and hopes.",
            "Can describe the symptom but not reproduce it reliably.",
            "Has a minimal reproduction and a ranked list of hypotheses.",
            "Tests hypotheses in order, instruments the system, and finds root causes most of the time.",
            "Teaches debugging; designs systems that make failures easy to see.",
        ],
        checkpoints: &[
            (
                "ranked-hypotheses",
                "Has a reproduction and ranked hypotheses",
                "A minimal way to trigger the problem and the next three things to test, in order.",
            ),
            (
                "root-cause",
                "Has identified the root cause",
                "And can explain why the fix works.",
            ),
        ],
    },
];

struct DemoSku {
    slug: &'static str,
    title: &'static str,
    minutes: i64,
    competency: &'static str,
    checkpoint: &'static str,
    outcome: &'static str,
    artifacts: &'static [&'static str],
    intake: &'static [&'static str],
    pre_reads: &'static [(&'static str, &'static str)],
    followup: &'static str,
    assessment: &'static [&'static str],
    price: i64,
    cancel_hours: i64,
    reschedule_hours: i64,
    /// The share of the price a late cancel forfeits (%).
    late_percent: i64,
    /// The outcome bonus in credits (0 for none).
    bonus: i64,
}

const SKUS: &[DemoSku] = &[
    DemoSku {
        slug: "career-pivot-30",
        title: "30-min career pivot",
        minutes: 30,
        competency: "career-transition",
        checkpoint: "pivot-story",
        outcome: "Leave with a two-minute pivot story you can say out loud, and the first three people to tell it to.",
        artifacts: &[
            "Pivot story canvas (one page)",
            "Transferable-skills checklist",
            "Follow-up micro-assessment",
        ],
        intake: &[
            "What role are you in now, and what role do you want next?",
            "What have you already tried?",
            "What worries you most about the move?",
        ],
        pre_reads: &[(
            "The pivot story in three parts",
            "https://stint.example/guides/pivot-story",
        )],
        followup: "Hi {{mentee}},\n\nThanks for today's {{session}}. Your pivot story in one line: …\n\nNext steps:\n1. Say the story out loud to one friend this week.\n2. Send the three messages we drafted.\n3. Take the follow-up check-in in 7 days.\n\n— {{mentor}}",
        assessment: &[
            "Say your pivot story in one sentence.",
            "Who are the first three people you will tell it to?",
        ],
        price: 30,
        cancel_hours: 24,
        reschedule_hours: 6,
        late_percent: 50,
        bonus: 10,
    },
    DemoSku {
        slug: "negotiation-clinic-45",
        title: "45-min negotiation clinic",
        minutes: 45,
        competency: "salary-negotiation",
        checkpoint: "walk-away-number",
        outcome: "Walk out with a written opening ask and walk-away number, grounded in market data, and a script for the call.",
        artifacts: &[
            "Offer comparison worksheet",
            "Counter-offer script template",
            "Follow-up micro-assessment",
        ],
        intake: &[
            "What offer or raise are you negotiating, and by when?",
            "What numbers do you have so far?",
            "What matters to you besides base pay?",
        ],
        pre_reads: &[
            ("BATNA in plain words", "https://stint.example/guides/batna"),
            (
                "Where to find salary data",
                "https://stint.example/guides/salary-data",
            ),
        ],
        followup: "Hi {{mentee}},\n\nYour numbers from today's {{session}}:\n- Opening ask: …\n- Walk-away: …\n\nBefore the call: rehearse the script twice, out loud, and keep the pause after the ask.\n\nGood luck — {{mentor}}",
        assessment: &[
            "What is your opening ask, and what is it based on?",
            "What is your walk-away number?",
        ],
        price: 45,
        cancel_hours: 48,
        reschedule_hours: 12,
        late_percent: 50,
        bonus: 0,
    },
    DemoSku {
        slug: "technical-triage-20",
        title: "20-min technical triage",
        minutes: 20,
        competency: "technical-problem-solving",
        checkpoint: "ranked-hypotheses",
        outcome: "Get unstuck: leave with a minimal reproduction plan and the next three hypotheses to test, in order.",
        artifacts: &["Debugging triage checklist", "Hypothesis log template"],
        intake: &[
            "What is broken, and how do you know?",
            "What changed recently?",
            "What have you ruled out?",
        ],
        pre_reads: &[],
        followup: "Hi {{mentee}},\n\nFrom today's {{session}}, test in this order:\n1. …\n2. …\n3. …\n\nLog each result in the hypothesis template. — {{mentor}}",
        assessment: &[
            "Can you trigger the problem on demand? How?",
            "What are the next three things you will test, in order?",
        ],
        price: 20,
        cancel_hours: 4,
        reschedule_hours: 2,
        late_percent: 25,
        bonus: 0,
    },
];

/// (e-mail, headline, bio, SKUs delivered)
const PROFILES: &[(&str, &str, &str, &[&str])] = &[
    (
        "maya@stint.example",
        "Former tech recruiter; 400+ offers negotiated",
        "I spent nine years on the hiring side at two scale-ups in New York. Now I help people see the process from the other side of the table.\n\nExpect numbers, scripts and calm.",
        &["negotiation-clinic-45", "career-pivot-30"],
    ),
    (
        "jonas@stint.example",
        "Staff engineer, distributed systems",
        "Fifteen years of production incidents in Berlin and beyond. I like the moment a vague 'it's slow' turns into a reproduction.",
        &["technical-triage-20"],
    ),
    (
        "priya@stint.example",
        "Engineering manager turned product lead",
        "I moved from engineering to product in Bengaluru and have helped thirty people make a similar jump. A pivot is a story before it is a plan.",
        &["career-pivot-30", "technical-triage-20"],
    ),
    (
        "liam@stint.example",
        "Sales director; negotiates for a living",
        "Based in Sydney. I teach people to trade, not concede, and to enjoy the pause after the ask.",
        &["negotiation-clinic-45"],
    ),
];

/// Each demo mentor's experience and credentials, and the languages they mentor in.
const BACKGROUND: &[(&str, &str, &[&str])] = &[
    (
        "maya@stint.example",
        "Head of talent acquisition at two New York scale-ups (2015–2024).\n\nCertified negotiation coach (Harvard PON, 2021).",
        &["English", "Spanish"],
    ),
    (
        "jonas@stint.example",
        "Staff engineer at a payments company; on-call lead for eight years.\n\nSpeaker on incident analysis.",
        &["German", "English"],
    ),
    (
        "priya@stint.example",
        "Engineering manager (6 years), then product lead (4 years) at a Bengaluru marketplace.",
        &["English", "Hindi"],
    ),
    (
        "liam@stint.example",
        "Sales director for APAC enterprise software; 12 years of closing multi-year deals.",
        &["English"],
    ),
];

/// A mentor's working week: e-mail, weekdays (Monday = 0), hours each of those days.
type DemoWeek = (
    &'static str,
    &'static [usize],
    &'static [(&'static str, &'static str)],
);

/// Realistic, different weeks in four zones.
const HOURS: &[DemoWeek] = &[
    (
        "maya@stint.example",
        &[0, 1, 2, 3, 4],
        &[("08:00", "12:00"), ("13:00", "17:00")],
    ),
    (
        "jonas@stint.example",
        &[0, 1, 2, 3],
        &[("09:00", "12:00"), ("16:00", "18:30")],
    ),
    (
        "priya@stint.example",
        &[0, 1, 2, 3, 4, 5],
        &[("10:00", "13:00"), ("18:00", "21:00")],
    ),
    (
        "liam@stint.example",
        &[1, 2, 3, 4, 5],
        &[("07:00", "10:00"), ("17:00", "20:00")],
    ),
];

fn demo_availability(
    timezone: &str,
    days: &[usize],
    hours: &[(&str, &str)],
) -> anyhow::Result<Availability> {
    let mut rules = Availability::default_for(timezone);
    let intervals = hours
        .iter()
        .map(|(a, b)| {
            Ok(DayInterval {
                start: ClockTime::parse(a).map_err(anyhow::Error::msg)?,
                end: ClockTime::parse(b).map_err(anyhow::Error::msg)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    for (i, day) in rules.weekly.iter_mut().enumerate() {
        *day = if days.contains(&i) {
            intervals.clone()
        } else {
            Vec::new()
        };
    }
    rules.slot_step_minutes = 15;
    rules.min_notice_minutes = 4 * 60;
    Ok(rules)
}

/// Whether the database holds nothing yet (no accounts, no catalog).
pub async fn is_empty(store: &dyn Store) -> anyhow::Result<bool> {
    Ok(store.account_count().await? == 0 && store.competencies().await?.is_empty())
}

/// Whether the demo accounts are there (to print their log-ins).
pub async fn is_loaded(store: &dyn Store) -> anyhow::Result<bool> {
    Ok(store.account_by_email(ACCOUNTS[0].email).await?.is_some())
}

/// Loads the demo into an empty database; refuses to touch one with data in it.
pub async fn load(store: &Arc<dyn Store>, now: Timestamp) -> anyhow::Result<()> {
    load_as(store, now, false).await
}

/// The demo with a year before its ten weeks (`year`): what `serve --demo` and `stint demo`
/// load, so every operator report has a year to show.
pub async fn load_with_year(store: &Arc<dyn Store>, now: Timestamp) -> anyhow::Result<()> {
    load_as(store, now, true).await
}

async fn load_as(store: &Arc<dyn Store>, now: Timestamp, with_year: bool) -> anyhow::Result<()> {
    if !is_empty(store.as_ref()).await? {
        bail!("the database already has data; the demo only loads into an empty database");
    }
    let hash = stint_app::auth::password::hash(DEMO_PASSWORD.to_string())
        .await
        .map_err(|e| anyhow::anyhow!("hashing the demo password: {e}"))?;
    for a in ACCOUNTS {
        let new = NewAccount {
            email: Email::parse(a.email).map_err(anyhow::Error::msg)?,
            display_name: a.name.to_string(),
            timezone: TimeZoneName::parse(a.timezone).map_err(anyhow::Error::msg)?,
            roles: a.roles.to_vec(),
        };
        store
            .create_account(&new, &hash, now)
            .await
            .with_context(|| format!("creating {}", a.email))?;
    }
    let operator = store
        .account_by_email(ACCOUNTS[0].email)
        .await?
        .map(|a| a.id);
    for c in COMPETENCIES {
        let input = CompetencyInput {
            slug: c.slug.into(),
            name: c.name.into(),
            description: c.description.into(),
            rubric: c.rubric.iter().map(|s| s.to_string()).collect(),
        };
        let comp = store.create_competency(&input.validate()?, now).await?;
        for (slug, title, description) in c.checkpoints {
            let cp = CheckpointInput {
                slug: (*slug).into(),
                title: (*title).into(),
                description: (*description).into(),
            };
            store.add_checkpoint(comp.id, &cp.validate()?).await?;
        }
    }
    for s in SKUS {
        let comp = store
            .competency_by_slug(s.competency)
            .await?
            .with_context(|| format!("competency {}", s.competency))?;
        let cp = comp
            .checkpoints
            .iter()
            .find(|c| c.slug == s.checkpoint)
            .with_context(|| format!("checkpoint {}", s.checkpoint))?;
        let content = SkuContent {
            title: s.title.into(),
            duration_minutes: s.minutes,
            competency_id: comp.id,
            checkpoint_id: cp.id,
            outcome: s.outcome.into(),
            artifacts: s.artifacts.iter().map(|x| x.to_string()).collect(),
            intake_questions: s.intake.iter().map(|x| x.to_string()).collect(),
            pre_reads: s
                .pre_reads
                .iter()
                .map(|(t, u)| PreRead {
                    title: (*t).into(),
                    url: (*u).into(),
                })
                .collect(),
            followup_template: s.followup.into(),
            assessment_questions: s.assessment.iter().map(|x| x.to_string()).collect(),
            followup_delay_days: FOLLOWUP_DELAY_DAYS_DEFAULT,
            price_credits: s.price,
            cancel_cutoff_hours: s.cancel_hours,
            reschedule_cutoff_hours: s.reschedule_hours,
            late_cancel_percent: s.late_percent,
            bonus_credits: s.bonus,
        }
        .validate(Some(&comp))?;
        store.create_sku(s.slug, &content, operator, now).await?;
        store.set_sku_status(s.slug, SkuStatus::Active, now).await?;
    }
    for (email, headline, bio, skus) in PROFILES {
        let mentor = store
            .account_by_email(email)
            .await?
            .with_context(|| format!("mentor {email}"))?;
        let (experience, languages) = BACKGROUND
            .iter()
            .find(|(e, _, _)| e == email)
            .map(|(_, x, l)| (*x, *l))
            .unwrap_or_default();
        let input = MentorProfileInput {
            headline: (*headline).into(),
            bio: (*bio).into(),
            experience: experience.into(),
            languages: languages.iter().map(|l| l.to_string()).collect(),
            meeting_url: String::new(),
            skus: skus.iter().map(|s| s.to_string()).collect(),
        }
        .validate()?;
        store.save_mentor_profile(mentor.id, &input, now).await?;
    }
    for (email, days, hours) in HOURS {
        let mentor = store
            .account_by_email(email)
            .await?
            .with_context(|| format!("mentor {email}"))?;
        let rules = demo_availability(&mentor.timezone, days, hours)?;
        rules
            .validate()
            .map_err(|e| anyhow::anyhow!("demo availability of {email}: {e}"))?;
        store.save_availability(mentor.id, &rules, now).await?;
    }
    let acme = sponsor::setup(store, now).await.context("demo sponsor")?;
    history::load(store, now, acme)
        .await
        .context("demo history")?;
    sponsor::pay_out_history(store, now)
        .await
        .context("demo payouts")?;
    credits::load(store, now).await.context("demo credits")?;
    if with_year {
        year::load(store, now, acme).await.context("demo year")?;
        community::load(store, now)
            .await
            .context("demo community")?;
    }
    Ok(())
}

/// The log-ins to print after loading.
pub fn logins() -> String {
    let mut out = format!("Demo log-ins (password for all: {DEMO_PASSWORD}):\n");
    for a in ACCOUNTS {
        let roles: Vec<&str> = a.roles.iter().map(|r| r.label()).collect();
        out.push_str(&format!(
            "  {:<26} {:<14} {}\n",
            a.email,
            roles.join(", "),
            a.timezone
        ));
    }
    out
}
