//! The data key from the configuration (`data_key`, `previous_data_keys`): parsed into the
//! application's `DataKeys`, kept in a file beside a SQLite database when none is set (the
//! one-command start seals from its first note), required on PostgreSQL, and checked against
//! what the database holds before anything starts (`stint_app::keys::check`).

use crate::config::{Config, SecretText, write_private};
use anyhow::Context;
use std::path::PathBuf;
use std::sync::Arc;
use stint_app::{CalendarKey, DataKeys};

/// The key file's name beside a SQLite database.
pub const DATA_KEY_FILE: &str = "data.key";

impl Config {
    /// The data keys; `None` when `data_key` is empty.
    pub fn data_keys(&self) -> anyhow::Result<Option<Arc<DataKeys>>> {
        if self.data_key.0.trim().is_empty() {
            return Ok(None);
        }
        let current = CalendarKey::parse(&self.data_key.0).context("reading data_key")?;
        let previous = self
            .previous_data_keys
            .0
            .split(',')
            .filter(|k| !k.trim().is_empty())
            .map(|k| CalendarKey::parse(k).context("reading previous_data_keys"))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Some(Arc::new(DataKeys::new(current, previous))))
    }

    /// With no `data_key` set: on SQLite, the key from `data.key` beside the database file,
    /// made (mode 0600) at first start; on PostgreSQL, an error saying what to set.
    pub fn with_data_key(mut self) -> anyhow::Result<Config> {
        if !self.data_key.0.trim().is_empty() {
            return Ok(self);
        }
        let Some(path) = sqlite_key_file(&self.database_url) else {
            anyhow::bail!(
                "data_key is not set. Notes and intake answers are sealed with it at rest, and \
                 every node needs the same one: make one with `stint keys new` and set \
                 STINT_DATA_KEY (or data_key in stint.toml)."
            );
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = CalendarKey::generate()?;
                write_private(&path, &key.to_hex())?;
                key.to_hex()
            }
            Err(e) => return Err(anyhow::anyhow!("reading {}: {e}", path.display())),
        };
        self.data_key = SecretText(text.trim().to_string());
        Ok(self)
    }
}

/// Stops start-up when the database holds values no configured key opens; nothing is read
/// or written before. `app` carries the configured keys.
pub async fn refuse_unknown_keys(app: &stint_app::App) -> anyhow::Result<()> {
    match stint_app::keys::check(app)
        .await
        .map_err(|e| anyhow::anyhow!("checking the data key: {e}"))?
    {
        Ok(()) => Ok(()),
        Err(problem) => Err(anyhow::anyhow!("{problem}")),
    }
}

/// `data.key` beside the database file of a SQLite URL.
fn sqlite_key_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = PathBuf::from(rest.split('?').next()?);
    Some(match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(DATA_KEY_FILE),
        _ => PathBuf::from(DATA_KEY_FILE),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sqlite_database_keeps_its_key_beside_it_and_postgres_must_set_one() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/s.db?mode=rwc", dir.path().display());
        let c = Config {
            database_url: url.clone(),
            ..Config::default()
        }
        .with_data_key()
        .unwrap();
        let again = Config {
            database_url: url,
            ..Config::default()
        }
        .with_data_key()
        .unwrap();
        assert_eq!(c.data_key, again.data_key);
        assert!(dir.path().join(DATA_KEY_FILE).exists());
        assert!(c.data_keys().unwrap().is_some());
        let pg = Config {
            database_url: "postgres://db.example/stint".into(),
            ..Config::default()
        };
        let e = pg.with_data_key().unwrap_err().to_string();
        assert!(e.contains("data_key is not set"), "{e}");
        assert_eq!(
            sqlite_key_file("sqlite://stint-data/stint.db"),
            Some(PathBuf::from("stint-data/data.key"))
        );
    }

    #[test]
    fn previous_keys_are_a_list_and_bad_keys_are_named() {
        let c = Config {
            data_key: SecretText("11".repeat(32)),
            previous_data_keys: SecretText(format!("{}, {}", "22".repeat(32), "33".repeat(32))),
            ..Config::default()
        };
        let keys = c.data_keys().unwrap().unwrap();
        assert_eq!(format!("{keys:?}").matches("previous").count(), 1);
        assert!(format!("{keys:?}").contains("2 previous"));
        let bad = Config {
            data_key: SecretText("short".into()),
            ..Config::default()
        };
        assert!(
            bad.data_keys()
                .unwrap_err()
                .to_string()
                .contains("data_key")
        );
    }
}
