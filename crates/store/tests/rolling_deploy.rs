//! During a rolling deploy on PostgreSQL a node one release older reads rows a newer one
//! wrote. JSON kept in columns must decode with fields this release does not know, and a
//! status this release does not know must be an error, never read as some other status.
//! Both backends; the rows are written with raw SQL, as a newer release would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{booking_world, open, t};
use serde_json::{Value, json};
use sqlx::{AnyConnection, Connection};
use stint_domain::nudge::NudgePrefs;
use stint_domain::schedule::Availability;
use stint_store::testing::{fresh_postgres, fresh_sqlite};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_json_written_by_a_future_release_is_read() {
    let db = fresh_sqlite();
    json_written_by_a_future_release_is_read(db.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(peer_postgres),
    ignore = "needs PostgreSQL: set STINT_TEST_POSTGRES_URL"
)]
async fn postgres_json_written_by_a_future_release_is_read() {
    let db = fresh_postgres().await;
    json_written_by_a_future_release_is_read(db.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_an_unknown_status_is_an_error() {
    let db = fresh_sqlite();
    an_unknown_status_is_an_error(db.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(peer_postgres),
    ignore = "needs PostgreSQL: set STINT_TEST_POSTGRES_URL"
)]
async fn postgres_an_unknown_status_is_an_error() {
    let db = fresh_postgres().await;
    an_unknown_status_is_an_error(db.url()).await;
}

async fn raw(url: &str) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(url).await.unwrap()
}

async fn exec(conn: &mut AnyConnection, sql: &str, text: String, id: i64) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(text)
        .bind(id)
        .execute(&mut *conn)
        .await
        .unwrap();
}

/// Adds `"future_field"` to every object in `v`, however deep.
fn with_future_fields(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut map: serde_json::Map<String, Value> = map
                .into_iter()
                .map(|(k, v)| (k, with_future_fields(v)))
                .collect();
            map.insert(
                "future_field".into(),
                json!({"added": "in a later release"}),
            );
            Value::Object(map)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(with_future_fields).collect()),
        other => other,
    }
}

async fn json_written_by_a_future_release_is_read(url: &str) {
    let store = open(url).await;
    let w = booking_world(store.as_ref()).await;
    let mut conn = raw(url).await;

    // Availability: a full rule set, every object carrying a field from the future.
    let mut rules = Availability::default_for("Europe/Berlin");
    rules.time_off.push(stint_domain::schedule::TimeOff {
        start: t(0),
        end: t(3600),
    });
    store
        .save_availability(w.mentor, &rules, t(0))
        .await
        .unwrap();
    let future = with_future_fields(serde_json::to_value(&rules).unwrap());
    exec(
        &mut conn,
        "UPDATE mentor_availability SET rules = $1 WHERE user_id = $2",
        future.to_string(),
        w.mentor.0,
    )
    .await;
    assert_eq!(
        store.availability(w.mentor).await.unwrap(),
        Some(rules.clone())
    );
    let all = store.availability_of(&[w.mentor]).await.unwrap();
    assert_eq!(all, vec![(w.mentor, rules)]);

    // Nudge preferences: a field, a nudge kind and a channel from the future.
    let mut prefs = NudgePrefs::default();
    prefs.channels.insert(
        stint_domain::nudge::NudgeKind::Reminder,
        [stint_domain::nudge::Channel::Email].into_iter().collect(),
    );
    store
        .save_nudge_prefs(w.mentee, &prefs, t(0))
        .await
        .unwrap();
    let mut future = serde_json::to_value(&prefs).unwrap();
    future["digest"] = json!("weekly");
    future["quiet"]["future_field"] = json!(true);
    future["channels"]["reminder"] = json!(["email", "carrier_pigeon"]);
    future["channels"]["weekly_digest"] = json!(["email"]);
    exec(
        &mut conn,
        "UPDATE nudge_prefs SET prefs = $1 WHERE user_id = $2",
        future.to_string(),
        w.mentee.0,
    )
    .await;
    assert_eq!(store.nudge_prefs(w.mentee).await.unwrap(), prefs);

    // A SKU version's pre-reads.
    let future = json!([{"title": "Read this", "url": "https://example.com/a", "minutes": 5}]);
    exec(
        &mut conn,
        "UPDATE sku_versions SET pre_reads = $1 WHERE sku_id = $2",
        future.to_string(),
        w.sku.0,
    )
    .await;
    let sku = store.sku("clinic").await.unwrap().unwrap();
    assert_eq!(sku.content.pre_reads.len(), 1);
    assert_eq!(sku.content.pre_reads[0].title, "Read this");
}

async fn an_unknown_status_is_an_error(url: &str) {
    let store = open(url).await;
    let w = booking_world(store.as_ref()).await;
    let made = store
        .create_booking(&common::at(&w, 60, 30), None, &common::naive, t(0))
        .await
        .unwrap();
    let id = match made {
        stint_store::BookingOutcome::Created(b) | stint_store::BookingOutcome::Replayed(b) => b.id,
    };
    let mut conn = raw(url).await;
    // A newer release would widen the CHECK constraints in its migration; do that here.
    let widen = if url.starts_with("sqlite") {
        vec!["PRAGMA ignore_check_constraints = ON"]
    } else {
        vec![
            "ALTER TABLE bookings DROP CONSTRAINT bookings_status_check",
            "ALTER TABLE skus DROP CONSTRAINT skus_status_check",
        ]
    };
    for sql in widen {
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    exec(
        &mut conn,
        "UPDATE bookings SET status = $1 WHERE id = $2",
        "on_hold".into(),
        id.0,
    )
    .await;
    let read = store.booking(id).await;
    assert!(
        read.is_err(),
        "an unknown booking status is an error: {read:?}"
    );
    assert!(format!("{:?}", read.unwrap_err()).contains("on_hold"));
    assert!(store.bookings_of(w.mentee).await.is_err());

    exec(
        &mut conn,
        "UPDATE skus SET status = $1 WHERE id = $2",
        "archived".into(),
        w.sku.0,
    )
    .await;
    let read = store.sku("clinic").await;
    assert!(read.is_err(), "an unknown SKU status is an error: {read:?}");
    conn.close().await.unwrap();
}
