//! Benchmark set-up shared by `booking` and `burst`: mentors of one session type open by the
//! rules given (around the clock, in both), each with the free starts a benchmark books, and
//! clients with credits. Included with `#[path]`.

use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use stint_domain::account::{Email, NewAccount, TimeZoneName};
use stint_domain::mentor::MentorProfileInput;
use stint_domain::role::Role;
use stint_domain::schedule::{Availability, SlotQuery, slots};
use stint_store::Store;

/// `count` mentors (`{prefix}-mentor-{i}@example.com`, in UTC) delivering `sku` (20 minutes)
/// by `rules`, each with `per_mentor` starts every other slot from two hours after `now`.
pub async fn open_mentors(
    store: &Arc<dyn Store>,
    prefix: &str,
    count: usize,
    per_mentor: usize,
    (sku, rules): (&str, &Availability),
    (hash, now): (&str, Timestamp),
) -> Vec<(i64, Vec<Timestamp>)> {
    let tz = TimeZoneName::parse("UTC").expect("utc").tz();
    let mut plan = Vec::new();
    for i in 0..count {
        let new = NewAccount {
            email: Email::parse(&format!("{prefix}-mentor-{i}@example.com")).expect("email"),
            display_name: format!("Mentor {i}"),
            timezone: TimeZoneName::parse("UTC").expect("utc"),
            roles: vec![Role::Mentor],
        };
        let a = store.create_account(&new, hash, now).await.expect("mentor");
        let profile = MentorProfileInput {
            headline: "Bench mentor".into(),
            bio: String::new(),
            meeting_url: String::new(),
            skus: vec![sku.into()],
        };
        store
            .save_mentor_profile(a.id, &profile, now)
            .await
            .expect("profile");
        store
            .save_availability(a.id, rules, now)
            .await
            .expect("rules");
        let from = now
            .checked_add(SignedDuration::from_hours(2))
            .expect("time");
        let q = SlotQuery {
            duration_minutes: 20,
            from,
            to: from
                .checked_add(SignedDuration::from_hours(24 * 30))
                .expect("time"),
            now,
        };
        let starts: Vec<Timestamp> = slots(rules, &tz, &[], &q)
            .into_iter()
            .step_by(2)
            .take(per_mentor)
            .map(|s| s.start)
            .collect();
        plan.push((a.id.0, starts));
    }
    plan
}

/// `count` mentees (`{prefix}-client-{c}@example.com`) with `credits` each.
pub async fn funded_clients(
    store: &Arc<dyn Store>,
    prefix: &str,
    count: usize,
    credits: i64,
    (hash, now): (&str, Timestamp),
) {
    for c in 0..count {
        let new = NewAccount {
            email: Email::parse(&format!("{prefix}-client-{c}@example.com")).expect("email"),
            display_name: format!("Client {c}"),
            timezone: TimeZoneName::parse("UTC").expect("utc"),
            roles: vec![Role::Mentee],
        };
        let client = store.create_account(&new, hash, now).await.expect("client");
        stint_store::testing::fund(store.as_ref(), client.id, credits, now)
            .await
            .expect("credits");
    }
}

/// Round-robin over mentors: at any moment the clients book different mentors, as many
/// mentees booking many mentors would.
pub fn round_robin(plan: &[(i64, Vec<Timestamp>)]) -> Vec<(i64, Timestamp)> {
    let longest = plan.iter().map(|(_, s)| s.len()).max().unwrap_or(0);
    (0..longest)
        .flat_map(|i| {
            plan.iter()
                .filter_map(move |(m, starts)| starts.get(i).map(|s| (*m, *s)))
        })
        .collect()
}

/// An API token for each of the `count` clients of [`funded_clients`], logged in over HTTP.
pub async fn client_tokens(
    http: &reqwest::Client,
    base: &str,
    prefix: &str,
    (count, password): (usize, &str),
) -> Vec<String> {
    let mut tokens = Vec::new();
    for c in 0..count {
        let r: serde_json::Value = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"email": format!("{prefix}-client-{c}@example.com"), "password": password}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("token");
        tokens.push(r["token"].as_str().unwrap_or_default().to_string());
    }
    tokens
}
