-- A slot search asks for the busy time that overlaps a window: found by what ends after the
-- window opens, so a mentor's past sessions and calendar entries are never walked
-- (see crates/store/src/sql/search.rs; the plans are checked by tests/query_plans.rs).
CREATE INDEX bookings_mentor_end ON bookings(mentor_id, end_at);
CREATE INDEX calendar_busy_mentor_end ON calendar_busy(mentor_id, end_at);
-- A session type's figures start from its own sessions.
CREATE INDEX bookings_sku ON bookings(sku_id);
-- A person's upcoming sessions as mentee, by what has not ended yet.
CREATE INDEX bookings_mentee_end ON bookings(mentee_id, end_at);
