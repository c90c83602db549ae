//! Sets `peer_*` cfgs for the tests: the PostgreSQL tests are ignored without a server (see
//! `stint-testkit`).

fn main() {
    stint_testkit::emit_peer_cfgs();
}
