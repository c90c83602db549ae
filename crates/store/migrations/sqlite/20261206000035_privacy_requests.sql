-- What people ask about their own data: an export (made by a job, its zip kept here until the
-- link expires) or an erasure (taking effect after a grace period, cancellable until then).
-- Operators see the open ones with the deadline the law sets.
CREATE TABLE privacy_requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT  NOT NULL REFERENCES users(id),
    kind        TEXT    NOT NULL CHECK (kind IN ('export', 'erasure')),
    state       TEXT    NOT NULL CHECK (state IN
                   ('pending', 'erasing', 'done', 'cancelled', 'ready', 'expired', 'failed')),
    requested_at BIGINT NOT NULL,
    due_at      BIGINT  NOT NULL,  -- an erasure: when it takes effect; an export: when asked
    deadline_at BIGINT  NOT NULL,  -- the legal deadline
    progress    BIGINT  NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    file_name   TEXT,
    archive     BLOB,
    expires_at  BIGINT,            -- an export's link
    finished_at BIGINT
);
-- One erasure open at a time per person.
CREATE UNIQUE INDEX privacy_requests_one_erasure ON privacy_requests(user_id)
    WHERE kind = 'erasure' AND state IN ('pending', 'erasing');
CREATE INDEX privacy_requests_user ON privacy_requests(user_id, id);
CREATE INDEX privacy_requests_open ON privacy_requests(state, due_at);
