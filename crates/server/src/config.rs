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
    /// Addresses or ranges of your own reverse proxies: requests from them have the client
    /// address read from `X-Forwarded-For` (skipping these from the right). Empty: the
    /// header is ignored.
    pub trusted_proxies: Vec<String>,
    /// `pretty` for people, `json` for log collectors.
    pub log_format: String,
    /// Base URL of per-booking video rooms, for mentors without a link of their own.
    pub meeting_base_url: String,
    /// Run a job worker inside `stint serve`; `false` makes the node serve HTTP only (run
    /// `stint worker` processes elsewhere then).
    pub worker: bool,
    /// How long a worker holds a job without a heartbeat: how soon the jobs of a worker
    /// that died run elsewhere.
    pub worker_lease_secs: u64,
    /// How many jobs one worker runs at once.
    pub worker_batch: u32,
    /// Where people reach Stint, for links in e-mail (`https://stint.example.org`); empty
    /// means `http://` and the `listen` address.
    pub public_url: String,
    /// E-mail: the sender, and an SMTP server (`[mail.smtp]`) or, by default, a folder the
    /// messages are written to as `.eml` files.
    pub mail: stint_mail::MailSettings,
    /// Seals the passwords of mentors' CalDAV accounts: 32 bytes as 64 hex digits or base64
    /// (`openssl rand -hex 32`). Empty: `stint serve` on the embedded default database keeps
    /// one in `stint-data/calendar.key`; anywhere else connecting a CalDAV calendar is refused.
    pub calendar_key: SecretText,
    /// Seals notes and intake answers at rest: 32 bytes as 64 hex digits or base64 (`stint keys
    /// new`). Empty: on SQLite a key is kept in `data.key` beside the database file; on
    /// PostgreSQL start-up is refused (every node needs the same key).
    pub data_key: SecretText,
    /// Signs skill credentials (Ed25519): a 32-byte seed as 64 hex digits or base64url
    /// (`openssl rand -hex 32`). Empty: a key is made once and kept in the database, the same
    /// for every node.
    pub credential_key: SecretText,
    /// Keys values may still be sealed with, comma-separated, while `stint keys rotate`
    /// re-seals them under `data_key`.
    pub previous_data_keys: SecretText,
    /// Private or internal addresses that webhooks and calendars may reach anyway (by
    /// default Stint connects to public addresses only): IPs, ranges (`10.20.0.0/16`), host
    /// names (`caldav.corp.example`) and `*.domain` patterns.
    pub egress_allow: Vec<String>,
    /// Offer a clearly labelled demo top-up that credits a pack without payment (set by
    /// `stint serve --demo`; never for real money).
    pub demo_top_up: bool,
    /// The platform's fee on what mentors earn from a session (settled or forfeited), in
    /// basis points: 1500 is 15%. At most 10000.
    pub platform_fee_basis_points: u32,
    /// How much each mentor's weekly cap counts when "any mentor" is booked, in percent: 0
    /// gives the session to whoever has the fewest sessions in the seven days around it; 100
    /// (the default) to whoever has used the least of their own weekly cap.
    pub allocation_cap_weight: u8,
    /// Card payments on Stripe's hosted Checkout page (`[stripe]`, or
    /// `STINT_STRIPE__SECRET_KEY` and `STINT_STRIPE__WEBHOOK_SECRET`): offered only with both
    /// secrets; the webhook endpoint to register at Stripe is `<public_url>/webhooks/stripe`.
    pub stripe: stint_stripe::StripeSettings,
}

/// A setting that never shows in debug output (or logs).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretText(pub String);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "<redacted>"
        })
    }
}

/// Where `stint serve` keeps its calendar key on the embedded default database.
pub const DEFAULT_CALENDAR_KEY_FILE: &str = "stint-data/calendar.key";

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: DEFAULT_DATABASE_URL.into(),
            listen: DEFAULT_LISTEN.into(),
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            log_format: "pretty".into(),
            meeting_base_url: stint_app::DEFAULT_MEETING_BASE_URL.into(),
            worker: true,
            worker_lease_secs: 60,
            worker_batch: 8,
            public_url: String::new(),
            mail: stint_mail::MailSettings::default(),
            calendar_key: SecretText::default(),
            data_key: SecretText::default(),
            previous_data_keys: SecretText::default(),
            credential_key: SecretText::default(),
            egress_allow: Vec::new(),
            demo_top_up: false,
            platform_fee_basis_points: stint_app::DEFAULT_PLATFORM_FEE_BASIS_POINTS,
            allocation_cap_weight: 100,
            stripe: stint_stripe::StripeSettings::default(),
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

