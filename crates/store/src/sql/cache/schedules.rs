//! The schedule cache: per mentor, the last [`Snapshot`] of a window this node read or wrote.
//! A claim decided on it writes with the snapshot's version, and the write's compare-and-set
//! refuses it if anything changed since (every such change bumps the version, on whichever
//! node): a stale entry costs one more round trip, never a wrong booking. A *refusal* decided
//! on it is not trusted either: the claim reads afresh before it says no.

use crate::sql::claim::snapshot::Snapshot;
use jiff::Timestamp;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use stint_domain::ids::UserId;
use stint_domain::schedule::Busy;

/// A mentor's snapshot of the busy time overlapping `[from, to)`.
#[derive(Debug)]
pub(crate) struct Cached {
    pub from: Timestamp,
    pub to: Timestamp,
    pub snapshot: Snapshot,
}

pub(crate) struct ScheduleCache {
    max: usize,
    entries: Mutex<HashMap<UserId, Arc<Cached>>>,
}

impl ScheduleCache {
    pub(crate) fn new(max: usize) -> Self {
        ScheduleCache {
            max,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The mentor's cached snapshot if it covers `[from, to)`.
    pub(crate) fn get(
        &self,
        mentor: UserId,
        from: Timestamp,
        to: Timestamp,
    ) -> Option<Arc<Cached>> {
        let entries = self.entries.lock().ok()?;
        let cached = entries.get(&mentor)?;
        (cached.from <= from && to <= cached.to).then(|| cached.clone())
    }

    /// Keeps `snapshot` (read over `[from, to)`) as the mentor's; an idempotency key's answer
    /// belongs to one request and is not kept.
    pub(crate) fn fill(&self, mentor: UserId, from: Timestamp, to: Timestamp, snapshot: &Snapshot) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= self.max && !entries.contains_key(&mentor) {
            // Make room by forgetting some mentor; entries are cheap to read again.
            if let Some(any) = entries.keys().next().copied() {
                entries.remove(&any);
            }
        }
        let mut snapshot = snapshot.clone();
        snapshot.keyed = None;
        entries.insert(mentor, Arc::new(Cached { from, to, snapshot }));
    }

    /// After this node's write moved the mentor's version on from `read_version` by adding
    /// `session`: the entry follows if it was the one the write was decided on.
    pub(crate) fn record(&self, mentor: UserId, read_version: i64, session: Busy) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        let Some(cached) = entries.get(&mentor) else {
            return;
        };
        if cached.snapshot.version != read_version {
            entries.remove(&mentor);
            return;
        }
        let mut snapshot = cached.snapshot.clone();
        snapshot.version += 1;
        snapshot.busy.push(session);
        let next = Cached {
            from: cached.from,
            to: cached.to,
            snapshot,
        };
        entries.insert(mentor, Arc::new(next));
    }

    pub(crate) fn forget(&self, mentor: UserId) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&mentor);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stint_domain::schedule::BusyKind;

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn snapshot(version: i64) -> Snapshot {
        Snapshot {
            rules: None,
            busy: Vec::new(),
            version,
            keyed: Some(stint_domain::booking::BookingId(9)),
        }
    }

    #[test]
    fn an_entry_answers_only_inside_its_window() {
        let cache = ScheduleCache::new(10);
        let m = UserId(1);
        cache.fill(m, t(100), t(200), &snapshot(3));
        let hit = cache.get(m, t(120), t(180));
        assert_eq!(
            hit.map(|c| (c.snapshot.version, c.snapshot.keyed)),
            Some((3, None))
        );
        assert!(cache.get(m, t(90), t(180)).is_none());
        assert!(cache.get(m, t(120), t(201)).is_none());
        assert!(cache.get(UserId(2), t(120), t(180)).is_none());
    }

    #[test]
    fn a_write_moves_the_entry_on_only_from_the_version_it_read() {
        let cache = ScheduleCache::new(10);
        let m = UserId(1);
        let session = Busy {
            start: t(150),
            end: t(160),
            kind: BusyKind::Session,
        };
        cache.fill(m, t(100), t(200), &snapshot(3));
        cache.record(m, 3, session);
        let next = cache.get(m, t(100), t(200));
        assert_eq!(
            next.map(|c| (c.snapshot.version, c.snapshot.busy.clone())),
            Some((4, vec![session]))
        );
        // A write decided on another version: the entry cannot say what is true now.
        cache.record(m, 3, session);
        assert!(cache.get(m, t(100), t(200)).is_none());
    }

    #[test]
    fn a_full_cache_forgets_someone_else() {
        let cache = ScheduleCache::new(2);
        for i in 0..5 {
            cache.fill(UserId(i), t(0), t(10), &snapshot(1));
            assert!(cache.get(UserId(i), t(0), t(10)).is_some());
        }
    }
}
