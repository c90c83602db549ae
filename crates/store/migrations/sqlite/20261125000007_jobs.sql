-- The durable job queue. A job waits ('queued') until its due time, is leased by one worker
-- ('running', with lease_until renewed by heartbeats), and ends 'done' or, after its last
-- attempt, 'dead' (kept for operators to read and retry). A lease that runs out puts the job
-- back in reach of other workers: a worker that died loses nothing.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT   NOT NULL,
    payload      TEXT   NOT NULL,  -- JSON
    dedupe_key   TEXT,
    state        TEXT   NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    due_at       BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL CHECK (max_attempts >= 1),
    lease_until  BIGINT,
    worker       TEXT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
-- One live job per dedupe key: enqueueing periodic or per-booking work twice is harmless.
CREATE UNIQUE INDEX jobs_dedupe_live ON jobs (dedupe_key)
    WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running');
-- What a worker asks for: due queued jobs, and running ones whose lease ran out.
CREATE INDEX jobs_queued_due ON jobs (due_at) WHERE state = 'queued';
CREATE INDEX jobs_running_lease ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_dead ON jobs (updated_at) WHERE state = 'dead';
