//! What a store keeps in memory to spare round trips on the booking path. A round trip costs
//! more than the rows it carries (to PostgreSQL a network message each way and a wake-up on
//! each side; to SQLite a hop to the connection's own thread and back), and every booking
//! request would otherwise make four.
//!
//! - **Schedules** (`schedules.rs`): exact. A decision made on a cached snapshot is checked by
//!   the write's compare-and-set on the mentor's schedule version.
//! - **Offerings** (a SKU with one of its mentors): kept for [`TTL`]. This node forgets them
//!   at once when it changes them (a profile or SKU saved); a change made on another node is
//!   seen here within [`TTL`]. A booking freezes the SKU version the request was offered.
//!
//! Nothing that decides who someone is or what they may do is cached: sessions, API tokens
//! and roles are read on every request, so a logout, a deleted token or a revoked role holds
//! at once on every node.
//!
//! On SQLite "another node" is another process on the same file (`stint user grant` beside a
//! running server, say); the same rules hold.

pub(crate) mod schedules;
pub(crate) mod ttl;

use crate::interfaces::Offering;
use jiff::SignedDuration;
use schedules::ScheduleCache;
use std::sync::Arc;
use stint_domain::clock::Clock;
use stint_domain::ids::UserId;
use ttl::TtlCache;

/// How long an offering is kept.
pub(crate) const TTL: SignedDuration = SignedDuration::from_secs(1);
/// Entries per cache at most.
const MAX_ENTRIES: usize = 10_000;

pub(crate) struct Caches {
    /// (SKU slug, mentor) → the offering.
    pub offerings: TtlCache<(String, UserId), Offering>,
    pub schedules: ScheduleCache,
}

impl Caches {
    /// Caches whose ages are read from `clock`.
    pub(crate) fn new(clock: Arc<dyn Clock>) -> Caches {
        Caches {
            offerings: TtlCache::new(TTL, MAX_ENTRIES, clock),
            schedules: ScheduleCache::new(MAX_ENTRIES),
        }
    }

    /// After a change to accounts, roles, mentor profiles or the catalog on this node.
    pub(crate) fn forget_people_and_catalog(&self) {
        self.offerings.clear();
    }
}
