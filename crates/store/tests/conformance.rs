//! The storage conformance suite: every test runs against SQLite, and against a fresh
//! PostgreSQL database when `STINT_TEST_POSTGRES_URL` is set (ignored, with the reason, when it
//! is not; required with `CI=true`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::Timestamp;
use std::sync::Arc;
use stint_domain::catalog::{CheckpointInput, CompetencyInput, SkuStatus};
use stint_domain::mentor::MentorProfileInput;
use stint_domain::role::Role;
use stint_store::{LoginCounts, LoginOutcome, LoginWindows, Store, StoreError};

#[macro_use]
mod common;
use common::*;

conformance!(
    migrations_are_idempotent,
    accounts_round_trip_with_roles,
    duplicate_email_is_a_conflict,
    concurrent_signups_with_one_email_make_one_account,
    many_concurrent_writes_all_succeed,
    sessions_and_tokens_expire_and_can_be_deleted,
    login_failures_are_counted_per_pair_account_and_address,
    parallel_login_attempts_count_each_other,
    expired_credentials_and_old_attempts_are_pruned,
    competencies_and_checkpoints,
    draft_edits_in_place_and_published_edits_make_versions,
    sku_status_moves_only_forward,
    sku_checkpoint_must_belong_to_competency,
    mentor_profiles_list_active_skus_only,
    availability_round_trips,
    overlapping_bookings_are_refused_by_the_database,
    racing_bookings_on_overlapping_slots_have_one_winner_each,
    racing_bookings_of_one_mentor_never_exceed_a_cap,
    many_concurrent_bookings_are_each_answered_with_their_own_row,
    idempotent_booking_replays_and_refuses_other_bodies,
    concurrent_replays_of_one_key_make_one_booking,
    reschedule_cancel_and_no_show_keep_a_history,
    calendar_feeds_rotate_and_revoke,
    a_booking_context_is_the_booked_version_and_both_parties,
    concurrent_session_and_token_lookups_each_get_their_own_account,
    sessions_list_upcoming_and_page_back_through_the_rest,
);

async fn migrations_are_idempotent(store: Arc<dyn Store>) {
    store.ping().await.unwrap();
    // `open` already migrated; a second run must be a no-op on the same database.
    let names = stint_store::migration_names(match store.backend_name() {
        "sqlite" => stint_store::Backend::Sqlite,
        _ => stint_store::Backend::Postgres,
    });
    assert!(!names.is_empty());
    store.competencies().await.unwrap();
}

async fn accounts_round_trip_with_roles(store: Arc<dyn Store>) {
    let a = store
        .create_account(&new_account("Ana@Example.com"), "hash", t(0))
        .await
        .unwrap();
    assert_eq!(a.email, "ana@example.com");
    store.grant_role(a.id, Role::Operator).await.unwrap();
    store.grant_role(a.id, Role::Operator).await.unwrap();
    let back = store.account(a.id).await.unwrap().unwrap();
    assert_eq!(back.roles, vec![Role::Mentee, Role::Operator]);
    assert_eq!(back.timezone, "America/Sao_Paulo");
    let (acct, hash) = store
        .credentials(" ANA@example.com ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((acct.id, hash.as_str()), (a.id, "hash"));
    store.revoke_role(a.id, Role::Operator).await.unwrap();
    assert_eq!(
        store.account(a.id).await.unwrap().unwrap().roles,
        vec![Role::Mentee]
    );
    assert!(
        store
            .account(stint_domain::ids::UserId(a.id.0 + 999))
            .await
            .unwrap()
            .is_none()
    );
    // Foreign keys are enforced (on SQLite they must be switched on per connection).
    let ghost = store
        .grant_role(stint_domain::ids::UserId(a.id.0 + 999), Role::Mentor)
        .await;
    assert!(matches!(ghost, Err(StoreError::NotFound)), "{ghost:?}");
    assert_eq!(store.account_count().await.unwrap(), 1);
    let renamed = store
        .update_profile(a.id, "Ana L.", "Europe/Lisbon")
        .await
        .unwrap();
    assert_eq!(
        (renamed.display_name.as_str(), renamed.timezone.as_str()),
        ("Ana L.", "Europe/Lisbon")
    );
    assert_eq!(
        store.account(a.id).await.unwrap().unwrap().timezone,
        "Europe/Lisbon"
    );
    assert!(matches!(
        store
            .update_profile(stint_domain::ids::UserId(a.id.0 + 999), "X", "UTC")
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn duplicate_email_is_a_conflict(store: Arc<dyn Store>) {
    store
        .create_account(&new_account("ana@example.com"), "h", t(0))
        .await
        .unwrap();
    let e = store
        .create_account(&new_account("ANA@example.com"), "h", t(1))
        .await;
    assert!(
        matches!(e, Err(StoreError::Conflict { field: "email", .. })),
        "{e:?}"
    );
    assert_eq!(store.account_count().await.unwrap(), 1);
}

async fn concurrent_signups_with_one_email_make_one_account(store: Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for i in 0..16 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.create_account(&new_account("race@example.com"), "h", t(i))
                .await
        }));
    }
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict { field: "email", .. }) => {}
            Err(e) => panic!("a racing sign-up failed with {e}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(store.account_count().await.unwrap(), 1);
}

