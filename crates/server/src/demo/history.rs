//! A past for the demo: ten weeks of completed sessions with prep, baselines, closings,
//! tasks and follow-ups, so progress pages, impact pages and every SKU's outcome figures
//! show real-looking numbers at first start. Deterministic: the same demo every time.

use super::PROFILES;
use anyhow::Context;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use stint_domain::booking::BookingId;
use stint_domain::ids::OrgId;
use stint_domain::ids::UserId;
use stint_domain::outcome::assessment::{Assessment, AssessmentKind, Level, followup_opens_at};
use stint_domain::outcome::closing::{CheckpointResult, Closing, Task};
use stint_domain::outcome::notes::NoteKind;
use stint_domain::outcome::prep::Prep;
use stint_domain::sponsor::Period;
use stint_store::sponsor::BudgetCharge;
use stint_store::{BookingOutcome, CloseSession, NewBooking, Store};

/// Mentees with a history, in the order sessions are dealt to them.
pub const MENTEES: &[&str] = &[
    "sam@stint.example",
    "lena@stint.example",
    "noor@stint.example",
    "diego@stint.example",
    "aiko@stint.example",
];
const WEEKS: i64 = 10;

fn hours(h: i64) -> SignedDuration {
    SignedDuration::from_hours(h)
}

fn day_of(t: Timestamp) -> Date {
    t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

/// How session `i`, `week` weeks ago, went: its checkpoint result, baseline level and level
/// at the follow-up. Baselines rise with time (level 1 ten weeks ago, 3 in the last weeks), so
/// each mentee's progress tells the story of people getting better.
fn story(i: usize, week: i64) -> (CheckpointResult, i64, i64) {
    let checkpoint = match i % 10 {
        0..=5 => CheckpointResult::Reached,
        6..=8 => CheckpointResult::Partly,
        _ => CheckpointResult::NotReached,
    };
    let baseline = 1 + (WEEKS - week.clamp(1, WEEKS)) * 3 / WEEKS;
    let gain = [1, 2, 0, 1, 1, 0, 2][i % 7];
    (checkpoint, baseline, (baseline + gain).min(5))
}

/// The weeks whose sessions the demo's sponsor paid for (the budget started then).
const SPONSORED_WEEKS: i64 = 6;

/// Loads the history; the accounts, catalog and profiles must already be there, and the
/// sponsor `acme`, whose budget paid for the last weeks' sessions.
pub async fn load(store: &Arc<dyn Store>, now: Timestamp, acme: OrgId) -> anyhow::Result<()> {
    let mut mentees = Vec::new();
    for email in MENTEES {
        let a = store
            .account_by_email(email)
            .await?
            .with_context(|| format!("mentee {email}"))?;
        mentees.push(a);
    }
    // Every (mentor, SKU) pair the profiles name, each at its own hour of the mentor's
    // working day: 10:00 local for a mentor's first session type, 13:00 for the second.
    let mut pairs = Vec::new();
    for (email, _, _, skus) in PROFILES {
        let mentor = store
            .account_by_email(email)
            .await?
            .with_context(|| format!("mentor {email}"))?;
        for (n, slug) in skus.iter().enumerate() {
            let sku = store
                .sku(slug)
                .await?
                .with_context(|| format!("SKU {slug}"))?;
            pairs.push((mentor.clone(), sku, 10 + 3 * n as i8));
        }
    }
    let mut i = 0usize;
    let mut reviews = Vec::new();
    for week in 1..=WEEKS {
        for (p, (mentor, sku, hour)) in pairs.iter().enumerate() {
            if (week as usize + p).is_multiple_of(3) {
                continue;
            }
            let mentee = &mentees[(week as usize + p) % mentees.len()];
            let zone = jiff::tz::TimeZone::get(&mentor.timezone)?;
            let day = now
                .checked_sub(hours(week * 24 * 7))?
                .to_zoned_datetime(zone.clone())
                .date();
            let start = day.at(*hour, 0, 0, 0).to_zoned_datetime(zone)?.timestamp();
            // Only the last fortnight leaves a task open: older ones were all done.
            let recent = week <= 2;
            let who = Parties {
                mentor: mentor.id,
                mentee: mentee.id,
                paid_by: (week <= SPONSORED_WEEKS).then_some(acme),
            };
            reviews.push(session(store, now, (i, week), who, sku, start, recent).await?);
            i += 1;
        }
    }
    reviews.sort_by_key(|r| r.at);
    for r in reviews.into_iter().filter(|r| r.at <= now) {
        review(store, r).await?;
    }
    Ok(())
}

/// Who a history session is between, and the sponsor who paid for it, if one did.
struct Parties {
    mentor: UserId,
    mentee: UserId,
    paid_by: Option<OrgId>,
}

async fn session(
    store: &Arc<dyn Store>,
    now: Timestamp,
    (i, week): (usize, i64),
    who: Parties,
    sku: &stint_domain::catalog::SkuVersion,
    start: Timestamp,
    recent: bool,
) -> anyhow::Result<DemoReview> {
    let Parties {
        mentor,
        mentee,
        paid_by,
    } = who;
    let c = &sku.content;
    let end = start.checked_add(SignedDuration::from_mins(c.duration_minutes))?;
    let new = NewBooking {
        mentor_id: mentor,
        mentee_id: mentee,
        sku_id: sku.sku_id,
        sku_version: sku.version,
        start,
        end,
        meeting_url: format!("https://meet.jit.si/stint-demo-{i}"),
        // The history is from before the demo's wallets: only the sponsor paid.
        price: if paid_by.is_some() {
            c.price_credits
        } else {
            0
        },
        bonus: 0,
    };
    let anything =
        |_: Option<&stint_domain::schedule::Availability>, _: &[stint_domain::schedule::Busy]| true;
    let booked_at = start.checked_sub(hours(72))?;
    let made = match paid_by {
        Some(org) => {
            let charge = BudgetCharge {
                org,
                period_start: Period::Month.start(booked_at),
            };
            store
                .create_sponsored_booking(&new, None, &anything, charge, booked_at)
                .await?
        }
        None => {
            store
                .create_booking(&new, None, &anything, booked_at)
                .await?
        }
    };
    let booking = match made {
        BookingOutcome::Created(b) | BookingOutcome::Replayed(b) => b,
    };
    let id: BookingId = booking.id;
    let (checkpoint, baseline, followup) = story(i, week);
    store
        .save_prep(id, &prep_of(c), start.checked_sub(hours(30))?)
        .await?;
    let level = |n| rating(c, n);
    let prepped = start.checked_sub(hours(26))?;
    store
        .save_assessment(id, AssessmentKind::Baseline, &level(baseline)?, prepped)
        .await?;
    let plan = "## Plan\n\n- Where you are now\n- The one thing to leave with\n- Next step";
    let note = stint_store::NewNote {
        booking: id,
        kind: NoteKind::Shared,
        author: mentor,
        body: plan,
        html: &stint_app::markdown::to_safe_html(plan),
    };
    store.save_note(&note, start).await?;
    let closed_at = end.checked_add(hours(2))?;
    let closing = Closing {
        checkpoint,
        evidence: format!("{} — seen in the session.", checkpoint.label()),
        followup: format!(
            "Thanks for today. You worked on: {}.\n\nNext steps are below.",
            c.outcome
        ),
        tasks: vec![
            Task {
                title: "Practise it out loud once".into(),
                due: day_of(closed_at.checked_add(hours(5 * 24))?),
            },
            Task {
                title: "Use it for real and note what happened".into(),
                due: day_of(closed_at.checked_add(hours(10 * 24))?),
            },
        ],
    };
    let opens = followup_opens_at(closed_at, c.followup_delay_days);
    store
        .close_session(
            &CloseSession {
                booking: id,
                closing: &closing,
                artifacts: &c.artifacts,
                closed_by: mentor,
                followup_opens_at: opens,
                // The sponsor's hold is paid to the mentor; otherwise nothing was held.
                hold: stint_domain::ledger::HoldEnd::Settle {
                    fee_basis_points: stint_app::DEFAULT_PLATFORM_FEE_BASIS_POINTS,
                },
            },
            closed_at,
        )
        .await?;
    for (n, task) in store.tasks(id).await?.iter().enumerate() {
        let done_at = closed_at.checked_add(hours(24 * (3 + 4 * n as i64)))?;
        if !(recent && n == 1) && done_at <= now {
            store.set_task_done(id, task.id, true, done_at).await?;
        }
    }
    if !c.artifacts.is_empty() {
        store.tick_deliverable(id, 0, true, closed_at).await?;
    }
    let taken = opens.checked_add(hours(20))?;
    if taken <= now {
        store
            .save_assessment(id, AssessmentKind::Followup, &level(followup)?, taken)
            .await?;
    }
    Ok(DemoReview {
        booking,
        i,
        checkpoint,
        at: closed_at.checked_add(hours(20))?,
    })
}

/// Prep as a demo mentee did it: every intake question answered, every pre-read read.
pub(super) fn prep_of(c: &stint_domain::catalog::SkuContent) -> Prep {
    Prep {
        intake_answers: c
            .intake_questions
            .iter()
            .map(|q| format!("(Answered before the session: {})", q.trim_end_matches('?')))
            .collect(),
        pre_reads_read: (0..c.pre_reads.len()).collect(),
    }
}

/// A demo mentee's self-rating at `level`, every question answered alike.
pub(super) fn rating(
    c: &stint_domain::catalog::SkuContent,
    level: i64,
) -> anyhow::Result<Assessment> {
    Ok(Assessment {
        level: Level::parse(level).map_err(anyhow::Error::msg)?,
        answers: c
            .assessment_questions
            .iter()
            .map(|_| "Somewhat — I have tried once.".to_string())
            .collect(),
    })
}

/// A review a demo session gets, written once every session is in (oldest first, as they
/// would have been).
struct DemoReview {
    booking: stint_domain::booking::Booking,
    i: usize,
    checkpoint: CheckpointResult,
    at: Timestamp,
}

/// What demo mentees wrote.
const REVIEWS: [(i64, &str); 11] = [
    (
        5,
        "Left with a script I used the same week. Worth every minute.",
    ),
    (5, "Clear, kind and very practical."),
    (
        4,
        "Useful structure; I wanted a little more time on my own case.",
    ),
    (5, "Exactly the push I needed."),
    (4, "Good questions that changed how I saw the problem."),
    (3, "Helpful, though we spent a while on background."),
    (5, "Thirty minutes, one decision made. Rare."),
    (4, "Direct feedback, no fluff. I will book again."),
    (5, "The role-play at the end was the most useful part."),
    (4, ""),
    (5, "Came in stuck, left with a plan and a date."),
];

/// Most demo sessions get a review the day after; the mentor answers some.
async fn review(store: &Arc<dyn Store>, r: DemoReview) -> anyhow::Result<()> {
    let DemoReview {
        booking,
        i,
        checkpoint,
        at,
    } = r;
    let booking = &booking;
    if i % 5 == 4 {
        return Ok(());
    }
    let (mut rating, text) = REVIEWS[(i * 7) % REVIEWS.len()];
    if checkpoint == CheckpointResult::NotReached {
        rating = rating.min(3);
    }
    let input = stint_domain::review::ReviewInput {
        rating,
        text: text.into(),
    };
    let review = store.add_review(booking, &input, at).await?;
    if i % 3 == 0 {
        let answer = if rating < 4 {
            "Thanks for saying so: I now ask for the background in the prep form."
        } else {
            "Thank you, and good luck with the next step!"
        };
        store.reply_to_review(review.id, answer, at).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::story;
    use stint_domain::outcome::closing::CheckpointResult;

    #[test]
    fn stories_are_mostly_good_but_not_all() {
        let all: Vec<_> = (0..30).map(|i| story(i, 1 + (i as i64) / 3)).collect();
        let reached = all
            .iter()
            .filter(|s| s.0 == CheckpointResult::Reached)
            .count();
        assert!(reached > 10 && reached < 30, "{reached}");
        assert!(all.iter().any(|s| s.0 == CheckpointResult::NotReached));
        assert!(
            all.iter()
                .all(|s| (1..=5).contains(&s.1) && (s.1..=5).contains(&s.2))
        );
        assert!(story(0, 10).1 < story(0, 1).1, "levels rise with time");
    }
}
