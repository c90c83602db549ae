//! `stint`: run the server or a job worker, migrate the database, load demo data, manage
//! accounts.

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use stint_domain::account::{Email, NewAccount, TimeZoneName, check_password};
use stint_domain::clock::Clock;
use stint_domain::clock::SystemClock;
use stint_domain::role::Role;
use stint_server::config::{Config, Overrides};
use stint_server::demo;
use stint_store::{Store, StoreError};

#[derive(Parser)]
#[command(
    name = "stint",
    version,
    about = "Stint: outcome-based micro-mentoring"
)]
struct Cli {
    /// TOML configuration file (default: ./stint.toml when present).
    #[arg(long, global = true, env = "STINT_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://path.db or postgres://user@host/db.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI and API (the default), with a job worker unless `worker = false`.
    Serve(ServeArgs),
    /// Run only a job worker: background jobs and periodic work, no HTTP.
    Worker,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Load demo data into an empty database and print the demo log-ins.
    Demo,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the credit ledger.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// The key notes and intake answers are sealed with at rest.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// The no-show risk model.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Write everything Stint holds about one person to a zip (JSON and Markdown).
    Export {
        /// The person's e-mail address.
        #[arg(long)]
        user: String,
        /// Where to write the zip (default: the file name the export gives, here).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Train on the earlier 80% of past sessions and print how it scores the later 20%
    /// (AUC and a calibration table); nothing is kept.
    Evaluate,
    /// Train on every past session and keep the model (the daily job does this too).
    Train,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Print a new random key (64 hex digits) for data_key or calendar_key.
    New,
    /// Re-seal every note and intake answer under data_key (old values open with
    /// previous_data_keys); servers keep running meanwhile.
    Rotate,
    /// Check that the configured keys open everything sealed in the database.
    Check,
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Check every invariant of the credit ledger; exits non-zero naming each violation.
    Verify,
    /// Write every transfer of the ledger as CSV to standard output, oldest first.
    Export,
}

#[derive(Args, Default)]
struct ServeArgs {
    /// Address to listen on, e.g. 0.0.0.0:8080.
    #[arg(long)]
    listen: Option<String>,
    /// Load demo data first if the database is empty.
    #[arg(long)]
    demo: bool,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account, e.g. the first operator.
    Create {
        #[arg(long)]
        email: String,
        /// Display name (defaults to the part of the e-mail before @).
        #[arg(long)]
        name: Option<String>,
        /// IANA time zone.
        #[arg(long, default_value = "UTC")]
        timezone: String,
        /// Role to grant: mentee, mentor, sponsor_admin, operator. Repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Grant a role to an existing account.
    Grant {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
    },
}

fn main() -> anyhow::Result<()> {
    one_allocator_arena();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?
        .block_on(run())
}

/// glibc's allocator gives each thread that allocates its own arena (up to eight per core)
/// and keeps what each arena took. Measured with the scale benchmark (8 picker searches and 4
/// clients booking at once, 1,000 mentors, SQLite), the server reached 185 MiB with the default
/// and stayed there; with 2 arenas 136 MiB; with one 94 MiB, near what it held idle (mimalloc:
/// 176 MiB, or 140 MiB returning freed pages at once). Threads still keep small blocks in
/// their own caches, so one arena costs little speed (see the booking benchmark).
fn one_allocator_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning value of the allocator; it is called before the
    // runtime starts any other thread.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let listen = match &cli.command {
        Some(Command::Serve(a)) => a.listen.clone(),
        _ => None,
    };
    let overrides = Overrides {
        database_url: cli.database_url.clone(),
        listen,
    };
    let config =
        Config::load(cli.config.as_deref(), &overrides).context("reading configuration")?;
    init_logging(&config);
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => serve(config, args.demo).await,
        Command::Worker => work(config).await,
        Command::Migrate => {
            open(&config).await?;
            println!("Database is up to date.");
            Ok(())
        }
        Command::Demo => {
            let store = open(&config).await?;
            demo::load_with_year(&store, SystemClock.now()).await?;
            print!("Demo data loaded.\n{}", demo::logins());
            Ok(())
        }
        Command::User(cmd) => user(config, cmd).await,
        Command::Keys(cmd) => keys(config, cmd).await,
        Command::Ledger(LedgerCommand::Verify) => {
            let store = open(&config).await?;
            let mut violations = store.ledger_violations().await?;
            violations.extend(store.holding_violations().await?);
            if violations.is_empty() {
                println!("The ledger is sound.");
                return Ok(());
            }
            for v in &violations {
                eprintln!("ledger: {v}");
            }
            bail!("{} ledger invariant(s) broken", violations.len())
        }
        Command::Model(cmd) => {
            let (_, app) = keyed_app(config).await?;
            let mut out = std::io::stdout().lock();
            match cmd {
                ModelCommand::Evaluate => stint_server::model::evaluate(&app, &mut out).await,
                ModelCommand::Train => stint_server::model::train(&app, &mut out).await,
            }
        }
        Command::Ledger(LedgerCommand::Export) => {
            let store = open(&config).await?;
            export_ledger(store.as_ref(), std::io::stdout().lock()).await
        }
        Command::Export { user, out } => {
            let (store, app) = keyed_app(config).await?;
            let account = store
                .account_by_email(&user.trim().to_lowercase())
                .await?
                .with_context(|| format!("no account has the address {user}"))?;
            eprintln!("Exporting {}…", account.email);
            // A bar on a terminal, nothing when the output is piped or logged.
            let bar = indicatif::ProgressBar::new(1);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}%")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let report = |done: u64, of: u64| {
                bar.set_length(of);
                bar.set_position(done);
            };
            let (name, bytes) = stint_app::export::export_with(
                &app,
                &account,
                &stint_app::export::Progress::Report(&report),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            bar.finish_and_clear();
            let path = out.unwrap_or_else(|| std::path::PathBuf::from(name));
            std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("Wrote {} ({} bytes).", path.display(), bytes.len());
            Ok(())
        }
    }
}

