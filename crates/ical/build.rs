//! Sets `peer_*` cfgs for the tests: the Python icalendar test is ignored without the
//! package (see `stint-testkit`).

fn main() {
    stint_testkit::emit_peer_cfgs();
}
