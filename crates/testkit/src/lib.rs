//! Test support shared by Stint's crates: whether this run is CI, which external peers
//! (PostgreSQL, a headless browser, Python packages, Schemathesis) this machine has, and
//! [`emit_peer_cfgs`], which a crate's `build.rs` calls to turn that into `cfg`s.
//!
//! libtest cannot skip a test once it has started, so the decision is made when the tests
//! are built: a test that needs a peer carries
//! `#[cfg_attr(not(peer_postgres), ignore = "needs …")]` and is reported as *ignored*, with
//! the reason, when the peer is missing. With `CI=true` every peer `cfg` is set, so the test
//! runs and fails loudly if its peer is missing: CI never ignores a test.
//!
//! Peers are looked for when the build script runs, which Cargo repeats when `CI`,
//! `STINT_TEST_POSTGRES_URL`, `STINT_TEST_PYTHON` or `PATH` change. Installing a program or
//! a Python package changes none of those: after one, `touch` the crate's `build.rs` (or
//! run with `CI=true`) for its tests to be built again with the peer.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The environment variable naming a PostgreSQL server tests may create databases on.
/// The instant every test server's clock starts at, whatever today is: Monday 1 June 2026,
/// 08:00 UTC, so a run is the same on any date. The weeks the tests book into (up to five
/// ahead) hold no change of daylight-saving time in any zone the tests and the demo data use;
/// a test about a DST week moves its clock there on purpose.
pub const TEST_EPOCH: &str = "2026-06-01T08:00:00Z";

/// Every spelling of an internal address that URL parsers accept: loopback written as
/// `127.1`, decimal, hex, octal and IPv4-mapped IPv6, the unspecified address, `localhost`
/// (any case, trailing dot), cloud metadata, private, CGNAT and unique-local. Each outbound
/// client's tests prove the default egress policy refuses every one (port 9 is discard).
pub const INTERNAL_ADDRESS_SPELLINGS: [&str; 14] = [
    "http://127.0.0.1:9/",
    "http://127.1:9/",
    "http://2130706433:9/",
    "http://0x7f000001:9/",
    "http://0177.0.0.1:9/",
    "http://[::ffff:127.0.0.1]:9/",
    "http://[::1]:9/",
    "http://0.0.0.0:9/",
    "http://localhost:9/",
    "http://LOCALHOST.:9/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://100.64.0.1/",
    "http://[fd00::1]/",
];

pub const POSTGRES_ENV: &str = "STINT_TEST_POSTGRES_URL";

/// The environment variable naming the Python interpreter of the Python peers.
pub const PYTHON_ENV: &str = "STINT_TEST_PYTHON";

/// Whether this run is CI, where every peer must be present.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The Python interpreter the Python peers run under: `STINT_TEST_PYTHON`, or `python3`.
pub fn python() -> String {
    std::env::var(PYTHON_ENV).unwrap_or_else(|_| "python3".to_string())
}

/// Something outside the workspace that some tests need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// A PostgreSQL server named by `STINT_TEST_POSTGRES_URL`.
    Postgres,
    /// Headless Chromium (`chromium` or `chromium-browser`) and `chromedriver`, on `PATH`.
    Browser,
    /// Python's `icalendar` package.
    PythonIcalendar,
    /// The Radicale CalDAV server (a Python package).
    Radicale,
    /// Python's `aiosmtpd`, which the SMTP sink of the mail tests runs on.
    Smtp,
    /// Schemathesis's `st` command.
    Schemathesis,
    /// Python's `prometheus_client`, whose parser reads `/metrics`.
    PrometheusClient,
    /// Python's `openapi-spec-validator`, which checks the OpenAPI document.
    OpenapiSpecValidator,
    /// localstripe, a Stripe-compatible server (a Python package).
    Stripe,
    /// Python's `jwcrypto`, the outside verifier of skill credentials.
    Jwcrypto,
    /// Python's PyYAML, which reads the front matter of note files as a note app does.
    PythonYaml,
}

impl Peer {
    pub const ALL: [Peer; 11] = [
        Peer::Postgres,
        Peer::Browser,
        Peer::PythonIcalendar,
        Peer::Radicale,
        Peer::Smtp,
        Peer::Schemathesis,
        Peer::PrometheusClient,
        Peer::OpenapiSpecValidator,
        Peer::Stripe,
        Peer::Jwcrypto,
        Peer::PythonYaml,
    ];

