//! Configuration: defaults, then a TOML file, then `STINT_*` environment variables, then
//! command-line flags; later sources win.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where the embedded database lives when nothing else is configured.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://stint-data/stint.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Read when present and no `--config` is given.
pub const DEFAULT_CONFIG_FILE: &str = "stint.toml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
    pub database_url: String,
    /// Address and port to serve on.
    pub listen: String,
    /// Mark cookies `Secure`; turn on when users reach Stint over HTTPS.
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` for the client address (only behind your own proxy).
    pub trust_proxy_headers: bool,
    /// `pretty` for people, `json` for log collectors.
    pub log_format: String,
    /// Base URL of per-booking video rooms, for mentors without a link of their own.
    pub meeting_base_url: String,
    /// Run a job worker inside `stint serve`; `false` makes the node serve HTTP only (run
    /// `stint worker` processes elsewhere then).
    pub worker: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: DEFAULT_DATABASE_URL.into(),
            listen: DEFAULT_LISTEN.into(),
            secure_cookies: false,
            trust_proxy_headers: false,
            log_format: "pretty".into(),
            meeting_base_url: stint_web::DEFAULT_MEETING_BASE_URL.into(),
            worker: true,
        }
    }
}

/// Values given on the command line; `None` leaves the value to the other sources.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
}

impl Config {
    /// Loads the configuration. An explicit `file` must exist; the default file is optional.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, Box<figment::Error>> {
        Self::load_with(file, overrides, Env::prefixed("STINT_"))
    }

    fn load_with(
        file: Option<&Path>,
        overrides: &Overrides,
        env: Env,
    ) -> Result<Config, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                if !path.exists() {
                    let missing = format!("config file {} does not exist", path.display());
                    return Err(Box::new(figment::Error::from(missing)));
                }
                figment = figment.merge(Toml::file(path));
            }
            None => figment = figment.merge(Toml::file(PathBuf::from(DEFAULT_CONFIG_FILE))),
        }
        // Only settings: STINT_CONFIG names the file, and test variables are not ours here.
        let env = env.only(&[
            "database_url",
            "listen",
            "secure_cookies",
            "trust_proxy_headers",
            "log_format",
            "meeting_base_url",
            "worker",
        ]);
        figment
            .merge(env)
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(Box::new)
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail closures return its error by value
mod tests {
    use super::*;

    #[test]
    fn later_sources_win() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "custom.toml",
                "listen = \"0.0.0.0:9000\"\ndatabase_url = \"sqlite://a.db\"",
            )?;
            jail.set_env("STINT_DATABASE_URL", "postgres://env/db");
            jail.set_env("STINT_TEST_POSTGRES_URL", "postgres://ignored/db");
            let c = Config::load(Some(Path::new("custom.toml")), &Overrides::default())
                .map_err(|e| *e)?;
            assert_eq!(c.listen, "0.0.0.0:9000");
            assert_eq!(c.database_url, "postgres://env/db");
            let flags = Overrides {
                database_url: Some("sqlite://flag.db".into()),
                listen: None,
            };
            let c = Config::load(Some(Path::new("custom.toml")), &flags).map_err(|e| *e)?;
            assert_eq!(c.database_url, "sqlite://flag.db");
            Ok(())
        });
    }

    #[test]
    fn the_worker_is_on_unless_turned_off() {
        figment::Jail::expect_with(|jail| {
            assert!(
                Config::load(None, &Overrides::default())
                    .map_err(|e| *e)?
                    .worker
            );
            jail.create_file("stint.toml", "worker = false")?;
            assert!(
                !Config::load(None, &Overrides::default())
                    .map_err(|e| *e)?
                    .worker
            );
            jail.set_env("STINT_WORKER", "true");
            assert!(
                Config::load(None, &Overrides::default())
                    .map_err(|e| *e)?
                    .worker
            );
            jail.set_env("STINT_WORKER", "false");
            assert!(
                !Config::load(None, &Overrides::default())
                    .map_err(|e| *e)?
                    .worker
            );
            Ok(())
        });
    }

    #[test]
    fn defaults_need_nothing() {
        figment::Jail::expect_with(|_| {
            let c = Config::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert_eq!(c, Config::default());
            Ok(())
        });
    }

    #[test]
    fn unknown_settings_and_missing_files_are_errors() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("bad.toml", "lisen = \"x\"")?;
            assert!(Config::load(Some(Path::new("bad.toml")), &Overrides::default()).is_err());
            assert!(Config::load(Some(Path::new("missing.toml")), &Overrides::default()).is_err());
            Ok(())
        });
    }
}
