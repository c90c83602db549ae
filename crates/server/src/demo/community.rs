//! The mentor community in the demo a newcomer starts (with the year only): two applications
//! to mentor waiting in the operators' queue, and a mentor on a break until a day next week,
//! so `/operator/applications` and `/operator/mentors` have something true to show.

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
    Ok(())
}