async fn many_concurrent_writes_all_succeed(store: Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for i in 0..64 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let a = s
                .create_account(&new_account(&format!("u{i}@example.com")), "h", t(i))
                .await?;
            s.create_web_session(&format!("tok{i}"), a.id, t(i), t(i + 60))
                .await?;
            s.begin_login_attempt("x@example.com", "127.0.0.1", t(i), &windows(t(i)))
                .await
                .map(|_| ())
        }));
    }
    for task in tasks {
        if let Err(e) = task.await.unwrap() {
            panic!("a concurrent write failed (SQLITE_BUSY must never surface): {e}");
        }
    }
    assert_eq!(store.account_count().await.unwrap(), 64);
    // Pages of ten, each after the last id of the one before, hold every account once.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.accounts_page(after, 10).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 10);
        after = page.last().map(|a| a.id);
        seen.extend(page.into_iter().map(|a| a.id));
    }
    assert_eq!(seen.len(), 64);
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "in id order, once each"
    );
}

async fn sessions_and_tokens_expire_and_can_be_deleted(store: Arc<dyn Store>) {
    let a = store
        .create_account(&new_account("ana@example.com"), "h", t(0))
        .await
        .unwrap();
    store
        .create_web_session("s1", a.id, t(0), t(100))
        .await
        .unwrap();
    assert_eq!(
        store
            .web_session_account("s1", t(50))
            .await
            .unwrap()
            .map(|x| x.id),
        Some(a.id)
    );
    assert!(
        store
            .web_session_account("s1", t(100))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .web_session_account("nope", t(50))
            .await
            .unwrap()
            .is_none()
    );
    store.delete_web_session("s1").await.unwrap();
    assert!(
        store
            .web_session_account("s1", t(50))
            .await
            .unwrap()
            .is_none()
    );

    store
        .create_api_token("k1", a.id, "cli", t(0), t(100))
        .await
        .unwrap();
    assert_eq!(
        store
            .api_token_account("k1", t(99))
            .await
            .unwrap()
            .map(|x| x.id),
        Some(a.id)
    );
    assert!(
        store
            .api_token_account("k1", t(101))
            .await
            .unwrap()
            .is_none()
    );
    store.delete_api_token("k1").await.unwrap();
    assert!(store.api_token_account("k1", t(1)).await.unwrap().is_none());
}

/// Windows for the login counts as of `now`: failures over the last 10 s, recent attempts
/// over the last 2 s, known pairs over the last 100 s.
fn windows(now: Timestamp) -> LoginWindows {
    LoginWindows {
        failures_since: now - jiff::SignedDuration::from_secs(10),
        recent_since: now - jiff::SignedDuration::from_secs(2),
        known_since: now - jiff::SignedDuration::from_secs(100),
    }
}

/// One finished attempt at `at`.
async fn attempt(
    store: &dyn Store,
    email: &str,
    address: &str,
    at: Timestamp,
    outcome: LoginOutcome,
) {
    let (id, _) = store
        .begin_login_attempt(email, address, at, &windows(at))
        .await
        .unwrap();
    store.finish_login_attempt(id, outcome).await.unwrap();
}

async fn login_failures_are_counted_per_pair_account_and_address(store: Arc<dyn Store>) {
    use LoginOutcome::{Failed, NotChecked, Succeeded};
    let s = store.as_ref();
    for i in 0..3 {
        attempt(s, "ana@example.com", "10.0.0.1", t(i), Failed).await;
    }
    attempt(s, "bob@example.com", "10.0.0.1", t(5), Failed).await;
    attempt(s, "ana@example.com", "10.0.0.2", t(6), Succeeded).await;
    attempt(s, "ana@example.com", "10.0.0.1", t(6), NotChecked).await;
    // The next attempt counts itself (a failure until it is finished).
    let (_, counts) = s
        .begin_login_attempt("ANA@example.com", "10.0.0.1", t(7), &windows(t(7)))
        .await
        .unwrap();
    assert_eq!(
        counts,
        LoginCounts {
            pair_failures: 4,
            account_failures: 4,
            address_failures: 5,
            account_recent: 2,
            known_pair: false,
        }
    );
    // A success resets the pair and makes it known; the account's failures still count.
    attempt(s, "ana@example.com", "10.0.0.1", t(8), Succeeded).await;
    let (_, counts) = s
        .begin_login_attempt("ana@example.com", "10.0.0.1", t(9), &windows(t(9)))
        .await
        .unwrap();
    assert_eq!(
        (
            counts.pair_failures,
            counts.account_failures,
            counts.known_pair
        ),
        (1, 5, true)
    );
    // Outside the failure window, nothing counts but the attempt itself.
    let (_, counts) = s
        .begin_login_attempt("ana@example.com", "10.0.0.9", t(30), &windows(t(30)))
        .await
        .unwrap();
    assert_eq!((counts.pair_failures, counts.account_failures), (1, 1));
}