/// The settings environment variables may set (with `mail__…` for the mail section).
const SETTINGS: [&str; 17] = [
    "database_url",
    "listen",
    "secure_cookies",
    "trusted_proxies",
    "log_format",
    "meeting_base_url",
    "worker",
    "worker_lease_secs",
    "worker_batch",
    "public_url",
    "calendar_key",
    "data_key",
    "previous_data_keys",
    "credential_key",
    "egress_allow",
    "platform_fee_basis_points",
    "allocation_cap_weight",
];

impl Config {
    /// The address in links Stint sends out.
    pub fn public_url(&self) -> String {
        if self.public_url.trim().is_empty() {
            format!("http://{}", self.listen)
        } else {
            self.public_url.trim_end_matches('/').to_string()
        }
    }

    /// What outbound requests may reach; fails on an entry that is not an address, a range
    /// or a host name.
    pub fn egress(&self) -> anyhow::Result<stint_egress::EgressPolicy> {
        stint_egress::EgressPolicy::parse(&self.egress_allow).map_err(anyhow::Error::msg)
    }

    /// The trusted proxies as ranges; fails on an entry that is not an address or a range.
    pub fn trusted_proxies(&self) -> anyhow::Result<Vec<ipnet::IpNet>> {
        self.trusted_proxies
            .iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<ipnet::IpNet>()
                    .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        anyhow::anyhow!("trusted_proxies: {entry:?} is not an address or range")
                    })
            })
            .collect()
    }

    /// The seed skill credentials are signed with; `None` when none is configured.
    pub fn credential_key(&self) -> anyhow::Result<Option<[u8; 32]>> {
        let text = self.credential_key.0.trim();
        if text.is_empty() {
            return Ok(None);
        }
        stint_app::skill_credentials::signing::parse_seed(text)
            .map(Some)
            .ok_or_else(|| {
                anyhow::anyhow!("credential_key must be 32 bytes as 64 hex digits or base64url")
            })
    }

    /// The key calendar passwords are sealed with; `None` when none is configured.
    pub fn calendar_key(&self) -> anyhow::Result<Option<stint_app::CalendarKey>> {
        if self.calendar_key.0.trim().is_empty() {
            return Ok(None);
        }
        Ok(Some(stint_app::CalendarKey::parse(&self.calendar_key.0)?))
    }

    /// On the embedded default database with no `calendar_key` set, reads the key from
    /// [`DEFAULT_CALENDAR_KEY_FILE`], making it (mode 0600) at first start, so the one-command
    /// start can connect calendars. Any other setup must configure a key.
    pub fn with_default_calendar_key(mut self) -> anyhow::Result<Config> {
        if !self.calendar_key.0.trim().is_empty() || self.database_url != DEFAULT_DATABASE_URL {
            return Ok(self);
        }
        let path = Path::new(DEFAULT_CALENDAR_KEY_FILE);
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = stint_app::CalendarKey::generate()?;
                write_private(path, &key.to_hex())?;
                key.to_hex()
            }
            Err(e) => return Err(anyhow::anyhow!("reading {}: {e}", path.display())),
        };
        self.calendar_key = SecretText(text.trim().to_string());
        Ok(self)
    }

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
        // `STINT_MAIL__SMTP__HOST` sets `mail.smtp.host`, `STINT_STRIPE__SECRET_KEY`
        // `stripe.secret_key`.
        let env = env
            .filter(|key| {
                let key = key.as_str().to_ascii_lowercase();
                SETTINGS.contains(&key.as_str())
                    || key.starts_with("mail__")
                    || key.starts_with("stripe__")
            })
            .split("__");
        figment
            .merge(env)
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(Box::new)
    }
}

