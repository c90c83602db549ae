//! Fresh databases for tests, removed when their [`TestDb`] is dropped: a SQLite file in a
//! temporary folder of its own, or a new database on the PostgreSQL server named by
//! `STINT_TEST_POSTGRES_URL`.
//!
//! Whether a PostgreSQL test runs is decided when it is built (`stint-testkit`: without the
//! server it is reported as ignored; with `CI=true` it always runs), so [`fresh_postgres`]
//! never skips: a test that reaches it without a server fails, saying why.

use sqlx::{Connection, Executor};
use std::io::Write;
use std::path::PathBuf;

pub use stint_testkit::{POSTGRES_ENV, Peer, in_ci, require};

/// A database made for one test, and its URL. Dropping it removes the database: the SQLite
/// folder is deleted, the PostgreSQL database dropped (closing any connection still open).
/// Keep it alive for as long as anything uses the URL.
#[must_use = "the database is removed when this is dropped"]
pub struct TestDb {
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Folder(PathBuf),
    Database { admin: String, name: String },
}

impl TestDb {
    /// The URL to open the database with (`stint_store::open`, or a server's config).
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TestDb").field(&self.url).finish()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let failed = match &self.cleanup {
            Cleanup::Folder(dir) => match std::fs::remove_dir_all(dir) {
                Ok(()) => None,
                // A test that never opened its database made no folder.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => Some(e.to_string()),
            },
            Cleanup::Database { admin, name } => drop_database(admin, name).err(),
        };
        if let Some(e) = failed {
            // Reported, not raised: this may run while a failing test unwinds, and a panic
            // then would abort the whole test binary.
            let _ = writeln!(
                std::io::stderr(),
                "cannot remove test database {}: {e}",
                self.url
            );
        }
    }
}

/// Drops a PostgreSQL database, ending its open connections (PostgreSQL 13 or later).
///
/// `Drop` cannot await, and usually runs on a Tokio runtime, where blocking on another
/// future panics: so a thread of its own with a one-off runtime does the work, and is waited
/// for, so the database is gone before the test ends (a test process exits without waiting
/// for stray threads).
fn drop_database(admin: &str, name: &str) -> Result<(), String> {
    let admin = admin.to_string();
    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    let worker = std::thread::spawn(move || -> Result<(), String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let mut conn = sqlx::AnyConnection::connect(&admin)
                .await
                .map_err(|e| e.to_string())?;
            conn.execute(sqlx::AssertSqlSafe(drop))
                .await
                .map_err(|e| e.to_string())?;
            let _ = conn.close().await;
            Ok(())
        })
    });
    worker
        .join()
        .unwrap_or_else(|_| Err("the dropping thread panicked".to_string()))
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    // Tests only: a failing OS random source is a broken machine.
    if getrandom::fill(&mut bytes).is_err() {
        panic!("no OS randomness");
    }
    hex::encode(bytes)
}

/// A new, empty SQLite database in a fresh temporary folder (made when the store is opened).
pub fn fresh_sqlite() -> TestDb {
    let dir = std::env::temp_dir().join(format!("stint-test-{}", random_suffix()));
    TestDb {
        url: format!("sqlite://{}/stint.db", dir.display()),
        cleanup: Cleanup::Folder(dir),
    }
}

/// A new, empty PostgreSQL database on the server `STINT_TEST_POSTGRES_URL` names. Panics,
/// saying why, when the variable is unset or the server cannot be reached: tests that call
/// this are ignored at build time without PostgreSQL, so reaching here without it is a
/// failure (always so with `CI=true`).
pub async fn fresh_postgres() -> TestDb {
    require(Peer::Postgres);
    let Ok(admin) = std::env::var(POSTGRES_ENV) else {
        panic!("{POSTGRES_ENV} is not set");
    };
    sqlx::any::install_default_drivers();
    let name = format!("stint_test_{}", random_suffix());
    let mut conn = match sqlx::AnyConnection::connect(&admin).await {
        Ok(c) => c,
        Err(e) => panic!("cannot reach PostgreSQL at {POSTGRES_ENV} ({admin}): {e}"),
    };
    let create = format!("CREATE DATABASE {name}");
    if let Err(e) = conn.execute(sqlx::AssertSqlSafe(create)).await {
        panic!("cannot create test database {name}: {e}");
    }
    let _ = conn.close().await;
    TestDb {
        url: with_database(&admin, &name),
        cleanup: Cleanup::Database { admin, name },
    }
}

