//! What the conformance suites share: the macro that runs each test on SQLite and on a
//! fresh PostgreSQL database, and the little worlds the tests start from.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use jiff::Timestamp;
use std::sync::Arc;
use stint_domain::account::{Email, NewAccount, TimeZoneName};
use stint_domain::catalog::{CheckpointInput, CompetencyInput, SkuContent};
use stint_domain::ids::CheckpointId;
use stint_domain::role::Role;
use stint_domain::schedule::Availability;
use stint_store::{NewBooking, Store};

/// Runs each named `async fn(Arc<dyn Store>)` of the calling file on both backends. The
/// PostgreSQL tests are ignored, with the reason, when the tests were built without
/// `STINT_TEST_POSTGRES_URL` (never with `CI=true`; see `stint-testkit`).
// Not every test file that shares this module runs a suite.
#[allow(unused_macros)]
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = stint_store::testing::fresh_sqlite();
                    let store = crate::common::open(db.url()).await;
                    super::$name(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(peer_postgres), ignore = "needs PostgreSQL: set STINT_TEST_POSTGRES_URL")]
                async fn $name() {
                    let db = stint_store::testing::fresh_postgres().await;
                    let store = crate::common::open(db.url()).await;
                    super::$name(store).await;
                }
            )*
        }
    };
}

/// Runs each named `async fn(Arc<dyn Store>, Arc<dyn Store>)` of the calling file on both
/// backends, with two stores on one database: two nodes of one deployment (or, on SQLite,
/// two processes sharing the file). PostgreSQL tests are ignored as in `conformance!`.
#[allow(unused_macros)]
macro_rules! two_node_conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite_two_nodes {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = stint_store::testing::fresh_sqlite();
                    let a = crate::common::open(db.url()).await;
                    let b = crate::common::open(db.url()).await;
                    super::$name(a, b).await;
                }
            )*
        }
        mod postgres_two_nodes {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(peer_postgres), ignore = "needs PostgreSQL: set STINT_TEST_POSTGRES_URL")]
                async fn $name() {
                    let db = stint_store::testing::fresh_postgres().await;
                    let a = crate::common::open(db.url()).await;
                    let b = crate::common::open(db.url()).await;
                    super::$name(a, b).await;
                }
            )*
        }
    };
}

/// Runs each named `async fn(Arc<dyn Store>, String)` (the store and its database's URL) on
/// both backends, for tests that reach the database around the store.
#[allow(unused_macros)]
macro_rules! with_url {
    ($($name:ident),* $(,)?) => {
        mod sqlite_raw {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = stint_store::testing::fresh_sqlite();
                    let store = crate::common::open(db.url()).await;
                    super::$name(store, db.url().to_string()).await;
                }
            )*
        }
        mod postgres_raw {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(peer_postgres), ignore = "needs PostgreSQL: set STINT_TEST_POSTGRES_URL")]
                async fn $name() {
                    let db = stint_store::testing::fresh_postgres().await;
                    let store = crate::common::open(db.url()).await;
                    super::$name(store, db.url().to_string()).await;
                }
            )*
        }
    };
}
pub async fn open(url: &str) -> Arc<dyn Store> {
    match stint_store::open(url).await {
        Ok(s) => s,
        Err(e) => panic!("cannot open {url}: {e}"),
    }
}

pub fn t(secs: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + secs).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub fn new_account(email: &str) -> NewAccount {
    NewAccount {
        email: Email::parse(email).unwrap(),
        display_name: "Ana Lima".into(),
        timezone: TimeZoneName::parse("America/Sao_Paulo").unwrap(),
        roles: vec![Role::Mentee],
    }
}

pub fn rubric() -> Vec<String> {
    (1..=5).map(|i| format!("Level {i} described")).collect()
}

pub async fn seed_competency(store: &dyn Store) -> (stint_domain::ids::CompetencyId, CheckpointId) {
    let c = store
        .create_competency(
            &CompetencyInput {
                slug: "negotiation".into(),
                name: "Salary negotiation".into(),
                description: "Getting paid what the work is worth".into(),
                rubric: rubric(),
            },
            t(0),
        )
        .await
        .unwrap();
    let cp = store
        .add_checkpoint(
            c.id,
            &CheckpointInput {
                slug: "walk-away".into(),
                title: "Has a walk-away number".into(),
                description: String::new(),
            },
        )
        .await
        .unwrap();
    (c.id, cp.id)
}

pub fn content(c: stint_domain::ids::CompetencyId, cp: CheckpointId, title: &str) -> SkuContent {
    SkuContent {
        title: title.into(),
        duration_minutes: 45,
        competency_id: c,
        checkpoint_id: cp,
        outcome: "Leave with a written opening ask".into(),
        artifacts: vec!["Offer worksheet".into()],
        intake_questions: vec!["What is on the table?".into()],
        pre_reads: vec![],
        followup_template: "Hi {{mentee}}".into(),
        assessment_questions: vec!["Could you say your walk-away number now?".into()],
        followup_delay_days: 10,
        price_credits: 3,
        cancel_cutoff_hours: 24,
        reschedule_cutoff_hours: 4,
        late_cancel_percent: 50,
        bonus_credits: 0,
    }
}

pub struct Booked {
    pub mentor: stint_domain::ids::UserId,
    pub mentee: stint_domain::ids::UserId,
    pub sku: stint_domain::ids::SkuId,
}

pub async fn booking_world(store: &dyn Store) -> Booked {
    let (c, cp) = seed_competency(store).await;
    let sku = store
        .create_sku("clinic", &content(c, cp, "Clinic"), None, t(0))
        .await
        .unwrap();
    let mentor = store
        .create_account(&new_account("mentor@example.com"), "h", t(0))
        .await
        .unwrap();
    let mentee = store
        .create_account(&new_account("mentee@example.com"), "h", t(0))
        .await
        .unwrap();
    Booked {
        mentor: mentor.id,
        mentee: mentee.id,
        sku: sku.sku_id,
    }
}

pub fn at(w: &Booked, start_min: i64, minutes: i64) -> NewBooking {
    NewBooking {
        mentor_id: w.mentor,
        mentee_id: w.mentee,
        sku_id: w.sku,
        sku_version: 1,
        start: t(start_min * 60),
        end: t((start_min + minutes) * 60),
        meeting_url: "https://meet.example/room".into(),
        price: 0,
        bonus: 0,
    }
}

/// Admits everything: the database alone must keep bookings apart.
pub fn naive(_: Option<&Availability>, _: &[stint_domain::schedule::Busy]) -> bool {
    true
}

/// Fails unless no two of a mentor's live bookings overlap.
pub fn assert_no_overlap(live: &[stint_domain::booking::Booking]) {
    for a in live {
        for b in live {
            assert!(
                a.id == b.id || a.end <= b.start || b.end <= a.start,
                "overlap: {a:?} {b:?}"
            );
        }
    }
}

/// Both ledger checks find nothing: balances follow the transfers, and every hold is counted.
pub async fn sound(store: &dyn Store) {
    assert_eq!(
        store.ledger_violations().await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        store.holding_violations().await.unwrap(),
        Vec::<String>::new()
    );
}