/// Writes every transfer as CSV to `out`, a page at a time so memory stays flat however long
/// the ledger.
async fn export_ledger(store: &dyn Store, out: impl std::io::Write) -> anyhow::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record([
        "id",
        "at",
        "movement",
        "seq",
        "from",
        "to",
        "amount",
        "kind",
        "reference",
        "money_minor",
        "currency",
    ])?;
    let mut after = 0;
    loop {
        let page = store.ledger_transfers_after(after, 1_000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for t in &page {
            csv.write_record([
                t.id.to_string(),
                t.at.to_string(),
                t.movement.clone(),
                t.seq.to_string(),
                t.from.clone(),
                t.to.clone(),
                t.amount.to_string(),
                t.kind.clone(),
                t.reference.clone(),
                t.money
                    .as_ref()
                    .map_or(String::new(), |m| m.minor.to_string()),
                t.money
                    .as_ref()
                    .map_or(String::new(), |m| m.currency.clone()),
            ])?;
        }
    }
    csv.flush()?;
    Ok(())
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("STINT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    stint_store::open(&config.database_url)
        .await
        .with_context(|| format!("opening the database at {}", redact(&config.database_url)))
}

/// Hides a password in a database URL before it is printed or logged.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(feature = "web")]
async fn serve(mut config: Config, with_demo: bool) -> anyhow::Result<()> {
    if with_demo {
        config.demo_top_up = true;
    }
    let config = config
        .with_default_calendar_key()
        .context("preparing the calendar key")?;
    config.calendar_key().context("reading calendar_key")?;
    config.credential_key().context("reading credential_key")?;
    config.egress().context("reading egress_allow")?;
    config
        .trusted_proxies()
        .context("reading trusted_proxies")?;
    let config = config.with_data_key()?;
    let store = open(&config).await?;
    let app = stint_server::application(&config, store.clone(), Arc::new(SystemClock));
    stint_server::data_keys::refuse_unknown_keys(&app).await?;
    if with_demo {
        if demo::is_empty(store.as_ref()).await? {
            demo::load_with_year(&store, SystemClock.now()).await?;
            // The demo's notes and answers are written as typed: sealed now, as any would be.
            stint_app::keys::rotate(&app, &|_| {})
                .await
                .map_err(|e| anyhow::anyhow!("sealing the demo's notes: {e}"))?;
            // Operators' supply figures show the demo's history at once.
            stint_app::insights::hours::keep_weeks_back(&app, 53)
                .await
                .map_err(|e| anyhow::anyhow!("counting the demo's hours: {e}"))?;
            stint_app::insights::forecast::refresh(&app)
                .await
                .map_err(|e| anyhow::anyhow!("forecasting the demo's weeks: {e}"))?;
            stint_app::insights::alerts::raise(&app)
                .await
                .map_err(|e| anyhow::anyhow!("raising the demo's shortfalls: {e}"))?;
            stint_app::insights::risk::retrain(&app)
                .await
                .map_err(|e| anyhow::anyhow!("training the demo's no-show model: {e}"))?;
            demo::proof::claim(&store, &app).await?;
            println!("Demo data loaded.");
        } else {
            println!("The database already has data; the demo was not loaded again.");
        }
    }
    if demo::is_loaded(store.as_ref()).await? {
        print!("{}", demo::logins());
    }
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let shutdown = stint_server::shutdown_signal();
    let worker = if config.worker {
        let worker = stint_server::worker::build(store.clone(), Arc::new(SystemClock), &config)?;
        println!("Job worker {} runs in this process.", worker.name());
        Some(worker)
    } else {
        println!("No job worker here (worker = false): this node serves HTTP only.");
        None
    };
    tracing::info!(database = store.backend_name(), %addr, "Stint is ready");
    println!("Stint is running. Open http://{addr}/ (Ctrl-C to stop)");
    let state = stint_server::state(&config, store, Arc::new(SystemClock));
    stint_server::serve_with_worker(listener, state, worker, shutdown).await
}

/// Without the web edge there is nothing to serve.
#[cfg(not(feature = "web"))]
async fn serve(_config: Config, _with_demo: bool) -> anyhow::Result<()> {
    anyhow::bail!(
        "this build of stint has no web edge (built without the `web` feature); run `stint worker`"
    )
}

/// `stint worker`: runs jobs until Ctrl-C or SIGTERM, then lets running jobs finish.
async fn work(config: Config) -> anyhow::Result<()> {
    let config = config
        .with_default_calendar_key()
        .context("preparing the calendar key")?;
    config.calendar_key().context("reading calendar_key")?;
    config.credential_key().context("reading credential_key")?;
    config.egress().context("reading egress_allow")?;
    config
        .trusted_proxies()
        .context("reading trusted_proxies")?;
    let config = config.with_data_key()?;
    let store = open(&config).await?;
    let app = stint_server::application(&config, store.clone(), Arc::new(SystemClock));
    stint_server::data_keys::refuse_unknown_keys(&app).await?;
    let shutdown = stint_server::shutdown_signal();
    let worker = stint_server::worker::build(store.clone(), Arc::new(SystemClock), &config)?;
    println!(
        "Stint worker {} is running on the {} database (Ctrl-C to stop)",
        worker.name(),
        store.backend_name()
    );
    worker.run(shutdown).await;
    Ok(())
}

/// The store and the application with the configured data keys, checked against the
/// database.
async fn keyed_app(config: Config) -> anyhow::Result<(Arc<dyn Store>, stint_app::App)> {
    let config = config.with_data_key()?;
    let store = open(&config).await?;
    let app = stint_server::application(&config, store.clone(), Arc::new(SystemClock));
    stint_server::data_keys::refuse_unknown_keys(&app).await?;
    Ok((store, app))
}

async fn keys(config: Config, cmd: KeysCommand) -> anyhow::Result<()> {
    match cmd {
        KeysCommand::New => {
            println!("{}", stint_app::CalendarKey::generate()?.to_hex());
            Ok(())
        }
        KeysCommand::Check => {
            let (_, app) = keyed_app(config).await?;
            println!("The configured keys open everything sealed in the database.");
            drop(app);
            Ok(())
        }
        KeysCommand::Rotate => {
            let (_, app) = keyed_app(config).await?;
            let bar = indicatif::ProgressBar::new_spinner();
            let report = |seen: u64| bar.set_message(format!("{seen} notes and preps looked at"));
            let done = stint_app::keys::rotate(&app, &report)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            bar.finish_and_clear();
            println!(
                "Re-sealed {} notes and {} preps under the current data_key. The previous keys \
                 can now be removed from previous_data_keys.",
                done.notes, done.preps
            );
            Ok(())
        }
    }
}

async fn user(config: Config, cmd: UserCommand) -> anyhow::Result<()> {
    let store = open(&config).await?;
    match cmd {
        UserCommand::Create {
            email,
            name,
            timezone,
            roles,
            password_stdin,
        } => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--email {e}"))?;
            let timezone =
                TimeZoneName::parse(&timezone).map_err(|e| anyhow::anyhow!("--timezone {e}"))?;
            let roles = roles
                .iter()
                .map(|r| {
                    Role::parse(r).with_context(|| {
                        format!("--role {r}: use mentee, mentor, sponsor_admin or operator")
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let display_name =
                name.unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("").to_string());
            let (password, generated) = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                (s.trim_end_matches(['\n', '\r']).to_string(), false)
            } else {
                (generate_password()?, true)
            };
            if let Err(e) = check_password(&password, Some(email.as_str())) {
                bail!("password {e}");
            }
            let hash = stint_app::auth::password::hash(password.clone())
                .await
                .map_err(anyhow::Error::msg)?;
            let new = NewAccount {
                email,
                display_name,
                timezone,
                roles,
            };
            match store.create_account(&new, &hash, SystemClock.now()).await {
                Ok(a) => {
                    let roles: Vec<&str> = a.roles.iter().map(|r| r.as_str()).collect();
                    println!(
                        "Created {} ({}) with roles: {}",
                        a.email,
                        a.id,
                        roles.join(", ")
                    );
                    if generated {
                        println!("Password (shown once): {password}");
                    }
                    Ok(())
                }
                Err(StoreError::Conflict { message, .. }) => bail!("{message}"),
                Err(e) => Err(e.into()),
            }
        }
        UserCommand::Grant { email, role } => {
            let role = Role::parse(&role).with_context(|| {
                format!("--role {role}: use mentee, mentor, sponsor_admin or operator")
            })?;
            let account = store
                .account_by_email(&email)
                .await?
                .with_context(|| format!("no account with e-mail {email}"))?;
            store.grant_role(account.id, role).await?;
            println!("{} is now {}", account.email, role.label());
            Ok(())
        }
    }
}

/// Four random words' worth of entropy as 20 hex characters (80 bits).
fn generate_password() -> anyhow::Result<String> {
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }
}
