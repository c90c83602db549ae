//! Sets `peer_*` cfgs for the tests: those whose peer (PostgreSQL, a browser, a Python
//! package, Schemathesis) is missing are ignored (see `stint-testkit`).

fn main() {
    stint_testkit::emit_peer_cfgs();
}
