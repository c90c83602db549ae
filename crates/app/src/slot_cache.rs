//! The slots of many mentors over one window, kept in memory per mentor, slot length and
//! window for as long as the mentor's *schedule version* says they still hold. Every change
//! to a mentor's sessions, rules or other calendars bumps that version in the database, on
//! whichever node makes it (`stint_store`'s claim), and a search reads the versions with the
//! mentors it is about; so a kept answer is never one the engine would no longer give. The
//! picker asks about the same day of thousands of mentors again and again: a kept answer
//! costs a map look-up instead of reading rules and busy time and running the engine.
//!
//! An answer found at one instant is, later, the same answer less the times that have come
//! inside the mentor's notice since, unless the horizon cut the window when it was found
//! (it reaches further now): such an answer is not kept.

use crate::App;
use crate::error::AppError;
use crate::scheduling::{busy_around, rules_or_default, slots_of};
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use stint_domain::ids::UserId;
use stint_domain::mentor::BookableMentor;
use stint_domain::schedule::{Availability, Slot};

/// Kept answers at most; when full, the cache starts again (a search refills what it needs).
const MAX_KEPT: usize = 40_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    mentor: UserId,
    duration: u16,
    from: Timestamp,
    to: Timestamp,
}

#[derive(Debug)]
struct Kept {
    version: i64,
    /// The zone default hours were read in (a mentor without saved rules).
    timezone: String,
    found_at: Timestamp,
    notice: SignedDuration,
    slots: Arc<[Slot]>,
}

/// Answers kept by this process; shared by clones of the `App`.
#[derive(Debug, Default)]
pub(crate) struct SlotCache {
    kept: Mutex<HashMap<Key, Kept>>,
}

impl SlotCache {
    /// The kept answer for `m` at `now`, if it still holds.
    fn get(&self, m: &BookableMentor, key: &Key, now: Timestamp) -> Option<Vec<Slot>> {
        let version = m.schedule_version?;
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let k = kept.get(key)?;
        if k.version != version || k.timezone != m.timezone || now < k.found_at {
            return None;
        }
        let earliest = now.saturating_add(k.notice).unwrap_or(now);
        Some(
            k.slots
                .iter()
                .filter(|s| s.start >= earliest)
                .copied()
                .collect(),
        )
    }

    /// Keeps `slots`, found at `now` from `rules`, unless the horizon cut the window.
    fn put(
        &self,
        m: &BookableMentor,
        key: Key,
        now: Timestamp,
        rules: &Availability,
        slots: &[Slot],
    ) {
        let Some(version) = m.schedule_version else {
            return;
        };
        let horizon = SignedDuration::from_hours(24 * i64::from(rules.horizon_days));
        if now
            .saturating_add(horizon)
            .is_ok_and(|latest| latest < key.to)
        {
            return;
        }
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= MAX_KEPT {
            kept.clear();
        }
        kept.insert(
            key,
            Kept {
                version,
                timezone: m.timezone.clone(),
                found_at: now,
                notice: SignedDuration::from_mins(i64::from(rules.min_notice_minutes)),
                slots: slots.into(),
            },
        );
    }
}

/// Each of `mentors`' slots of `duration` minutes in `[from, to)`, in the same order:
/// kept answers that still hold, the rest found by the engine from the rules and busy
/// time of those mentors only (two queries), and kept.
pub(crate) async fn slots_by_mentor(
    app: &App,
    mentors: &[BookableMentor],
    duration: u16,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Vec<Slot>>, AppError> {
    let now = app.now();
    let key = |m: &BookableMentor| Key {
        mentor: m.user_id,
        duration,
        from,
        to,
    };
    let mut out: Vec<Option<Vec<Slot>>> = mentors
        .iter()
        .map(|m| app.slots.get(m, &key(m), now))
        .collect();
    let missing: Vec<&BookableMentor> = mentors
        .iter()
        .zip(&out)
        .filter(|(_, found)| found.is_none())
        .map(|(m, _)| m)
        .collect();
    if !missing.is_empty() {
        let ids: Vec<UserId> = missing.iter().map(|m| m.user_id).collect();
        let saved: HashMap<UserId, Availability> =
            app.store.availability_of(&ids).await?.into_iter().collect();
        let busy = busy_around(app, &ids, from, to).await?;
        let mut found: HashMap<UserId, Vec<Slot>> = HashMap::with_capacity(missing.len());
        for m in missing {
            let rules = rules_or_default(&saved, m);
            let mine = busy.get(&m.user_id).map(Vec::as_slice).unwrap_or(&[]);
            let slots = slots_of(&rules, mine, duration, from, to, now);
            app.slots.put(m, key(m), now, &rules, &slots);
            found.insert(m.user_id, slots);
        }
        for (m, slot) in mentors.iter().zip(out.iter_mut()) {
            if slot.is_none() {
                *slot = Some(found.remove(&m.user_id).unwrap_or_default());
            }
        }
    }
    Ok(out.into_iter().map(Option::unwrap_or_default).collect())
}