/// Parallel attempts each count every attempt committed before them: of 20 at once, at most
/// k see a pair count of k or less, so a limit of 5 lets through no more than 5 guesses.
async fn parallel_login_attempts_count_each_other(store: Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let (_, counts) = s
                .begin_login_attempt("ana@example.com", "10.0.0.1", t(1), &windows(t(1)))
                .await
                .unwrap();
            counts.pair_failures
        }));
    }
    let mut seen = Vec::new();
    for task in tasks {
        seen.push(task.await.unwrap());
    }
    seen.sort_unstable();
    for (k, count) in seen.iter().enumerate() {
        assert!(*count > i64::try_from(k).unwrap(), "{seen:?}");
    }
}

async fn competencies_and_checkpoints(store: Arc<dyn Store>) {
    let (c, cp) = seed_competency(store.as_ref()).await;
    let got = store.competency(c).await.unwrap().unwrap();
    assert_eq!(got.rubric.len(), 5);
    assert_eq!(
        got.checkpoints.iter().map(|x| x.id).collect::<Vec<_>>(),
        vec![cp]
    );
    let dup = store
        .create_competency(
            &CompetencyInput {
                slug: "negotiation".into(),
                name: "X".into(),
                description: String::new(),
                rubric: rubric(),
            },
            t(1),
        )
        .await;
    assert!(matches!(
        dup,
        Err(StoreError::Conflict { field: "slug", .. })
    ));
    let dup_cp = store
        .add_checkpoint(
            c,
            &CheckpointInput {
                slug: "walk-away".into(),
                title: "Again".into(),
                description: String::new(),
            },
        )
        .await;
    assert!(matches!(
        dup_cp,
        Err(StoreError::Conflict { field: "slug", .. })
    ));
    let renamed = store
        .update_competency(
            "negotiation",
            &CompetencyInput {
                slug: "negotiating".into(),
                name: "Negotiating".into(),
                description: String::new(),
                rubric: rubric(),
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.slug, "negotiating");
    assert!(
        store
            .competency_by_slug("negotiation")
            .await
            .unwrap()
            .is_none()
    );
    let cp2 = store
        .update_checkpoint(
            cp,
            &CheckpointInput {
                slug: "walk-away".into(),
                title: "Knows the walk-away".into(),
                description: "d".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(cp2.title, "Knows the walk-away");
    assert!(matches!(
        store
            .update_competency(
                "missing",
                &CompetencyInput {
                    slug: "m".into(),
                    name: "M".into(),
                    description: String::new(),
                    rubric: rubric()
                }
            )
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn draft_edits_in_place_and_published_edits_make_versions(store: Arc<dyn Store>) {
    let (c, cp) = seed_competency(store.as_ref()).await;
    let v1 = store
        .create_sku("clinic", &content(c, cp, "Clinic draft"), None, t(0))
        .await
        .unwrap();
    assert_eq!((v1.version, v1.status), (1, SkuStatus::Draft));
    let edited = store
        .update_sku("clinic", &content(c, cp, "Clinic v1"), None, t(1))
        .await
        .unwrap();
    assert_eq!(
        edited.version, 1,
        "a never-published draft is edited in place"
    );
    store
        .set_sku_status("clinic", SkuStatus::Active, t(2))
        .await
        .unwrap();
    let mut changed = content(c, cp, "Clinic v2");
    changed.price_credits = 5;
    changed.assessment_questions = vec!["Have you named a number?".into(), "How sure?".into()];
    changed.followup_delay_days = 14;
    let v2 = store
        .update_sku("clinic", &changed, None, t(3))
        .await
        .unwrap();
    assert_eq!(
        (v2.version, v2.current_version, v2.status),
        (2, 2, SkuStatus::Active)
    );
    let old = store.sku_version("clinic", 1).await.unwrap().unwrap();
    assert_eq!(
        (old.content.title.as_str(), old.content.price_credits),
        ("Clinic v1", 3)
    );
    assert_eq!(old.current_version, 2);
    assert_eq!(old.content, content(c, cp, "Clinic v1"));
    assert_eq!(store.sku("clinic").await.unwrap().unwrap().content, changed);
    assert_eq!(
        store.sku("clinic").await.unwrap().unwrap().content.title,
        "Clinic v2"
    );
    let versions: Vec<i64> = store
        .sku_versions("clinic")
        .await
        .unwrap()
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(versions, vec![2, 1]);
    assert_eq!(store.skus(Some(SkuStatus::Active)).await.unwrap().len(), 1);
    assert!(store.skus(Some(SkuStatus::Draft)).await.unwrap().is_empty());
    let dup = store
        .create_sku("clinic", &content(c, cp, "Again"), None, t(4))
        .await;
    assert!(matches!(
        dup,
        Err(StoreError::Conflict { field: "slug", .. })
    ));
    assert!(matches!(
        store.update_sku("nope", &changed, None, t(5)).await,
        Err(StoreError::NotFound)
    ));
}

async fn sku_status_moves_only_forward(store: Arc<dyn Store>) {
    let (c, cp) = seed_competency(store.as_ref()).await;
    store
        .create_sku("clinic", &content(c, cp, "Clinic"), None, t(0))
        .await
        .unwrap();
    store
        .set_sku_status("clinic", SkuStatus::Active, t(1))
        .await
        .unwrap();
    let back = store.set_sku_status("clinic", SkuStatus::Draft, t(2)).await;
    assert!(matches!(
        back,
        Err(StoreError::Conflict {
            field: "status",
            ..
        })
    ));
    assert_eq!(
        store
            .set_sku_status("clinic", SkuStatus::Retired, t(3))
            .await
            .unwrap()
            .status,
        SkuStatus::Retired
    );
    assert!(
        store
            .skus(Some(SkuStatus::Active))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn sku_checkpoint_must_belong_to_competency(store: Arc<dyn Store>) {
    let (c, _) = seed_competency(store.as_ref()).await;
    let other = store
        .create_competency(
            &CompetencyInput {
                slug: "triage".into(),
                name: "Triage".into(),
                description: String::new(),
                rubric: rubric(),
            },
            t(0),
        )
        .await
        .unwrap();
    let other_cp = store
        .add_checkpoint(
            other.id,
            &CheckpointInput {
                slug: "x".into(),
                title: "X".into(),
                description: String::new(),
            },
        )
        .await
        .unwrap();
    let bad = store
        .create_sku("clinic", &content(c, other_cp.id, "Clinic"), None, t(0))
        .await;
    assert!(matches!(bad, Err(StoreError::Invalid(_))), "{bad:?}");
    assert!(
        store.sku("clinic").await.unwrap().is_none(),
        "nothing half-written"
    );
}

async fn mentor_profiles_list_active_skus_only(store: Arc<dyn Store>) {
    let (c, cp) = seed_competency(store.as_ref()).await;
    store
        .create_sku("clinic", &content(c, cp, "Clinic"), None, t(0))
        .await
        .unwrap();
    store
        .create_sku("draft-one", &content(c, cp, "Draft"), None, t(0))
        .await
        .unwrap();
    let m = store
        .create_account(&new_account("mentor@example.com"), "h", t(0))
        .await
        .unwrap();
    store.grant_role(m.id, Role::Mentor).await.unwrap();
    let input = |skus: Vec<&str>| MentorProfileInput {
        headline: "Negotiated 200 offers".into(),
        bio: "Former recruiter.".into(),
        meeting_url: String::new(),
        skus: skus.into_iter().map(String::from).collect(),
        ..Default::default()
    };
    let refused = store
        .save_mentor_profile(m.id, &input(vec!["clinic"]), t(1))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(ref e)) if e.get("skus.0").is_some()),
        "draft SKUs cannot be delivered"
    );
    assert!(
        store.mentor_profile(m.id).await.unwrap().is_none(),
        "nothing half-written"
    );
    let sku = store
        .set_sku_status("clinic", SkuStatus::Active, t(1))
        .await
        .unwrap();
    let p = store
        .save_mentor_profile(m.id, &input(vec!["clinic"]), t(2))
        .await
        .unwrap();
    assert_eq!(
        p.skus.iter().map(|s| s.slug.as_str()).collect::<Vec<_>>(),
        vec!["clinic"]
    );
    assert_eq!(p.competencies.len(), 1);
    assert_eq!(
        store
            .directory_page(&by_sku(None), None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .directory_count(&by_sku(Some(sku.sku_id)))
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.mentors_for_sku(sku.sku_id).await.unwrap().len(), 1);
    let bookable = store.bookable_mentors(sku.sku_id).await.unwrap();
    let version = bookable[0].schedule_version;
    assert!(
        version.is_some(),
        "a slot search reads the schedule version"
    );
    assert_eq!(
        bookable,
        vec![stint_domain::mentor::BookableMentor {
            schedule_version: version,
            ..stint_domain::mentor::BookableMentor::from(&p)
        }]
    );
    store
        .save_availability(
            m.id,
            &stint_domain::schedule::Availability::default_for("UTC"),
            t(2),
        )
        .await
        .unwrap();
    let bumped = store.bookable_mentors(sku.sku_id).await.unwrap()[0].schedule_version;
    assert!(bumped > version, "new rules bump the version");
    store
        .set_sku_status("clinic", SkuStatus::Retired, t(3))
        .await
        .unwrap();
    assert!(store.mentors_for_sku(sku.sku_id).await.unwrap().is_empty());
    assert!(store.bookable_mentors(sku.sku_id).await.unwrap().is_empty());
    assert_eq!(store.directory_count(&by_sku(None)).await.unwrap(), 0);
    store
        .save_mentor_profile(m.id, &input(vec![]), t(4))
        .await
        .unwrap();
    assert!(
        store
            .mentor_profile(m.id)
            .await
            .unwrap()
            .unwrap()
            .skus
            .is_empty()
    );
}

async fn expired_credentials_and_old_attempts_are_pruned(store: Arc<dyn Store>) {
    let a = store
        .create_account(&new_account("ana@example.com"), "h", t(0))
        .await
        .unwrap();
    store
        .create_web_session("old", a.id, t(0), t(10))
        .await
        .unwrap();
    store
        .create_web_session("live", a.id, t(0), t(1000))
        .await
        .unwrap();
    store
        .create_api_token("old-key", a.id, "x", t(0), t(10))
        .await
        .unwrap();
    store
        .create_api_token("live-key", a.id, "x", t(0), t(1000))
        .await
        .unwrap();
    attempt(
        store.as_ref(),
        "ana@example.com",
        "1.2.3.4",
        t(5),
        LoginOutcome::Failed,
    )
    .await;
    attempt(
        store.as_ref(),
        "ana@example.com",
        "1.2.3.4",
        t(50),
        LoginOutcome::Failed,
    )
    .await;
    assert_eq!(store.prune_expired(t(20), t(40)).await.unwrap(), 3);
    assert!(
        store
            .web_session_account("live", t(20))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .api_token_account("live-key", t(20))
            .await
            .unwrap()
            .is_some()
    );
    let (_, counts) = store
        .begin_login_attempt("ana@example.com", "1.2.3.4", t(55), &windows(t(55)))
        .await
        .unwrap();
    assert_eq!(counts.account_failures, 2, "the one at t(50) and this one");
    assert_eq!(store.prune_expired(t(20), t(40)).await.unwrap(), 0);
}

/// Two stores on one SQLite file behave like two processes (e.g. `stint user create` beside
/// a running server): each queues its writes behind the other's lock instead of failing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_writers_in_two_processes_wait_instead_of_failing() {
    let db = stint_store::testing::fresh_sqlite();
    let (a, b) = (open(db.url()).await, open(db.url()).await);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let acct = store
                .create_account(&new_account(&format!("p{i}@example.com")), "h", t(i))
                .await?;
            store.grant_role(acct.id, Role::Mentor).await?;
            store
                .update_profile(acct.id, "Renamed", "Europe/Paris")
                .await
                .map(|_| ())
        }));
    }
    for task in tasks {
        if let Err(e) = task.await.unwrap() {
            panic!("a write from the second process failed: {e}");
        }
    }
    assert_eq!(b.account_count().await.unwrap(), 40);
}

// ---- bookings ---------------------------------------------------------------------------

use stint_domain::booking::{BookingStatus, NoShowSide};
use stint_domain::schedule::Availability;
use stint_store::{BookingOutcome, IdempotencyKey};

async fn availability_round_trips(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    assert!(store.availability(w.mentor).await.unwrap().is_none());
    let mut rules = Availability::default_for("Asia/Kolkata");
    rules.buffer_before_minutes = 5;
    store
        .save_availability(w.mentor, &rules, t(1))
        .await
        .unwrap();
    rules.horizon_days = 30;
    store
        .save_availability(w.mentor, &rules, t(2))
        .await
        .unwrap();
    assert_eq!(
        store.availability(w.mentor).await.unwrap(),
        Some(rules.clone())
    );
    assert_eq!(
        store.availability_of(&[w.mentor]).await.unwrap(),
        vec![(w.mentor, rules.clone())]
    );
    let ghost = stint_domain::ids::UserId(w.mentor.0 + 999);
    assert!(matches!(
        store.save_availability(ghost, &rules, t(3)).await,
        Err(StoreError::NotFound)
    ));
}

async fn overlapping_bookings_are_refused_by_the_database(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    let first = store
        .create_booking(&at(&w, 600, 45), None, &naive, t(0))
        .await
        .unwrap();
    assert!(matches!(first, BookingOutcome::Created(_)));
    for (start, len) in [(600, 45), (620, 20), (560, 45), (644, 30), (500, 200)] {
        let r = store
            .create_booking(&at(&w, start, len), None, &naive, t(0))
            .await;
        assert!(
            matches!(r, Err(StoreError::SlotTaken)),
            "{start}+{len}: {r:?}"
        );
    }
    // Touching is not overlapping.
    assert!(
        store
            .create_booking(&at(&w, 645, 30), None, &naive, t(0))
            .await
            .is_ok()
    );
    assert!(
        store
            .create_booking(&at(&w, 570, 30), None, &naive, t(0))
            .await
            .is_ok()
    );
    // The admission check is consulted and can refuse on its own.
    let refuse = |_: Option<&Availability>, _: &[stint_domain::schedule::Busy]| false;
    assert!(matches!(
        store
            .create_booking(&at(&w, 900, 30), None, &refuse, t(0))
            .await,
        Err(StoreError::SlotTaken)
    ));
    assert_eq!(store.bookings_of(w.mentor).await.unwrap().len(), 3);
    assert_eq!(
        store
            .mentor_busy(w.mentor, t(0), t(100_000))
            .await
            .unwrap()
            .len(),
        3
    );
    let all = store.busy_of(&[w.mentor], t(0), t(100_000)).await.unwrap();
    assert!(all.len() == 3 && all.iter().all(|(m, _)| *m == w.mentor));
    // Only the mentors asked about.
    let other = stint_domain::ids::UserId(w.mentor.0 + 999);
    assert!(
        store
            .busy_of(&[other], t(0), t(100_000))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.availability_of(&[other]).await.unwrap().is_empty());
    assert!(
        store
            .busy_of(&[w.mentor], t(100_000), t(200_000))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn racing_bookings_on_overlapping_slots_have_one_winner_each(store: Arc<dyn Store>) {
    let w = Arc::new(booking_world(store.as_ref()).await);
    // Three separate contested windows; in each, eight requests of different lengths overlap.
    let mut tasks = Vec::new();
    for window in 0..3i64 {
        for i in 0..8i64 {
            let (s, w) = (store.clone(), w.clone());
            tasks.push(tokio::spawn(async move {
                // Every request in a window covers minutes 15–20 of it, so all conflict.
                let start = 1000 + window * 300 + (i % 4) * 5;
                let len = [20, 30, 45, 60][(i % 4) as usize];
                (
                    window,
                    s.create_booking(&at(&w, start, len), None, &naive, t(0))
                        .await,
                )
            }));
        }
    }
    let mut winners = [0; 3];
    for task in tasks {
        match task.await.unwrap() {
            (window, Ok(BookingOutcome::Created(_))) => winners[window as usize] += 1,
            (_, Err(StoreError::SlotTaken)) => {}
            (_, other) => panic!("a racing booking failed with {other:?}"),
        }
    }
    assert_eq!(winners, [1, 1, 1]);
    assert_no_overlap(&store.bookings_of(w.mentor).await.unwrap());
}

/// Caps are decided on busy time read before writing, so bookings of one mentor must be
/// serialised: twelve racing requests for separate times under a cap of two make two.
async fn racing_bookings_of_one_mentor_never_exceed_a_cap(store: Arc<dyn Store>) {
    let w = Arc::new(booking_world(store.as_ref()).await);
    let cap_of_two =
        |_: Option<&Availability>, busy: &[stint_domain::schedule::Busy]| busy.len() < 2;
    let mut tasks = Vec::new();
    for i in 0..12i64 {
        let (s, w) = (store.clone(), w.clone());
        tasks.push(tokio::spawn(async move {
            s.create_booking(&at(&w, 2000 + i * 60, 30), None, &cap_of_two, t(0))
                .await
        }));
    }
    let mut made = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(BookingOutcome::Created(_)) => made += 1,
            Err(StoreError::SlotTaken) => {}
            other => panic!("a racing booking failed with {other:?}"),
        }
    }
    assert_eq!(made, 2);
    assert_eq!(store.bookings_of(w.mentor).await.unwrap().len(), 2);
}

/// Concurrent claims are written together (SQLite batches them into one transaction): each
/// answer must be its own booking, durable, and a refused one must not take others with it.
async fn many_concurrent_bookings_are_each_answered_with_their_own_row(store: Arc<dyn Store>) {
    let w = Arc::new(booking_world(store.as_ref()).await);
    let mut tasks = Vec::new();
    for i in 0..40i64 {
        let (s, w) = (store.clone(), w.clone());
        // Every fifth request overlaps the one before it: refused, alone.
        let start = 3000 + i * 60 - if i % 5 == 4 { 45 } else { 0 };
        tasks.push(tokio::spawn(async move {
            let new = at(&w, start, 30);
            (
                new.clone(),
                s.create_booking(&new, None, &naive, t(0)).await,
            )
        }));
    }
    let (mut made, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            (new, Ok(BookingOutcome::Created(b))) => {
                made += 1;
                assert_eq!((b.start, b.end), (new.start, new.end));
                let stored = store.booking(b.id).await.unwrap().unwrap();
                assert_eq!((stored.start, stored.end), (new.start, new.end));
            }
            (_, Err(StoreError::SlotTaken)) => refused += 1,
            (_, other) => panic!("a booking failed with {other:?}"),
        }
    }
    assert_eq!((made, refused), (32, 8));
    assert_eq!(store.bookings_of(w.mentor).await.unwrap().len(), 32);
}