    /// The `cfg` set when the peer is present (or the run is CI).
    pub fn cfg(self) -> &'static str {
        match self {
            Peer::Postgres => "peer_postgres",
            Peer::Browser => "peer_browser",
            Peer::PythonIcalendar => "peer_python_icalendar",
            Peer::Radicale => "peer_radicale",
            Peer::Smtp => "peer_smtp",
            Peer::Schemathesis => "peer_schemathesis",
            Peer::PrometheusClient => "peer_prometheus_client",
            Peer::OpenapiSpecValidator => "peer_openapi_spec_validator",
            Peer::Stripe => "peer_stripe",
            Peer::Jwcrypto => "peer_jwcrypto",
            Peer::PythonYaml => "peer_python_yaml",
        }
    }

    /// What the peer is, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Peer::Postgres => "PostgreSQL",
            Peer::Browser => "headless Chromium and chromedriver",
            Peer::PythonIcalendar => "Python's icalendar",
            Peer::Radicale => "the Radicale CalDAV server",
            Peer::Smtp => "Python's aiosmtpd",
            Peer::Schemathesis => "Schemathesis",
            Peer::PrometheusClient => "Python's prometheus_client",
            Peer::OpenapiSpecValidator => "Python's openapi-spec-validator",
            Peer::Stripe => "localstripe, a Stripe-compatible server",
            Peer::Jwcrypto => "Python's jwcrypto",
            Peer::PythonYaml => "Python's PyYAML",
        }
    }

    /// How to provide the peer, for messages.
    pub fn hint(self) -> &'static str {
        match self {
            Peer::Postgres => {
                "set STINT_TEST_POSTGRES_URL to a server tests may create databases on"
            }
            Peer::Browser => {
                "put `chromium` (or `chromium-browser`) and `chromedriver` on PATH \
                 (Debian: apt-get install chromium chromium-driver)"
            }
            Peer::PythonIcalendar => "python3 -m pip install icalendar==7.3.2",
            Peer::Radicale => "python3 -m pip install radicale==3.9.0",
            Peer::Smtp => "python3 -m pip install aiosmtpd==1.4.6",
            Peer::Schemathesis => "python3 -m pip install schemathesis==4.32.5 (its `st` on PATH)",
            Peer::PrometheusClient => "python3 -m pip install prometheus-client==0.26.0",
            Peer::OpenapiSpecValidator => "python3 -m pip install openapi-spec-validator==0.9.0",
            Peer::Stripe => "python3 -m pip install localstripe==1.15.10",
            Peer::Jwcrypto => "python3 -m pip install jwcrypto==1.6.2",
            Peer::PythonYaml => "python3 -m pip install pyyaml==6.0.3",
        }
    }

    /// Whether the peer is there now. PostgreSQL counts as there when its URL is set: a set
    /// URL that cannot be reached is a failure, not a reason to ignore the tests.
    pub fn present(self) -> bool {
        match self {
            Peer::Postgres => std::env::var_os(POSTGRES_ENV).is_some_and(|v| !v.is_empty()),
            Peer::Browser => browser().is_some(),
            Peer::PythonIcalendar => python_imports("icalendar"),
            Peer::Radicale => python_imports("radicale"),
            Peer::Smtp => python_imports("aiosmtpd"),
            Peer::Schemathesis => find_program("st").is_some(),
            Peer::PrometheusClient => python_imports("prometheus_client"),
            Peer::OpenapiSpecValidator => python_imports("openapi_spec_validator"),
            Peer::Stripe => python_imports("localstripe"),
            Peer::Jwcrypto => python_imports("jwcrypto"),
            Peer::PythonYaml => python_imports("yaml"),
        }
    }
}

/// Fails the calling test unless `peer` is there. A test that needs a peer runs only when the
/// peer was found at build time or the run is CI; this turns a peer missing at run time into
/// a message that says what to install, rather than an obscure error further on.
#[track_caller]
pub fn require(peer: Peer) {
    if peer.present() {
        return;
    }
    let why = if in_ci() {
        "CI=true requires every peer"
    } else {
        "it was there when the tests were built"
    };
    panic!(
        "this test needs {}, which is missing ({why}): {}",
        peer.name(),
        peer.hint()
    );
}

/// The browser and its WebDriver, as the browser tests start them: `(chromium, chromedriver)`.
pub fn browser() -> Option<(PathBuf, PathBuf)> {
    let chromium = find_program("chromium").or_else(|| find_program("chromium-browser"))?;
    let driver = find_program("chromedriver")?;
    Some((chromium, driver))
}

/// The first executable file called `name` in a `PATH` folder.
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Whether the Python of [`python`] can import `module`.
fn python_imports(module: &str) -> bool {
    Command::new(python())
        .args(["-c", &format!("import {module}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// For a crate's `build.rs`: declares every peer `cfg` and sets those whose peer is present,
/// or all of them when `CI=true`, so in CI the tests run and fail if a peer is missing.
pub fn emit_peer_cfgs() {
    // Only what peer detection reads; these also stop Cargo from re-running the build
    // script on every change to the crate's files.
    for var in ["CI", POSTGRES_ENV, PYTHON_ENV, "PATH"] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    let ci = in_ci();
    for peer in Peer::ALL {
        println!("cargo::rustc-check-cfg=cfg({})", peer.cfg());
        if ci || peer.present() {
            println!("cargo::rustc-cfg={}", peer.cfg());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_peer_has_its_own_cfg() {
        let mut cfgs: Vec<&str> = Peer::ALL.iter().map(|p| p.cfg()).collect();
        cfgs.sort_unstable();
        cfgs.dedup();
        assert_eq!(cfgs.len(), Peer::ALL.len());
        assert!(cfgs.iter().all(|c| c.starts_with("peer_")));
    }

    #[test]
    fn a_program_is_found_only_when_executable_on_path() {
        // `sh` is on PATH on every machine the tests run on; this name is on none.
        assert!(find_program("sh").is_some());
        assert!(find_program("stint-no-such-program-here").is_none());
    }
}