/// Replaces the database name in a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// Runs `sql` on the database at `url` over a connection of its own, going around the store:
/// for tests that break the data on purpose or check what the database itself refuses.
pub async fn execute_raw(url: &str, sql: &str) -> Result<u64, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    let done = conn.execute(sqlx::AssertSqlSafe(sql.to_string())).await;
    let _ = conn.close().await;
    Ok(done?.rows_affected())
}

/// The plan `url`'s database would run `sql` by, as text: SQLite's `EXPLAIN QUERY PLAN`, or
/// PostgreSQL's `EXPLAIN` with sequential scans discouraged (a test's tables are tiny, and the
/// question is whether an index *can* answer the query, not whether a scan is cheaper today).
pub async fn query_plan(url: &str, sql: &str) -> Result<String, sqlx::Error> {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    let postgres = url.starts_with("postgres");
    let explain = if postgres {
        conn.execute("SET enable_seqscan = off").await?;
        format!("EXPLAIN {sql}")
    } else {
        format!("EXPLAIN QUERY PLAN {sql}")
    };
    let rows = sqlx::query(sqlx::AssertSqlSafe(explain))
        .fetch_all(&mut conn)
        .await;
    let _ = conn.close().await;
    let column = if postgres { 0 } else { 3 };
    rows?
        .iter()
        .map(|r| r.try_get::<String, _>(column))
        .collect::<Result<Vec<_>, _>>()
        .map(|lines| lines.join("\n"))
}

/// Credits `user`'s wallet with `credits` that never expire, as a purchase of a test pack an
/// operator marked paid: for tests that book, about something other than buying credits.
pub async fn fund(
    store: &dyn crate::Store,
    user: stint_domain::ids::UserId,
    credits: i64,
    now: jiff::Timestamp,
) -> crate::interfaces::Result<()> {
    let pack = stint_domain::ledger::Pack {
        name: format!("Test credits · {credits}"),
        credits,
        price_minor: 0,
        currency: "EUR".into(),
        months_valid: None,
        active: false,
    };
    let pack = store.create_pack(&pack, now).await?;
    let bought = store.create_purchase(user, &pack, "manual", now).await?;
    store
        .mark_purchase_paid(bought.id, "TEST-FUNDS", now)
        .await?;
    Ok(())
}

/// Counts every outcome tally again from the sessions themselves, for data written around the
/// store (the scale benchmark's bulk load), as migration 25 did for the sessions before it.
pub async fn recount_outcome_tallies(url: &str) -> Result<u64, sqlx::Error> {
    execute_raw(url, "DELETE FROM outcome_tallies").await?;
    execute_raw(url, crate::sql::outcome_tallies::RECOUNT).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(super::with_database("postgres://h", "x"), "postgres://h/x");
        assert_eq!(
            super::with_database("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
    }

    #[test]
    fn a_sqlite_folder_is_removed_with_its_guard() {
        let db = super::fresh_sqlite();
        let Some(path) = db.url().strip_prefix("sqlite://") else {
            panic!("not a SQLite URL: {}", db.url());
        };
        let folder = std::path::Path::new(path)
            .parent()
            .map(std::path::Path::to_path_buf);
        let Some(folder) = folder else {
            panic!("no folder in {path}");
        };
        assert!(std::fs::create_dir_all(&folder).is_ok());
        assert!(std::fs::write(folder.join("stint.db"), b"").is_ok());
        drop(db);
        assert!(!folder.exists());
    }
}
