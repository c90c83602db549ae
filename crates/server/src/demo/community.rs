//! The mentor community in the demo a newcomer starts (with the year only): two applications
//! to mentor waiting in the operators' queue, and a mentor on a break until a day next week,
//! so `/operator/applications` and `/operator/mentors` have something true to show; and a
//! circle of five mentors (Chloé mentors too here) with a short thread and a call planned.

use anyhow::Context;
use jiff::{Span, Timestamp};
use std::sync::Arc;
use stint_domain::application::ApplicationInput;
use stint_domain::standing::{Standing, today_in};
use stint_store::Store;

/// Who applies, with what.
const APPLICANTS: [(&str, &str, &str, &str); 2] = [
    (
        "ana@stint.example",
        "Eight years as a product manager in São Paulo fintechs; I moved from engineering and \
         have coached six colleagues through the same pivot.",
        "career-transition",
        "For the 30-minute career pivot I would spend ten minutes on the mentee's strongest \
         transferable story, ten on the two roles it fits best, and end with one outreach \
         message drafted together.",
    ),
    (
        "dev@stint.example",
        "Staff engineer for eleven years, on call for payment systems; I run our incident \
         reviews and teach debugging to new hires.",
        "technical-problem-solving",
        "In a 20-minute technical triage I ask for the failing case first, bisect the change \
         window aloud with the mentee, and leave them with the next two experiments written \
         down, not the answer.",
    ),
];

pub async fn load(store: &Arc<dyn Store>, now: Timestamp) -> anyhow::Result<()> {
    for (n, (email, experience, competency, sample)) in APPLICANTS.iter().enumerate() {
        let who = store
            .account_by_email(email)
            .await?
            .with_context(|| format!("demo applicant {email}"))?;
        let input = ApplicationInput {
            experience: (*experience).into(),
            competencies: vec![(*competency).into()],
            sample: (*sample).into(),
            links: format!("https://example.com/{}", who.display_name.replace(' ', "-")),
        };
        let (input, _) = input
            .validate()
            .map_err(|e| anyhow::anyhow!("demo application: {e:?}"))?;
        let sent = now - Span::new().hours(30 * (n as i64 + 1));
        store.create_application(who.id, &input, sent).await?;
    }
    // Liam takes a week off; he is listed again as the day after it begins in Sydney.
    let liam = store
        .account_by_email("liam@stint.example")
        .await?
        .context("demo mentor liam")?;
    let back = today_in(&liam.timezone, now).checked_add(Span::new().days(8))?;
    store
        .set_standing(liam.id, &Standing::Paused { until: Some(back) }, "", now)
        .await?;
    circle(store, now).await
}

/// The thread of the demo circle: (author, text, reply to the post at this index).
const THREAD: [(&str, &str, Option<usize>); 4] = [
    (
        "maya@stint.example",
        "How do you **close** a 30-minute pivot session? I keep running out of time before the \
         outreach message is drafted. What I tried this week:\n\n- a timer at minute 20\n\
         - drafting the message *first*, then the story",
        None,
    ),
    (
        "jonas@stint.example",
        "Drafting first works for me too. I also send the template as a pre-read, so we edit \
         rather than write.",
        Some(0),
    ),
    (
        "priya@stint.example",
        "Same in triage: the next two experiments go in the notes before minute 15, \
         whatever happens.",
        Some(0),
    ),
    (
        "liam@stint.example",
        "Reading tip for the negotiation clinic: [Never split the difference, ch. 3](https://example.com/anchoring) \
         on calibrated questions. Worth a look before the monthly call.",
        None,
    ),
];

/// A circle of Maya, Jonas, Priya, Liam and Chloé, with a thread and next week's call.
async fn circle(store: &Arc<dyn Store>, now: Timestamp) -> anyhow::Result<()> {
    let chloe = store
        .account_by_email("chloe@stint.example")
        .await?
        .context("demo chloe")?;
    store
        .grant_role(chloe.id, stint_domain::role::Role::Mentor)
        .await?;
    let mut members = Vec::new();
    for email in ["maya", "jonas", "priya", "liam"] {
        let who = store
            .account_by_email(&format!("{email}@stint.example"))
            .await?
            .with_context(|| format!("demo mentor {email}"))?;
        members.push(who.id);
    }
    members.push(chloe.id);
    let operator = store
        .account_by_email("operator@stint.example")
        .await?
        .context("demo operator")?;
    let formed = now - Span::new().hours(24 * 12);
    let c = store
        .create_circle(
            "Career and negotiation coaches",
            &members,
            operator.id,
            formed,
        )
        .await?;
    let mut ids: Vec<i64> = Vec::new();
    for (n, (email, text, parent)) in THREAD.iter().enumerate() {
        let who = store
            .account_by_email(email)
            .await?
            .with_context(|| format!("demo author {email}"))?;
        let html = stint_app::markdown::to_safe_html(text);
        let at = now - Span::new().hours(24 * 6 - 20 * n as i64);
        let parent = parent.and_then(|i| ids.get(i).copied());
        let p = store
            .add_post(c.id, who.id, parent, text, &html, at)
            .await?;
        ids.push(p.id);
    }
    // The monthly call: in nine days, 12:00 UTC (early in New York, late in Sydney).
    let day = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let start = jiff::tz::TimeZone::UTC
        .to_timestamp(day.checked_add(Span::new().days(9))?.at(12, 0, 0, 0))?;
    store
        .add_call(
            c.id,
            start,
            start + Span::new().minutes(45),
            "https://meet.example/stint-circle",
            operator.id,
            formed,
        )
        .await?;
    Ok(())
}
