-- The operators' job list pages newest first by id, a cursor no change to a job moves; one
-- state's jobs are found by this index without walking the others.
CREATE INDEX jobs_state_id ON jobs(state, id);
