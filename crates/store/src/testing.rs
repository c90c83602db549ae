//! Fresh databases for tests: a new SQLite file, or a new PostgreSQL database created
//! from `STINT_TEST_POSTGRES_URL`. With `CI=true`, a missing PostgreSQL fails the test
//! instead of skipping it.

use sqlx::{Connection, Executor};
use std::io::Write;

/// Prints why a test skipped, past the test harness's output capture so it is seen.
pub fn print_skip(reason: &str) {
    let _ = writeln!(std::io::stderr(), "skipping: {reason}");
}

/// The environment variable naming a PostgreSQL server tests may create databases on.
pub const POSTGRES_ENV: &str = "STINT_TEST_POSTGRES_URL";

/// Whether this run is CI, where every peer must be present.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    // Tests only: a failing OS random source is a broken machine.
    if getrandom::fill(&mut bytes).is_err() {
        panic!("no OS randomness");
    }
    hex::encode(bytes)
}

/// A URL for a new, empty SQLite file in a fresh temporary folder.
pub fn fresh_sqlite_url() -> String {
    let dir = std::env::temp_dir().join(format!("stint-test-{}", random_suffix()));
    format!("sqlite://{}/stint.db", dir.display())
}

/// A URL for a new, empty PostgreSQL database, or `None` (with the reason printed) when
/// no server is configured outside CI. Panics in CI when PostgreSQL is missing.
pub async fn fresh_postgres_url() -> Option<String> {
    let Ok(admin) = std::env::var(POSTGRES_ENV) else {
        if in_ci() {
            panic!("{POSTGRES_ENV} is not set, and CI=true requires PostgreSQL");
        }
        print_skip(&format!("PostgreSQL test: {POSTGRES_ENV} is not set"));
        return None;
    };
    sqlx::any::install_default_drivers();
    let name = format!("stint_test_{}", random_suffix());
    let mut conn = match sqlx::AnyConnection::connect(&admin).await {
        Ok(c) => c,
        Err(e) => {
            if in_ci() {
                panic!("cannot reach PostgreSQL at {POSTGRES_ENV}: {e}");
            }
            print_skip(&format!("PostgreSQL test: cannot connect: {e}"));
            return None;
        }
    };
    let create = format!("CREATE DATABASE {name}");
    if let Err(e) = conn.execute(sqlx::AssertSqlSafe(create)).await {
        panic!("cannot create test database: {e}");
    }
    let _ = conn.close().await;
    Some(with_database(&admin, &name))
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
}
