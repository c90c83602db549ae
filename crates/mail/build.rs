//! Sets `peer_*` cfgs for the tests: the SMTP tests are ignored without aiosmtpd (see
//! `stint-testkit`).

fn main() {
    stint_testkit::emit_peer_cfgs();
}
