-- A slot search asks for the busy time that overlaps a window. Sessions are found by
-- (mentor_id, start_at) from a day before the window (none lasts longer); time held in a
-- mentor's external calendars can last days, so it is found by what ends after the window
-- opens (see crates/store/src/sql/search.rs; the plans are checked by tests/query_plans.rs).
CREATE INDEX calendar_busy_mentor_end ON calendar_busy(mentor_id, end_at);