/// Writes a new file only its owner can read.
pub(crate) fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
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
    fn mail_settings_come_from_the_file_and_the_environment() {
        figment::Jail::expect_with(|jail| {
            let c = Config::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert_eq!(c.mail.smtp, None);
            assert_eq!(c.public_url(), "http://127.0.0.1:8080");
            jail.create_file(
                "stint.toml",
                "public_url = \"https://stint.example.org/\"\n[mail]\nfrom = \"Stint <hi@stint.example.org>\"\n[mail.smtp]\nhost = \"smtp.example.org\"\nport = 2525\n",
            )?;
            jail.set_env("STINT_MAIL__SMTP__USERNAME", "stint");
            jail.set_env("STINT_MAIL__SMTP__PASSWORD", "s3cret");
            let c = Config::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert_eq!(c.public_url(), "https://stint.example.org");
            assert_eq!(c.mail.from, "Stint <hi@stint.example.org>");
            let smtp = c.mail.smtp.clone().expect("smtp");
            assert_eq!(
                (smtp.host.as_str(), smtp.port),
                ("smtp.example.org", Some(2525))
            );
            assert_eq!(smtp.username.as_deref(), Some("stint"));
            assert_eq!(smtp.password.as_deref(), Some("s3cret"));
            // The password never shows in the settings' debug output (or logs).
            assert!(!format!("{c:?}").contains("s3cret"));
            Ok(())
        });
    }

    #[test]
    fn the_egress_allow_list_comes_from_the_environment_and_typos_are_errors() {
        figment::Jail::expect_with(|jail| {
            let c = Config::load(None, &Overrides::default()).map_err(|e| *e)?;
            let policy = c.egress().map_err(|e| e.to_string())?;
            assert_eq!(policy.to_string(), "public addresses only");
            jail.set_env("STINT_EGRESS_ALLOW", "[10.20.0.0/16, caldav.corp.example]");
            let c = Config::load(None, &Overrides::default()).map_err(|e| *e)?;
            let policy = c.egress().map_err(|e| e.to_string())?;
            assert_eq!(
                policy.to_string(),
                "public addresses and 10.20.0.0/16, caldav.corp.example"
            );
            jail.set_env("STINT_EGRESS_ALLOW", "[not a host]");
            let c = Config::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert!(c.egress().is_err());
            Ok(())
        });
    }

    #[test]
    fn stripe_and_the_fee_come_from_the_environment_and_secrets_never_print() {
        figment::Jail::expect_with(|jail| {
            let c = Config::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert!(!c.stripe.configured());
            jail.set_env("STINT_STRIPE__SECRET_KEY", "sk_test_hidden_key");
            jail.set_env("STINT_STRIPE__WEBHOOK_SECRET", "whsec_hidden_secret");
            jail.set_env("STINT_PLATFORM_FEE_BASIS_POINTS", "1200");
            let c = Config::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert!(c.stripe.configured());
            assert_eq!(c.stripe.secret_key, "sk_test_hidden_key");
            assert_eq!(c.platform_fee_basis_points, 1200);
            let shown = format!("{c:?}");
            assert!(!shown.contains("hidden"), "{shown}");
            Ok(())
        });
    }

    #[test]
    fn the_calendar_key_comes_from_the_environment_and_never_prints() {
        figment::Jail::expect_with(|jail| {
            let c = Config::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert!(c.calendar_key().map_err(|e| e.to_string())?.is_none());
            let key = "ab".repeat(32);
            jail.set_env("STINT_CALENDAR_KEY", &key);
            let c = Config::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert!(c.calendar_key().map_err(|e| e.to_string())?.is_some());
            assert!(!format!("{c:?}").contains(&key));
            jail.set_env("STINT_CALENDAR_KEY", "too-short");
            let c = Config::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert!(c.calendar_key().is_err());
            Ok(())
        });
    }

    #[test]
    fn the_default_database_keeps_a_calendar_key_file() {
        figment::Jail::expect_with(|_| {
            let c = Config::default()
                .with_default_calendar_key()
                .map_err(|e| e.to_string())?;
            let again = Config::default()
                .with_default_calendar_key()
                .map_err(|e| e.to_string())?;
            assert_eq!(c.calendar_key, again.calendar_key);
            assert!(c.calendar_key().map_err(|e| e.to_string())?.is_some());
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(DEFAULT_CALENDAR_KEY_FILE)
                    .map_err(|e| e.to_string())?
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o600);
            }
            // Another database gets no key by itself.
            let other = Config {
                database_url: "postgres://db/stint".into(),
                ..Config::default()
            };
            assert!(
                other
                    .with_default_calendar_key()
                    .map_err(|e| e.to_string())?
                    .calendar_key
                    .0
                    .is_empty()
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