async fn idempotent_booking_replays_and_refuses_other_bodies(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    let key = IdempotencyKey {
        key: "k1".into(),
        request_hash: "h1".into(),
    };
    let BookingOutcome::Created(first) = store
        .create_booking(&at(&w, 600, 30), Some(&key), &naive, t(0))
        .await
        .unwrap()
    else {
        panic!("first request creates")
    };
    let again = store
        .create_booking(&at(&w, 600, 30), Some(&key), &naive, t(1))
        .await
        .unwrap();
    assert_eq!(again, BookingOutcome::Replayed(first.clone()));
    let other = IdempotencyKey {
        key: "k1".into(),
        request_hash: "h2".into(),
    };
    assert!(matches!(
        store
            .create_booking(&at(&w, 700, 30), Some(&other), &naive, t(1))
            .await,
        Err(StoreError::IdempotencyMismatch)
    ));
    assert_eq!(store.bookings_of(w.mentee).await.unwrap().len(), 1);
}

async fn concurrent_replays_of_one_key_make_one_booking(store: Arc<dyn Store>) {
    let w = Arc::new(booking_world(store.as_ref()).await);
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let (s, w) = (store.clone(), w.clone());
        tasks.push(tokio::spawn(async move {
            let key = IdempotencyKey {
                key: "same".into(),
                request_hash: "same-body".into(),
            };
            s.create_booking(&at(&w, 600, 30), Some(&key), &naive, t(0))
                .await
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(BookingOutcome::Created(b)) | Ok(BookingOutcome::Replayed(b)) => {
                ids.insert(b.id);
            }
            Err(e) => panic!("a replay failed: {e}"),
        }
    }
    assert_eq!(ids.len(), 1, "every replay answers with the one booking");
    assert_eq!(store.bookings_of(w.mentee).await.unwrap().len(), 1);
}

async fn reschedule_cancel_and_no_show_keep_a_history(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    let BookingOutcome::Created(a) = store
        .create_booking(&at(&w, 600, 30), None, &naive, t(0))
        .await
        .unwrap()
    else {
        panic!()
    };
    let BookingOutcome::Created(b) = store
        .create_booking(&at(&w, 700, 30), None, &naive, t(0))
        .await
        .unwrap()
    else {
        panic!()
    };
    // Moving onto another booking is refused by the database even with a naive check.
    let clash = store
        .reschedule_booking(a.id, t(710 * 60), t(740 * 60), w.mentee, &naive, t(1))
        .await;
    assert!(matches!(clash, Err(StoreError::SlotTaken)), "{clash:?}");
    // Moving within its own old time is fine (it does not collide with itself).
    let moved = store
        .reschedule_booking(a.id, t(615 * 60), t(645 * 60), w.mentee, &naive, t(2))
        .await
        .unwrap();
    assert_eq!((moved.sequence, moved.start), (1, t(615 * 60)));
    let cancelled = store
        .cancel_booking(
            b.id,
            w.mentee,
            "conflict at work",
            true,
            stint_domain::ledger::HoldEnd::Release,
            t(3),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            cancelled.status,
            cancelled.late_cancel,
            cancelled.cancelled_by
        ),
        (BookingStatus::Cancelled, true, Some(w.mentee))
    );
    assert!(matches!(
        store
            .cancel_booking(
                b.id,
                w.mentee,
                "again",
                false,
                stint_domain::ledger::HoldEnd::Release,
                t(4)
            )
            .await,
        Err(StoreError::Conflict {
            field: "status",
            ..
        })
    ));
    // A cancelled booking frees its time.
    assert!(
        store
            .create_booking(&at(&w, 700, 30), None, &naive, t(5))
            .await
            .is_ok()
    );
    let noshow = store
        .mark_no_show(
            a.id,
            NoShowSide::Mentor,
            w.mentee,
            stint_domain::ledger::HoldEnd::Release,
            t(6),
        )
        .await
        .unwrap();
    assert_eq!(
        (noshow.status, noshow.no_show_side),
        (BookingStatus::NoShow, Some(NoShowSide::Mentor))
    );
    let history: Vec<BookingStatus> = store
        .booking_events(a.id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(
        history,
        vec![
            BookingStatus::Confirmed,
            BookingStatus::Confirmed,
            BookingStatus::NoShow
        ]
    );
    assert!(
        store
            .booking(stint_domain::booking::BookingId(a.id.0 + 999))
            .await
            .unwrap()
            .is_none()
    );
}

async fn calendar_feeds_rotate_and_revoke(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    assert!(!store.has_calendar_feed(w.mentee).await.unwrap());
    store.set_calendar_feed(w.mentee, "d1", t(0)).await.unwrap();
    assert_eq!(
        store.calendar_feed_owner("d1").await.unwrap(),
        Some(w.mentee)
    );
    store.set_calendar_feed(w.mentee, "d2", t(1)).await.unwrap();
    assert_eq!(
        store.calendar_feed_owner("d1").await.unwrap(),
        None,
        "a new link revokes the old"
    );
    assert_eq!(
        store.calendar_feed_owner("d2").await.unwrap(),
        Some(w.mentee)
    );
    store.revoke_calendar_feed(w.mentee).await.unwrap();
    assert_eq!(store.calendar_feed_owner("d2").await.unwrap(), None);
    assert!(!store.has_calendar_feed(w.mentee).await.unwrap());
}

async fn a_booking_context_is_the_booked_version_and_both_parties(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    store.grant_role(w.mentor, Role::Mentor).await.unwrap();
    store.grant_role(w.mentor, Role::Operator).await.unwrap();
    store
        .set_sku_status("clinic", SkuStatus::Active, t(0))
        .await
        .unwrap();
    let BookingOutcome::Created(first) = store
        .create_booking(&at(&w, 600, 30), None, &naive, t(1))
        .await
        .unwrap()
    else {
        panic!("booked")
    };
    // A new version of the SKU after the booking: the context keeps the one bought.
    let (c, cp) = {
        let v1 = store.sku("clinic").await.unwrap().unwrap();
        (v1.content.competency_id, v1.content.checkpoint_id)
    };
    let v2 = store
        .update_sku("clinic", &content(c, cp, "Clinic, revised"), None, t(2))
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    let mut on_v2 = at(&w, 500, 30);
    on_v2.sku_version = 2;
    let BookingOutcome::Created(second) = store
        .create_booking(&on_v2, None, &naive, t(3))
        .await
        .unwrap()
    else {
        panic!("booked")
    };
    store
        .cancel_booking(
            second.id,
            w.mentee,
            "moved",
            false,
            stint_domain::ledger::HoldEnd::Release,
            t(4),
        )
        .await
        .unwrap();

    let ctx = store.booking_context(first.id).await.unwrap().unwrap();
    assert_eq!(ctx.booking, first);
    assert_eq!(
        ctx.sku,
        store
            .sku_version_by_id(first.sku_id, first.sku_version)
            .await
            .unwrap()
            .unwrap()
    );
    assert_eq!(ctx.sku.content.title, "Clinic");
    assert_eq!(ctx.mentor, store.account(w.mentor).await.unwrap().unwrap());
    assert_eq!(ctx.mentee, store.account(w.mentee).await.unwrap().unwrap());
    assert_eq!(
        ctx.mentor.roles,
        vec![Role::Mentee, Role::Mentor, Role::Operator]
    );
    assert!(
        store
            .booking_context(stint_domain::booking::BookingId(first.id.0 + 999))
            .await
            .unwrap()
            .is_none()
    );

    // Every booking of a party, by start time, each with its own version and status.
    for who in [w.mentor, w.mentee] {
        let all = store.booking_contexts_of(who).await.unwrap();
        let seen: Vec<_> = all
            .iter()
            .map(|c| (c.booking.id, c.sku.version, c.booking.status))
            .collect();
        assert_eq!(
            seen,
            vec![
                (second.id, 2, BookingStatus::Cancelled),
                (first.id, 1, BookingStatus::Confirmed)
            ]
        );
    }
    // The histories of all of them in one read, each event with its booking, in order.
    let events = store
        .booking_events_for(&[first.id, second.id])
        .await
        .unwrap();
    for id in [first.id, second.id] {
        let mine: Vec<_> = events
            .iter()
            .filter(|(b, _)| *b == id)
            .map(|(_, e)| e.clone())
            .collect();
        assert_eq!(mine, store.booking_events(id).await.unwrap());
    }
    assert_eq!(events.len(), 3, "booked, booked, cancelled: {events:?}");
}

/// On PostgreSQL the look-ups that arrive together share a query (`sql/who.rs`): each must
/// still get its own account, and an unknown or expired secret nothing.
async fn concurrent_session_and_token_lookups_each_get_their_own_account(store: Arc<dyn Store>) {
    let mut people = Vec::new();
    for i in 0..24 {
        let a = store
            .create_account(&new_account(&format!("p{i}@example.com")), "h", t(0))
            .await
            .unwrap();
        if i % 3 == 0 {
            store.grant_role(a.id, Role::Mentor).await.unwrap();
        }
        let expires = if i % 4 == 0 { t(50) } else { t(1000) };
        store
            .create_api_token(&format!("tok-{i}"), a.id, "cli", t(0), expires)
            .await
            .unwrap();
        store
            .create_web_session(&format!("ses-{i}"), a.id, t(0), expires)
            .await
            .unwrap();
        people.push(store.account(a.id).await.unwrap().unwrap());
    }
    let people = Arc::new(people);
    let mut tasks = Vec::new();
    for round in 0..4 {
        for i in 0..26usize {
            let (s, people) = (store.clone(), people.clone());
            tasks.push(tokio::spawn(async move {
                let now = t(100);
                let (token, session) = (
                    s.api_token_account(&format!("tok-{i}"), now).await.unwrap(),
                    s.web_session_account(&format!("ses-{i}"), now)
                        .await
                        .unwrap(),
                );
                let want = people.get(i).filter(|_| i % 4 != 0).cloned();
                assert_eq!(token, want, "token {i} in round {round}");
                assert_eq!(session, want, "session {i} in round {round}");
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
}

/// The sessions page's reads: upcoming ones (confirmed, not ended) by start, and the rest
/// newest first in pages that together hold each once, for the mentor and the mentee alike.
async fn sessions_list_upcoming_and_page_back_through_the_rest(store: Arc<dyn Store>) {
    use stint_domain::booking::BookingId;
    let w = booking_world(store.as_ref()).await;
    let mut made = Vec::new();
    for n in 0..9 {
        let b = match store
            .create_booking(&at(&w, n * 60, 30), None, &naive, t(0))
            .await
            .unwrap()
        {
            stint_store::BookingOutcome::Created(b) => b,
            other => panic!("{other:?}"),
        };
        made.push(b);
    }
    // A future one cancelled: past, not upcoming.
    store
        .cancel_booking(
            made[7].id,
            w.mentee,
            "moved",
            false,
            stint_domain::ledger::HoldEnd::Release,
            t(1),
        )
        .await
        .unwrap();
    // "Now" is in the middle of the fifth session: it and the later ones are still to come.
    let now = t(4 * 3600 + 600);
    for who in [w.mentor, w.mentee] {
        let upcoming: Vec<BookingId> = store
            .upcoming_contexts_of(who, now)
            .await
            .unwrap()
            .iter()
            .map(|c| c.booking.id)
            .collect();
        assert_eq!(upcoming, [made[4].id, made[5].id, made[6].id, made[8].id]);
        let mut pages = Vec::new();
        let mut before = None;
        loop {
            let page = store.past_contexts_of(who, now, before, 2).await.unwrap();
            if page.is_empty() {
                break;
            }
            before = page.last().map(|c| (c.booking.start, c.booking.id));
            pages.extend(page.iter().map(|c| c.booking.id));
        }
        assert_eq!(
            pages,
            [made[7].id, made[3].id, made[2].id, made[1].id, made[0].id]
        );
    }
}

/// The directory narrowed to one SKU's mentors, or not at all.
fn by_sku(sku: Option<stint_domain::ids::SkuId>) -> stint_domain::mentor::DirectoryFilter {
    stint_domain::mentor::DirectoryFilter {
        sku,
        ..Default::default()
    }
}
