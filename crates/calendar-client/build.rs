//! Sets `peer_*` cfgs for the tests: the Radicale tests are ignored without Radicale (see
//! `stint-testkit`).

fn main() {
    stint_testkit::emit_peer_cfgs();
}
