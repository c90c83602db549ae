//! A small map whose entries are forgotten a fixed time after they were put, by the
//! store's clock (so a test that moves the clock sees them expire without waiting).

use jiff::{SignedDuration, Timestamp};
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use stint_domain::clock::Clock;

pub(crate) struct TtlCache<K, V> {
    ttl: SignedDuration,
    max: usize,
    clock: Arc<dyn Clock>,
    entries: Mutex<HashMap<K, (V, Timestamp)>>,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// Entries live `ttl` by `clock`; at most `max` are kept (when full, the expired go,
    /// then all).
    pub(crate) fn new(ttl: SignedDuration, max: usize, clock: Arc<dyn Clock>) -> Self {
        TtlCache {
            ttl,
            max,
            clock,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Whether an entry put `at` is still fresh at `now` (a clock moved back keeps nothing).
    fn fresh(&self, at: Timestamp, now: Timestamp) -> bool {
        let age = now.duration_since(at);
        age >= SignedDuration::ZERO && age < self.ttl
    }

    /// The value put under `key` less than `ttl` ago.
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let now = self.clock.now();
        let entries = self.entries.lock().ok()?;
        let (value, at) = entries.get(key)?;
        self.fresh(*at, now).then(|| value.clone())
    }

    pub(crate) fn put(&self, key: K, value: V) {
        let now = self.clock.now();
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= self.max {
            entries.retain(|_, (_, at)| self.fresh(*at, now));
            if entries.len() >= self.max {
                entries.clear();
            }
        }
        entries.insert(key, (value, now));
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stint_domain::clock::TravelClock;

    fn clock() -> Arc<TravelClock> {
        Arc::new(TravelClock::starting_at(
            "2026-03-02T09:00:00Z".parse().unwrap(),
        ))
    }

    #[test]
    fn entries_expire_by_the_clock_and_can_be_cleared() {
        let clock = clock();
        let cache = TtlCache::new(SignedDuration::from_secs(60), 10, clock.clone());
        cache.put("a".to_string(), 1);
        cache.put("b".to_string(), 2);
        assert_eq!(cache.get("a"), Some(1));
        cache.clear();
        assert_eq!(cache.get("a"), None);
        cache.put("b".to_string(), 2);
        clock.advance(SignedDuration::from_secs(59));
        assert_eq!(
            cache.get("b"),
            Some(2),
            "an entry younger than its ttl is kept"
        );
        clock.advance(SignedDuration::from_secs(2));
        assert_eq!(cache.get("b"), None, "an entry older than its ttl is gone");
        cache.put("c".to_string(), 3);
        clock.advance(SignedDuration::from_secs(-10));
        assert_eq!(cache.get("c"), None, "a clock moved back keeps nothing");
    }

    #[test]
    fn a_full_cache_makes_room() {
        let cache = TtlCache::new(SignedDuration::from_secs(60), 3, clock());
        for i in 0..10 {
            cache.put(i, i);
            assert_eq!(cache.get(&i), Some(i));
        }
        let kept = (0..10).filter(|i| cache.get(i).is_some()).count();
        assert!((1..=3).contains(&kept), "{kept} entries kept");
    }
}
