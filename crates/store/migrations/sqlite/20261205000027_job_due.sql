-- The worker's lease asks for queued jobs by due time. Beside jobs_state_id (migration 26),
-- SQLite's planner took that index's `state = ?` for it and walked every queued job, future
-- nudges included, on each lease (a backlog of 130,000 planned nudges slowed the worker
-- sixfold). An index on the state and the due time together answers the lease, and the
-- earliest due job, by a range; it replaces the partial index on the due time alone.
DROP INDEX jobs_queued_due;
CREATE INDEX jobs_state_due ON jobs(state, due_at, id);
